import * as fs from 'node:fs';
import * as path from 'node:path';
import { NestedStack, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { toId } from '../../lib/autopilot-stack';
import { admissionPolicyParameters, alarmRoutes, approvalPageHandler, buildCatalog, enabledRunbooks, eventRoutes, literalArns, MODULES, runbookConfig, runbookPolicies, sharedHandlers, stateMachineNameOf, triggerHandlers, undoMachine, undoStateMachineName } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { actionFacts, ON_ANY_RESOURCE } from '../iam/aws-actions';
import { runbookPolicySchema } from '../../lambdas/domain/admission';
import { ACCOUNT, bundlesOf, stackTemplate, synthStack } from './synth';
import { TEMPLATE_DIR_VARIABLE } from '../support/template-dir';
import { benchHandlers } from '../../bench/handlers';
import { HandlerFunction } from '../../lib/constructs/handler-function';

const config = loadConfig('prod');
const { stack, template } = synthStack(config);
/** What the catalog deploys in prod: each enabled runbook's state machine and functions, the undo's, the shared ones. */
const arns = literalArns('aws', config.region, ACCOUNT);
const runbooks = enabledRunbooks(config);
const catalog = buildCatalog(config, arns);
const undoDef = undoMachine(config, arns);
const shared = sharedHandlers(config, arns);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
type Policy = { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] } };
/** The statements of the policies attached to roles whose logical id matches (every role by default). */
function statements(role: RegExp = /./): Statement[] {
  return (Object.values(template.findResources('AWS::IAM::Policy')) as Policy[])
    .filter((p) => p.Properties.Roles.some((r) => role.test(r.Ref)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}
/** The role of a catalog function: its construct path ends in `<id>Role`, then the hash. */
const roleOf = (id: string) => new RegExp(`${id}Role[0-9A-F]{8}$`);
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
/** A resource as the template spells a literal ARN: the partition a Ref, the rest as configured. */
const joined = (arn: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, arn.slice('arn:aws'.length)]] });

const bundles = bundlesOf(stack);

test("the template synthesized here is kept for the run's other files that read this stack (stackTemplate), not synthesized again by each", () => {
  const dir = process.env[TEMPLATE_DIR_VARIABLE]!;
  const kept = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown);
  expect(kept).toContainEqual(template.toJSON());
  expect(stackTemplate(config)).toEqual(template.toJSON());
});

test("every function's entry bundles with the stack's settings (the runtime's AWS SDK left out), with no warning", async () => {
  const { entries, bundled, errors, warnings } = await bundles;
  expect(entries.length).toBeGreaterThan(20);
  expect({ bundled, errors, warnings }).toEqual({ bundled: entries, errors: [], warnings: [] });
});

test('a function whose invocations call different services loads each one\'s SDK at its first call, not at cold start (lambdas/shared/lazy-sdk.ts)', async () => {
  const { sdkAtInit } = await bundles;
  const ledger = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/util-dynamodb'];
  // The undo restores whichever runbook's change (eight services); the approval page reads whichever resource a gate names.
  expect({
    restore: sdkAtInit['lambdas/undo/restore.ts'], finish: sdkAtInit['lambdas/undo/finish.ts'],
    page: sdkAtInit['lambdas/approval/page.ts'], request: sdkAtInit['lambdas/approval/request.ts'],
    alarmRouter: sdkAtInit['lambdas/alarm-router/handler.ts'], evidence: sdkAtInit['runbooks/lambda-runaway/handlers/evidence.ts'],
    diagnose: sdkAtInit['runbooks/s3-access-denied/handlers/diagnose.ts'],
  }).toEqual({
    restore: ledger, finish: ledger,
    page: [...ledger, '@aws-sdk/client-secrets-manager'].sort(), request: [...ledger, '@aws-sdk/client-secrets-manager'].sort(),
    alarmRouter: [], evidence: [], diagnose: [],
  });
});

test('one Standard state machine per runbook prod deploys and one for undo, logging ALL with execution data, X-Ray on', () => {
  template.resourceCountIs('AWS::StepFunctions::StateMachine', runbooks.length + 1);
  template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
    StateMachineType: 'STANDARD',
    LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    TracingConfiguration: { Enabled: true },
  });
});

test('each runbook, the undo included, is a nested stack of its own holding its state machine, by its fixed name; no template nears CloudFormation\'s limits', () => {
  const nested = stack.node.findAll().filter((c): c is NestedStack => NestedStack.isNestedStack(c));
  const machineNames = (s: Stack) => Object.values(Template.fromStack(s).findResources('AWS::StepFunctions::StateMachine'))
    .map((m) => (m as { Properties: { StateMachineName: string } }).Properties.StateMachineName);
  expect(machineNames(stack)).toEqual([]);
  expect(nested.map(machineNames).sort()).toEqual([...runbooks.map((m) => [stateMachineNameOf('prod', m.name)]), [undoStateMachineName('prod')]].sort());
  // 500 resources, 200 parameters, 200 outputs per template: a runbook that grows a stack near them fails here first.
  for (const s of [stack, ...nested]) {
    const t = Template.fromStack(s).toJSON() as { Resources: object; Parameters?: object; Outputs?: object };
    expect({ stack: s.node.path, resources: Object.keys(t.Resources).length < 400, parameters: Object.keys(t.Parameters ?? {}).length < 200, outputs: Object.keys(t.Outputs ?? {}).length < 200 })
      .toEqual({ stack: s.node.path, resources: true, parameters: true, outputs: true });
  }
});

test('each definition ships the ASL file as it is, with the ARN of every function it invokes and the partition substituted', () => {
  const machines = Object.entries(template.findResources('AWS::StepFunctions::StateMachine')) as [string, { Properties: Record<string, unknown> }][];
  const expected = [
    ...catalog.map((def) => ({ id: `${toId(def.name)}StateMachine`, invokes: [shared.admit, shared.notify, shared.report, ...def.handlers] })),
    { id: 'UndoStateMachine', invokes: [shared.notify, shared.report, ...undoDef.handlers] },
  ];
  expect(machines.map(([id]) => id.slice(0, -8)).sort()).toEqual(expected.map((m) => m.id).sort());
  for (const { id, invokes } of expected) {
    const [, m] = machines.find(([logicalId]) => logicalId.slice(0, -8) === id)!;
    // The file itself is the deployed definition (an asset), not a copy built in code.
    expect(m.Properties.DefinitionS3Location).toBeDefined();
    expect(m.Properties.DefinitionString).toBeUndefined();
    const subs = m.Properties.DefinitionSubstitutions as Record<string, unknown>;
    for (const h of invokes) expect({ id, [h.substitution]: subs[h.substitution] }).toEqual({ id, [h.substitution]: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`${h.id}[0-9A-F]{8}$`)), 'Arn'] } });
    // The integration ARNs (arn:${Partition}:states:::lambda:invoke) name the partition deployed to.
    expect(subs.Partition).toEqual({ Ref: 'AWS::Partition' });
  }
});

test('the undo state machine has the name npm run undo looks for, and no trigger: nothing routes to it, and only the guardrail may start it', () => {
  const name = 'runbook-autopilot-prod-undo';
  const undo = Object.keys(template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: name } }));
  expect(undo).toHaveLength(1);
  // By logical id (Ref, GetAtt) or by the ARN built from its name.
  // The alarms on the autopilot itself watch the undo machine's failures and only page the critical topic.
  const critical = Object.keys(template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: Match.stringLikeRegexp('escalations') } }));
  const pagesOnly = (r: unknown) => JSON.stringify((r as { Properties: { AlarmActions?: unknown } }).Properties.AlarmActions) === JSON.stringify([{ Ref: critical[0] }]);
  const names = (value: unknown) => JSON.stringify(value).includes(`"${undo[0]}"`) || JSON.stringify(value).includes(`stateMachine:${name}`);
  const triggers = ['AWS::Events::Rule', 'AWS::CloudWatch::Alarm', 'AWS::SNS::Subscription', 'AWS::Lambda::EventSourceMapping', 'AWS::Scheduler::Schedule', 'AWS::Pipes::Pipe']
    .flatMap((type) => Object.entries(template.findResources(type)).filter(([, r]) => names(r) && !pagesOnly(r)).map(([id]) => `${type} ${id}`));
  expect(triggers).toEqual([]);
  // Who may start it: only the guardrail's state machine, whose "Start the undo of the switch" runs where undoIfNotVerified is on (prod).
  expect(config.runbooks['llm-budget-guardrail'].undoIfNotVerified).toBe(true);
  const starters = Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([, p]) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement
      .some((st) => actionsOf(st).some((a) => a === 'states:StartExecution' || a === 'states:*') && names(st.Resource)))
    .map(([id]) => id);
  // ... and, whichever runbooks are added, only state machines whose module names the undo among its service integrations.
  const startsUndo = catalog.filter((d) => (d.stateMachinePermissions ?? []).some((p) => p.actions.includes('states:StartExecution') && p.resources.includes(arns.stateMachine(name))));
  expect(startsUndo.map((d) => d.name)).toContain('llm-budget-guardrail');
  expect(starters.sort()).toEqual(startsUndo.map((d) => toId(d.name)).sort().map((id) => expect.stringMatching(new RegExp(`^${id}StateMachineRole`))));
});

test('lambda-runaway rules route ALARM transitions of the configured functions only, by metric', () => {
  const functions = config.runbooks['lambda-runaway'].targets.map((t) => t.functionName);
  const pattern = (metrics: Record<string, unknown>) => ({
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: { state: { value: ['ALARM'] }, configuration: { metrics } },
  });
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: pattern({ metricStat: { metric: { namespace: ['AWS/Lambda'], name: ['ConcurrentExecutions'], dimensions: { FunctionName: functions } } } }),
  });
  // Invocations only as the alarmed value: an error-rate alarm divides by it and must not stop a function.
  template.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: pattern({ returnData: [true], metricStat: { metric: { namespace: ['AWS/Lambda'], name: ['Invocations'], dimensions: { FunctionName: functions } } } }),
  });
});

test("the alarm router names each alarm-routed runbook's state machine by its deployed name, under the account's state machine ARN prefix", () => {
  const fns = template.findResources('AWS::Lambda::Function') as Record<string, { Properties: { Environment: { Variables: Record<string, unknown> } } }>;
  const env = Object.entries(fns).find(([id]) => id.startsWith('AlarmRouter'))![1].Properties.Environment.Variables;
  const prefix = 'runbook-autopilot-prod-';
  expect(env.STATE_MACHINE_ARN_PREFIX).toEqual(joined(`arn:aws:states:${config.region}:${ACCOUNT}:stateMachine:${prefix}`));
  // A route may name its targets by ARN (workflow-stuck's StateMachineArn): then ROUTES is joined with the partition.
  const text = typeof env.ROUTES === 'string' ? env.ROUTES
    : (env.ROUTES as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'aws')).join('');
  const routes = JSON.parse(text) as Record<string, unknown>;
  const routed = alarmRoutes(config, arns).filter((r) => r.patterns.length > 0).map((r) => r.runbook);
  expect(routed.length).toBeGreaterThan(0);
  expect(Object.keys(routes)).toEqual(routed);
  // The router starts `<prefix><runbook>`: the name each state machine is deployed with, in its runbook's nested stack.
  const deployedNames = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).map((m) => (m as { Properties: { StateMachineName: string } }).Properties.StateMachineName);
  for (const runbook of routed) expect(deployedNames).toContain(`${prefix}${runbook}`);
});

test('every rule target has a dead-letter queue and a retry policy', () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule'));
  // A rule per metric pattern of each runbook started by alarms, per service-event route of each started by events, the tag router's, and the one on failed executions.
  const routed = alarmRoutes(config, arns).reduce((n, r) => n + r.patterns.length, 0);
  const heard = eventRoutes(config, literalArns('aws', config.region, ACCOUNT)).reduce((n, r) => n + r.patterns.length, 0);
  const router = triggerHandlers(config, literalArns('aws', config.region, ACCOUNT), catalog.map((d) => ({ runbook: d.name, arn: d.name, name: stateMachineNameOf('prod', d.name) }))).alarmRouter;
  expect(heard).toBeGreaterThan(0);
  expect(rules).toHaveLength(routed + heard + (router ? 1 : 0) + 1);
  for (const rule of rules) {
    const targets = (rule as { Properties: { Targets: Record<string, unknown>[] } }).Properties.Targets;
    for (const t of targets) {
      expect(t.DeadLetterConfig).toEqual({ Arn: expect.anything() });
      expect(t.RetryPolicy).toEqual({ MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 7200 });
    }
  }
});

test('a runbook started by AWS service events gets one rule per route, on its configured targets only, starting its state machine', () => {
  const machines = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
  const workflowStuck = machines.find((id) => id.startsWith('WorkflowStuckStateMachine'))!;
  // Its service-event rule (its ExecutionTime alarm has a metric rule of its own, and the tag router may start it for that alarm).
  const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { Targets: [{ Arn: { Ref: workflowStuck } }], EventPattern: { source: ['aws.states'] } } })) as {
    Properties: { Description: string; EventPattern: Record<string, unknown>; Targets: { DeadLetterConfig: unknown; RetryPolicy: unknown }[] };
  }[];
  expect(rules).toHaveLength(1);
  expect(rules[0]!.Properties.Description).toBe('Starts workflow-stuck on Step Functions Execution Status Change events of its configured targets');
  expect(rules[0]!.Properties.EventPattern).toEqual({
    source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'],
    detail: {
      status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
      stateMachineArn: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:states:${config.region}:${ACCOUNT}:stateMachine:tradai-prod-backtest-workflow`]] }],
    },
  });
  expect(rules[0]!.Properties.Targets).toEqual([expect.objectContaining({ DeadLetterConfig: { Arn: expect.anything() }, RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 7200 } })]);
  // The stack tags its own state machines: workflow-stuck refuses to act on a machine with the tag.
  for (const id of machines) {
    expect((template.toJSON().Resources[id] as { Properties: { Tags?: { Key: string; Value: string }[] } }).Properties.Tags).toContainEqual({ Key: 'runbook-autopilot:stack', Value: stack.stackName });
  }
});

test("a rule on the runbooks' own executions (failed, timed out, aborted) invokes the execution-failure notifier; failures of it land in a dead-letter queue", () => {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const runbookMachines = Object.entries(machines).filter(([, m]) => (m as { Properties: { StateMachineName?: string } }).Properties.StateMachineName !== 'runbook-autopilot-prod-undo');
  expect(runbookMachines.map(([id]) => id.slice(0, -8)).sort()).toEqual(runbooks.map((m) => `${toId(m.name)}StateMachine`).sort());
  const runbookMachineArns = runbookMachines.map(([, m]) => joined(`arn:aws:states:${config.region}:${ACCOUNT}:stateMachine:${(m as { Properties: { StateMachineName: string } }).Properties.StateMachineName}`));
  const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.states'] }, Description: Match.stringLikeRegexp('^A runbook execution failed') } })) as {
    Properties: { EventPattern: { 'detail-type': string[]; detail: { status: string[]; stateMachineArn: unknown[] } }; Targets: { Arn: unknown; DeadLetterConfig: unknown }[] };
  }[];
  expect(rules).toHaveLength(1);
  const { EventPattern: pattern, Targets: targets } = rules[0]!.Properties;
  expect(pattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
  expect(pattern.detail.status).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
  // Only this stack's runbooks: not the undo (it escalates its own failures), not anyone else's workflows.
  expect(pattern.detail.stateMachineArn).toEqual(expect.arrayContaining(runbookMachineArns));
  expect(pattern.detail.stateMachineArn).toHaveLength(runbookMachineArns.length);
  const notifier = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Execution failed') } }));
  expect(notifier).toHaveLength(1);
  expect(targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [notifier[0], 'Arn'] }, DeadLetterConfig: { Arn: expect.anything() } })]);
  // The notifier's own failures (after Lambda's two retries) go to the same queue.
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    FunctionName: { Ref: notifier[0] }, MaximumRetryAttempts: 2,
    DestinationConfig: { OnFailure: { Destination: targets[0]!.DeadLetterConfig ? (targets[0]!.DeadLetterConfig as { Arn: unknown }).Arn : null } },
  });
});

test('one alarm per alarm each runbook prod deploys defines for its targets (besides those on the autopilot itself: self-alarms.test.ts)', () => {
  const onTargets = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .filter((a) => !JSON.stringify((a as { Properties: { AlarmDescription?: unknown } }).Properties.AlarmDescription).includes('runbook-autopilot itself:'));
  expect(onTargets).toHaveLength(runbooks.reduce((n, m) => n + (m.alarms?.(runbookConfig(config, m), arns).length ?? 0), 0));
});

test('the seed runbooks\' alarms use the seed thresholds', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ConcurrentExecutions', Namespace: 'AWS/Lambda', Statistic: 'Maximum', Threshold: 800,
    ComparisonOperator: 'GreaterThanThreshold', Dimensions: [{ Name: 'FunctionName', Value: 'cabruca-segmentation-prod-researcher-agent' }],
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Threshold: 0, AlarmActions: Match.anyValue() });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'WriteThrottleEvents', Threshold: 0, Dimensions: [{ Name: 'TableName', Value: 'cabruca-segmentation-prod-agent-tasks' }] });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UserErrors', Threshold: 0 });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Metrics: Match.arrayWith([Match.objectLike({ Expression: 'desired - running' })]),
  });
  // lambda-errors-rollback: the error rate of each function's alias live.
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Threshold: 1, ComparisonOperator: 'GreaterThanThreshold',
    Metrics: Match.arrayWith([
      Match.objectLike({ Expression: '100 * errors / MAX([invocations, 1])' }),
      Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Errors', Dimensions: Match.arrayWith([{ Name: 'Resource', Value: 'cabruca-segmentation-prod-manager-agent:live' }]) }) }) }),
    ]),
  });
  // Per seed runbook: 5 functions x 4; 3 tables x 2 + 1 account-wide; 4 services (tasks below desired; a heartbeat alarm is the team's own); the budget runbook none (AWS Budgets alerts it); 5 aliases.
  const SEED: Readonly<Record<string, number>> = {
    'lambda-runaway': 5 * 4, 'dynamodb-throttling': 3 * 2 + 1, 'ecs-service-recovery': 4, 'llm-budget-guardrail': 0, 'lambda-errors-rollback': 5,
  };
  const defined = MODULES.filter((m) => m.name in SEED).map((m) => [m.name, m.alarms?.(runbookConfig(config, m), arns).length ?? 0]);
  expect(Object.fromEntries(defined)).toEqual(SEED);
});

test("database-recovery: the connections alarm at 90 % of the instance's max_connections, and its failover rules on the database's ARN; workflow-stuck's ExecutionTime alarm past 6 hours", () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/RDS', MetricName: 'DatabaseConnections', Statistic: 'Maximum', Threshold: 360, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 3, DatapointsToAlarm: 3, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'tradai-prod-db' }],
  });
  for (const detailType of ['RDS DB Instance Event', 'RDS DB Cluster Event']) {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.rds'], 'detail-type': [detailType],
        detail: { EventCategories: ['failover'], SourceArn: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:${config.region}:${ACCOUNT}:db:tradai-prod-db`]] }] },
      },
    });
  }
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/States', MetricName: 'ExecutionTime', Statistic: 'Maximum', Threshold: 6 * 3_600_000, ComparisonOperator: 'GreaterThanThreshold',
    Dimensions: [{ Name: 'StateMachineArn', Value: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:states:${config.region}:${ACCOUNT}:stateMachine:tradai-prod-backtest-workflow`]] } }],
  });
});

test('the budget notifies its topic at 50/80/100 %, and the topic lets only AWS Budgets of this account publish', () => {
  template.hasResourceProperties('AWS::Budgets::Budget', {
    Budget: { BudgetName: 'alphaswarm-prod-monthly', BudgetLimit: { Amount: 1500, Unit: 'USD' }, BudgetType: 'COST', TimeUnit: 'MONTHLY' },
    NotificationsWithSubscribers: [50, 80, 100].map((threshold) => Match.objectLike({ Notification: Match.objectLike({ Threshold: threshold, ThresholdType: 'PERCENTAGE' }) })),
  });
  template.hasResourceProperties('AWS::SNS::TopicPolicy', {
    PolicyDocument: Match.objectLike({
      Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'budgets.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } })]),
    }),
  });
});

describe('lambda-runaway (config/prod.json\'s functions, spelled out)', () => {
  const functions = ['manager', 'engineer', 'qa', 'researcher', 'data_processor'].map((a) => joined(`arn:aws:lambda:${config.region}:${ACCOUNT}:function:cabruca-segmentation-prod-${a}-agent`));
  if (!runbooks.some((m) => m.name === 'lambda-runaway')) {
    test('is switched off in config/prod.json: no role of it holds a grant', () => {
      expect(statements(/^LambdaRunaway/)).toEqual([]);
    });
    return;
  }

  test('the emergency stop and the approved restore may change only the configured functions', () => {
    const stops = statements(/LambdaRunaway(Stop|Restore)Role[0-9A-F]{8}$/).filter((s) => actionsOf(s).includes('lambda:PutFunctionConcurrency'));
    expect(stops).toHaveLength(2);
    for (const stop of stops) {
      expect(actionsOf(stop)).toEqual(['lambda:GetFunction', 'lambda:PutFunctionConcurrency']);
      expect(resourcesOf(stop)).toEqual(functions);
    }
  });

  test('only the undo may remove their reserved concurrency, and only of the configured functions', () => {
    const named = (s: Statement) => resourcesOf(s).some((r) => functions.some((f) => JSON.stringify(f) === JSON.stringify(r)) || r === '*');
    const restores = Object.entries(template.findResources('AWS::IAM::Policy') as Record<string, Policy>)
      .flatMap(([id, p]) => p.Properties.PolicyDocument.Statement.filter((s) => actionsOf(s).includes('lambda:DeleteFunctionConcurrency') && named(s)).map((s) => ({ id, s })));
    expect(restores.map((r) => r.id)).toEqual([expect.stringMatching(/^UndoUndoRestoreRole/)]);
    expect(actionsOf(restores[0]!.s)).toEqual(['lambda:GetFunction', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency']);
    expect(resourcesOf(restores[0]!.s)).toEqual(functions);
  });
});

test('nothing is granted on "*" but what IAM authorizes on no resource and changes nothing, the reads ON_ANY_RESOURCE lists, task results to the approval functions, tracing and log delivery', async () => {
  // Task results take no resource ARN (the task token, kept in the ledger, is the capability); only the approval functions send them.
  const taskResults = new Set(['states:SendTaskSuccess', 'states:SendTaskFailure']);
  const approvalFunctions = [...catalog.flatMap((d) => d.handlers), ...undoDef.handlers, approvalPageHandler(config, arns)]
    .filter((h) => h.entry.startsWith('lambdas/approval/')).map((h) => h.id);
  const problems: string[] = [];
  for (const [id, p] of Object.entries(template.findResources('AWS::IAM::Policy') as Record<string, Policy>)) {
    for (const action of p.Properties.PolicyDocument.Statement.filter((st) => resourcesOf(st).includes('*')).flatMap(actionsOf)) {
      // X-Ray tracing and Step Functions log delivery have no resource-level permissions.
      if (/^(xray|logs):/.test(action) || action in ON_ANY_RESOURCE) continue;
      if (taskResults.has(action)) {
        if (!approvalFunctions.some((f) => new RegExp(`${f}Role[0-9A-F]{8}$`).test(p.Properties.Roles[0]!.Ref))) problems.push(`${id}: ${action} on "*", not an approval function`);
        continue;
      }
      const facts = await actionFacts(action);
      if (facts.resourceArns.length > 0 || !facts.readOnly) problems.push(`${id}: ${action} on "*" (${facts.readOnly ? 'IAM authorizes it on a resource: name it' : 'it changes something'})`);
    }
  }
  expect(problems).toEqual([]);
  // ... and each approval function has them.
  for (const f of approvalFunctions) expect({ f, taskResults: statements(roleOf(f)).some((st) => actionsOf(st).some((a) => taskResults.has(a))) }).toEqual({ f, taskResults: true });
});

test('every ListTasks is scoped to the configured clusters by condition', () => {
  const listTasks = statements().filter((s) => actionsOf(s).includes('ecs:ListTasks'));
  expect(listTasks).toHaveLength(catalog.flatMap((d) => d.handlers).filter((h) => h.permissions.some((p) => p.actions.includes('ecs:ListTasks'))).length);
  for (const s of listTasks) {
    expect(Object.keys(s.Condition ?? {})).toEqual(['ArnEquals']);
    const clusters = (s.Condition as { ArnEquals: { 'ecs:cluster': unknown[] } }).ArnEquals['ecs:cluster'];
    expect(clusters.length).toBeGreaterThan(0);
    // Each a named cluster's ARN (a Join over the partition), never a wildcard.
    for (const cluster of clusters) expect(JSON.stringify(cluster)).toMatch(/:cluster\/[\w-]+"\]\]\}$/);
  }
});

test('the ledger keeps point-in-time recovery and survives stack deletion in prod', () => {
  template.hasResource('AWS::DynamoDB::GlobalTable', {
    DeletionPolicy: 'Retain',
    Properties: Match.objectLike({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    }),
  });
});

describe('the incident reports', () => {
  const [bucketId, bucket] = (Object.entries(template.findResources('AWS::S3::Bucket')) as [string, { DeletionPolicy?: string; Properties: Record<string, unknown> }][])[0]!;
  const keys = template.findResources('AWS::KMS::Key', { Properties: { Description: 'runbook-autopilot incident reports' } });

  test('one bucket: encrypted with a key of its own (rotated), versioned, public access blocked, owner-enforced, kept on stack deletion in prod', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    expect(Object.keys(keys)).toHaveLength(1);
    expect(Object.values(keys)[0]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Object.keys(keys)[0], 'Arn'] } } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  test('a lifecycle rule expires earlier versions after a year and abandoned uploads after a day; the reports themselves never expire', () => {
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toEqual([expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 365 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })]);
    expect(rules[0]).not.toHaveProperty('ExpirationInDays');
  });

  test('the bucket refuses any request not made over TLS 1.2 or later', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        Match.objectLike({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]) },
    });
  });

  test('only the report function and the execution-failure notifier write there: s3:PutObject under incidents/, and the data key', () => {
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/incidents/*']] };
    const writers = (Object.values(template.findResources('AWS::IAM::Policy')) as Policy[])
      .filter((p) => p.Properties.PolicyDocument.Statement.some((st) => JSON.stringify(st.Resource).includes(bucketId)))
      .map((p) => p.Properties.Roles[0]!.Ref.replace(/Role[0-9A-F]{8}$/, '')).sort();
    expect(writers).toEqual(['ExecutionFailed', 'Report']);
    for (const role of writers) {
      const held = statements(roleOf(role)).filter((st) => JSON.stringify(st.Resource).includes(bucketId) || JSON.stringify(st.Resource).includes(Object.keys(keys)[0]!));
      expect(held).toEqual([
        expect.objectContaining({ Action: 's3:PutObject', Effect: 'Allow', Resource: objects }),
        expect.objectContaining({ Action: 'kms:GenerateDataKey', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Object.keys(keys)[0], 'Arn'] } }),
      ]);
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler', Environment: { Variables: Match.objectLike({ REPORT_BUCKET: { Ref: bucketId } }) }, Description: Match.stringLikeRegexp('^Report: '),
    });
  });
});

test('every function runs Node.js 24 on arm64 with active tracing and a log group of its own', () => {
  template.allResourcesProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }),
  });
});

const ssmParameters = () => (Object.values(template.findResources('AWS::SSM::Parameter')) as { Properties: { Name: string; Value: string } }[]);

test('the kill switch and one switch per runbook prod deploys exist, "enabled", and only admit may read them', () => {
  template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/runbook-autopilot/prod/automation', Value: 'enabled', Type: 'String' });
  const switches = ssmParameters().filter((p) => p.Properties.Name.startsWith('/runbook-autopilot/prod/runbooks/'));
  expect(switches.map((p) => [p.Properties.Name, p.Properties.Value]).sort())
    .toEqual(runbooks.map((m) => [`/runbook-autopilot/prod/runbooks/${m.name}`, 'enabled']).sort());
  const readers = statements().filter((s) => resourcesOf(s).some((r) => JSON.stringify(r).includes('/runbook-autopilot/prod/')));
  expect(readers).toHaveLength(1);
  expect(actionsOf(readers[0]!)).toEqual(['ssm:GetParameters']);
});

test("each runbook prod deploys has its admission policy in SSM, as config says it, and admit's environment names only where they are", () => {
  const policies = Object.fromEntries(ssmParameters().filter((p) => p.Properties.Name.startsWith('/runbook-autopilot/prod/policies/'))
    .map((p) => [p.Properties.Name.split('/').pop()!, JSON.parse(p.Properties.Value) as unknown]));
  const configured = runbookPolicies(config);
  expect(Object.keys(policies).sort()).toEqual(runbooks.map((m) => m.name).sort());
  for (const [runbook, policy] of Object.entries(policies)) {
    // What admit reads back is what config says (the defaults it fills in left out).
    expect(runbookPolicySchema.parse(policy)).toEqual(runbookPolicySchema.parse(configured[runbook]));
  }
  const [admit] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Admit:') } })) as { Properties: { Environment: { Variables: Record<string, unknown> } } }[];
  expect(admit!.Properties.Environment.Variables).toMatchObject({ PARAMETER_PREFIX: '/runbook-autopilot/prod' });
  expect(Object.keys(admit!.Properties.Environment.Variables)).not.toContain('RUNBOOK_POLICIES');
});

test('a runbook whose policy would not fit an SSM parameter fails the synth, naming it', () => {
  const many = structuredClone(config);
  const [first] = runbooks;
  // Its first target two hundred times over, each name made unique.
  const entry = (many.runbooks as unknown as Record<string, { targets: unknown[] }>)[first!.name]!;
  const copy = (target: unknown, i: number): unknown => JSON.parse(JSON.stringify(target).replace(/"([a-z][^"]*[a-z0-9])"(?!:)/g, `"$1-copy-${i}"`)) as unknown;
  entry.targets = Array.from({ length: 200 }, (_, i) => copy(entry.targets[0], i));
  expect(() => admissionPolicyParameters(many)).toThrow(new RegExp(`^${first!.name}'s admission policy is \\d+ bytes, over SSM's 4096-byte parameter`));
});

test('the command line finds the ledger by an SSM parameter beside the switches, holding the table\'s name', () => {
  const [table] = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'));
  template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/runbook-autopilot/prod/ledger-table', Type: 'String', Value: { Ref: table } });
});

describe('approvals', () => {
  test('each approver is subscribed with a filter policy on their own name: one link each', () => {
    for (const approver of config.approvals.approvers) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email', Endpoint: approver.email, FilterPolicy: { approver: [approver.name] },
      });
    }
  });

  test('the signing key is generated in Secrets Manager and only the approval functions may read it, by ARN', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) });
    const secretStatements = statements().filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    const onSigningKey = (s: (typeof secretStatements)[number]) => JSON.stringify(resourcesOf(s)).includes('ApprovalsSigningKey');
    const reads = secretStatements.filter(onSigningKey);
    // The page and each approval request handler (each gated runbook's, the undo's).
    const requesters = [...catalog.flatMap((d) => d.handlers), ...undoDef.handlers].filter((h) => h.entry === 'lambdas/approval/request.ts');
    expect(reads).toHaveLength(1 + requesters.length);
    for (const s of reads) {
      expect(actionsOf(s)).toEqual(['secretsmanager:GetSecretValue']);
      expect(resourcesOf(s)).toEqual([{ Ref: expect.stringMatching(/^ApprovalsSigningKey/) }]);
    }
    // Any other secret read is a runbook's own, configured secret (agentops-key's): read-only, by its ARN, never the signing key's.
    for (const s of secretStatements.filter((x) => !onSigningKey(x))) {
      expect(actionsOf(s)).toEqual(['secretsmanager:GetSecretValue']);
      expect(JSON.stringify(resourcesOf(s))).toMatch(/:secret:[^*"]+-\?{6}/);
    }
  });

  test('the page is an HTTP API route for GET, HEAD and POST only, throttled, with access logs that leave out the query string', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => (r as { Properties: { RouteKey: string } }).Properties.RouteKey).sort();
    expect(routes).toEqual(['GET /approvals/{requestId}', 'HEAD /approvals/{requestId}', 'POST /approvals/{requestId}']);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }),
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('context.path') },
    });
    const format = (Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as { Properties: { AccessLogSettings: { Format: string } } }).Properties.AccessLogSettings.Format;
    expect(format).not.toMatch(/querystring|routeKey|\$context\.(?:requestOverride|authorizer)/i);
  });

  test('lambda-runaway: the request handler knows the policy and the gate; the approved restore value and the deadline reach the state machine', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({
        APPROVAL_POLICY: Match.stringLikeRegexp('"requiredApprovals":2'),
        // Written short (lambdas/domain/approval-gates.ts): each aborts on timeout and asks the policy's 2 approvals.
        APPROVAL_GATES: Match.serializedJson(Match.objectLike({ 'lambda-runaway/restore': 'P2', 'lambda-runaway/undo': 'P3' })),
        APPROVAL_TOPIC_ARN: Match.anyValue(), APPROVAL_SECRET_ID: Match.anyValue(), APPROVAL_BASE_URL: Match.anyValue(),
      }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ RESTORE_RESERVED_CONCURRENCY: '5', RESTORE_ON_TIMEOUT: 'abort' }) },
    });
  });
});

// A variable the stack adds later than the catalog (the report bucket) once made the bench's cold start fail.
test('the bench runs each handler with every environment variable the stack gives its function', () => {
  const deployed = new Map<string, string[]>();
  for (const fn of stack.node.findAll().filter((c): c is HandlerFunction => c instanceof HandlerFunction)) {
    const cfn = fn.node.defaultChild as CfnFunction;
    const variables = (Stack.of(fn).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
    deployed.set(fn.entry, [...new Set([...(deployed.get(fn.entry) ?? []), ...Object.keys(variables)])]);
  }
  // NODE_OPTIONS too: the source maps it turns on are part of each cold start.
  const missing = benchHandlers().flatMap((h) => (deployed.get(h.entry) ?? [])
    .filter((name) => !(name in h.environment))
    .map((name) => `${h.entry}: ${name}`));
  expect(deployed.size).toBeGreaterThan(20);
  expect(missing).toEqual([]);
});

/** Lambda refuses a function whose environment variables (names and values) exceed 4 KB. */
const LAMBDA_ENVIRONMENT_LIMIT = 4096;
/** A value the template resolves at deploy (a Ref, an ARN), counted at more than any ARN of this stack. */
const TOKEN_BYTES = 160;

test("every function's environment fits Lambda's 4 KB, with room to grow (the approval request's grows with each runbook's gates)", () => {
  const sizes = Object.entries(template.findResources('AWS::Lambda::Function')).map(([id, fn]) => {
    const variables = ((fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables) ?? {};
    const bytes = Object.entries(variables).reduce((n, [name, value]) => n + Buffer.byteLength(name) + (typeof value === 'string' ? Buffer.byteLength(value) : TOKEN_BYTES), 0);
    return { id, bytes };
  });
  expect(sizes.length).toBeGreaterThan(20);
  // Three quarters of the limit: a warning a few runbooks ahead of a deploy Lambda would refuse.
  expect(sizes.filter((s) => s.bytes > LAMBDA_ENVIRONMENT_LIMIT * 0.75)).toEqual([]);
});
