/**
 * Least privilege, proven on the synthesized prod policies with an IAM evaluator.
 *
 * For every role the catalog builds from the registered runbooks (nothing here lists them; a new
 * runbook is covered as it is): each function may make every request its definition grants and
 * holds no other grant, reaches no other function's targets, no look-alike of its own and no
 * resource nothing names; each state machine invokes only its own functions; the trigger functions
 * start only what they trigger; nobody changes the system's own controls, mutates arbitrary
 * resources or erases audit rows.
 *
 * Then, per runbook, its config/prod.json targets spelled out rather than read back from the code
 * under test, so a module whose grants drift from its config is caught too.
 */
import { toId } from '../../lib/autopilot-stack';
import { enabledRunbooks, contextOf, literalArns, MODULES, stateMachineNameOf, UNDO_MACHINE } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { ON_ANY_RESOURCE, actionFacts, resourceOfType } from './aws-actions';
import {
  asCase, boundOrTracing, describeRequest, grantedCases, grants, heldLines, lookAlikeCases, mismatches as decidedOtherwise, permissionLines, requestsOf, stackCatalog,
  type Case, type CatalogMachine, type CatalogRole, type Kind, type Request,
} from './catalog-roles';
import { ACCOUNT, PARTITION, REGION, synthesizeIam } from './stack-roles';

const config = loadConfig('prod');
const iam = synthesizeIam(undefined, { config });
const catalog = stackCatalog(config, ACCOUNT);
const enabled = new Set(enabledRunbooks(config).map((m) => m.name));

const arn = (service: string, resource: string, region = REGION) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
const fn = (name: string) => arn('lambda', `function:${name}`);
const table = (name: string) => arn('dynamodb', `table/${name}`);
const cluster = (name: string) => arn('ecs', `cluster/${name}`);
const service = (clusterName: string, name: string) => arn('ecs', `service/${clusterName}/${name}`);
const parameter = (name: string) => arn('ssm', `parameter${name}`);
const stateMachine = (name: string) => arn('states', `stateMachine:${name}`);
const topic = (name: string) => arn('sns', name);
const executionOf = (machineArn: string) => `${machineArn.replace(':stateMachine:', ':execution:')}:0f1e2d3c-run`;
const FOREIGN_MACHINE = stateMachine('someone-elses-machine');

const functionArn = (id: string) => iam.arnOf('AWS::Lambda::Function', id);
const machineArn = (m: CatalogMachine) => iam.arnOf('AWS::StepFunctions::StateMachine', m.id);

// The system's own resources, as the template names them.
const own = {
  ledger: iam.arnOf('AWS::DynamoDB::GlobalTable', 'LedgerTable'),
  topicKey: iam.arnOf('AWS::KMS::Key', 'NotificationsTopicKey'),
  critical: iam.arnOf('AWS::SNS::Topic', 'NotificationsCritical'),
  info: iam.arnOf('AWS::SNS::Topic', 'NotificationsInfo'),
  approvalsTopic: iam.arnOf('AWS::SNS::Topic', 'NotificationsApprovals'),
  signingKey: iam.arnOf('AWS::SecretsManager::Secret', 'ApprovalsSigningKey'),
  admitFn: functionArn('Admit'),
  reports: iam.arnOf('AWS::S3::Bucket', 'IncidentReportsBucket'),
  reportsKey: iam.arnOf('AWS::KMS::Key', 'IncidentReportsKey'),
};
/** An incident's report, as the report writers name it. */
const REPORT = `${own.reports}/incidents/2026-11-03-lambda-runaway-cabruca-segmentation-prod-researcher-agent.md`;
const KILL_SWITCH = parameter('/runbook-autopilot/prod/automation');
/** The kill switch and the switch of each runbook prod deploys (a runbook switched off there has none). */
const SWITCHES = [KILL_SWITCH, ...[...enabled].map((r) => parameter(`/runbook-autopilot/prod/runbooks/${r}`))];
const POLICIES = [...enabled].map((r) => parameter(`/runbook-autopilot/prod/policies/${r}`));

const ALL_ROLES = catalog.roles;
const FUNCTION_ROLES = ALL_ROLES.filter((r) => r.kind === 'handler');
/** The functions whose every grant the catalog defines (not the trigger functions and the failure notifier, which the stack grants). */
const DEFINED = FUNCTION_ROLES.filter((r): r is CatalogRole & { permissions: NonNullable<CatalogRole['permissions']> } => r.permissions !== undefined);
const ENTRY = (entry: string) => FUNCTION_ROLES.filter((r) => r.handler?.entry === entry).map((r) => r.name);
const named = (name: string) => ALL_ROLES.find((r) => r.name === name);

// Tests call it with a rest parameter on purpose: Jest reads a test function with one more parameter than the row as a `done` callback.
async function expectDecision(...[role, action, resource, expected, context]: Case) {
  await expect(iam.decide(iam.role(role), action, resource, context)).resolves.toBe(expected);
}

const mismatches = (cases: readonly Case[]) => decidedOtherwise(iam, cases);

/** Every request a function of the stack is granted, by its definition. */
let allRequests: Promise<Request[]> | undefined;
const everyGrantedRequest = () => (allRequests ??= (async () => {
  const seen = new Set<string>();
  const out: Request[] = [];
  for (const role of DEFINED) for (const r of await requestsOf(role.permissions, ACCOUNT)) if (!seen.has(describeRequest(r))) { seen.add(describeRequest(r)); out.push(r); }
  return out;
})());

test('every role in the template is one the catalog builds, each assumed by the service that runs it', () => {
  const SERVICE: Readonly<Record<Exclude<Kind, 'service role'>, string>> = { 'handler': 'lambda.amazonaws.com', 'state machine': 'states.amazonaws.com', 'rule target': 'events.amazonaws.com' };
  const serviceOf = (r: CatalogRole) => (r.kind === 'service role' ? r.service : SERVICE[r.kind]);
  expect(ALL_ROLES.map((r) => iam.role(r.name).logicalId).sort()).toEqual([...iam.roles.keys()].sort());
  expect(ALL_ROLES.map((r) => [r.name, iam.role(r.name).assumedBy])).toEqual(ALL_ROLES.map((r) => [r.name, serviceOf(r)]));
});

describe.each(DEFINED.map((r) => [r.name, r] as const))('function %s, as its definition grants', (name, role) => {
  test('may make every request its definition grants, on every resource it names', async () => {
    expect(await mismatches(await grantedCases(name, role.permissions, ACCOUNT))).toEqual([]);
  });

  test('holds no grant its definition does not make, besides its log group, tracing and the stack resources it is bound to', () => {
    expect(heldLines(iam, name, boundOrTracing(iam))).toEqual(permissionLines(role.permissions));
  });

  test("may make none of another function's requests that its definition does not grant", async () => {
    // An action its definition never names is asked once, on the first resource another function holds it on: a grant of
    // it on some other single resource is a statement the test above finds; one on many resources is found here.
    const itsActions = new Set(role.permissions.flatMap((p) => p.actions));
    const asked = new Set<string>();
    const others = (await everyGrantedRequest()).filter((r) => !grants(role.permissions, r) && (itsActions.has(r.action) || (!asked.has(r.action) && asked.add(r.action))));
    expect(await mismatches(others.map((r) => asCase(name, r, 'Denied')))).toEqual([]);
  });

  test('reaches no look-alike of what it is granted: another name, region or account, a condition value changed or left out', async () => {
    expect(await mismatches(await lookAlikeCases(name, role.permissions, ACCOUNT))).toEqual([]);
  });
});

describe.each(catalog.machines.map((m) => [m.name, m] as const))('state machine of %s', (_name, machine) => {
  const roleName = machine.id;

  test('invokes its own functions (admit and notify too) and no other function of the stack', async () => {
    const cases = FUNCTION_ROLES.map((f): Case => [roleName, 'lambda:InvokeFunction', functionArn(f.name), machine.invokes.includes(f.name) ? 'Allowed' : 'Denied']);
    expect(await mismatches([...cases, [roleName, 'lambda:InvokeFunction', fn('q7zx4k-unrelated'), 'Denied']])).toEqual([]);
  });

  test('starts only the state machines its definition names', async () => {
    const cases = [...catalog.machines.map(machineArn), FOREIGN_MACHINE].map((m): Case =>
      [roleName, 'states:StartExecution', m, grants(machine.permissions, { action: 'states:StartExecution', resource: m }) ? 'Allowed' : 'Denied']);
    expect(await mismatches(cases)).toEqual([]);
  });

  test('holds no grant beyond invoking functions, its definition\'s service integrations, logging and tracing', () => {
    // Invoking is decided function by function above; logging and tracing take no resource.
    expect(heldLines(iam, roleName, (g) => g.action === 'lambda:InvokeFunction' || (g.resource === '*' && /^(logs|xray):/.test(g.action)))).toEqual(permissionLines(machine.permissions));
  });
});

test('each alarm rule target may start its own state machine and no other', async () => {
  const targets = ALL_ROLES.filter((r) => r.kind === 'rule target');
  const cases = targets.flatMap((t) => [...catalog.machines, undefined].map((m): Case =>
    [t.name, 'states:StartExecution', m ? machineArn(m) : FOREIGN_MACHINE, m?.name === t.runbook ? 'Allowed' : 'Denied']));
  expect(await mismatches(cases)).toEqual([]);
});

test('a service role (a schedule starting a timed revert) may start only the state machines its definition names, and nothing else', async () => {
  const roles = ALL_ROLES.filter((r) => r.kind === 'service role');
  const granted = (r: CatalogRole, machineName: string) => (r.permissions ?? []).some((p) => p.actions.includes('states:StartExecution') && p.resources.some((x) => x.endsWith(`:${machineName}`)));
  const cases = roles.flatMap((r) => [...catalog.machines, undefined].map((m): Case => [
    r.name, 'states:StartExecution', m ? machineArn(m) : FOREIGN_MACHINE, m && granted(r, stateMachineNameOf(config.environment, m.name)) ? 'Allowed' : 'Denied',
  ]));
  expect(cases.some(([, , , d]) => d === 'Allowed')).toBe(roles.length > 0);
  expect(await mismatches(cases)).toEqual([]);
});

test('the trigger functions start only the state machines they trigger: the router those started by alarms, the budget adapter the budget runbook', async () => {
  const machines = [...catalog.machines.map((m) => ({ arn: machineArn(m), startedBy: m.startedBy })), { arn: FOREIGN_MACHINE, startedBy: 'hand' }];
  const starts = (role: string, by: string) => (named(role) ? machines.map((m): Case => [role, 'states:StartExecution', m.arn, m.startedBy === by ? 'Allowed' : 'Denied']) : []);
  expect(await mismatches([
    ...starts('AlarmRouter', 'alarms'),
    ...starts('BudgetAdapter', 'budget'),
    ...(named('AlarmRouter') ? [['AlarmRouter', 'cloudwatch:ListTagsForResource', arn('cloudwatch', 'alarm:a-team-alarm'), 'Allowed'] as Case] : []),
  ])).toEqual([]);
});

test("the execution-failure notifier reads the history of the runbooks' executions and pages; it never redrives, stops or starts one", async () => {
  const runbookMachines = catalog.machines.filter((m) => m.name !== UNDO_MACHINE).map(machineArn);
  const undo = catalog.machines.filter((m) => m.name === UNDO_MACHINE).map(machineArn);
  expect(await mismatches([
    ...runbookMachines.map((m): Case => ['ExecutionFailed', 'states:GetExecutionHistory', executionOf(m), 'Allowed']),
    ...[...undo, FOREIGN_MACHINE].map((m): Case => ['ExecutionFailed', 'states:GetExecutionHistory', executionOf(m), 'Denied']),
    ...runbookMachines.flatMap((m): Case[] => [
      ['ExecutionFailed', 'states:RedriveExecution', executionOf(m), 'Denied'],
      ['ExecutionFailed', 'states:StopExecution', executionOf(m), 'Denied'],
      ['ExecutionFailed', 'states:StartExecution', m, 'Denied'],
    ]),
    ['ExecutionFailed', 'sns:Publish', own.critical, 'Allowed'],
    ['ExecutionFailed', 'kms:GenerateDataKey', own.topicKey, 'Allowed'],
    ['ExecutionFailed', 'sns:Publish', own.info, 'Denied'],
  ])).toEqual([]);
});

test("an inverse only the undo makes (a restore call that is neither the runbook's change nor the read it verifies with) is the undo restore's, on every target of the change, and none of the runbook's roles' nor a shared one's", async () => {
  const arns = literalArns(PARTITION, REGION, ACCOUNT);
  const cases: Case[] = [];
  for (const m of enabledRunbooks(config)) {
    for (const change of m.undo?.(contextOf(m, config, arns)) ?? []) {
      for (const action of change.restoreActions.filter((a) => a !== change.operation && !change.verifyActions.includes(a))) {
        // A resource pattern (one schedule per incident) stands for one of its names.
        for (const resource of change.resources.map((r) => r.replaceAll('*', 'q7zx4k'))) {
          // Another runbook's function granted the same call on the same resource is judged by its own definition.
          for (const role of ALL_ROLES.filter((r) => r.kind !== 'handler' || !r.runbook || r.runbook === m.name || r.runbook === UNDO_MACHINE)) {
            cases.push([role.name, action, resource, role.name === 'UndoRestore' ? 'Allowed' : 'Denied']);
          }
        }
      }
    }
  }
  expect(await mismatches(cases)).toEqual([]);
});

// The functions every runbook shares: what each may do, whichever runbooks are deployed.
const SHARED_JOB: Case[] = [
  // Admit reads the switches and each deployed runbook's policy in one GetParameters, and nothing else.
  ...[...SWITCHES, ...POLICIES].map((s): Case => ['Admit', 'ssm:GetParameters', s, 'Allowed']),
  ...[...SWITCHES, ...POLICIES].map((s): Case => ['Admit', 'ssm:PutParameter', s, 'Denied']),
  ['Admit', 'ssm:GetParameters', parameter('/other'), 'Denied'],
  ['Admit', 'ssm:GetParameters', parameter('/runbook-autopilot/prod/ledger-table'), 'Denied'],
  // The switch and policy of a runbook prod does not deploy are none admit reads.
  ...MODULES.filter((m) => !enabled.has(m.name)).flatMap((m): Case[] => [
    ['Admit', 'ssm:GetParameters', parameter(`/runbook-autopilot/prod/runbooks/${m.name}`), 'Denied'],
    ['Admit', 'ssm:GetParameters', parameter(`/runbook-autopilot/prod/policies/${m.name}`), 'Denied'],
  ]),
  ['Notify', 'sns:Publish', own.critical, 'Allowed'],
  ['Notify', 'sns:Publish', own.info, 'Allowed'],
  ['Notify', 'kms:GenerateDataKey', own.topicKey, 'Allowed'],
  ['Notify', 'sns:Publish', topic('someone-elses-topic'), 'Denied'],
  ...(named('BudgetAdapter') ? [['Notify', 'sns:Publish', iam.arnOf('AWS::SNS::Topic', 'NotificationsBudgetAlerts'), 'Denied'] as Case] : []),
  // Each approval request handler (a gated runbook's, the undo's) publishes to the approvers and may send a task result
  // itself: an auto-approval, or on the deadline path a verdict the page could not deliver before the task ended.
  ...ENTRY('lambdas/approval/request.ts').flatMap((r): Case[] => [
    [r, 'sns:Publish', own.approvalsTopic, 'Allowed'],
    [r, 'kms:GenerateDataKey', own.topicKey, 'Allowed'],
    // Task results take no resource ARN: "*" is what they are evaluated against; the token is the capability.
    [r, 'states:SendTaskSuccess', '*', 'Allowed'],
    [r, 'states:SendTaskFailure', '*', 'Allowed'],
    [r, 'sns:Publish', own.info, 'Denied'],
  ]),
  // The report writers put reports under incidents/ and nothing else: no read, no delete, no other prefix or bucket, never without TLS.
  ...['Report', 'ExecutionFailed'].flatMap((r): Case[] => [
    [r, 's3:PutObject', REPORT, 'Allowed'],
    [r, 'kms:GenerateDataKey', own.reportsKey, 'Allowed'],
    [r, 's3:PutObject', REPORT, 'Denied', { 'aws:SecureTransport': 'false' }],
    [r, 's3:PutObject', `${own.reports}/elsewhere/report.md`, 'Denied'],
    [r, 's3:PutObject', 'arn:aws:s3:::someone-elses-bucket/incidents/report.md', 'Denied'],
    [r, 's3:GetObject', REPORT, 'Denied'],
    [r, 's3:DeleteObject', REPORT, 'Denied'],
    [r, 's3:DeleteObjectVersion', REPORT, 'Denied'],
    [r, 'kms:Decrypt', own.reportsKey, 'Denied'],
  ]),
  ['ApprovalPage', 'states:SendTaskSuccess', '*', 'Allowed'],
  ['ApprovalPage', 'states:SendTaskFailure', '*', 'Allowed'],
  ['ApprovalPage', 'sns:Publish', own.approvalsTopic, 'Denied'],
  ['ApprovalPage', 'secretsmanager:PutSecretValue', own.signingKey, 'Denied'],
  // Verify reads the alarm that fired, composite ones too (returned only to a grant on "*"); it changes no alarm.
  ...ENTRY('lambdas/verify/alarm.ts').flatMap((r): Case[] => [
    [r, 'cloudwatch:DescribeAlarms', arn('cloudwatch', 'alarm:a-team-alarm'), 'Allowed'],
    [r, 'cloudwatch:DescribeAlarms', arn('cloudwatch', 'alarm:a-team-composite-alarm'), 'Allowed'],
    ...['SetAlarmState', 'PutMetricAlarm', 'DeleteAlarms', 'DisableAlarmActions'].map((a): Case => [r, `cloudwatch:${a}`, arn('cloudwatch', 'alarm:a-team-alarm'), 'Denied']),
  ]),
];

describe('what the shared functions may do', () => {
  test.each(SHARED_JOB)('%s: %s on %s -> %s', (...c) => expectDecision(...c));
});

// Mutations of arbitrary resources: a few per service, against ARNs nothing grants.
const ANY = 'q7zx4k-unrelated';
const MUTATIONS: [action: string, resource: string][] = [
  ['lambda:PutFunctionConcurrency', fn(ANY)], ['lambda:UpdateFunctionCode', fn(ANY)], ['lambda:DeleteFunction', fn(ANY)], ['lambda:CreateFunction', fn(ANY)], ['lambda:InvokeFunction', fn(ANY)],
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
  'service role': [],
};

describe.each(ALL_ROLES.map((r) => [r.name, r] as const))('%s', (name, role) => {
  // The system's own controls: nobody may reconfigure or drop the ledger, flip a switch, change the
  // gate or a runbook, or touch the topic key; only the ledger users write ledger rows, only Notify
  // and the execution-failure notifier page a human, only the approval functions read the signing key.
  test("may not change the system's own controls", async () => {
    expect(await mismatches([
      [name, 'dynamodb:DeleteTable', own.ledger, 'Denied'],
      [name, 'dynamodb:UpdateTable', own.ledger, 'Denied'],
      [name, 'dynamodb:PutItem', own.ledger, role.ledger ? 'Allowed' : 'Denied'],
      [name, 'dynamodb:UpdateItem', own.ledger, role.ledger ? 'Allowed' : 'Denied'],
      ...SWITCHES.map((s): Case => [name, 'ssm:PutParameter', s, 'Denied']),
      [name, 'ssm:DeleteParameter', KILL_SWITCH, 'Denied'],
      [name, 'lambda:PutFunctionConcurrency', own.admitFn, 'Denied'],
      [name, 'lambda:UpdateFunctionCode', own.admitFn, 'Denied'],
      // No role holds it at all (the grants beyond each definition are found above): one runbook's machine and the undo's stand for all.
      ...[catalog.machines[0]!, catalog.machines.at(-1)!].map((m): Case => [name, 'states:UpdateStateMachine', machineArn(m), 'Denied']),
      [name, 'sns:Publish', own.critical, name === 'Notify' || name === 'ExecutionFailed' ? 'Allowed' : 'Denied'],
      // Only the report writers write reports; nobody rewrites the bucket's rules or erases a report.
      [name, 's3:PutObject', REPORT, name === 'Report' || name === 'ExecutionFailed' ? 'Allowed' : 'Denied'],
      [name, 's3:DeleteObject', REPORT, 'Denied'],
      [name, 's3:PutBucketPolicy', own.reports, 'Denied'],
      [name, 's3:PutLifecycleConfiguration', own.reports, 'Denied'],
      [name, 'kms:PutKeyPolicy', own.topicKey, 'Denied'],
      [name, 'iam:PutRolePolicy', iam.role(name).arn, 'Denied'],
      [name, 'secretsmanager:GetSecretValue', own.signingKey, role.approvals ? 'Allowed' : 'Denied'],
      [name, 'secretsmanager:PutSecretValue', own.signingKey, 'Denied'],
      [name, 'secretsmanager:DeleteSecret', own.signingKey, 'Denied'],
    ])).toEqual([]);
  });

  test('may not mutate arbitrary resources', async () => {
    expect(await mismatches(MUTATIONS.map(([action, resource]): Case => [
      name, action, resource, resource === '*' && ON_STAR[role.kind].includes(action) ? 'Allowed' : 'Denied',
    ]))).toEqual([]);
  });

  // Independent of any definition: a grant widened to "*" (or to every resource of a type) fails here.
  test('may not make any request a runbook function is granted on a resource nothing names, but the reads listed in ON_ANY_RESOURCE where its definition grants them', async () => {
    const cases: Case[] = [];
    for (const action of new Set((await everyGrantedRequest()).map((r) => r.action))) {
      if ((await actionFacts(action)).resourceArns.length === 0) continue; // nothing to name: "*" is its only resource
      // A definition that does not name the action grants it nowhere: the role's grants beyond its definition are found above.
      if (role.permissions && !role.permissions.some((p) => p.actions.includes(action))) continue;
      const resource = await resourceOfType(action, ACCOUNT, ANY);
      const accepted = action in ON_ANY_RESOURCE && role.permissions !== undefined && grants(role.permissions, { action, resource });
      cases.push([name, action, resource, accepted ? 'Allowed' : 'Denied']);
    }
    expect(await mismatches(cases)).toEqual([]);
  });

  // The ledger users get, put, update and query rows (lambdas/shared/ledger.ts) and nothing more:
  // no role can erase an audit row, batch-write over one, or scan the table.
  test('may not erase or scan the audit ledger', async () => {
    expect(await mismatches(['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Scan'].map((a): Case => [name, a, own.ledger, 'Denied']))).toEqual([]);
  });
});

/**
 * Per runbook: its prod targets spelled out, what it and the shared functions (the approval page,
 * the undo) may do with them, and what they may not. Each runs only where config/prod.json deploys
 * the runbook; the roles of one it switches off do not exist (the first test above).
 */
const SPECIFIC: Readonly<Record<string, () => Case[]>> = {
  'lambda-runaway': () => {
    const FUNCTIONS = ['manager', 'engineer', 'qa', 'researcher', 'data_processor'].map((a) => fn(`cabruca-segmentation-prod-${a}-agent`));
    const RESEARCHER = fn('cabruca-segmentation-prod-researcher-agent');
    const rule = (name: string) => arn('events', `rule/${name}`);
    const bucket = (name: string) => `arn:aws:s3:::${name}`;
    const OWN_ACCOUNT = { 's3:ResourceAccount': ACCOUNT };
    const stopFn = functionArn('LambdaRunawayStop');
    return [
      ...FUNCTIONS.map((f): Case => ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', f, 'Allowed']),
      ['LambdaRunawayStop', 'lambda:GetFunction', RESEARCHER, 'Allowed'],
      ['LambdaRunawayInspect', 'lambda:GetFunction', RESEARCHER, 'Allowed'],
      ['LambdaRunawayEvidence', 'events:ListRuleNamesByTarget', '*', 'Allowed'],
      ['LambdaRunawayEvidence', 'events:DescribeRule', rule('cabruca-segmentation-prod-researcher-poll'), 'Allowed'],
      ['LambdaRunawayEvidence', 'lambda:GetPolicy', RESEARCHER, 'Allowed'],
      ['LambdaRunawayEvidence', 'lambda:ListEventSourceMappings', '*', 'Allowed'],
      ['LambdaRunawayEvidence', 's3:GetBucketNotification', bucket('cabruca-segmentation-prod-agent-queue'), 'Allowed', OWN_ACCOUNT],
      ...FUNCTIONS.map((f): Case => ['LambdaRunawayRestore', 'lambda:PutFunctionConcurrency', f, 'Allowed']),
      // The page re-reads the gated target's live state.
      ['ApprovalPage', 'lambda:GetFunction', RESEARCHER, 'Allowed'],
      // The undo: the inverse calls on the reversible targets, and reads to compare and verify.
      ...FUNCTIONS.map((f): Case => ['UndoRestore', 'lambda:DeleteFunctionConcurrency', f, 'Allowed']),
      ['UndoRestore', 'lambda:PutFunctionConcurrency', RESEARCHER, 'Allowed'],
      ['UndoRestore', 'lambda:GetFunction', RESEARCHER, 'Allowed'],
      ['UndoFinish', 'lambda:GetFunction', RESEARCHER, 'Allowed'],

      ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', fn('someone-elses-function'), 'Denied'],
      ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', fn('cabruca-segmentation-prod-researcher-agent-v2'), 'Denied'],
      ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', arn('lambda', 'function:cabruca-segmentation-prod-researcher-agent', 'us-east-1'), 'Denied'],
      ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', own.admitFn, 'Denied'],
      ['LambdaRunawayStop', 'lambda:PutFunctionConcurrency', stopFn, 'Denied'],
      ['LambdaRunawayStop', 'lambda:DeleteFunctionConcurrency', RESEARCHER, 'Denied'],
      ['LambdaRunawayStop', 'lambda:UpdateFunctionConfiguration', RESEARCHER, 'Denied'],
      ['LambdaRunawayStop', 'lambda:DeleteFunction', RESEARCHER, 'Denied'],
      ['LambdaRunawayStop', 'states:SendTaskSuccess', '*', 'Denied'],
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
      ['LambdaRunawayRestore', 'lambda:PutFunctionConcurrency', fn('someone-elses-function'), 'Denied'],
      ['LambdaRunawayRestore', 'lambda:DeleteFunctionConcurrency', RESEARCHER, 'Denied'],
      ['LambdaRunawayRestore', 'states:SendTaskSuccess', '*', 'Denied'],
      ['LambdaRunawayApprovalRequest', 'lambda:PutFunctionConcurrency', RESEARCHER, 'Denied'],
      ['UndoApprovalRequest', 'lambda:DeleteFunctionConcurrency', RESEARCHER, 'Denied'],
      ['ApprovalPage', 'lambda:PutFunctionConcurrency', RESEARCHER, 'Denied'],
      ['LambdaRunawayStateMachine', 'lambda:InvokeFunction', RESEARCHER, 'Denied'],
      ['UndoRestore', 'lambda:DeleteFunctionConcurrency', fn('someone-elses-function'), 'Denied'],
      ['UndoRestore', 'lambda:DeleteFunctionConcurrency', own.admitFn, 'Denied'],
      // config/prod.json allowlists by name only: a tag grants the undo nothing (with targetTags: test/iam/tag-allowlist.test.ts).
      ['UndoRestore', 'lambda:PutFunctionConcurrency', fn('someone-unlisted'), 'Denied', { 'aws:ResourceTag/runbook-autopilot:allow': 'true' }],
      ['UndoRestore', 'lambda:PutFunctionConcurrency', own.admitFn, 'Denied', { 'aws:ResourceTag/runbook-autopilot:allow': 'true' }],
      ['UndoRestore', 'lambda:DeleteFunction', RESEARCHER, 'Denied'],
      ['UndoPlan', 'lambda:DeleteFunctionConcurrency', RESEARCHER, 'Denied'],
      ['UndoFinish', 'lambda:PutFunctionConcurrency', RESEARCHER, 'Denied'],
      ['UndoFinish', 'lambda:DeleteFunctionConcurrency', RESEARCHER, 'Denied'],
    ];
  },
  'dynamodb-throttling': () => {
    const TABLES = ['agent-state', 'agent-memory', 'agent-tasks'].map((t) => table(`cabruca-segmentation-prod-${t}`));
    const AGENT_STATE = table('cabruca-segmentation-prod-agent-state');
    const AGENT_TASKS = table('cabruca-segmentation-prod-agent-tasks');
    const TASKS_BACKUP = `${AGENT_TASKS}/backup/01795473256422-78615023`;
    return [
      ['DynamodbThrottlingCountStuck', 'dynamodb:Scan', AGENT_TASKS, 'Allowed'],
      ['DynamodbThrottlingCountStuck', 'dynamodb:DescribeTable', AGENT_TASKS, 'Allowed'],
      ['DynamodbThrottlingBackup', 'dynamodb:CreateBackup', AGENT_TASKS, 'Allowed'],
      // ListBackups has no resource type: "*" is the only resource it is evaluated against.
      ['DynamodbThrottlingBackup', 'dynamodb:ListBackups', '*', 'Allowed'],
      ['DynamodbThrottlingBackupStatus', 'dynamodb:DescribeBackup', TASKS_BACKUP, 'Allowed'],
      ['DynamodbThrottlingDeleteStuck', 'dynamodb:GetItem', AGENT_TASKS, 'Allowed'],
      ['DynamodbThrottlingDeleteStuck', 'dynamodb:DeleteItem', AGENT_TASKS, 'Allowed'],
      ...TABLES.map((t): Case => ['DynamodbThrottlingSwitch', 'dynamodb:UpdateTable', t, 'Allowed']),
      ...TABLES.map((t): Case => ['DynamodbThrottlingSwitch', 'dynamodb:DescribeTable', t, 'Allowed']),
      ['DynamodbThrottlingInspect', 'dynamodb:DescribeTable', AGENT_STATE, 'Allowed'],
      ['DynamodbThrottlingCheck', 'dynamodb:DescribeTable', AGENT_STATE, 'Allowed'],
      // The page re-reads the table; for a gated delete of stuck tasks, those tasks (read-only, the tasks table only).
      ['ApprovalPage', 'dynamodb:DescribeTable', AGENT_STATE, 'Allowed'],
      ['ApprovalPage', 'dynamodb:BatchGetItem', AGENT_TASKS, 'Allowed'],
      ...TABLES.map((t): Case => ['UndoRestore', 'dynamodb:UpdateTable', t, 'Allowed']),
      ['UndoRestore', 'dynamodb:DescribeTable', AGENT_STATE, 'Allowed'],
      ['UndoFinish', 'dynamodb:DescribeTable', AGENT_STATE, 'Allowed'],
      // The stuck tasks the cleanup deleted are put back (conditional PutItem) and re-read on the tasks table.
      ['UndoRestore', 'dynamodb:PutItem', AGENT_TASKS, 'Allowed'],
      ['UndoRestore', 'dynamodb:GetItem', AGENT_TASKS, 'Allowed'],
      ['UndoFinish', 'dynamodb:GetItem', AGENT_TASKS, 'Allowed'],

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
      ...ALL_ROLES.filter((r) => r.name !== 'DynamodbThrottlingBackup').map((r): Case => [r.name, 'dynamodb:ListBackups', '*', 'Denied']),
      ['DynamodbThrottlingBackupStatus', 'dynamodb:DescribeBackup', `${AGENT_STATE}/backup/01795473256422-78615023`, 'Denied'],
      ['DynamodbThrottlingBackupStatus', 'dynamodb:DeleteBackup', TASKS_BACKUP, 'Denied'],
      ['DynamodbThrottlingDeleteStuck', 'dynamodb:DeleteItem', AGENT_STATE, 'Denied'],
      ['DynamodbThrottlingDeleteStuck', 'dynamodb:DeleteItem', own.ledger, 'Denied'],
      ['DynamodbThrottlingDeleteStuck', 'dynamodb:PutItem', AGENT_TASKS, 'Denied'],
      ['DynamodbThrottlingDeleteStuck', 'dynamodb:UpdateItem', AGENT_TASKS, 'Denied'],
      ['DynamodbThrottlingDeleteStuck', 'dynamodb:Scan', AGENT_TASKS, 'Denied'],
      ['DynamodbThrottlingDeleteStuck', 'dynamodb:DeleteTable', AGENT_TASKS, 'Denied'],
      ['DynamodbThrottlingDeleteStuck', 'states:SendTaskSuccess', '*', 'Denied'],
      ['ApprovalPage', 'dynamodb:UpdateTable', AGENT_STATE, 'Denied'],
      ['ApprovalPage', 'dynamodb:DeleteItem', AGENT_STATE, 'Denied'],
      ['ApprovalPage', 'dynamodb:DeleteItem', AGENT_TASKS, 'Denied'],
      ['ApprovalPage', 'dynamodb:BatchWriteItem', AGENT_TASKS, 'Denied'],
      ['ApprovalPage', 'dynamodb:BatchGetItem', AGENT_STATE, 'Denied'],
      ['ApprovalPage', 'dynamodb:Scan', AGENT_TASKS, 'Denied'],
      ['DynamodbThrottlingApprovalRequest', 'dynamodb:DeleteItem', AGENT_TASKS, 'Denied'],
      ['DynamodbThrottlingSwitch', 'dynamodb:UpdateTable', table('other-table'), 'Denied'],
      ['DynamodbThrottlingSwitch', 'dynamodb:DeleteTable', AGENT_STATE, 'Denied'],
      ['DynamodbThrottlingSwitch', 'dynamodb:PutItem', AGENT_STATE, 'Denied'],
      ['DynamodbThrottlingInspect', 'dynamodb:UpdateTable', AGENT_STATE, 'Denied'],
      ['DynamodbThrottlingCheck', 'dynamodb:UpdateTable', AGENT_STATE, 'Denied'],
      ['UndoRestore', 'dynamodb:UpdateTable', table('someone-unlisted'), 'Denied', { 'aws:ResourceTag/runbook-autopilot:allow': 'true' }],
      ['UndoRestore', 'dynamodb:UpdateTable', table('other-table'), 'Denied'],
      ['UndoRestore', 'dynamodb:PutItem', table('other-table'), 'Denied'],
      ['UndoRestore', 'dynamodb:PutItem', AGENT_STATE, 'Denied'],
      ['UndoRestore', 'dynamodb:GetItem', AGENT_STATE, 'Denied'],
      ['UndoRestore', 'dynamodb:DeleteItem', AGENT_TASKS, 'Denied'],
      ['UndoRestore', 'dynamodb:UpdateItem', AGENT_TASKS, 'Denied'],
      ['UndoRestore', 'dynamodb:BatchWriteItem', AGENT_TASKS, 'Denied'],
      ['UndoRestore', 'dynamodb:DeleteTable', AGENT_STATE, 'Denied'],
      ['UndoFinish', 'dynamodb:PutItem', AGENT_TASKS, 'Denied'],
      ['UndoFinish', 'dynamodb:UpdateTable', AGENT_STATE, 'Denied'],
    ];
  },
  'ecs-service-recovery': () => {
    const CLUSTER = 'alphaswarm-cluster-prod';
    const ADMIN = service(CLUSTER, 'alphaswarm-admin-prod');
    const FRONTEND = service(CLUSTER, 'alphaswarm-admin-frontend-prod');
    const PROXY = service(CLUSTER, 'alphaswarm-agentcore-proxy-prod');
    return [
      ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', ADMIN, 'Allowed'],
      ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', FRONTEND, 'Allowed'],
      ['EcsServiceRecoveryInspect', 'ecs:DescribeServices', FRONTEND, 'Allowed'],
      ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', PROXY, 'Allowed'],
      ['EcsServiceRecoveryInspect', 'ecs:DescribeServices', ADMIN, 'Allowed'],
      ['EcsServiceRecoveryInspect', 'ecs:DescribeTasks', arn('ecs', `task/${CLUSTER}/0f1e2d3c4b5a`), 'Allowed'],
      ['EcsServiceRecoveryInspect', 'ecs:ListTasks', arn('ecs', `container-instance/${CLUSTER}/0f1e2d3c4b5a`), 'Allowed', { 'ecs:cluster': cluster(CLUSTER) }],
      ['EcsServiceRecoveryCheck', 'ecs:DescribeServices', PROXY, 'Allowed'],

      ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', service(CLUSTER, 'other-service'), 'Denied'],
      ['EcsServiceRecoveryRedeploy', 'ecs:UpdateService', service('other-cluster', 'alphaswarm-admin-prod'), 'Denied'],
      ['EcsServiceRecoveryRedeploy', 'ecs:DeleteService', ADMIN, 'Denied'],
      ['EcsServiceRecoveryInspect', 'ecs:UpdateService', ADMIN, 'Denied'],
      ['EcsServiceRecoveryInspect', 'ecs:ListTasks', arn('ecs', 'container-instance/other-cluster/0f1e2d3c4b5a'), 'Denied', { 'ecs:cluster': cluster('other-cluster') }],
      ['EcsServiceRecoveryInspect', 'ecs:DescribeTasks', arn('ecs', 'task/other-cluster/0f1e2d3c4b5a'), 'Denied'],
      ['EcsServiceRecoveryCheck', 'ecs:UpdateService', PROXY, 'Denied'],
      // A forced redeployment has no inverse: the undo never touches ECS.
      // The admin service is ecs-deployment-rollback's target too, whose undo points it back at the task definition it ran;
      // the proxy is agentcore-halt's, whose undo (the resume) puts back the desired count the halt set to 0.
      ['UndoRestore', 'ecs:UpdateService', ADMIN, 'Allowed'],
      ['UndoRestore', 'ecs:UpdateService', PROXY, 'Allowed'],
      ['UndoRestore', 'ecs:UpdateService', FRONTEND, 'Denied'],
    ];
  },
  'lambda-errors-rollback': () => {
    const FUNCTIONS = ['manager', 'engineer', 'qa', 'researcher', 'data_processor'].map((a) => fn(`cabruca-segmentation-prod-${a}-agent`));
    const RESEARCHER = fn('cabruca-segmentation-prod-researcher-agent');
    return [
      // The alias rollback: alias and version calls are authorized on the unqualified function.
      ...FUNCTIONS.flatMap((f): Case[] => [
        ['LambdaErrorsRollbackInspect', 'lambda:GetAlias', f, 'Allowed'],
        ['LambdaErrorsRollbackInspect', 'lambda:ListVersionsByFunction', f, 'Allowed'],
        ['LambdaErrorsRollbackRollback', 'lambda:UpdateAlias', f, 'Allowed'],
        ['LambdaErrorsRollbackCheck', 'lambda:GetAlias', f, 'Allowed'],
        ['UndoRestore', 'lambda:UpdateAlias', f, 'Allowed'],
        ['ApprovalPage', 'lambda:GetAlias', f, 'Allowed'],
      ]),

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
    ];
  },
  'llm-budget-guardrail': () => {
    const ADMIN = service('alphaswarm-cluster-prod', 'alphaswarm-admin-prod');
    const PROXY = service('alphaswarm-cluster-prod', 'alphaswarm-agentcore-proxy-prod');
    const MODEL_PREFERENCE = parameter('/alphaswarm/prod/llm_model_preference');
    return [
      // The primary billing view: what GetCostAndUsage reads when the call names no view.
      ['LlmBudgetGuardrailInspect', 'ce:GetCostAndUsage', `arn:aws:billing::${ACCOUNT}:billingview/primary`, 'Allowed'],
      ['LlmBudgetGuardrailInspect', 'ssm:GetParameter', MODEL_PREFERENCE, 'Allowed'],
      ['LlmBudgetGuardrailPreference', 'ssm:GetParameter', MODEL_PREFERENCE, 'Allowed'],
      ['LlmBudgetGuardrailPreference', 'ssm:PutParameter', MODEL_PREFERENCE, 'Allowed'],
      ['LlmBudgetGuardrailRedeploy', 'ecs:UpdateService', PROXY, 'Allowed'],
      ['LlmBudgetGuardrailVerify', 'ssm:GetParameter', MODEL_PREFERENCE, 'Allowed'],
      ['LlmBudgetGuardrailVerify', 'ecs:DescribeServices', PROXY, 'Allowed'],
      ['UndoRestore', 'ssm:PutParameter', MODEL_PREFERENCE, 'Allowed'],
      ['UndoRestore', 'ssm:GetParameter', MODEL_PREFERENCE, 'Allowed'],
      ['UndoFinish', 'ssm:GetParameter', MODEL_PREFERENCE, 'Allowed'],
      // The guardrail starts the undo of its own incident when its switch is not verified.
      ['LlmBudgetGuardrailStateMachine', 'states:StartExecution', stateMachine('runbook-autopilot-prod-undo'), 'Allowed'],

      ['LlmBudgetGuardrailInspect', 'ssm:PutParameter', MODEL_PREFERENCE, 'Denied'],
      ['LlmBudgetGuardrailPreference', 'ssm:PutParameter', parameter('/other'), 'Denied'],
      ['LlmBudgetGuardrailPreference', 'ssm:PutParameter', parameter('/alphaswarm/prod/llm_model_preference_v2'), 'Denied'],
      ['LlmBudgetGuardrailPreference', 'ssm:DeleteParameter', MODEL_PREFERENCE, 'Denied'],
      ['LlmBudgetGuardrailRedeploy', 'ecs:UpdateService', ADMIN, 'Denied'],
      ['LlmBudgetGuardrailVerify', 'cloudwatch:DescribeAlarms', arn('cloudwatch', 'alarm:alphaswarm-admin-frontend-prod-degraded'), 'Denied'],
      ['LlmBudgetGuardrailVerify', 'ssm:PutParameter', MODEL_PREFERENCE, 'Denied'],
      ['LlmBudgetGuardrailVerify', 'ecs:UpdateService', PROXY, 'Denied'],
      ['LlmBudgetGuardrailVerify', 'ecs:DescribeServices', ADMIN, 'Denied'],
      ['LlmBudgetGuardrailVerify', 'ssm:GetParameter', KILL_SWITCH, 'Denied'],
      ['Admit', 'ssm:GetParameters', MODEL_PREFERENCE, 'Denied'],
      ['UndoRestore', 'ssm:PutParameter', parameter('/other'), 'Denied'],
      ['UndoPlan', 'ssm:PutParameter', MODEL_PREFERENCE, 'Denied'],
      ['UndoFinish', 'ssm:PutParameter', MODEL_PREFERENCE, 'Denied'],
    ];
  },
  'workflow-stuck': () => {
    const WORKFLOW = stateMachine('tradai-prod-backtest-workflow');
    const RUN = arn('states', 'execution:tradai-prod-backtest-workflow:backtest-2026-12-01');
    const OWN_RUN = executionOf(machineArn(catalog.machines.find((m) => m.name === 'workflow-stuck')!));
    return [
      ['WorkflowStuckInspect', 'states:DescribeExecution', RUN, 'Allowed'],
      ['WorkflowStuckInspect', 'states:GetExecutionHistory', RUN, 'Allowed'],
      ['WorkflowStuckInspect', 'states:ListTagsForResource', WORKFLOW, 'Allowed'],
      ['WorkflowStuckRedrive', 'states:DescribeExecution', RUN, 'Allowed'],
      ['WorkflowStuckRedrive', 'states:ListTagsForResource', WORKFLOW, 'Allowed'],
      ['WorkflowStuckRedrive', 'states:RedriveExecution', RUN, 'Allowed'],
      ['WorkflowStuckCheck', 'states:DescribeExecution', RUN, 'Allowed'],
      ['ApprovalPage', 'states:DescribeExecution', RUN, 'Allowed'],

      // Only the configured workflow's executions: not this system's own (a loop), not another's, not elsewhere.
      ['WorkflowStuckRedrive', 'states:RedriveExecution', OWN_RUN, 'Denied'],
      ['WorkflowStuckRedrive', 'states:RedriveExecution', executionOf(FOREIGN_MACHINE), 'Denied'],
      ['WorkflowStuckRedrive', 'states:RedriveExecution', arn('states', 'execution:tradai-prod-backtest-workflow-v2:backtest-2026-12-01'), 'Denied'],
      ['WorkflowStuckRedrive', 'states:RedriveExecution', arn('states', 'execution:tradai-prod-backtest-workflow:backtest-2026-12-01', 'us-east-1'), 'Denied'],
      ['WorkflowStuckRedrive', 'states:StopExecution', RUN, 'Denied'],
      ['WorkflowStuckRedrive', 'states:StartExecution', WORKFLOW, 'Denied'],
      ['WorkflowStuckRedrive', 'states:UpdateStateMachine', WORKFLOW, 'Denied'],
      ['WorkflowStuckRedrive', 'states:TagResource', WORKFLOW, 'Denied'],
      ['WorkflowStuckInspect', 'states:RedriveExecution', RUN, 'Denied'],
      ['WorkflowStuckInspect', 'states:GetExecutionHistory', OWN_RUN, 'Denied'],
      ['WorkflowStuckCheck', 'states:RedriveExecution', RUN, 'Denied'],
      ['WorkflowStuckApprovalRequest', 'states:RedriveExecution', RUN, 'Denied'],
      ['ApprovalPage', 'states:RedriveExecution', RUN, 'Denied'],
      // A redrive has no inverse: the undo never touches Step Functions executions.
      ['UndoRestore', 'states:RedriveExecution', RUN, 'Denied'],
      ['UndoRestore', 'states:StopExecution', RUN, 'Denied'],
      // The ExecutionTime alarm: its executions listed and their history read; none stopped, redriven or started.
      ['WorkflowStuckLongRunning', 'states:ListExecutions', WORKFLOW, 'Allowed'],
      ['WorkflowStuckLongRunning', 'states:GetExecutionHistory', RUN, 'Allowed'],
      ['WorkflowStuckLongRunning', 'states:StopExecution', RUN, 'Denied'],
      ['WorkflowStuckLongRunning', 'states:RedriveExecution', RUN, 'Denied'],
      ['WorkflowStuckLongRunning', 'states:ListExecutions', FOREIGN_MACHINE, 'Denied'],
      ['WorkflowStuckLongRunning', 'states:GetExecutionHistory', OWN_RUN, 'Denied'],
    ];
  },
  'database-recovery': () => {
    const CLUSTER = 'tradai-cluster-prod';
    const STRATEGY = service(CLUSTER, 'tradai-prod-strategy-service');
    const COLLECTION = service(CLUSTER, 'tradai-prod-data-collection-service');
    const DB = arn('rds', 'db:tradai-prod-db');
    const PARAMETER_GROUP = arn('rds', 'pg:tradai-prod-postgres16');
    const ROLES = ['DatabaseRecoveryInspect', 'DatabaseRecoveryMaxConnections', 'DatabaseRecoveryRestart', 'DatabaseRecoveryWatch', 'DatabaseRecoveryVerify', 'DatabaseRecoveryApprovalRequest', 'UndoRestore', 'ApprovalPage'];
    return [
      ['DatabaseRecoveryInspect', 'rds:DescribeDBInstances', DB, 'Allowed'],
      ['DatabaseRecoveryInspect', 'ecs:DescribeServices', STRATEGY, 'Allowed'],
      ['DatabaseRecoveryMaxConnections', 'rds:DescribeDBParameters', PARAMETER_GROUP, 'Allowed'],
      ['DatabaseRecoveryRestart', 'ecs:UpdateService', STRATEGY, 'Allowed'],
      ['DatabaseRecoveryRestart', 'ecs:UpdateService', COLLECTION, 'Allowed'],
      ['DatabaseRecoveryWatch', 'ecs:DescribeServices', COLLECTION, 'Allowed'],
      ['DatabaseRecoveryWatch', 'rds:DescribeDBInstances', DB, 'Allowed'],
      ['ApprovalPage', 'ecs:DescribeServices', COLLECTION, 'Allowed'],

      // RDS fails over by itself: no role here may fail it over or reboot it (ForceFailover rides on RebootDBInstance), nor change it.
      ...ROLES.flatMap((role): Case[] => [
        [role, 'rds:RebootDBInstance', DB, 'Denied'],
        [role, 'rds:FailoverDBCluster', arn('rds', 'cluster:tradai-prod-db'), 'Denied'],
        [role, 'rds:ModifyDBInstance', DB, 'Denied'],
        [role, 'rds:ModifyDBParameterGroup', PARAMETER_GROUP, 'Denied'],
      ]),
      ['DatabaseRecoveryRestart', 'ecs:UpdateService', service(CLUSTER, 'tradai-prod-other-service'), 'Denied'],
      ['DatabaseRecoveryRestart', 'ecs:UpdateService', service('alphaswarm-cluster-prod', 'alphaswarm-admin-prod'), 'Denied'],
      ['DatabaseRecoveryRestart', 'ecs:DeleteService', STRATEGY, 'Denied'],
      ['DatabaseRecoveryInspect', 'ecs:UpdateService', STRATEGY, 'Denied'],
      ['DatabaseRecoveryWatch', 'ecs:UpdateService', STRATEGY, 'Denied'],
      ['DatabaseRecoveryInspect', 'rds:DescribeDBInstances', arn('rds', 'db:someone-elses-db'), 'Denied'],
      ['DatabaseRecoveryMaxConnections', 'rds:DescribeDBParameters', arn('rds', 'pg:default.postgres16'), 'Denied'],
      ['DatabaseRecoveryApprovalRequest', 'ecs:UpdateService', STRATEGY, 'Denied'],
      ['ApprovalPage', 'ecs:UpdateService', STRATEGY, 'Denied'],
      // A forced deployment has no inverse: the undo never touches these services.
      ['UndoRestore', 'ecs:UpdateService', STRATEGY, 'Denied'],
    ];
  },
  'model-drift': () => {
    const SWITCH = parameter('/tradai/prod/trading_paused');
    const RETRAINING = stateMachine('tradai-prod-model-retraining');
    const RETRAINING_RUN = arn('states', 'execution:tradai-prod-model-retraining:model-drift-inc-0123456789abcdef');
    return [
      ['ModelDriftInspect', 'ssm:GetParameter', SWITCH, 'Allowed'],
      ['ModelDriftInspect', 'states:ListExecutions', RETRAINING, 'Allowed'],
      ['ModelDriftSwitch', 'ssm:GetParameter', SWITCH, 'Allowed'],
      ['ModelDriftSwitch', 'ssm:PutParameter', SWITCH, 'Allowed'],
      ['ModelDriftRetrain', 'states:ListExecutions', RETRAINING, 'Allowed'],
      ['ModelDriftRetrain', 'states:StartExecution', RETRAINING, 'Allowed'],
      ['ModelDriftCheck', 'states:DescribeExecution', RETRAINING_RUN, 'Allowed'],
      ['ApprovalPage', 'ssm:GetParameter', SWITCH, 'Allowed'],
      ['UndoRestore', 'ssm:PutParameter', SWITCH, 'Allowed'],
      ['UndoFinish', 'ssm:GetParameter', SWITCH, 'Allowed'],

      // Only the switch writer writes, and only the trading switch: not another environment's, not a look-alike, not the model preference.
      ['ModelDriftInspect', 'ssm:PutParameter', SWITCH, 'Denied'],
      ['ModelDriftSwitch', 'ssm:PutParameter', parameter('/tradai/staging/trading_paused'), 'Denied'],
      ['ModelDriftSwitch', 'ssm:PutParameter', parameter('/tradai/prod/trading_paused_v2'), 'Denied'],
      ['ModelDriftSwitch', 'ssm:PutParameter', parameter('/alphaswarm/prod/llm_model_preference'), 'Denied'],
      ['ModelDriftSwitch', 'ssm:DeleteParameter', SWITCH, 'Denied'],
      ['ModelDriftSwitch', 'states:StartExecution', RETRAINING, 'Denied'],
      // Only the configured retraining workflow is started, and never stopped or redriven; not this system's own machines.
      ['ModelDriftRetrain', 'states:StartExecution', stateMachine('tradai-prod-backtest-workflow'), 'Denied'],
      ['ModelDriftRetrain', 'states:StartExecution', stateMachine('runbook-autopilot-prod-undo'), 'Denied'],
      ['ModelDriftRetrain', 'states:StartExecution', arn('states', 'stateMachine:tradai-prod-model-retraining', 'us-east-1'), 'Denied'],
      ['ModelDriftRetrain', 'states:StopExecution', RETRAINING_RUN, 'Denied'],
      ['ModelDriftRetrain', 'states:RedriveExecution', RETRAINING_RUN, 'Denied'],
      ['ModelDriftRetrain', 'ssm:PutParameter', SWITCH, 'Denied'],
      // It finds its own start by listing (ListExecutions): the waiting on it is the check's.
      ['ModelDriftRetrain', 'states:DescribeExecution', RETRAINING_RUN, 'Denied'],
      ['ModelDriftCheck', 'states:StartExecution', RETRAINING, 'Denied'],
      ['ModelDriftCheck', 'states:DescribeExecution', arn('states', 'execution:tradai-prod-backtest-workflow:backtest-2026-12-01'), 'Denied'],
      ['ModelDriftApprovalRequest', 'ssm:PutParameter', SWITCH, 'Denied'],
      ['ApprovalPage', 'ssm:PutParameter', SWITCH, 'Denied'],
      // A started retraining has no inverse: the undo puts the switch back and touches no execution.
      ['UndoRestore', 'states:StopExecution', RETRAINING_RUN, 'Denied'],
      ['UndoRestore', 'ssm:PutParameter', parameter('/tradai/prod/other'), 'Denied'],
    ];
  },
  'api-latency': () => {
    const TASKS = table('cabruca-segmentation-prod-agent-tasks');
    const ALARM = arn('cloudwatch', 'alarm:cabruca-segmentation-prod-api-p99-latency');
    return [
      // Its one grant, GetMetricData on "*" (a query names no resource), is checked as a Read action below.
      // It reads and pages: it changes nothing it reads about, not even the alarm, and reads nothing else.
      ['ApiLatencyDiagnose', 'cloudwatch:SetAlarmState', ALARM, 'Denied'],
      ['ApiLatencyDiagnose', 'cloudwatch:PutMetricAlarm', ALARM, 'Denied'],
      ['ApiLatencyDiagnose', 'cloudwatch:DeleteAlarms', ALARM, 'Denied'],
      ['ApiLatencyDiagnose', 'dynamodb:UpdateTable', TASKS, 'Denied'],
      ['ApiLatencyDiagnose', 'dynamodb:DescribeTable', TASKS, 'Denied'],
      ['ApiLatencyDiagnose', 'lambda:UpdateFunctionConfiguration', fn('cabruca-segmentation-prod-manager-agent'), 'Denied'],
      ['ApiLatencyDiagnose', 'ecs:UpdateService', service('tradai-cluster-prod', 'tradai-prod-strategy-service'), 'Denied'],
      ['ApiLatencyDiagnose', 'logs:StartQuery', arn('logs', 'log-group:/aws/lambda/cabruca-segmentation-prod-manager-agent'), 'Denied'],
    ];
  },
  's3-access-denied': () => {
    const BUCKET = 'arn:aws:s3:::cabruca-segmentation-prod-agent-artifacts';
    const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
    const ENGINEER = role('cabruca-segmentation-prod-engineer-agent-role');
    const KEY = arn('kms', 'key/3f0c2a9e-5b1d-4c7e-9a8f-6d2e4b1c0a97');
    return [
      // The configured bucket's policy, Block Public Access, encryption and versioning; the simulator for the configured roles.
      ['S3AccessDeniedDiagnose', 's3:GetBucketPolicy', BUCKET, 'Allowed'],
      ['S3AccessDeniedDiagnose', 's3:GetBucketPublicAccessBlock', BUCKET, 'Allowed'],
      ['S3AccessDeniedDiagnose', 's3:GetEncryptionConfiguration', BUCKET, 'Allowed'],
      ['S3AccessDeniedDiagnose', 's3:GetBucketVersioning', BUCKET, 'Allowed'],
      ['S3AccessDeniedDiagnose', 'iam:SimulatePrincipalPolicy', ENGINEER, 'Allowed'],
      // "Fix bucket permissions" stays a person's: no policy written, on the bucket, the role or a key.
      ['S3AccessDeniedDiagnose', 's3:PutBucketPolicy', BUCKET, 'Denied'],
      ['S3AccessDeniedDiagnose', 's3:DeleteBucketPolicy', BUCKET, 'Denied'],
      ['S3AccessDeniedDiagnose', 's3:PutBucketPublicAccessBlock', BUCKET, 'Denied'],
      ['S3AccessDeniedDiagnose', 'iam:PutRolePolicy', ENGINEER, 'Denied'],
      ['S3AccessDeniedDiagnose', 'iam:AttachRolePolicy', ENGINEER, 'Denied'],
      ['S3AccessDeniedDiagnose', 'kms:PutKeyPolicy', KEY, 'Denied'],
      // It reads policies, never the data, and only of what is configured: no object, no other bucket, no other principal, no key prod names none of.
      ['S3AccessDeniedDiagnose', 's3:GetObject', `${BUCKET}/uploads/mask.png`, 'Denied'],
      ['S3AccessDeniedDiagnose', 's3:GetBucketPolicy', 'arn:aws:s3:::cabruca-segmentation-staging-agent-artifacts', 'Denied'],
      ['S3AccessDeniedDiagnose', 's3:GetBucketPolicy', own.reports, 'Denied'],
      ['S3AccessDeniedDiagnose', 'iam:SimulatePrincipalPolicy', role('OrganizationAccountAccessRole'), 'Denied'],
      ['S3AccessDeniedDiagnose', 'iam:GetRolePolicy', ENGINEER, 'Denied'],
      ['S3AccessDeniedDiagnose', 'kms:GetKeyPolicy', KEY, 'Denied'],
    ];
  },
  'credential-exposure': () => {
    // IAM is global: a user's ARN has no region.
    const user = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:user${path}${name}`;
    const DEPLOYER = user('alphaswarm-ci-deployer');
    const ORIGIN_SECRET = arn('ssm', 'parameter/alphaswarm/prod/cloudfront_origin_secret');
    return [
      // The configured user's keys: read, deactivated; the undo's restore makes one Active again, its finish reads them.
      ['CredentialExposureInspect', 'iam:ListAccessKeys', DEPLOYER, 'Allowed'],
      ['CredentialExposureDeactivate', 'iam:ListAccessKeys', DEPLOYER, 'Allowed'],
      ['CredentialExposureDeactivate', 'iam:UpdateAccessKey', DEPLOYER, 'Allowed'],
      ['UndoRestore', 'iam:UpdateAccessKey', DEPLOYER, 'Allowed'],
      ['UndoFinish', 'iam:ListAccessKeys', DEPLOYER, 'Allowed'],
      // LookupEvents has no resource type: "*" is its only resource, and only the activity function has it.
      ['CredentialExposureActivity', 'cloudtrail:LookupEvents', '*', 'Allowed'],
      ['CredentialExposureDeactivate', 'cloudtrail:LookupEvents', '*', 'Denied'],
      // Never deleted, never a new key, never a secret: containment only.
      ['CredentialExposureDeactivate', 'iam:DeleteAccessKey', DEPLOYER, 'Denied'],
      ['CredentialExposureDeactivate', 'iam:CreateAccessKey', DEPLOYER, 'Denied'],
      ['CredentialExposureDeactivate', 'iam:DeleteUser', DEPLOYER, 'Denied'],
      ['CredentialExposureDeactivate', 'iam:PutUserPolicy', DEPLOYER, 'Denied'],
      ['UndoRestore', 'iam:DeleteAccessKey', DEPLOYER, 'Denied'],
      // Only the configured user: not another user, not one of the same name under another path, not a role.
      ['CredentialExposureDeactivate', 'iam:UpdateAccessKey', user('alphaswarm-admin'), 'Denied'],
      ['CredentialExposureDeactivate', 'iam:UpdateAccessKey', user('alphaswarm-ci-deployer', '/ops/'), 'Denied'],
      ['CredentialExposureInspect', 'iam:UpdateAccessKey', DEPLOYER, 'Denied'],
      ['UndoRestore', 'iam:UpdateAccessKey', user('alphaswarm-admin'), 'Denied'],
      ['CredentialExposureActivity', 'iam:ListAccessKeys', DEPLOYER, 'Denied'],
      ['CredentialExposureActivity', 'cloudtrail:StopLogging', arn('cloudtrail', 'trail/management-events'), 'Denied'],
      ['CredentialExposureActivity', 'cloudtrail:DeleteTrail', arn('cloudtrail', 'trail/management-events'), 'Denied'],
      // The configured secret: its version read, a new version written; never decrypted, never deleted, no other parameter.
      ['CredentialExposureSecret', 'ssm:GetParameter', ORIGIN_SECRET, 'Allowed'],
      ['CredentialExposureSecret', 'ssm:PutParameter', ORIGIN_SECRET, 'Denied'],
      ['CredentialExposureRotate', 'ssm:PutParameter', ORIGIN_SECRET, 'Allowed'],
      ['CredentialExposureRotate', 'ssm:PutParameter', arn('ssm', 'parameter/alphaswarm/prod/llm_model_preference'), 'Denied'],
      ['CredentialExposureRotate', 'ssm:DeleteParameter', ORIGIN_SECRET, 'Denied'],
      ['CredentialExposureRotate', 'ssm:GetParameterHistory', ORIGIN_SECRET, 'Denied'],
      ['CredentialExposureRotate', 'kms:Decrypt', arn('kms', 'key/0f1e2d3c-4b5a-4697-8899-aabbccddeeff'), 'Denied'],
      ['CredentialExposureDeactivate', 'ssm:PutParameter', ORIGIN_SECRET, 'Denied'],
      // The services that read it: redeployed by one function, watched by another; no other service.
      ['CredentialExposureRedeploy', 'ecs:UpdateService', arn('ecs', 'service/alphaswarm-cluster-prod/alphaswarm-admin-prod'), 'Allowed'],
      ['CredentialExposureRedeploy', 'ecs:UpdateService', arn('ecs', 'service/alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod'), 'Denied'],
      ['CredentialExposureRollout', 'ecs:DescribeServices', arn('ecs', 'service/alphaswarm-cluster-prod/alphaswarm-agentcore-proxy-prod'), 'Allowed'],
      ['CredentialExposureRollout', 'ecs:UpdateService', arn('ecs', 'service/alphaswarm-cluster-prod/alphaswarm-agentcore-proxy-prod'), 'Denied'],
    ];
  },
  'page-on-call': () => {
    const NAT = arn('ec2', 'instance/i-0a7f3c9e21b4d5068');
    const TRAIL_GROUP = arn('logs', 'log-group:aws-cloudtrail-logs-111122223333-management');
    return [
      // prod routes no alarm to nat-instance-down or unauthorized-access (no names to write yet): the evidence function holds no read at all.
      ['PageOnCallEvidence', 'ec2:DescribeInstanceStatus', '*', 'Denied'],
      ['PageOnCallEvidence', 'ec2:DescribeInstances', '*', 'Denied'],
      ['PageOnCallEvidence', 'ec2:DescribeRouteTables', '*', 'Denied'],
      ['PageOnCallEvidence', 'logs:FilterLogEvents', TRAIL_GROUP, 'Denied'],
      // The page's own function reads nothing; and no failover, no isolation by any of its roles.
      ['PageOnCallReadAlarm', 'ec2:DescribeInstances', '*', 'Denied'],
      ['PageOnCallEvidence', 'ec2:StopInstances', NAT, 'Denied'],
      ['PageOnCallEvidence', 'ec2:ReplaceRoute', arn('ec2', 'route-table/rtb-0d4e5f6a7b8c9d0e1'), 'Denied'],
      ['PageOnCallEvidence', 'iam:UpdateAccessKey', `arn:aws:iam::${ACCOUNT}:user/alphaswarm-ci-deployer`, 'Denied'],
    ];
  },
  'agentcore-halt': () => {
    const GATEWAY = arn('bedrock-agentcore', 'gateway/alphaswarm-prod-gateway-k3x9q2w7rt');
    const ROLE = `arn:aws:iam::${ACCOUNT}:role/alphaswarm-prod-agentcore-gateway`;
    const PROXY = service('alphaswarm-cluster-prod', 'alphaswarm-agentcore-proxy-prod');
    const SECRET = arn('secretsmanager', 'secret:alphaswarm/prod/kill-switch-token-Kz4pQ9');
    const TARGET = arn('application-autoscaling', 'scalable-target/0123456789abcdef0123456789abcdef');
    const ECS_DESIRED = { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' };
    const TO_AGENTCORE = { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' };
    return [
      // The configured gateway: read, updated (passing its own role again, to AgentCore only); the undo's restore the same, its finish reads.
      ['AgentcoreHaltInspect', 'bedrock-agentcore:GetGateway', GATEWAY, 'Allowed'],
      ['AgentcoreHaltGateway', 'bedrock-agentcore:UpdateGateway', GATEWAY, 'Allowed'],
      ['AgentcoreHaltGateway', 'iam:PassRole', ROLE, 'Allowed', TO_AGENTCORE],
      ['UndoRestore', 'bedrock-agentcore:UpdateGateway', GATEWAY, 'Allowed'],
      ['UndoRestore', 'iam:PassRole', ROLE, 'Allowed', TO_AGENTCORE],
      ['UndoFinish', 'bedrock-agentcore:GetGateway', GATEWAY, 'Allowed'],
      // The proxy: pinned at 0 through its scalable target (ECS desired counts only), or its desired count.
      ['AgentcoreHaltProxy', 'application-autoscaling:RegisterScalableTarget', TARGET, 'Allowed', ECS_DESIRED],
      ['AgentcoreHaltProxy', 'ecs:UpdateService', PROXY, 'Allowed'],
      ['AgentcoreHaltKillSwitch', 'secretsmanager:GetSecretValue', SECRET, 'Allowed'],
      // The halt changes a gateway's configuration, never deletes it, its targets or its engines; no other gateway, no other role passed.
      ['AgentcoreHaltGateway', 'bedrock-agentcore:DeleteGateway', GATEWAY, 'Denied'],
      ['AgentcoreHaltGateway', 'bedrock-agentcore:DeleteGatewayTarget', GATEWAY, 'Denied'],
      ['AgentcoreHaltGateway', 'bedrock-agentcore:UpdateGateway', arn('bedrock-agentcore', 'gateway/alphaswarm-staging-gateway-m5v2c8r1zq'), 'Denied'],
      ['AgentcoreHaltGateway', 'iam:PassRole', ROLE, 'Denied', { 'iam:PassedToService': 'lambda.amazonaws.com' }],
      ['AgentcoreHaltGateway', 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`, 'Denied', TO_AGENTCORE],
      ['AgentcoreHaltInspect', 'bedrock-agentcore:UpdateGateway', GATEWAY, 'Denied'],
      ['AgentcoreHaltCheck', 'bedrock-agentcore:UpdateGateway', GATEWAY, 'Denied'],
      // Only the proxy, only its desired count; the token's secret is read by the kill-switch function alone, and never written.
      ['AgentcoreHaltProxy', 'ecs:UpdateService', service('alphaswarm-cluster-prod', 'alphaswarm-admin-prod'), 'Denied'],
      ['AgentcoreHaltProxy', 'ecs:DeleteService', PROXY, 'Denied'],
      ['AgentcoreHaltProxy', 'application-autoscaling:RegisterScalableTarget', TARGET, 'Denied', { ...ECS_DESIRED, 'application-autoscaling:service-namespace': 'dynamodb' }],
      ['AgentcoreHaltGateway', 'secretsmanager:GetSecretValue', SECRET, 'Denied'],
      ['AgentcoreHaltKillSwitch', 'secretsmanager:PutSecretValue', SECRET, 'Denied'],
      ['AgentcoreHaltKillSwitch', 'secretsmanager:GetSecretValue', arn('secretsmanager', 'secret:alphaswarm/prod/db-password-Ab12Cd'), 'Denied'],
    ];
  },
};

test("s3-access-denied's function only reads: every action it is granted is a Read or List action", async () => {
  const role = DEFINED.find((r) => r.name === 'S3AccessDeniedDiagnose');
  const actions = role?.permissions.flatMap((p) => p.actions) ?? [];
  expect(actions).toContain('iam:SimulatePrincipalPolicy');
  for (const action of actions) expect([action, (await actionFacts(action)).readOnly]).toEqual([action, true]);
});

test('api-latency\'s function only reads: its one grant is GetMetricData, a Read action', async () => {
  const role = DEFINED.find((r) => r.name === 'ApiLatencyDiagnose');
  const actions = role?.permissions.flatMap((p) => p.actions) ?? [];
  expect(actions).toEqual(['cloudwatch:GetMetricData']);
  for (const action of actions) expect([action, (await actionFacts(action)).readOnly]).toEqual([action, true]);
});

test("page-on-call's evidence function is granted only what config routes: EC2's three Describe reads on \"*\" (they take no resource) for a NAT alarm, FilterLogEvents on the configured trail log group for the unauthorized-calls alarm", () => {
  const evidence = (c: typeof config) => stackCatalog(c, ACCOUNT).roles.find((r) => r.name === 'PageOnCallEvidence')?.permissions;
  expect(evidence(config)).toEqual([]);
  const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:aws-cloudtrail-logs-111122223333-management`;
  const routed = structuredClone(config);
  const pageOnCall = routed.runbooks['page-on-call'] as { alarms: Record<string, string>; evidence?: Record<string, unknown> };
  Object.assign(pageOnCall.alarms, { 'nat-a-status-check': 'nat-instance-down', 'unauthorized-api-calls': 'unauthorized-access' });
  pageOnCall.evidence = { ...pageOnCall.evidence, cloudTrailLogGroup: 'aws-cloudtrail-logs-111122223333-management' };
  expect(evidence(routed)).toEqual([
    { actions: ['ec2:DescribeInstanceStatus', 'ec2:DescribeInstances', 'ec2:DescribeRouteTables'], resources: ['*'] },
    { actions: ['logs:FilterLogEvents'], resources: [group, `${group}:*`] },
  ]);
  // A log group without an alarm routed to it grants nothing.
  delete pageOnCall.alarms['unauthorized-api-calls'];
  expect(evidence(routed)).toEqual([{ actions: ['ec2:DescribeInstanceStatus', 'ec2:DescribeInstances', 'ec2:DescribeRouteTables'], resources: ['*'] }]);
});

describe.each(Object.keys(SPECIFIC))('%s, with its config/prod.json targets spelled out', (runbook) => {
  if (enabled.has(runbook)) {
    test.each(SPECIFIC[runbook]!())('%s: %s on %s -> %s', (...c) => expectDecision(...c));
  } else {
    test('is switched off in config/prod.json: none of its roles exist', () => {
      const id = toId(runbook);
      expect([...iam.roles.keys()].filter((role) => role.startsWith(`${id}StateMachine`) || role.startsWith(`${id}${id}`))).toEqual([]);
    });
  }
});
