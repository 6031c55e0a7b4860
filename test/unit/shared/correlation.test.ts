/**
 * Every log line a handler writes about an incident carries the incident id and the execution ARN
 * (keys `incidentId` and `executionArn`; `correlation_id` is the execution ARN too), so one Logs
 * Insights query finds an incident's lines across its functions. Real handlers run here, their
 * lines read off stdout as CloudWatch Logs would get them.
 */
import '../../support/logs-on';
import { CloudWatchClient, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetExecutionHistoryCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { taskHandler } from '../../../lambdas/shared/handler';
import { logger } from '../../../lambdas/shared/logger';
import * as z from '../../../lambdas/shared/zod';
import { executionSchema, incidentSchema } from '../../../lambdas/shared/task-input';
import { incident, lambdaContext } from '../../support/fixtures';
import { ledgerHarness } from '../../support/ledger-harness';
import { approvalLinkIn } from '../../support/notifications';
import { BASE_URL, formOf, KEY, pageEvent, TOPIC, type PageHandler } from '../approval/support';

const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const lambda = mockClient(LambdaClient);
const cloudwatch = mockClient(CloudWatchClient);
// The execution-failure notifier writes the failed run's report; what it writes is tested in test/unit/report.
mockClient(S3Client);
const EVENTS = path.join(__dirname, '../../../events');
const ARN_PREFIX = 'arn:aws:states:sa-east-1:111122223333:stateMachine:runbook-autopilot-drill-';
const BUDGET_MACHINE = `${ARN_PREFIX}llm-budget-guardrail`;
const CRITICAL = 'arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-critical';
const MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:runbook-autopilot-drill-lambda-runaway';
const executionOf = (name: string) => `arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-drill-lambda-runaway:${name}`;

const h = ledgerHarness('c', {
  env: {
    CRITICAL_TOPIC_ARN: CRITICAL, INFO_TOPIC_ARN: CRITICAL, REPORT_BUCKET: 'runbook-autopilot-reports', RUNBOOK_MACHINES: JSON.stringify([{ runbook: 'lambda-runaway', arn: MACHINE }]),
    APPROVAL_SECRET_ID: 'approval-signing-key', APPROVAL_TOPIC_ARN: TOPIC, APPROVAL_BASE_URL: BASE_URL,
    APPROVAL_POLICY: JSON.stringify({ requiredApprovals: 1, deadlineMinutes: { P1: 15, P2: 30, P3: 120, P4: 1440 }, approvers: [{ name: 'alice', level: 'L1' }] }),
    APPROVAL_GATES: JSON.stringify({ 'lambda-runaway/restore': 'P2' }),
    ROUTES: JSON.stringify({ 'ecs-service-recovery': { ClusterName: ['alphaswarm-cluster-prod'], ServiceName: ['alphaswarm-admin-frontend-prod'] } }),
    STATE_MACHINE_ARN_PREFIX: ARN_PREFIX,
    RUNBOOK: 'llm-budget-guardrail', STATE_MACHINE_ARN: BUDGET_MACHINE, BUDGET_NAMES: JSON.stringify(['alphaswarm-prod-monthly']),
  },
});

type Task = (event: unknown, context: typeof lambdaContext) => Promise<unknown>;
let notify: Task;
let executionFailed: Task;
let request: Task;
let page: PageHandler;
let alarmRouter: Task;
let budgetAdapter: Task;

beforeAll(async () => {
  notify = (await import('../../../lambdas/notify/handler')).handler as unknown as Task;
  executionFailed = (await import('../../../lambdas/notify/execution-failed')).handler as unknown as Task;
  request = (await import('../../../lambdas/approval/request')).handler as unknown as Task;
  page = (await import('../../../lambdas/approval/page')).handler as PageHandler;
  alarmRouter = (await import('../../../lambdas/alarm-router/handler')).handler as unknown as Task;
  budgetAdapter = (await import('../../../lambdas/budget-adapter/handler')).handler as unknown as Task;
  logger.setLogLevel('DEBUG');
});

beforeEach(() => {
  for (const m of [sns, sfn, secrets, lambda, cloudwatch]) m.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY });
  lambda.on(GetFunctionCommand).resolves({ Concurrency: { ReservedConcurrentExecutions: 0 }, Configuration: { State: 'Active' } });
  sfn.on(SendTaskSuccessCommand).resolves({});
});

/** The JSON log lines `run` makes the handlers write, on stdout and stderr (warnings and errors) as Lambda takes both (EMF metric lines are off in tests). */
async function linesOf(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const printed: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) => jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  }));
  try {
    await run().catch(() => undefined);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return printed.flatMap((p) => p.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const correlated = (incidentId: string, executionArn: string) => expect.objectContaining({ incidentId, executionArn, correlation_id: executionArn });

test('taskHandler: every line of an invocation carries its incident and execution; the next invocation does not inherit them', async () => {
  const handler = taskHandler(z.object({ incident: z.optional(incidentSchema), execution: executionSchema }), async () => {
    logger.info('working');
    return null;
  }) as unknown as Task;
  const exec = executionOf('toy');

  const first = await linesOf(() => handler({ incident: incident(), execution: { id: exec } }, lambdaContext));
  const second = await linesOf(() => handler({ execution: { id: executionOf('other') } }, lambdaContext));

  expect(first).toEqual([correlated(incident().id, exec)]);
  expect(second).toEqual([expect.objectContaining({ executionArn: executionOf('other') })]);
  expect(second[0]).not.toHaveProperty('incidentId');
});

test('notify: its warning and its failure carry the incident and the execution', async () => {
  const the = incident({ id: h.nextIncidentId() });
  const exec = executionOf('notify');
  await h.ledger.claimIncident({ incidentId: the.id, runbook: 'lambda-runaway', target: the.target, dedupeKey: the.id, executionArn: executionOf('owner'), summary: 's', firedAt: the.firedAt });
  sns.on(PublishCommand).rejects(new NotFoundException({ message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } }));

  const lines = await linesOf(() => notify({ runbook: 'lambda-runaway', outcome: 'failed', reason: 'x', incident: the, execution: { id: exec } }, lambdaContext));

  expect(lines.map((l) => l.message)).toEqual(['Incident belongs to another execution; not updating it', 'Task failed']);
  expect(lines).toEqual(lines.map(() => correlated(the.id, exec)));
});

test('the execution-failure notifier: once the history names the incident, its lines carry it', async () => {
  const the = incident({ id: h.nextIncidentId() });
  const exec = executionOf('failed');
  const at = new Date();
  sfn.on(GetExecutionHistoryCommand).resolves({
    events: [
      { id: 3, timestamp: at, type: 'ExecutionFailed', executionFailedEventDetails: { error: 'AwsUnavailable', cause: 'boom' } },
      { id: 2, timestamp: at, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Stop', input: JSON.stringify({ admission: { incident: the } }) } },
      { id: 1, timestamp: at, type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
    ],
  });
  sns.on(PublishCommand).rejects(new NotFoundException({ message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } }));
  const event = {
    'detail-type': 'Step Functions Execution Status Change', source: 'aws.states',
    detail: { executionArn: exec, stateMachineArn: MACHINE, name: 'failed', status: 'FAILED', error: 'AwsUnavailable', cause: 'boom', redriveCount: 0 },
  };

  const lines = await linesOf(() => executionFailed(event, lambdaContext));

  expect(lines.map((l) => l.message)).toContain('Task failed');
  expect(lines).toEqual(lines.map(() => correlated(the.id, exec)));
});

test('the approval request and the page: the request, and a decision recorded on it, carry the incident and the execution', async () => {
  const the = incident({ id: h.nextIncidentId() });
  const exec = executionOf('ask');
  const asked = await linesOf(() => request({
    mode: 'request', taskToken: 'token-correlation', incident: the, execution: { id: exec }, level: 'L1',
    gate: { step: 'restore', operation: 'lambda:PutFunctionConcurrency', target: the.target, parameters: { FunctionName: the.target, ReservedConcurrentExecutions: 5 } },
  }, lambdaContext));
  const link = approvalLinkIn(sns.commandCalls(PublishCommand)[0]!.args[0].input);

  const decided = await linesOf(async () => {
    const shown = await page(pageEvent('GET', link)) as APIGatewayProxyResultV2 & object;
    const { fields, cookie } = formOf(shown);
    fields.set('decision', 'approve');
    await page(pageEvent('POST', link, { body: fields.toString(), cookie }));
  });

  expect(asked.map((l) => l.message)).toEqual(['Notification published', 'Approval requested']);
  expect(asked[0]).toMatchObject({ kind: 'approval-requested', topicArn: TOPIC, messageId: 'm-1' });
  expect(asked).toEqual(asked.map(() => correlated(the.id, exec)));
  expect(decided.map((l) => l.message)).toContain('Approval decision recorded');
  expect(decided).toEqual(decided.map(() => correlated(the.id, exec)));
});

test('the trigger handlers: a line about a start names the incident its execution is named after, and that execution', async () => {
  const composite = JSON.parse(readFileSync(path.join(EVENTS, 'samples/composite.alarm.json'), 'utf8')) as unknown;
  cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [
    { Key: 'runbook-autopilot:runbook', Value: 'ecs-service-recovery' }, { Key: 'runbook-autopilot:target', Value: 'alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod' },
  ] });
  sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({ executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}` }));

  const routed = await linesOf(() => alarmRouter(composite, lambdaContext));
  const budget = await linesOf(() => budgetAdapter(JSON.parse(readFileSync(path.join(EVENTS, 'llm-budget-guardrail.sns.json'), 'utf8')), lambdaContext));

  const started = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
  expect(started).toHaveLength(2);
  const [alarm, notification] = started.map((c) => ({ incidentId: c.name!, executionArn: `${c.stateMachineArn!.replace(':stateMachine:', ':execution:')}:${c.name!}` }));
  expect(routed.filter((l) => l.message === 'Started ecs-service-recovery')).toEqual([expect.objectContaining(alarm)]);
  expect(budget.filter((l) => l.message === 'Started llm-budget-guardrail')).toEqual([expect.objectContaining(notification)]);
});
