import { Match } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { ACCOUNT, synthStack } from './synth';
import { RUNBOOK_NAMES } from '../../runbooks/registry';

const config = loadConfig('prod');
const { template } = synthStack(config);
const functionArn = (name: string) => `arn:${'${AWS::Partition}'}:lambda:sa-east-1:${ACCOUNT}:function:${name}`;

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
function statements(): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

test('one Standard state machine per runbook and one for undo, logging ALL with execution data, X-Ray on', () => {
  template.resourceCountIs('AWS::StepFunctions::StateMachine', RUNBOOK_NAMES.length + 1);
  template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
    StateMachineType: 'STANDARD',
    LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    TracingConfiguration: { Enabled: true },
  });
});

test('each definition ships the ASL file as it is, with every handler ARN and the partition substituted', () => {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as { Properties: Record<string, unknown> }[];
  for (const m of machines) {
    // The file itself is the deployed definition (an asset), not a copy built in code.
    expect(m.Properties.DefinitionS3Location).toBeDefined();
    expect(m.Properties.DefinitionString).toBeUndefined();
    const subs = m.Properties.DefinitionSubstitutions as Record<string, unknown>;
    const handlers = m.Properties.StateMachineName === 'runbook-autopilot-prod-undo'
      ? ['NotifyFunctionArn', 'PlanFunctionArn', 'RestoreFunctionArn', 'FinishFunctionArn']
      : ['AdmitFunctionArn', 'NotifyFunctionArn', 'InspectFunctionArn'];
    expect(Object.keys(subs)).toEqual(expect.arrayContaining(handlers));
    // The integration ARNs (arn:${Partition}:states:::lambda:invoke) name the partition deployed to.
    expect(subs.Partition).toEqual({ Ref: 'AWS::Partition' });
  }
});

test('the undo state machine has the name npm run undo looks for, and no trigger: nothing routes to it, and only the guardrail may start it', () => {
  const name = 'runbook-autopilot-prod-undo';
  const undo = Object.keys(template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: name } }));
  expect(undo).toHaveLength(1);
  // By logical id (Ref, GetAtt) or by the ARN built from its name.
  const names = (value: unknown) => JSON.stringify(value).includes(`"${undo[0]}"`) || JSON.stringify(value).includes(`stateMachine:${name}`);
  const triggers = ['AWS::Events::Rule', 'AWS::CloudWatch::Alarm', 'AWS::SNS::Subscription', 'AWS::Lambda::EventSourceMapping', 'AWS::Scheduler::Schedule', 'AWS::Pipes::Pipe']
    .flatMap((type) => Object.entries(template.findResources(type)).filter(([, r]) => names(r)).map(([id]) => `${type} ${id}`));
  expect(triggers).toEqual([]);
  // Who may start it: only the guardrail's state machine, whose "Start the undo of the switch" runs where undoIfNotVerified is on (prod).
  expect(config.runbooks['llm-budget-guardrail'].undoIfNotVerified).toBe(true);
  const starters = Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([, p]) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement
      .some((st) => actionsOf(st).some((a) => a === 'states:StartExecution' || a === 'states:*') && names(st.Resource)))
    .map(([id]) => id);
  expect(starters).toEqual([expect.stringMatching(/^LlmBudgetGuardrailStateMachineRole/)]);
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

test('every rule target has a dead-letter queue and a retry policy', () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule'));
  expect(rules.length).toBeGreaterThanOrEqual(4);
  for (const rule of rules) {
    const targets = (rule as { Properties: { Targets: Record<string, unknown>[] } }).Properties.Targets;
    for (const t of targets) {
      expect(t.DeadLetterConfig).toEqual({ Arn: expect.anything() });
      expect(t.RetryPolicy).toEqual({ MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 7200 });
    }
  }
});

test("a rule on the runbooks' own executions (failed, timed out, aborted) invokes the execution-failure notifier; failures of it land in a dead-letter queue", () => {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const runbookMachines = Object.entries(machines).filter(([, m]) => (m as { Properties: { StateMachineName?: string } }).Properties.StateMachineName !== 'runbook-autopilot-prod-undo').map(([id]) => id);
  expect(runbookMachines).toHaveLength(RUNBOOK_NAMES.length);
  const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.states'] } } })) as {
    Properties: { EventPattern: { 'detail-type': string[]; detail: { status: string[]; stateMachineArn: { Ref: string }[] } }; Targets: { Arn: unknown; DeadLetterConfig: unknown }[] };
  }[];
  expect(rules).toHaveLength(1);
  const { EventPattern: pattern, Targets: targets } = rules[0]!.Properties;
  expect(pattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
  expect(pattern.detail.status).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
  // Only this stack's runbooks: not the undo (it escalates its own failures), not anyone else's workflows.
  expect(pattern.detail.stateMachineArn.map((r) => r.Ref).sort()).toEqual(runbookMachines.sort());
  const notifier = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Execution failed') } }));
  expect(notifier).toHaveLength(1);
  expect(targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [notifier[0], 'Arn'] }, DeadLetterConfig: { Arn: expect.anything() } })]);
  // The notifier's own failures (after Lambda's two retries) go to the same queue.
  template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
    FunctionName: { Ref: notifier[0] }, MaximumRetryAttempts: 2,
    DestinationConfig: { OnFailure: { Destination: targets[0]!.DeadLetterConfig ? (targets[0]!.DeadLetterConfig as { Arn: unknown }).Arn : null } },
  });
});

test('alarms use the seed thresholds', () => {
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
  // 5 functions x 4 + 3 tables x 2 + 1 account-wide + 2 services + 5 aliases + 1 function's duration.
  template.resourceCountIs('AWS::CloudWatch::Alarm', 35);
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

test('the emergency stop and the approved restore may change only the configured functions', () => {
  const stops = statements().filter((s) => actionsOf(s).includes('lambda:PutFunctionConcurrency') && !actionsOf(s).includes('lambda:DeleteFunctionConcurrency'));
  expect(stops).toHaveLength(2);
  const expected = config.runbooks['lambda-runaway'].targets.map((t) => ({ 'Fn::Join': ['', expect.arrayContaining([expect.stringContaining(`function:${t.functionName}`)])] }));
  for (const stop of stops) expect(resourcesOf(stop)).toEqual(expected);
  expect(functionArn('x')).toContain('function:x');
});

test('only the undo may remove reserved concurrency, and only of the configured functions', () => {
  const restores = statements().filter((s) => actionsOf(s).includes('lambda:DeleteFunctionConcurrency'));
  expect(restores).toHaveLength(1);
  expect(actionsOf(restores[0]!)).toEqual(['lambda:GetFunction', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency']);
  const expected = config.runbooks['lambda-runaway'].targets.map((t) => ({ 'Fn::Join': ['', expect.arrayContaining([expect.stringContaining(`function:${t.functionName}`)])] }));
  expect(resourcesOf(restores[0]!)).toEqual(expected);
});

test('no action of a remediated service is allowed on "*" but the read-only ones without resource-level permissions', () => {
  const remediated = /^(lambda|dynamodb|ecs|ssm|sns|states|cloudwatch|ce|kms|sqs|events|s3):/;
  // cloudwatch:DescribeAlarms returns composite alarms only to a caller granted it on "*".
  const readOnlyOnStar = new Set(['ce:GetCostAndUsage', 'ecs:ListTasks', 'lambda:ListEventSourceMappings', 'events:ListRuleNamesByTarget', 'cloudwatch:DescribeAlarms', 'dynamodb:ListBackups']);
  // Task results take no resource ARN (the task token, kept in the ledger, is the capability); only the approval roles have them.
  const taskResults = new Set(['states:SendTaskSuccess', 'states:SendTaskFailure']);
  const onStar = statements().filter((s) => resourcesOf(s).includes('*')).flatMap(actionsOf);
  expect(onStar.filter((a) => remediated.test(a) && !readOnlyOnStar.has(a) && !taskResults.has(a))).toEqual([]);
  const withTaskResults = Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([, p]) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement.some((s) => actionsOf(s).some((a) => taskResults.has(a))))
    .map(([id]) => id);
  expect(withTaskResults).toEqual([
    expect.stringMatching(/^ApprovalsApprovalPageRole/), expect.stringMatching(/^LambdaRunawayLambdaRunawayApprovalRequestRole/),
    expect.stringMatching(/^DynamodbThrottlingDynamodbThrottlingApprovalRequestRole/), expect.stringMatching(/^LambdaErrorsRollbackLambdaErrorsRollbackApprovalRequestRole/),
    expect.stringMatching(/^LambdaTimeoutsLambdaTimeoutsApprovalRequestRole/),
    expect.stringMatching(/^UndoUndoApprovalRequestRole/),
  ]);
  // What remains on "*" is X-Ray tracing and Step Functions log delivery, which have no resource-level permissions.
  expect(onStar.filter((a) => !remediated.test(a)).every((a) => /^(xray|logs):/.test(a))).toBe(true);
});

test('ListTasks is scoped to the configured cluster by condition', () => {
  const listTasks = statements().find((s) => actionsOf(s).includes('ecs:ListTasks'));
  expect(listTasks?.Condition).toEqual({ ArnEquals: { 'ecs:cluster': [expect.anything()] } });
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

test('every function runs Node.js 24 on arm64 with active tracing and a log group of its own', () => {
  template.allResourcesProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }),
  });
});

test('the kill switch and one switch per runbook exist, "enabled", and only admit may read them', () => {
  template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/runbook-autopilot/prod/automation', Value: 'enabled', Type: 'String' });
  for (const runbook of RUNBOOK_NAMES) {
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: `/runbook-autopilot/prod/runbooks/${runbook}`, Value: 'enabled' });
  }
  const readers = statements().filter((s) => resourcesOf(s).some((r) => JSON.stringify(r).includes('/runbook-autopilot/prod/')));
  expect(readers).toHaveLength(1);
  expect(actionsOf(readers[0]!)).toEqual(['ssm:GetParameter']);
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
    const reads = statements().filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    // The page and each request handler (lambda-runaway, dynamodb-throttling, lambda-errors-rollback, lambda-timeouts, the undo).
    expect(reads).toHaveLength(6);
    for (const s of reads) {
      expect(actionsOf(s)).toEqual(['secretsmanager:GetSecretValue']);
      expect(resourcesOf(s)).toEqual([{ Ref: expect.stringMatching(/^ApprovalsSigningKey/) }]);
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

  test('the request handler knows the policy and the gate; the approved restore value and the deadline reach the state machine', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({
        APPROVAL_POLICY: Match.stringLikeRegexp('"requiredApprovals":2'),
        APPROVAL_GATES: Match.serializedJson(Match.objectLike({
          'lambda-runaway/restore': { severity: 'P2', onTimeout: 'abort', requiredApprovals: 2 },
          'lambda-runaway/undo': { severity: 'P3', onTimeout: 'abort', requiredApprovals: 2 },
        })),
        APPROVAL_TOPIC_ARN: Match.anyValue(), APPROVAL_SECRET_ID: Match.anyValue(), APPROVAL_BASE_URL: Match.anyValue(),
      }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ RESTORE_RESERVED_CONCURRENCY: '5', RESTORE_ON_TIMEOUT: 'abort' }) },
    });
  });
});
