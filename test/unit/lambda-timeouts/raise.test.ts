import 'aws-sdk-client-mock-jest';
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand, ResourceConflictException, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { Ledger } from '../../../lambdas/shared/ledger';
import { ledgerHarness } from '../../support/ledger-harness';
import { seedApprovalRequest } from '../../support/approval-requests';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);
const FUNCTION = 'tradai-prod-backtest-worker';
const QUEUE_ARN = 'arn:aws:sqs:sa-east-1:111122223333:tradai-prod-backtest-jobs';
let ledger: Ledger;
let store: ApprovalStore;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<{ before: unknown; after: unknown; replayed: boolean; planned: boolean }>;
let incidentId: string;
let seq = 0;
const KEY = `raise#lambda:UpdateFunctionConfiguration#${FUNCTION}`;

// The ledger in dynalite and the handler's environment, set before the handler cold-starts.
const harness = ledgerHarness('0', {
  env: {
    ALLOWED_TARGETS: JSON.stringify([FUNCTION]), RAISE_ON_TIMEOUT: 'abort',
    // Baseline 30 s, one step of 30 s, ceiling 120 s: the one raise is to 60 s.
    TIMEOUT_POLICIES: JSON.stringify({ [FUNCTION]: { baselineSeconds: 30, targetSeconds: 60, ceilingSeconds: 120 } }),
  },
});
beforeAll(async () => {
  ledger = harness.ledger;
  store = new ApprovalStore('ledger', harness.dynamo.client);
  handler = (await import('../../../runbooks/lambda-timeouts/handlers/raise')).handler as typeof handler;
});

/** The function with this timeout, fed by the backtest queue with this visibility timeout. */
function account(timeout: number, visibility = 300) {
  lambda.reset();
  sqs.reset();
  lambda.on(GetFunctionConfigurationCommand).resolves({ FunctionName: FUNCTION, Timeout: timeout, MemorySize: 2048, LastUpdateStatus: 'Successful' });
  lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [{ UUID: 'u-1', EventSourceArn: QUEUE_ARN, State: 'Enabled' }] });
  lambda.on(UpdateFunctionConfigurationCommand).resolves({ FunctionName: FUNCTION, Timeout: 60, LastUpdateStatus: 'InProgress' });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { VisibilityTimeout: String(visibility) } });
}

beforeEach(() => {
  account(30);
  incidentId = `inc-${(++seq).toString(16).padStart(16, '0')}`;
});

async function approved(timeout = 60) {
  return seedApprovalRequest(store, {
    requestId: `apr-${seq.toString(16).padStart(32, '0')}`, incidentId, status: 'approved',
    gate: {
      runbook: 'lambda-timeouts', step: 'raise', summary: 's', firedAt: 'f', operation: 'lambda:UpdateFunctionConfiguration', target: FUNCTION,
      parameters: { FunctionName: FUNCTION, Timeout: timeout }, evidence: null, severity: 'P3',
    },
  });
}

const input = (requestId: string, dryRun = false) => ({
  incident: incident({ id: incidentId, runbook: 'lambda-timeouts', target: FUNCTION }), execution: { id: EXECUTION_ARN }, approval: { decision: 'approved', requestId }, dryRun,
});

test('records the old timeout first, then sets the absolute target on the function, asking its queue by URL', async () => {
  const requestId = await approved();
  let intentAtCall: unknown;
  lambda.on(UpdateFunctionConfigurationCommand).callsFake(async () => {
    intentAtCall = await ledger.getAction(incidentId, KEY);
    return { FunctionName: FUNCTION, Timeout: 60, LastUpdateStatus: 'InProgress' };
  });
  const result = await handler(input(requestId), lambdaContext);
  expect(result).toMatchObject({ before: { Timeout: 30 }, after: { Timeout: 60 }, replayed: false });
  expect(intentAtCall).toMatchObject({ status: 'intent', before: { Timeout: 30 } });
  expect(lambda.commandCalls(UpdateFunctionConfigurationCommand).map((c) => c.args[0].input)).toEqual([{ FunctionName: FUNCTION, Timeout: 60 }]);
  expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
    QueueUrl: 'https://sqs.sa-east-1.amazonaws.com/111122223333/tradai-prod-backtest-jobs', AttributeNames: ['VisibilityTimeout'],
  });
});

test('a retry after the call took effect replays the row: no second update, no ratchet past the target', async () => {
  const requestId = await approved();
  await handler(input(requestId), lambdaContext);
  account(60);
  const again = await handler(input(requestId), lambdaContext);
  expect(again).toMatchObject({ before: { Timeout: 30 }, after: { Timeout: 60 }, replayed: true });
  expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
});

test('the answer lost without the raise, then someone raises it to 90 s: the retry reads it again and refuses, never lowering it to 60 s', async () => {
  const requestId = await approved();
  lambda.on(UpdateFunctionConfigurationCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
  await expect(handler(input(requestId), lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
  account(90);

  await expect(handler(input(requestId), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected', message: expect.stringContaining('is 90 s since the diagnosis') });

  expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
  // The row keeps the value the runbook first found, for the record; it is failed, not done.
  expect(await ledger.getAction(incidentId, KEY)).toMatchObject({ status: 'failed', before: { Timeout: 30 } });
});

test('a dry run plans the exact call and makes none', async () => {
  const requestId = await approved();
  const plan = await handler(input(requestId, true), lambdaContext);
  expect(plan).toMatchObject({ before: { Timeout: 30 }, after: { Timeout: 60 }, planned: true });
  expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
  expect(await ledger.getAction(incidentId, KEY)).toMatchObject({ status: 'planned', parameters: { FunctionName: FUNCTION, Timeout: 60 } });
});

test.each([
  ['the queue now keeps messages invisible for only 60 s', () => account(30, 60), /visibility timeout of its SQS source tradai-prod-backtest-jobs \(60 s\)/],
  ['someone raised the timeout to 90 s since the diagnosis', () => account(90), /is 90 s since the diagnosis/],
])('refuses when %s: the row fails, nothing is updated', async (_what, change, why) => {
  const requestId = await approved();
  change();
  await expect(handler(input(requestId), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected', message: expect.stringMatching(why) });
  expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
  expect(await ledger.getAction(incidentId, KEY)).toMatchObject({ status: 'failed' });
});

test('an update already in progress (ResourceConflictException) is retried by the state machine: AwsThrottled, row failed, not unknown', async () => {
  const requestId = await approved();
  lambda.on(UpdateFunctionConfigurationCommand).rejects(new ResourceConflictException({ message: 'An update is in progress for resource', $metadata: { httpStatusCode: 409 } }));
  await expect(handler(input(requestId), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
  expect(await ledger.getAction(incidentId, KEY)).toMatchObject({ status: 'failed' });
});

test('refuses an approval of another timeout: no call is made', async () => {
  const requestId = await approved(90);
  await expect(handler(input(requestId), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected' });
  expect(lambda).not.toHaveReceivedCommand(UpdateFunctionConfigurationCommand);
});
