/**
 * Least privilege, proven on the synthesized prod policies with an IAM evaluator: each role may do
 * its job on its configured targets, and nothing else: not on other targets, not on the system's
 * own resources (ledger, switches, functions, state machines), and no mutation of arbitrary resources.
 */
import { ACCOUNT, REGION, synthesizeIam, type Decision, type RequestContext } from './stack-roles';
import { RUNBOOK_NAMES } from '../../runbooks/registry';

type Case = [role: string, action: string, resource: string, expected: Decision, context?: RequestContext];

const iam = synthesizeIam();

const arn = (service: string, resource: string, region = REGION) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
const fn = (name: string) => arn('lambda', `function:${name}`);
const table = (name: string) => arn('dynamodb', `table/${name}`);
const cluster = (name: string) => arn('ecs', `cluster/${name}`);
const service = (clusterName: string, name: string) => arn('ecs', `service/${clusterName}/${name}`);
const parameter = (name: string) => arn('ssm', `parameter${name}`);
const stateMachine = (name: string) => arn('states', `stateMachine:${name}`);
const topic = (name: string) => arn('sns', name);
const executionOf = (machineArn: string) => `${machineArn.replace(':stateMachine:', ':execution:')}:0f1e2d3c-run`;

// The prod targets (config/prod.json), spelled out rather than read back from the code under test.
const FUNCTIONS = ['manager', 'engineer', 'qa', 'researcher', 'data_processor'].map((a) => `cabruca-segmentation-prod-${a}-agent`);
const RESEARCHER = fn('cabruca-segmentation-prod-researcher-agent');
const BACKTEST = fn('tradai-prod-backtest-worker');
const BACKTEST_QUEUE = arn('sqs', 'tradai-prod-backtest-jobs');
const TABLES = ['agent-state', 'agent-memory', 'agent-tasks'].map((t) => table(`cabruca-segmentation-prod-${t}`));
const AGENT_STATE = table('cabruca-segmentation-prod-agent-state');
const AGENT_TASKS = table('cabruca-segmentation-prod-agent-tasks');
const TASKS_BACKUP = `${AGENT_TASKS}/backup/01795473256422-78615023`;
const rule = (name: string, bus?: string) => arn('events', `rule/${bus ? `${bus}/` : ''}${name}`);
const bucket = (name: string) => `arn:aws:s3:::${name}`;
const OWN_ACCOUNT = { 's3:ResourceAccount': ACCOUNT };
const CLUSTER = 'alphaswarm-cluster-prod';
const ADMIN = service(CLUSTER, 'alphaswarm-admin-prod');
const PROXY = service(CLUSTER, 'alphaswarm-agentcore-proxy-prod');
const MODEL_PREFERENCE = parameter('/alphaswarm/prod/llm_model_preference');
const KILL_SWITCH = parameter('/runbook-autopilot/prod/automation');
const SWITCHES = [KILL_SWITCH, ...RUNBOOK_NAMES.map((r) => parameter(`/runbook-autopilot/prod/runbooks/${r}`))];

// The system's own resources, as the template names them.
const own = {
  ledger: iam.arnOf('AWS::DynamoDB::GlobalTable', 'LedgerTable'),
  topicKey: iam.arnOf('AWS::KMS::Key', 'NotificationsTopicKey'),
  critical: iam.arnOf('AWS::SNS::Topic', 'NotificationsCritical'),
  info: iam.arnOf('AWS::SNS::Topic', 'NotificationsInfo'),
  budgetAlerts: iam.arnOf('AWS::SNS::Topic', 'NotificationsBudgetAlerts'),
  admitFn: iam.arnOf('AWS::Lambda::Function', 'Admit'),
  stopFn: iam.arnOf('AWS::Lambda::Function', 'LambdaRunawayStop'),
  switchFn: iam.arnOf('AWS::Lambda::Function', 'DynamodbThrottlingSwitch'),
  lambdaRunaway: iam.arnOf('AWS::StepFunctions::StateMachine', 'LambdaRunawayStateMachine'),
  dynamodbThrottling: iam.arnOf('AWS::StepFunctions::StateMachine', 'DynamodbThrottlingStateMachine'),
  ecsServiceRecovery: iam.arnOf('AWS::StepFunctions::StateMachine', 'EcsServiceRecoveryStateMachine'),
  llmBudgetGuardrail: iam.arnOf('AWS::StepFunctions::StateMachine', 'LlmBudgetGuardrailStateMachine'),
  undo: iam.arnOf('AWS::StepFunctions::StateMachine', 'UndoStateMachine'),
  notifyFn: iam.arnOf('AWS::Lambda::Function', 'Notify'),
  undoRestoreFn: iam.arnOf('AWS::Lambda::Function', 'UndoRestore'),
  approvalsTopic: iam.arnOf('AWS::SNS::Topic', 'NotificationsApprovals'),
  signingKey: iam.arnOf('AWS::SecretsManager::Secret', 'ApprovalsSigningKey'),
};
/** The roles that send approval requests or decide them; only they read the signing key. */
const APPROVAL_ROLES = new Set(['LambdaRunawayApprovalRequest', 'DynamodbThrottlingApprovalRequest', 'LambdaErrorsRollbackApprovalRequest', 'LambdaTimeoutsApprovalRequest', 'UndoApprovalRequest', 'ApprovalPage']);

type Kind = 'handler' | 'state machine' | 'rule target';
/** Every role in the stack: what it is, and whether it reads and writes the ledger. */
const ROLES: Readonly<Record<string, { kind: Kind; ledger: boolean }>> = {
  Admit: { kind: 'handler', ledger: true },
  Notify: { kind: 'handler', ledger: true },
  LambdaRunawayInspect: { kind: 'handler', ledger: false },
  LambdaRunawayStop: { kind: 'handler', ledger: true },
  LambdaRunawayEvidence: { kind: 'handler', ledger: false },
  LambdaRunawayApprovalRequest: { kind: 'handler', ledger: true },
  UndoApprovalRequest: { kind: 'handler', ledger: true },
  LambdaRunawayRestore: { kind: 'handler', ledger: true },
  ApprovalPage: { kind: 'handler', ledger: true },
  DynamodbThrottlingInspect: { kind: 'handler', ledger: false },
  DynamodbThrottlingSwitch: { kind: 'handler', ledger: true },
  DynamodbThrottlingCheck: { kind: 'handler', ledger: false },
  DynamodbThrottlingCountStuck: { kind: 'handler', ledger: false },
  DynamodbThrottlingBackup: { kind: 'handler', ledger: true },
  DynamodbThrottlingBackupStatus: { kind: 'handler', ledger: false },
  DynamodbThrottlingDeleteStuck: { kind: 'handler', ledger: true },
  DynamodbThrottlingApprovalRequest: { kind: 'handler', ledger: true },
  EcsServiceRecoveryInspect: { kind: 'handler', ledger: false },
  EcsServiceRecoveryRedeploy: { kind: 'handler', ledger: true },
  EcsServiceRecoveryCheck: { kind: 'handler', ledger: false },
  LambdaRunawayVerify: { kind: 'handler', ledger: false },
  DynamodbThrottlingVerify: { kind: 'handler', ledger: false },
  EcsServiceRecoveryVerify: { kind: 'handler', ledger: false },
  LlmBudgetGuardrailVerify: { kind: 'handler', ledger: false },
  LambdaErrorsRollbackInspect: { kind: 'handler', ledger: true },
  LambdaErrorsRollbackApprovalRequest: { kind: 'handler', ledger: true },
  LambdaErrorsRollbackRollback: { kind: 'handler', ledger: true },
  LambdaErrorsRollbackCheck: { kind: 'handler', ledger: false },
  LambdaErrorsRollbackVerify: { kind: 'handler', ledger: false },
  LlmBudgetGuardrailInspect: { kind: 'handler', ledger: false },
  LlmBudgetGuardrailPreference: { kind: 'handler', ledger: true },
  LlmBudgetGuardrailRedeploy: { kind: 'handler', ledger: true },
  LambdaTimeoutsInspect: { kind: 'handler', ledger: false },
  LambdaTimeoutsEvidence: { kind: 'handler', ledger: false },
  LambdaTimeoutsApprovalRequest: { kind: 'handler', ledger: true },
  LambdaTimeoutsRaise: { kind: 'handler', ledger: true },
  LambdaTimeoutsCheck: { kind: 'handler', ledger: false },
  UndoPlan: { kind: 'handler', ledger: true },
  UndoRestore: { kind: 'handler', ledger: true },
  UndoFinish: { kind: 'handler', ledger: true },
  BudgetAdapter: { kind: 'handler', ledger: false },
  AlarmRouter: { kind: 'handler', ledger: false },
  ExecutionFailed: { kind: 'handler', ledger: true },
  LambdaRunawayStateMachine: { kind: 'state machine', ledger: false },
  DynamodbThrottlingStateMachine: { kind: 'state machine', ledger: false },
  EcsServiceRecoveryStateMachine: { kind: 'state machine', ledger: false },
  LlmBudgetGuardrailStateMachine: { kind: 'state machine', ledger: false },
  LambdaErrorsRollbackStateMachine: { kind: 'state machine', ledger: false },
  LambdaTimeoutsStateMachine: { kind: 'state machine', ledger: false },
  UndoStateMachine: { kind: 'state machine', ledger: false },
  LambdaRunawayStateMachineEvents: { kind: 'rule target', ledger: false },
  DynamodbThrottlingStateMachineEvents: { kind: 'rule target', ledger: false },
  EcsServiceRecoveryStateMachineEvents: { kind: 'rule target', ledger: false },
  LambdaErrorsRollbackStateMachineEvents: { kind: 'rule target', ledger: false },
  LambdaTimeoutsStateMachineEvents: { kind: 'rule target', ledger: false },
};
const ROLE_NAMES = Object.keys(ROLES);
const ALARM_VERIFIERS = ['LambdaRunawayVerify', 'DynamodbThrottlingVerify', 'EcsServiceRecoveryVerify', 'LambdaErrorsRollbackVerify'];
const LEDGER_USERS = ROLE_NAMES.filter((r) => ROLES[r]!.ledger);

// Tests call it with a rest parameter on purpose: Jest reads a test function with one more parameter than the row as a `done` callback.
async function expectDecision(...[role, action, resource, expected, context]: Case) {
  await expect(iam.decide(iam.role(role), action, resource, context)).resolves.toBe(expected);
}

test('every role in the template is one of the roles these cases cover', () => {
  const covered = ROLE_NAMES.map((name) => iam.role(name).logicalId).sort();
  expect(covered).toEqual([...iam.roles.keys()].sort());
});

// Each role may do its job on every configured target.
const JOB: Case[] = [
  ...FUNCTIONS.map((f): Case => ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', fn(f), 'Allowed']),
  ['LambdaRunawayStop', 'lambda:GetFunction', RESEARCHER, 'Allowed'],
  ['LambdaRunawayInspect', 'lambda:GetFunction', RESEARCHER, 'Allowed'],
  ['LambdaRunawayEvidence', 'events:ListRuleNamesByTarget', '*', 'Allowed'],
  ['LambdaRunawayEvidence', 'events:DescribeRule', rule('cabruca-segmentation-prod-researcher-poll'), 'Allowed'],
  ['LambdaRunawayEvidence', 'lambda:GetPolicy', RESEARCHER, 'Allowed'],
  ['LambdaRunawayEvidence', 'lambda:ListEventSourceMappings', '*', 'Allowed'],
  ['LambdaRunawayEvidence', 's3:GetBucketNotification', bucket('cabruca-segmentation-prod-agent-queue'), 'Allowed', OWN_ACCOUNT],
  ['DynamodbThrottlingCountStuck', 'dynamodb:Scan', AGENT_TASKS, 'Allowed'],
  ['DynamodbThrottlingCountStuck', 'dynamodb:DescribeTable', AGENT_TASKS, 'Allowed'],
  ['DynamodbThrottlingBackup', 'dynamodb:CreateBackup', AGENT_TASKS, 'Allowed'],
  // ListBackups has no resource type: "*" is the only resource it is evaluated against.
  ['DynamodbThrottlingBackup', 'dynamodb:ListBackups', '*', 'Allowed'],
  ['DynamodbThrottlingBackupStatus', 'dynamodb:DescribeBackup', TASKS_BACKUP, 'Allowed'],
  ['DynamodbThrottlingDeleteStuck', 'dynamodb:GetItem', AGENT_TASKS, 'Allowed'],
  ['DynamodbThrottlingDeleteStuck', 'dynamodb:DeleteItem', AGENT_TASKS, 'Allowed'],
  ...FUNCTIONS.map((f): Case => ['LambdaRunawayRestore', 'lambda:PutFunctionConcurrency', fn(f), 'Allowed']),
  // The alias rollback: alias and version calls are authorized on the unqualified function.
  ...FUNCTIONS.flatMap((f): Case[] => [
    ['LambdaErrorsRollbackInspect', 'lambda:GetAlias', fn(f), 'Allowed'],
    ['LambdaErrorsRollbackInspect', 'lambda:ListVersionsByFunction', fn(f), 'Allowed'],
    ['LambdaErrorsRollbackRollback', 'lambda:UpdateAlias', fn(f), 'Allowed'],
    ['LambdaErrorsRollbackCheck', 'lambda:GetAlias', fn(f), 'Allowed'],
    ['UndoRestore', 'lambda:UpdateAlias', fn(f), 'Allowed'],
    ['ApprovalPage', 'lambda:GetAlias', fn(f), 'Allowed'],
  ]),
  ['LambdaErrorsRollbackApprovalRequest', 'sns:Publish', own.approvalsTopic, 'Allowed'],
  ['LambdaRunawayApprovalRequest', 'sns:Publish', own.approvalsTopic, 'Allowed'],
  ['UndoApprovalRequest', 'sns:Publish', own.approvalsTopic, 'Allowed'],
  ['LambdaRunawayApprovalRequest', 'kms:GenerateDataKey', own.topicKey, 'Allowed'],
  // Task results take no resource ARN: "*" is what they are evaluated against; the token is the capability.
  ['LambdaRunawayApprovalRequest', 'states:SendTaskSuccess', '*', 'Allowed'],
  // ... a rejection too: the deadline path delivers a verdict the page could not tell before the task ended.
  ['LambdaRunawayApprovalRequest', 'states:SendTaskFailure', '*', 'Allowed'],
  ['ApprovalPage', 'states:SendTaskSuccess', '*', 'Allowed'],
  ['ApprovalPage', 'states:SendTaskFailure', '*', 'Allowed'],
  // The page re-reads the gated target's live state.
  ['ApprovalPage', 'lambda:GetFunction', RESEARCHER, 'Allowed'],
  ['ApprovalPage', 'dynamodb:DescribeTable', AGENT_STATE, 'Allowed'],
  // ... and, for a gated delete of stuck tasks, those tasks (read-only, the tasks table only).
  ['ApprovalPage', 'dynamodb:BatchGetItem', AGENT_TASKS, 'Allowed'],
  ['DynamodbThrottlingApprovalRequest', 'sns:Publish', own.approvalsTopic, 'Allowed'],
  ['DynamodbThrottlingApprovalRequest', 'kms:GenerateDataKey', own.topicKey, 'Allowed'],
  ['DynamodbThrottlingApprovalRequest', 'states:SendTaskSuccess', '*', 'Allowed'],
  ['DynamodbThrottlingApprovalRequest', 'states:SendTaskFailure', '*', 'Allowed'],
  ...TABLES.map((t): Case => ['DynamodbThrottlingSwitch', 'dynamodb:UpdateTable', t, 'Allowed']),
  ...TABLES.map((t): Case => ['DynamodbThrottlingSwitch', 'dynamodb:DescribeTable', t, 'Allowed']),
  ['DynamodbThrottlingInspect', 'dynamodb:DescribeTable', AGENT_STATE, 'Allowed'],
  ['DynamodbThrottlingCheck', 'dynamodb:DescribeTable', AGENT_STATE, 'Allowed'],
  ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', ADMIN, 'Allowed'],
  ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', PROXY, 'Allowed'],
  ['EcsServiceRecoveryInspect', 'ecs:DescribeServices', ADMIN, 'Allowed'],
  ['EcsServiceRecoveryInspect', 'ecs:DescribeTasks', arn('ecs', `task/${CLUSTER}/0f1e2d3c4b5a`), 'Allowed'],
  ['EcsServiceRecoveryInspect', 'ecs:ListTasks', arn('ecs', `container-instance/${CLUSTER}/0f1e2d3c4b5a`), 'Allowed', { 'ecs:cluster': cluster(CLUSTER) }],
  ['EcsServiceRecoveryCheck', 'ecs:DescribeServices', PROXY, 'Allowed'],
  // The primary billing view: what GetCostAndUsage reads when the call names no view.
  ['LlmBudgetGuardrailInspect', 'ce:GetCostAndUsage', `arn:aws:billing::${ACCOUNT}:billingview/primary`, 'Allowed'],
  ['LlmBudgetGuardrailInspect', 'ssm:GetParameter', MODEL_PREFERENCE, 'Allowed'],
  ['LlmBudgetGuardrailPreference', 'ssm:GetParameter', MODEL_PREFERENCE, 'Allowed'],
  ['LlmBudgetGuardrailPreference', 'ssm:PutParameter', MODEL_PREFERENCE, 'Allowed'],
  ['LlmBudgetGuardrailRedeploy', 'ecs:UpdateService', PROXY, 'Allowed'],
  ...SWITCHES.map((s): Case => ['Admit', 'ssm:GetParameter', s, 'Allowed']),
  ['Notify', 'sns:Publish', own.critical, 'Allowed'],
  ['Notify', 'sns:Publish', own.info, 'Allowed'],
  ['Notify', 'kms:GenerateDataKey', own.topicKey, 'Allowed'],
  // The execution-failure notifier reads the history of the runbooks' executions, and pages.
  ...[own.lambdaRunaway, own.dynamodbThrottling, own.ecsServiceRecovery, own.llmBudgetGuardrail].map((m): Case => ['ExecutionFailed', 'states:GetExecutionHistory', executionOf(m), 'Allowed']),
  ['ExecutionFailed', 'sns:Publish', own.critical, 'Allowed'],
  ['ExecutionFailed', 'kms:GenerateDataKey', own.topicKey, 'Allowed'],
  ['BudgetAdapter', 'states:StartExecution', own.llmBudgetGuardrail, 'Allowed'],
  ['AlarmRouter', 'states:StartExecution', own.lambdaRunaway, 'Allowed'],
  ['AlarmRouter', 'states:StartExecution', own.dynamodbThrottling, 'Allowed'],
  ['AlarmRouter', 'states:StartExecution', own.ecsServiceRecovery, 'Allowed'],
  ['AlarmRouter', 'cloudwatch:ListTagsForResource', arn('cloudwatch', 'alarm:a-team-alarm'), 'Allowed'],
  ['LambdaRunawayStateMachine', 'lambda:InvokeFunction', own.stopFn, 'Allowed'],
  ['LambdaRunawayStateMachine', 'lambda:InvokeFunction', own.admitFn, 'Allowed'],
  ['DynamodbThrottlingStateMachine', 'lambda:InvokeFunction', own.switchFn, 'Allowed'],
  ['LambdaRunawayStateMachineEvents', 'states:StartExecution', own.lambdaRunaway, 'Allowed'],
  ['DynamodbThrottlingStateMachineEvents', 'states:StartExecution', own.dynamodbThrottling, 'Allowed'],
  ['EcsServiceRecoveryStateMachineEvents', 'states:StartExecution', own.ecsServiceRecovery, 'Allowed'],
  // The undo: the inverse calls on the reversible targets, and reads to compare and verify.
  ...FUNCTIONS.map((f): Case => ['UndoRestore', 'lambda:DeleteFunctionConcurrency', fn(f), 'Allowed']),
  ['UndoRestore', 'lambda:PutFunctionConcurrency', RESEARCHER, 'Allowed'],
  ['UndoRestore', 'lambda:GetFunction', RESEARCHER, 'Allowed'],
  ...TABLES.map((t): Case => ['UndoRestore', 'dynamodb:UpdateTable', t, 'Allowed']),
  ['UndoRestore', 'dynamodb:DescribeTable', AGENT_STATE, 'Allowed'],
  ['UndoRestore', 'ssm:PutParameter', MODEL_PREFERENCE, 'Allowed'],
  ['UndoRestore', 'ssm:GetParameter', MODEL_PREFERENCE, 'Allowed'],
  ['UndoFinish', 'lambda:GetFunction', RESEARCHER, 'Allowed'],
  ['UndoFinish', 'dynamodb:DescribeTable', AGENT_STATE, 'Allowed'],
  ['UndoFinish', 'ssm:GetParameter', MODEL_PREFERENCE, 'Allowed'],
  // The stuck tasks the cleanup deleted are put back (conditional PutItem) and re-read on the tasks table.
  ['UndoRestore', 'dynamodb:PutItem', AGENT_TASKS, 'Allowed'],
  ['UndoRestore', 'dynamodb:GetItem', AGENT_TASKS, 'Allowed'],
  ['UndoFinish', 'dynamodb:GetItem', AGENT_TASKS, 'Allowed'],
  ['UndoStateMachine', 'lambda:InvokeFunction', own.undoRestoreFn, 'Allowed'],
  ['UndoStateMachine', 'lambda:InvokeFunction', own.notifyFn, 'Allowed'],
  // The guardrail starts the undo of its own incident when its switch is not verified.
  ['LlmBudgetGuardrailStateMachine', 'states:StartExecution', own.undo, 'Allowed'],
  // Verify reads the alarm that fired; composite alarms are returned only to a grant on "*".
  ...ALARM_VERIFIERS.map((r): Case => [r, 'cloudwatch:DescribeAlarms', arn('cloudwatch', 'alarm:cabruca-segmentation-prod-researcher-agent-concurrency'), 'Allowed']),
  ...ALARM_VERIFIERS.map((r): Case => [r, 'cloudwatch:DescribeAlarms', arn('cloudwatch', 'alarm:alphaswarm-admin-prod-degraded'), 'Allowed']),
  ['LlmBudgetGuardrailVerify', 'ssm:GetParameter', MODEL_PREFERENCE, 'Allowed'],
  ['LlmBudgetGuardrailVerify', 'ecs:DescribeServices', PROXY, 'Allowed'],
  // lambda-timeouts: reads the configuration, the SQS sources and the log group; raises; the undo puts the timeout back.
  ['LambdaTimeoutsInspect', 'lambda:GetFunctionConfiguration', BACKTEST, 'Allowed'],
  ['LambdaTimeoutsInspect', 'lambda:ListEventSourceMappings', '*', 'Allowed'],
  ['LambdaTimeoutsInspect', 'sqs:GetQueueAttributes', BACKTEST_QUEUE, 'Allowed'],
  ['LambdaTimeoutsEvidence', 'logs:FilterLogEvents', arn('logs', 'log-group:/aws/lambda/tradai-prod-backtest-worker'), 'Allowed'],
  ['LambdaTimeoutsRaise', 'lambda:UpdateFunctionConfiguration', BACKTEST, 'Allowed'],
  ['LambdaTimeoutsRaise', 'lambda:GetFunctionConfiguration', BACKTEST, 'Allowed'],
  ['LambdaTimeoutsRaise', 'sqs:GetQueueAttributes', BACKTEST_QUEUE, 'Allowed'],
  ['LambdaTimeoutsCheck', 'lambda:GetFunctionConfiguration', BACKTEST, 'Allowed'],
  ['UndoRestore', 'lambda:UpdateFunctionConfiguration', BACKTEST, 'Allowed'],
  ['UndoFinish', 'lambda:GetFunctionConfiguration', BACKTEST, 'Allowed'],
];

// ...and nothing beyond it: other targets, look-alike names, other operations, the sibling roles.
const BEYOND_JOB: Case[] = [
  ['LambdaTimeoutsRaise', 'lambda:UpdateFunctionConfiguration', RESEARCHER, 'Denied'],
  ['LambdaTimeoutsRaise', 'lambda:UpdateFunctionCode', BACKTEST, 'Denied'],
  ['LambdaTimeoutsRaise', 'lambda:PutFunctionConcurrency', BACKTEST, 'Denied'],
  ['LambdaTimeoutsRaise', 'sqs:SetQueueAttributes', BACKTEST_QUEUE, 'Denied'],
  ['LambdaTimeoutsInspect', 'lambda:UpdateFunctionConfiguration', BACKTEST, 'Denied'],
  ['LambdaTimeoutsInspect', 'sqs:GetQueueAttributes', arn('sqs', 'tradai-prod-backtest-jobs', 'us-east-1'), 'Denied'],
  ['LambdaTimeoutsInspect', 'sqs:ReceiveMessage', BACKTEST_QUEUE, 'Denied'],
  ['LambdaTimeoutsCheck', 'lambda:UpdateFunctionConfiguration', BACKTEST, 'Denied'],
  ['LambdaTimeoutsEvidence', 'logs:FilterLogEvents', arn('logs', 'log-group:/aws/lambda/cabruca-segmentation-prod-researcher-agent'), 'Denied'],
  ['LambdaTimeoutsEvidence', 'logs:FilterLogEvents', arn('logs', 'log-group:/aws/lambda/tradai-prod-backtest-worker-2'), 'Denied'],
  ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', fn('someone-elses-function'), 'Denied'],
  ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', fn('cabruca-segmentation-prod-researcher-agent-v2'), 'Denied'],
  ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', arn('lambda', 'function:cabruca-segmentation-prod-researcher-agent', 'us-east-1'), 'Denied'],
  ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', own.admitFn, 'Denied'],
  ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', own.stopFn, 'Denied'],
  ['LambdaRunawayStop', 'lambda:DeleteFunctionConcurrency', RESEARCHER, 'Denied'],
  ['LambdaRunawayStop', 'lambda:UpdateFunctionConfiguration', RESEARCHER, 'Denied'],
  ['LambdaRunawayStop', 'lambda:DeleteFunction', RESEARCHER, 'Denied'],
  ['LambdaRunawayInspect', 'lambda:PutFunctionConcurrency', RESEARCHER, 'Denied'],
  ['LambdaRunawayEvidence', 'lambda:GetPolicy', fn('someone-elses-function'), 'Denied'],
  ['LambdaRunawayEvidence', 'lambda:AddPermission', RESEARCHER, 'Denied'],
  ['LambdaRunawayEvidence', 'lambda:PutFunctionConcurrency', RESEARCHER, 'Denied'],
  ['LambdaRunawayEvidence', 'events:DescribeRule', arn('events', 'rule/cabruca-segmentation-prod-researcher-poll', 'us-east-1'), 'Denied'],
  ['LambdaRunawayEvidence', 'events:PutRule', rule('cabruca-segmentation-prod-researcher-poll'), 'Denied'],
  ['LambdaRunawayEvidence', 'events:DisableRule', rule('cabruca-segmentation-prod-researcher-poll'), 'Denied'],
  ['LambdaRunawayEvidence', 's3:GetBucketNotification', bucket('someone-elses-bucket'), 'Denied', { 's3:ResourceAccount': '999988887777' }],
  ['LambdaRunawayEvidence', 's3:PutBucketNotification', bucket('cabruca-segmentation-prod-agent-queue'), 'Denied', OWN_ACCOUNT],
  ['LambdaRunawayEvidence', 's3:GetObject', `${bucket('cabruca-segmentation-prod-agent-queue')}/uploads/a`, 'Denied', OWN_ACCOUNT],
  ['DynamodbThrottlingCountStuck', 'dynamodb:Scan', AGENT_STATE, 'Denied'],
  ['DynamodbThrottlingCountStuck', 'dynamodb:Scan', own.ledger, 'Denied'],
  ['DynamodbThrottlingCountStuck', 'dynamodb:DeleteItem', AGENT_TASKS, 'Denied'],
  ['DynamodbThrottlingBackup', 'dynamodb:CreateBackup', AGENT_STATE, 'Denied'],
  ['DynamodbThrottlingBackup', 'dynamodb:CreateBackup', own.ledger, 'Denied'],
  ['DynamodbThrottlingBackup', 'dynamodb:DeleteBackup', TASKS_BACKUP, 'Denied'],
  ['DynamodbThrottlingBackup', 'dynamodb:RestoreTableFromBackup', TASKS_BACKUP, 'Denied'],
  ['DynamodbThrottlingBackup', 'dynamodb:DeleteItem', AGENT_TASKS, 'Denied'],
  ['DynamodbThrottlingBackup', 'dynamodb:ListTables', '*', 'Denied'],
  // Only the backup step lists backups (to adopt one an earlier attempt made).
  ...ROLE_NAMES.filter((r) => r !== 'DynamodbThrottlingBackup').map((r): Case => [r, 'dynamodb:ListBackups', '*', 'Denied']),
  ['DynamodbThrottlingBackupStatus', 'dynamodb:DescribeBackup', `${AGENT_STATE}/backup/01795473256422-78615023`, 'Denied'],
  ['DynamodbThrottlingBackupStatus', 'dynamodb:DeleteBackup', TASKS_BACKUP, 'Denied'],
  ['DynamodbThrottlingDeleteStuck', 'dynamodb:DeleteItem', AGENT_STATE, 'Denied'],
  ['DynamodbThrottlingDeleteStuck', 'dynamodb:DeleteItem', own.ledger, 'Denied'],
  ['DynamodbThrottlingDeleteStuck', 'dynamodb:PutItem', AGENT_TASKS, 'Denied'],
  ['DynamodbThrottlingDeleteStuck', 'dynamodb:UpdateItem', AGENT_TASKS, 'Denied'],
  ['DynamodbThrottlingDeleteStuck', 'dynamodb:Scan', AGENT_TASKS, 'Denied'],
  ['DynamodbThrottlingDeleteStuck', 'dynamodb:DeleteTable', AGENT_TASKS, 'Denied'],
  ['LambdaRunawayRestore', 'lambda:PutFunctionConcurrency', fn('someone-elses-function'), 'Denied'],
  ['LambdaErrorsRollbackRollback', 'lambda:UpdateAlias', fn('tradai-prod-signal-ingest'), 'Denied'],
  ['LambdaErrorsRollbackRollback', 'lambda:UpdateAlias', own.admitFn, 'Denied'],
  ['LambdaErrorsRollbackRollback', 'lambda:CreateAlias', RESEARCHER, 'Denied'],
  ['LambdaErrorsRollbackRollback', 'lambda:DeleteAlias', RESEARCHER, 'Denied'],
  ['LambdaErrorsRollbackRollback', 'lambda:UpdateFunctionCode', RESEARCHER, 'Denied'],
  ['LambdaErrorsRollbackRollback', 'lambda:PublishVersion', RESEARCHER, 'Denied'],
  ['LambdaErrorsRollbackRollback', 'lambda:PutFunctionConcurrency', RESEARCHER, 'Denied'],
  ['LambdaErrorsRollbackInspect', 'lambda:UpdateAlias', RESEARCHER, 'Denied'],
  ['LambdaErrorsRollbackCheck', 'lambda:UpdateAlias', RESEARCHER, 'Denied'],
  ['LambdaErrorsRollbackCheck', 'lambda:ListVersionsByFunction', RESEARCHER, 'Denied'],
  ['LambdaErrorsRollbackApprovalRequest', 'lambda:UpdateAlias', RESEARCHER, 'Denied'],
  ['ApprovalPage', 'lambda:UpdateAlias', RESEARCHER, 'Denied'],
  ['UndoRestore', 'lambda:UpdateAlias', fn('someone-elses-function'), 'Denied'],
  ['LambdaRunawayRestore', 'lambda:DeleteFunctionConcurrency', RESEARCHER, 'Denied'],
  ['LambdaRunawayRestore', 'states:SendTaskSuccess', '*', 'Denied'],
  ['LambdaRunawayApprovalRequest', 'lambda:PutFunctionConcurrency', RESEARCHER, 'Denied'],
  ['UndoApprovalRequest', 'lambda:DeleteFunctionConcurrency', RESEARCHER, 'Denied'],
  ['UndoApprovalRequest', 'sns:Publish', own.info, 'Denied'],
  ['LambdaRunawayApprovalRequest', 'sns:Publish', own.info, 'Denied'],
  ['ApprovalPage', 'lambda:PutFunctionConcurrency', RESEARCHER, 'Denied'],
  ['ApprovalPage', 'dynamodb:UpdateTable', AGENT_STATE, 'Denied'],
  ['ApprovalPage', 'dynamodb:DeleteItem', AGENT_STATE, 'Denied'],
  ['ApprovalPage', 'dynamodb:DeleteItem', AGENT_TASKS, 'Denied'],
  ['ApprovalPage', 'dynamodb:BatchWriteItem', AGENT_TASKS, 'Denied'],
  ['ApprovalPage', 'dynamodb:BatchGetItem', AGENT_STATE, 'Denied'],
  ['ApprovalPage', 'dynamodb:Scan', AGENT_TASKS, 'Denied'],
  ['DynamodbThrottlingApprovalRequest', 'dynamodb:DeleteItem', AGENT_TASKS, 'Denied'],
  ['DynamodbThrottlingApprovalRequest', 'sns:Publish', own.info, 'Denied'],
  ['DynamodbThrottlingDeleteStuck', 'states:SendTaskSuccess', '*', 'Denied'],
  ['ApprovalPage', 'sns:Publish', own.approvalsTopic, 'Denied'],
  ['ApprovalPage', 'secretsmanager:PutSecretValue', own.signingKey, 'Denied'],
  ['LambdaRunawayStop', 'states:SendTaskSuccess', '*', 'Denied'],
  ['DynamodbThrottlingSwitch', 'dynamodb:UpdateTable', table('other-table'), 'Denied'],
  ['DynamodbThrottlingSwitch', 'dynamodb:DeleteTable', AGENT_STATE, 'Denied'],
  ['DynamodbThrottlingSwitch', 'dynamodb:PutItem', AGENT_STATE, 'Denied'],
  ['DynamodbThrottlingInspect', 'dynamodb:UpdateTable', AGENT_STATE, 'Denied'],
  ['DynamodbThrottlingCheck', 'dynamodb:UpdateTable', AGENT_STATE, 'Denied'],
  ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', service(CLUSTER, 'other-service'), 'Denied'],
  ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', service('other-cluster', 'alphaswarm-admin-prod'), 'Denied'],
  ['EcsServiceRecoveryRedeploy', 'ecs:DeleteService', ADMIN, 'Denied'],
  ['EcsServiceRecoveryInspect', 'ecs:UpdateService', ADMIN, 'Denied'],
  ['EcsServiceRecoveryInspect', 'ecs:ListTasks', arn('ecs', 'container-instance/other-cluster/0f1e2d3c4b5a'), 'Denied', { 'ecs:cluster': cluster('other-cluster') }],
  ['EcsServiceRecoveryInspect', 'ecs:DescribeTasks', arn('ecs', 'task/other-cluster/0f1e2d3c4b5a'), 'Denied'],
  ['EcsServiceRecoveryCheck', 'ecs:UpdateService', PROXY, 'Denied'],
  ['LlmBudgetGuardrailInspect', 'ssm:PutParameter', MODEL_PREFERENCE, 'Denied'],
  ['LlmBudgetGuardrailPreference', 'ssm:PutParameter', parameter('/other'), 'Denied'],
  ['LlmBudgetGuardrailPreference', 'ssm:PutParameter', parameter('/alphaswarm/prod/llm_model_preference_v2'), 'Denied'],
  ['LlmBudgetGuardrailPreference', 'ssm:DeleteParameter', MODEL_PREFERENCE, 'Denied'],
  ['LlmBudgetGuardrailRedeploy', 'ecs:UpdateService', ADMIN, 'Denied'],
  ['Admit', 'ssm:GetParameter', MODEL_PREFERENCE, 'Denied'],
  ['Admit', 'ssm:GetParameter', parameter('/other'), 'Denied'],
  ['Notify', 'sns:Publish', own.budgetAlerts, 'Denied'],
  ['Notify', 'sns:Publish', topic('someone-elses-topic'), 'Denied'],
  // It reads; it never redrives, stops or starts an execution, and pages only the critical topic.
  ['ExecutionFailed', 'states:GetExecutionHistory', executionOf(own.undo), 'Denied'],
  ['ExecutionFailed', 'states:GetExecutionHistory', executionOf(stateMachine('someone-elses-machine')), 'Denied'],
  ['ExecutionFailed', 'states:RedriveExecution', executionOf(own.lambdaRunaway), 'Denied'],
  ['ExecutionFailed', 'states:StopExecution', executionOf(own.lambdaRunaway), 'Denied'],
  ['ExecutionFailed', 'states:StartExecution', own.lambdaRunaway, 'Denied'],
  ['ExecutionFailed', 'sns:Publish', own.info, 'Denied'],
  ['BudgetAdapter', 'states:StartExecution', own.lambdaRunaway, 'Denied'],
  ['BudgetAdapter', 'states:StartExecution', own.dynamodbThrottling, 'Denied'],
  ['BudgetAdapter', 'states:StartExecution', own.ecsServiceRecovery, 'Denied'],
  ['BudgetAdapter', 'states:StartExecution', stateMachine('someone-elses-machine'), 'Denied'],
  ['AlarmRouter', 'states:StartExecution', own.llmBudgetGuardrail, 'Denied'],
  ['AlarmRouter', 'states:StartExecution', stateMachine('someone-elses-machine'), 'Denied'],
  ['LambdaRunawayStateMachine', 'lambda:InvokeFunction', own.switchFn, 'Denied'],
  ['LambdaRunawayStateMachine', 'lambda:InvokeFunction', RESEARCHER, 'Denied'],
  ['DynamodbThrottlingStateMachineEvents', 'states:StartExecution', own.lambdaRunaway, 'Denied'],
  ['EcsServiceRecoveryStateMachineEvents', 'states:StartExecution', own.llmBudgetGuardrail, 'Denied'],
  ['UndoRestore', 'lambda:DeleteFunctionConcurrency', fn('someone-elses-function'), 'Denied'],
  ['UndoRestore', 'lambda:DeleteFunctionConcurrency', own.admitFn, 'Denied'],
  // config/prod.json allowlists by name only: a tag grants the undo nothing (with targetTags: test/iam/tag-allowlist.test.ts).
  ['UndoRestore', 'lambda:PutFunctionConcurrency', fn('someone-unlisted'), 'Denied', { 'aws:ResourceTag/runbook-autopilot:allow': 'true' }],
  ['UndoRestore', 'lambda:PutFunctionConcurrency', own.admitFn, 'Denied', { 'aws:ResourceTag/runbook-autopilot:allow': 'true' }],
  ['UndoRestore', 'dynamodb:UpdateTable', table('someone-unlisted'), 'Denied', { 'aws:ResourceTag/runbook-autopilot:allow': 'true' }],
  ['UndoRestore', 'lambda:DeleteFunction', RESEARCHER, 'Denied'],
  ['UndoRestore', 'dynamodb:UpdateTable', table('other-table'), 'Denied'],
  ['UndoRestore', 'dynamodb:PutItem', table('other-table'), 'Denied'],
  ['UndoRestore', 'dynamodb:PutItem', AGENT_STATE, 'Denied'],
  ['UndoRestore', 'dynamodb:GetItem', AGENT_STATE, 'Denied'],
  ['UndoRestore', 'dynamodb:DeleteItem', AGENT_TASKS, 'Denied'],
  ['UndoRestore', 'dynamodb:UpdateItem', AGENT_TASKS, 'Denied'],
  ['UndoRestore', 'dynamodb:BatchWriteItem', AGENT_TASKS, 'Denied'],
  ['UndoFinish', 'dynamodb:PutItem', AGENT_TASKS, 'Denied'],
  ['UndoRestore', 'dynamodb:DeleteTable', AGENT_STATE, 'Denied'],
  ['UndoRestore', 'ssm:PutParameter', parameter('/other'), 'Denied'],
  // A forced redeployment has no inverse: the undo never touches ECS.
  ['UndoRestore', 'ecs:UpdateService', ADMIN, 'Denied'],
  ['UndoRestore', 'ecs:UpdateService', PROXY, 'Denied'],
  ['UndoPlan', 'lambda:DeleteFunctionConcurrency', RESEARCHER, 'Denied'],
  ['UndoPlan', 'ssm:PutParameter', MODEL_PREFERENCE, 'Denied'],
  ['UndoFinish', 'lambda:PutFunctionConcurrency', RESEARCHER, 'Denied'],
  ['UndoFinish', 'lambda:DeleteFunctionConcurrency', RESEARCHER, 'Denied'],
  ['UndoFinish', 'dynamodb:UpdateTable', AGENT_STATE, 'Denied'],
  ['UndoFinish', 'ssm:PutParameter', MODEL_PREFERENCE, 'Denied'],
  ['UndoStateMachine', 'lambda:InvokeFunction', own.stopFn, 'Denied'],
  ['UndoStateMachine', 'lambda:InvokeFunction', own.admitFn, 'Denied'],
  ['AlarmRouter', 'states:StartExecution', own.undo, 'Denied'],
  ['LlmBudgetGuardrailStateMachine', 'states:StartExecution', own.lambdaRunaway, 'Denied'],
  ['LlmBudgetGuardrailStateMachine', 'states:StartExecution', own.llmBudgetGuardrail, 'Denied'],
  ['LlmBudgetGuardrailStateMachine', 'states:StartExecution', stateMachine('someone-elses-machine'), 'Denied'],
  ['LambdaRunawayStateMachine', 'states:StartExecution', own.undo, 'Denied'],
  ['BudgetAdapter', 'states:StartExecution', own.undo, 'Denied'],
  // The verifiers read; they change no alarm and no target.
  ...ALARM_VERIFIERS.flatMap((r): Case[] => [
    [r, 'cloudwatch:SetAlarmState', arn('cloudwatch', 'alarm:cabruca-segmentation-prod-researcher-agent-concurrency'), 'Denied'],
    [r, 'cloudwatch:PutMetricAlarm', arn('cloudwatch', 'alarm:cabruca-segmentation-prod-researcher-agent-concurrency'), 'Denied'],
    [r, 'cloudwatch:DeleteAlarms', arn('cloudwatch', 'alarm:cabruca-segmentation-prod-researcher-agent-concurrency'), 'Denied'],
    [r, 'cloudwatch:DisableAlarmActions', arn('cloudwatch', 'alarm:cabruca-segmentation-prod-researcher-agent-concurrency'), 'Denied'],
    [r, 'lambda:PutFunctionConcurrency', RESEARCHER, 'Denied'],
    [r, 'dynamodb:UpdateTable', AGENT_STATE, 'Denied'],
    [r, 'ecs:UpdateService', ADMIN, 'Denied'],
  ]),
  ['LlmBudgetGuardrailVerify', 'cloudwatch:DescribeAlarms', arn('cloudwatch', 'alarm:alphaswarm-admin-prod-degraded'), 'Denied'],
  ['LlmBudgetGuardrailVerify', 'ssm:PutParameter', MODEL_PREFERENCE, 'Denied'],
  ['LlmBudgetGuardrailVerify', 'ecs:UpdateService', PROXY, 'Denied'],
  ['LlmBudgetGuardrailVerify', 'ecs:DescribeServices', ADMIN, 'Denied'],
  ['LlmBudgetGuardrailVerify', 'ssm:GetParameter', KILL_SWITCH, 'Denied'],
];

// The system's own controls, for every role: nobody may reconfigure or drop the ledger, flip a
// switch, change the gate or a runbook, or touch the topic key; only the ledger users write ledger
// rows, and only Notify and the execution-failure notifier page a human.
const SYSTEM: Case[] = ROLE_NAMES.flatMap((role): Case[] => [
  [role, 'dynamodb:DeleteTable', own.ledger, 'Denied'],
  [role, 'dynamodb:UpdateTable', own.ledger, 'Denied'],
  [role, 'dynamodb:PutItem', own.ledger, ROLES[role]!.ledger ? 'Allowed' : 'Denied'],
  [role, 'dynamodb:UpdateItem', own.ledger, ROLES[role]!.ledger ? 'Allowed' : 'Denied'],
  ...SWITCHES.map((s): Case => [role, 'ssm:PutParameter', s, 'Denied']),
  [role, 'ssm:DeleteParameter', KILL_SWITCH, 'Denied'],
  [role, 'lambda:PutFunctionConcurrency', own.admitFn, 'Denied'],
  [role, 'lambda:UpdateFunctionCode', own.admitFn, 'Denied'],
  [role, 'states:UpdateStateMachine', own.lambdaRunaway, 'Denied'],
  [role, 'sns:Publish', own.critical, role === 'Notify' || role === 'ExecutionFailed' ? 'Allowed' : 'Denied'],
  [role, 'kms:PutKeyPolicy', own.topicKey, 'Denied'],
  [role, 'iam:PutRolePolicy', iam.role(role).arn, 'Denied'],
  [role, 'secretsmanager:GetSecretValue', own.signingKey, APPROVAL_ROLES.has(role) ? 'Allowed' : 'Denied'],
  [role, 'secretsmanager:PutSecretValue', own.signingKey, 'Denied'],
  [role, 'secretsmanager:DeleteSecret', own.signingKey, 'Denied'],
]);

// Mutations of arbitrary resources: a few per service, against ARNs nothing grants.
const ANY = 'q7zx4k-unrelated';
const MUTATIONS: [action: string, resource: string][] = [
  ['lambda:PutFunctionConcurrency', fn(ANY)], ['lambda:UpdateFunctionCode', fn(ANY)], ['lambda:DeleteFunction', fn(ANY)], ['lambda:CreateFunction', fn(ANY)],
  ['dynamodb:UpdateTable', table(ANY)], ['dynamodb:DeleteTable', table(ANY)], ['dynamodb:CreateTable', table(ANY)], ['dynamodb:PutItem', table(ANY)],
  ['ecs:UpdateService', service(ANY, ANY)], ['ecs:DeleteService', service(ANY, ANY)], ['ecs:CreateService', service(ANY, ANY)],
  ['ssm:PutParameter', parameter(`/${ANY}`)], ['ssm:DeleteParameter', parameter(`/${ANY}`)],
  ['sns:Publish', topic(ANY)], ['sns:CreateTopic', topic(ANY)], ['sns:DeleteTopic', topic(ANY)],
  ['states:StartExecution', stateMachine(ANY)], ['states:CreateStateMachine', stateMachine(ANY)], ['states:UpdateStateMachine', stateMachine(ANY)], ['states:DeleteStateMachine', stateMachine(ANY)],
  ['sqs:SendMessage', arn('sqs', ANY)], ['sqs:CreateQueue', arn('sqs', ANY)], ['sqs:DeleteQueue', arn('sqs', ANY)],
  ['kms:CreateGrant', arn('kms', `key/${ANY}`)], ['kms:PutKeyPolicy', arn('kms', `key/${ANY}`)],
  ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/${ANY}`], ['iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/${ANY}`],
  ['iam:UpdateAssumeRolePolicy', `arn:aws:iam::${ACCOUNT}:role/${ANY}`], ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/${ANY}`],
  ['logs:CreateLogGroup', arn('logs', `log-group:${ANY}`)], ['logs:DeleteLogGroup', arn('logs', `log-group:${ANY}`)],
  ['logs:PutRetentionPolicy', arn('logs', `log-group:${ANY}`)], ['logs:PutLogEvents', arn('logs', `log-group:${ANY}:log-stream:${ANY}`)],
  ['cloudwatch:PutMetricAlarm', arn('cloudwatch', `alarm:${ANY}`)], ['cloudwatch:DeleteAlarms', arn('cloudwatch', `alarm:${ANY}`)],
  ['events:PutRule', arn('events', `rule/${ANY}`)], ['events:PutTargets', arn('events', `rule/${ANY}`)], ['events:DeleteRule', arn('events', `rule/${ANY}`)],
  // Actions that take no resource: "*" is the only resource they are ever evaluated against.
  ['kms:CreateKey', '*'], ['logs:PutResourcePolicy', '*'], ['logs:CreateLogDelivery', '*'], ['logs:UpdateLogDelivery', '*'], ['logs:DeleteLogDelivery', '*'],
  ['xray:PutTraceSegments', '*'], ['xray:PutTelemetryRecords', '*'],
];

/**
 * The only mutations allowed on "*", all for APIs that have no resource-level permissions: X-Ray
 * trace upload (every Lambda function and state machine traces), and the CloudWatch Logs vended
 * log delivery that Step Functions logging requires of the state machine role.
 */
const ON_STAR: Readonly<Record<Kind, readonly string[]>> = {
  'handler': ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  'state machine': ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'logs:PutResourcePolicy', 'logs:CreateLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery'],
  'rule target': [],
};

const ARBITRARY: Case[] = ROLE_NAMES.flatMap((role) => MUTATIONS.map(([action, resource]): Case => [
  role, action, resource, resource === '*' && ON_STAR[ROLES[role]!.kind].includes(action) ? 'Allowed' : 'Denied',
]));

/**
 * The ledger users get, put, update and query rows (lambdas/shared/ledger.ts) and nothing more:
 * no role can erase an audit row, batch-write over one, or scan the table.
 */
const AUDIT_ROWS_KEPT: Case[] = LEDGER_USERS.flatMap((role): Case[] => [
  [role, 'dynamodb:DeleteItem', own.ledger, 'Denied'],
  [role, 'dynamodb:BatchWriteItem', own.ledger, 'Denied'],
  [role, 'dynamodb:Scan', own.ledger, 'Denied'],
]);

describe('each role may do its job on its configured targets', () => {
  test.each(JOB)('%s: %s on %s -> %s', (...c) => expectDecision(...c));
});

describe('no role reaches beyond its targets and operations', () => {
  test.each(BEYOND_JOB)('%s: %s on %s -> %s', (...c) => expectDecision(...c));
});

describe("no role may change the system's own controls", () => {
  test.each(SYSTEM)('%s: %s on %s -> %s', (...c) => expectDecision(...c));
});

describe('no role may mutate arbitrary resources', () => {
  test.each(ARBITRARY)('%s: %s on %s -> %s', (...c) => expectDecision(...c));
});

describe('no role may erase or scan the audit ledger', () => {
  test.each(AUDIT_ROWS_KEPT)('%s: %s on %s -> %s', (...c) => expectDecision(...c));
});
