import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EventPattern } from '../../lambdas/domain/event-pattern';
import { OWN_STATE_MACHINE_TAG } from '../../lambdas/domain/own-resources';
import type { HandlerDef, RunbookDef } from '../../runbooks/kit';
import { HandlerFunction, toStatement } from './handler-function';
import type { Approvals } from './approvals';
import type { RemediationLedger } from './ledger';

export const STATEMACHINES_DIR = path.join(__dirname, '..', '..', 'statemachines');

export interface RunbookProps {
  readonly def: RunbookDef;
  readonly ledger: RemediationLedger;
  /** Functions shared by every runbook (admit, notify), by ASL substitution name. */
  readonly sharedFunctions: Readonly<Record<string, lambda.IFunction>>;
  /** EventBridge patterns that start this runbook: its alarms' and its service events' (none for SNS-started runbooks). */
  readonly eventPatterns: readonly EventPattern[];
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** The state machine's name (stateMachineNameOf). */
  readonly stateMachineName: string;
  /** Where gated steps send their approval requests. */
  readonly approvals?: Approvals;
}

/**
 * One runbook: its handlers (each with a role scoped to its own actions and targets), its
 * Standard state machine loaded from statemachines/<name>.asl.json with every ARN substituted,
 * and the EventBridge rules that start it, with a dead-letter queue and a retry policy.
 */
export class Runbook extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  /** Its state machine's fixed name, a plain string (no token). */
  public readonly stateMachineName: string;
  public readonly functions: Readonly<Record<string, HandlerFunction>>;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly rules: readonly events.Rule[];

  constructor(scope: Construct, id: string, props: RunbookProps) {
    super(scope, id);
    const { def } = props;
    this.stateMachineName = props.stateMachineName;
    const functions: Record<string, HandlerFunction> = {};
    for (const handler of def.handlers) functions[handler.substitution] = this.handlerFunction(handler, props.ledger, props.approvals);
    this.functions = functions;

    const invoked: Record<string, lambda.IFunction> = { ...props.sharedFunctions, ...functions };
    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/vendedlogs/states/runbook-autopilot-${deployedStackName(this)}-${def.name}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      stateMachineName: props.stateMachineName,
      comment: `runbook-autopilot ${def.name}`,
      definitionBody: sfn.DefinitionBody.fromFile(path.join(STATEMACHINES_DIR, def.definitionFile)),
      definitionSubstitutions: {
        ...Object.fromEntries(Object.entries(invoked).map(([key, fn]) => [key, fn.functionArn])),
        ...def.substitutions,
      },
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // This system's own: a runbook that acts on Step Functions executions refuses a machine with this tag.
    Tags.of(this.stateMachine).add(OWN_STATE_MACHINE_TAG, deployedStackName(this));
    // The definition comes from a file, so CDK cannot infer the grant. The ASL invokes each
    // function by its unqualified ARN, so no version or alias is granted.
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: Object.values(invoked).map((fn) => fn.functionArn),
    }));
    for (const permission of def.stateMachinePermissions ?? []) this.stateMachine.addToRolePolicy(toStatement(permission));
    for (const role of def.serviceRoles ?? []) {
      new iam.Role(this, `${role.id}Role`, {
        roleName: role.roleName, description: role.description,
        // Confused deputy: the service may assume it for this account's resources only.
        assumedBy: new iam.ServicePrincipal(role.service, { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
        inlinePolicies: { [role.id]: new iam.PolicyDocument({ statements: role.permissions.map(toStatement) }) },
      });
    }

    this.deadLetterQueue = new sqs.Queue(this, 'TriggerDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.rules = props.eventPatterns.map((pattern, i) => {
      const rule = new events.Rule(this, `Trigger${i}`, {
        description: `Starts ${def.name} on ${describePattern(pattern)}`,
        eventPattern: pattern as events.EventPattern,
      });
      rule.addTarget(new targets.SfnStateMachine(this.stateMachine, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 20,
        maxEventAge: Duration.hours(2),
      }));
      return rule;
    });
  }

  private handlerFunction(handler: HandlerDef, ledger: RemediationLedger, approvals: Approvals | undefined): HandlerFunction {
    const fn = new HandlerFunction(this, handler.id, {
      entry: handler.entry, description: handler.description, environment: handler.environment,
    });
    if (handler.usesLedger) ledger.bind(fn);
    if (handler.usesApprovals) {
      if (!approvals) throw new Error(`${handler.id} sends approval requests, but the stack has no approvals`);
      approvals.bindRequester(fn);
    }
    fn.grantPermissions(handler.permissions);
    return fn;
  }
}

/** The name of the stack an operator deploys: a runbook's nested stack has a generated name of its own. */
function deployedStackName(scope: Construct): string {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack.stackName;
}

/** What a rule hears, for its description: "the CloudWatch alarms routed to it", or the service event's detail-type. */
function describePattern(pattern: EventPattern): string {
  const types = pattern['detail-type'];
  if (!Array.isArray(types) || types.includes('CloudWatch Alarm State Change')) return 'the CloudWatch alarms routed to it';
  return `${types.join(', ')} events of its configured targets`;
}
