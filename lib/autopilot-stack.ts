import { ArnFormat, Duration, NestedStack, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { executionFailurePattern } from '../lambdas/domain/execution-failure';
import { METRICS_ENVIRONMENT_VARIABLE } from '../lambdas/domain/metrics';
import type { EventPattern } from '../lambdas/domain/event-pattern';
import { AUTOMATION_ON, AUTOMATION_PAUSED, RUNBOOK_OFF, RUNBOOK_ON } from '../lambdas/domain/switches';
import {
  admissionPolicyParameters, alarmRoutes, approvalPageHandler, assertEventPatternSizes, budgetRunbook, buildCatalog, enabledRunbooks, executionFailureHandler, literalArns, operatorParameters, reportEnvironment, runbookConfig,
  routerPattern, runbookRulePatterns, sharedHandlers, stateMachineNameOf, switchParameters, triggerHandlers, UNDO_MACHINE, undoMachine, undoStateMachineName, type Arns, type HandlerDef, type RunbookMachineRef,
} from './catalog';
import type { BudgetSpec } from '../runbooks/module';
import type { EnvironmentConfig } from './config/schema';
import { RunbookAlarms } from './constructs/alarms';
import { Approvals } from './constructs/approvals';
import { AutopilotDashboard } from './constructs/dashboard';
import { HandlerFunction } from './constructs/handler-function';
import { IncidentReports } from './constructs/incident-reports';
import { RemediationLedger } from './constructs/ledger';
import { Notifications } from './constructs/notifications';
import { ownResources } from './constructs/own-resources';
import { Runbook } from './constructs/runbook';
import { SelfAlarms } from './constructs/self-alarms';

export interface AutopilotStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/** The whole catalog for one environment: ledger, topics, alarms, and one runbook per config entry. */
export class AutopilotStack extends Stack {
  public readonly ledger: RemediationLedger;
  public readonly notifications: Notifications;
  /** The post-incident reports: one Markdown object per incident that ended (docs/reports.md). */
  public readonly reports: IncidentReports;
  public readonly runbooks: Readonly<Record<string, Runbook>>;
  public readonly budgetTopic?: sns.Topic;
  /** Puts back what an incident's runbook replaced; started by `npm run undo -- <incident-id>`. */
  public readonly undo: Runbook;
  public readonly approvals: Approvals;
  /** Hears the runbooks' failed, timed-out and aborted executions and escalates them. */
  public readonly executionFailures: lambda.Function;
  /** Alarms on the autopilot's own failures, to the critical topic. */
  public readonly selfAlarms: SelfAlarms;
  /** What the runbooks did and how the autopilot's own machinery is. */
  public readonly dashboard: AutopilotDashboard;

  constructor(scope: Construct, id: string, props: AutopilotStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.ledger = new RemediationLedger(this, 'Ledger', { retainOnDelete: config.ledger.retainOnDelete });
    this.notifications = new Notifications(this, 'Notifications', {
      criticalEmails: config.notifications.criticalEmails, infoEmails: config.notifications.infoEmails,
    });

    const arns = literalArns(this.partition, this.region, this.account);
    const shared = sharedHandlers(config, arns);
    const admit = this.sharedFunction(shared.admit);
    const notify = this.sharedFunction(shared.notify);
    this.notifications.bind(notify);
    this.reports = new IncidentReports(this, 'IncidentReports', { retainOnDelete: config.ledger.retainOnDelete });
    const report = this.sharedFunction(shared.report);
    this.reports.bind(report);
    this.admissionParameters(config);
    new ssm.StringParameter(this, 'LedgerTableName', {
      parameterName: operatorParameters(config).ledgerTable, stringValue: this.ledger.table.tableName,
      description: 'runbook-autopilot: the remediation ledger table, where the autopilot command line finds it',
    });
    this.approvals = new Approvals(this, 'Approvals', {
      config: config.approvals, notifications: this.notifications, ledger: this.ledger, page: approvalPageHandler(config, arns),
    });
    assertEventPatternSizes(config);
    const rulePatterns = runbookRulePatterns(config, arns);
    const runbooks: Record<string, Runbook> = {};
    for (const def of buildCatalog(config, arns)) {
      runbooks[def.name] = new Runbook(this.runbookStack(def.name), toId(def.name), {
        def,
        ledger: this.ledger,
        sharedFunctions: { [shared.admit.substitution]: admit, [shared.notify.substitution]: notify, [shared.report.substitution]: report },
        eventPatterns: rulePatterns[def.name] ?? [],
        stateMachineName: stateMachineNameOf(config.environment, def.name),
        approvals: this.approvals,
      });
    }
    this.runbooks = runbooks;
    this.executionFailures = this.executionFailureRule(config, arns, runbooks);
    this.undo = new Runbook(this.runbookStack('undo'), 'Undo', {
      def: undoMachine(config, arns),
      ledger: this.ledger,
      sharedFunctions: { [shared.notify.substitution]: notify, [shared.report.substitution]: report },
      eventPatterns: [],
      stateMachineName: undoStateMachineName(config.environment),
      approvals: this.approvals,
    });

    new RunbookAlarms(this, 'Alarms', {
      alarms: enabledRunbooks(config).flatMap((m) => m.alarms?.(runbookConfig(config, m), arns) ?? []),
      infoTopic: this.notifications.info,
    });

    const triggers = triggerHandlers(config, arns, machineRefs(arns, runbooks));
    const budget = budgetRunbook(config);
    const budgetStarted = budget ? runbooks[budget.name] : undefined;
    if (budget && budgetStarted && triggers.budgetAdapter) this.budgetTopic = this.budgetTrigger(budget.budget, budgetStarted, triggers.budgetAdapter);
    // The router starts only the runbooks alarms route to (not those started by service events alone).
    const alarmRouted = new Set(alarmRoutes(config, arns).filter((r) => r.patterns.length > 0).map((r) => r.runbook));
    if (triggers.alarmRouter) this.alarmRouter(triggers.alarmRouter, routerPattern(config, arns), Object.entries(runbooks).filter(([name]) => alarmRouted.has(name)).map(([, rb]) => rb));

    // Last, once every state machine, function, rule and queue exists.
    const own = ownResources(this);
    // The `environment` dimension of every metric a handler emits.
    for (const fn of own.functions) fn.addEnvironment(METRICS_ENVIRONMENT_VARIABLE, config.environment);
    this.selfAlarms = new SelfAlarms(this, 'SelfAlarms', {
      resources: own, criticalTopic: this.notifications.critical,
      reports: { environment: config.environment, machines: [...Object.keys(runbooks), UNDO_MACHINE] },
    });
    this.dashboard = new AutopilotDashboard(this, 'Dashboard', { environment: config.environment, runbooks, resources: own, selfAlarms: this.selfAlarms.alarms });
  }

  /**
   * Alarms a team already has may name their runbook by tag (composite alarms too): every ALARM
   * transition reaches the router, which reads the alarm's tags and starts the tagged runbook.
   * Alarms the metric rules already route are left to them, and the rule leaves out the alarms
   * routed by their names.
   */
  private alarmRouter(def: HandlerDef, pattern: EventPattern, runbooks: readonly Runbook[]): void {
    const fn = new HandlerFunction(this, def.id, { entry: def.entry, description: def.description, environment: def.environment });
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:ListTagsForResource'],
      resources: [this.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    for (const rb of runbooks) rb.stateMachine.grantStartExecution(fn);
    const deadLetters = new sqs.Queue(this, 'AlarmRouterDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    const rule = new events.Rule(this, 'TaggedAlarms', {
      description: 'Every CloudWatch alarm ALARM transition (but those routed by name), for the tag router',
      eventPattern: pattern as events.EventPattern,
    });
    rule.addTarget(new targets.LambdaFunction(fn, { deadLetterQueue: deadLetters, retryAttempts: 20, maxEventAge: Duration.hours(2) }));
  }

  /**
   * A runbook step that fails after its Retry fails its execution at that state (so the console's
   * Redrive retries exactly that step): this rule on the runbooks' own executions (FAILED,
   * TIMED_OUT, ABORTED) invokes the notifier that marks the incident failed and escalates.
   * Step Functions emits these events best effort. Failed deliveries and invocations that fail
   * after Lambda's retries land in a dead-letter queue.
   */
  private executionFailureRule(config: EnvironmentConfig, arns: Arns, runbooks: Readonly<Record<string, Runbook>>): lambda.Function {
    const machines = machineRefs(arns, runbooks);
    const def = executionFailureHandler(config, arns, machines, reportEnvironment(config));
    const fn = new HandlerFunction(this, def.id, { entry: def.entry, description: def.description, environment: def.environment });
    fn.grantPermissions(def.permissions);
    this.ledger.bind(fn);
    this.notifications.bindCritical(fn);
    // The failed run never reached its report step: the notifier writes its incident's report.
    this.reports.bind(fn);
    // cdk-nag names the finding by the resource as it renders it: pseudo parameters in <...>.
    const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
    const account = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
    for (const machine of machines) {
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${literalArns('<AWS::Partition>', region, account).executions(machine.name)}]`,
        reason: 'The execution-failure notifier reads the history (states:GetExecutionHistory, read-only) of the failed execution of a runbook, to name the state that failed; which executions fail is not known at synth. Only this stack\'s runbook state machines.',
      });
    }
    const deadLetters = new sqs.Queue(this, 'ExecutionFailedDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(deadLetters) });
    const rule = new events.Rule(this, 'RunbookExecutionFailures', {
      description: "A runbook execution failed, timed out or was aborted: escalate it, naming the state a redrive retries",
      eventPattern: executionFailurePattern(machines.map((m) => m.arn)) as events.EventPattern,
    });
    rule.addTarget(new targets.LambdaFunction(fn, { deadLetterQueue: deadLetters, retryAttempts: 20, maxEventAge: Duration.hours(2) }));
    return fn;
  }

  /**
   * Each runbook lives in a nested stack of its own (one resource here, up to 500 there): about 25
   * resources per runbook would pass CloudFormation's 500 per stack at about 18 runbooks. Its
   * construct id inside stays the runbook's, so its resources keep the logical ids they had.
   */
  private runbookStack(name: string): NestedStack {
    return new NestedStack(this, `${toId(name)}Runbook`, { description: `runbook-autopilot ${this.stackName}: ${name}` });
  }

  private sharedFunction(def: HandlerDef): lambda.Function {
    const fn = new HandlerFunction(this, def.id, { entry: def.entry, description: def.description, environment: def.environment });
    fn.grantPermissions(def.permissions);
    if (def.usesLedger) this.ledger.bind(fn);
    return fn;
  }

  /**
   * What admit reads for each runbook: the kill switch and the runbook's switch, created "enabled"
   * (an operator flips them), and its admission policy, written from config at every deploy.
   */
  private admissionParameters(config: EnvironmentConfig): void {
    const names = switchParameters(config);
    new ssm.StringParameter(this, 'AutomationSwitch', {
      parameterName: names.automation, stringValue: AUTOMATION_ON,
      description: `runbook-autopilot kill switch: "${AUTOMATION_ON}" lets runbooks act, "${AUTOMATION_PAUSED}" holds them all`,
    });
    for (const [runbook, parameterName] of Object.entries(names.runbooks)) {
      new ssm.StringParameter(this, `Switch-${runbook}`, {
        parameterName, stringValue: RUNBOOK_ON,
        description: `runbook-autopilot ${runbook}: "${RUNBOOK_ON}" or "${RUNBOOK_OFF}"`,
      });
    }
    for (const policy of admissionPolicyParameters(config)) {
      new ssm.StringParameter(this, `Policy-${policy.runbook}`, {
        parameterName: policy.name, stringValue: policy.value,
        description: `runbook-autopilot ${policy.runbook}: what admit lets it act on, from config/${config.environment}.json (a deploy writes it again)`,
      });
    }
  }

  /**
   * AWS Budgets notifies only through SNS: budget -> topic -> adapter Lambda -> StartExecution.
   * The adapter names each execution after the alert, so a redelivered notification starts none.
   */
  private budgetTrigger(budget: BudgetSpec, started: Runbook, def: HandlerDef): sns.Topic {
    const topic = this.notifications.topic('BudgetAlerts', 'runbook-autopilot: AWS Budgets alerts');
    topic.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
    }));
    if (budget.create) {
      new budgets.CfnBudget(this, 'Budget', {
        budget: {
          budgetName: budget.budgetName,
          budgetType: 'COST',
          timeUnit: 'MONTHLY',
          budgetLimit: { amount: budget.monthlyLimitUsd, unit: 'USD' },
        },
        notificationsWithSubscribers: budget.alertThresholdsPercent.map((threshold) => ({
          notification: { notificationType: 'ACTUAL', comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
          subscribers: [{ subscriptionType: 'SNS', address: topic.topicArn }],
        })),
      });
    }
    const failures = new sqs.Queue(this, 'BudgetAdapterDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    const adapter = new HandlerFunction(this, def.id, { entry: def.entry, description: def.description, environment: def.environment });
    adapter.configureAsyncInvoke({ retryAttempts: 2, onFailure: new destinations.SqsDestination(failures) });
    started.stateMachine.grantStartExecution(adapter);
    topic.addSubscription(new subscriptions.LambdaSubscription(adapter, { deadLetterQueue: failures }));
    return topic;
  }
}

/** A runbook's construct id: its name in PascalCase (queue-backlog -> QueueBacklog). */
export function toId(name: string): string {
  return name.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

/** Each runbook's deployed state machine, as the trigger and failure handlers name it: by its fixed name, no reference into its nested stack. */
function machineRefs(arns: Arns, runbooks: Readonly<Record<string, Runbook>>): RunbookMachineRef[] {
  return Object.entries(runbooks).map(([runbook, rb]) => ({ runbook, arn: arns.stateMachine(rb.stateMachineName), name: rb.stateMachineName }));
}
