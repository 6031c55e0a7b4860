import 'aws-sdk-client-mock-jest';
import { GetFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand, ResourceNotFoundException, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const lambda = mockClient(LambdaClient);
const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const h = ledgerHarness('0', { env: { ALLOWED_TARGETS: JSON.stringify([FUNCTION]) } });
let handler: (event: unknown, context: typeof lambdaContext) => Promise<{ before: unknown; after: unknown; replayed: boolean }>;
let incidentId: string;

beforeAll(async () => {
  // The handler reads its environment at cold start, so it is imported after the harness sets it.
  handler = (await import('../../../runbooks/lambda-runaway/handlers/stop')).handler as typeof handler;
});

beforeEach(() => {
  lambda.reset();
  incidentId = h.nextIncidentId();
});

const input = (target = FUNCTION) => ({ incident: incident({ id: incidentId, target }), execution: { id: EXECUTION_ARN } });

test('records the previous reserved concurrency (none) before setting it to 0', async () => {
  lambda.on(GetFunctionCommand).resolves({ Configuration: { State: 'Active' } });
  let intentAtCall: unknown;
  lambda.on(PutFunctionConcurrencyCommand).callsFake(async () => {
    intentAtCall = await h.ledger.getAction(incidentId, `stop#lambda:PutFunctionConcurrency#${FUNCTION}`);
    return { ReservedConcurrentExecutions: 0 };
  });

  const result = await handler(input(), lambdaContext);

  expect(lambda).toHaveReceivedCommandWith(PutFunctionConcurrencyCommand, { FunctionName: FUNCTION, ReservedConcurrentExecutions: 0 });
  expect(intentAtCall).toMatchObject({ status: 'intent', before: null });
  expect(result).toMatchObject({ before: null, after: 0, replayed: false });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'succeeded', before: null, after: 0, executionArn: EXECUTION_ARN });
});

test('a retried step does not call AWS again once the ledger holds it as done', async () => {
  lambda.on(GetFunctionCommand).resolves({ Concurrency: { ReservedConcurrentExecutions: 50 } });
  lambda.on(PutFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 0 });
  await handler(input(), lambdaContext);

  const again = await handler(input(), lambdaContext);

  expect(lambda).toHaveReceivedCommandTimes(PutFunctionConcurrencyCommand, 1);
  expect(again).toMatchObject({ before: 50, after: 0, replayed: true });
});

test('an unknown function is TargetNotFound and changes nothing', async () => {
  lambda.on(GetFunctionCommand).rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: {} }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound' });
  expect(lambda).toHaveReceivedCommandTimes(PutFunctionConcurrencyCommand, 0);
  expect(await h.ledger.listActions(incidentId)).toEqual([]);
});

test('throttling on the call is AwsThrottled (retried by the state machine) and the intent row is marked failed', async () => {
  lambda.on(GetFunctionCommand).resolves({});
  lambda.on(PutFunctionConcurrencyCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'failed', before: null });
});

test('a target outside the config is refused before any call', async () => {
  await expect(handler(input('someone-elses-function'), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotAllowed' });
  expect(lambda.calls()).toHaveLength(0);
});

test('a malformed payload is InvalidInput naming the field', async () => {
  await expect(handler({ incident: { id: 'nope' }, execution: { id: EXECUTION_ARN } }, lambdaContext))
    .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('incident.id') });
});

test('dry run: reads the value, records the exact call as planned, and makes no call', async () => {
  lambda.on(GetFunctionCommand).resolves({ Concurrency: { ReservedConcurrentExecutions: 25 } });

  const result = await handler({ ...input(), dryRun: true }, lambdaContext);

  expect(lambda).toHaveReceivedCommandTimes(PutFunctionConcurrencyCommand, 0);
  expect(result).toMatchObject({ planned: true, before: 25, after: 0, parameters: { FunctionName: FUNCTION, ReservedConcurrentExecutions: 0 } });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'planned', before: 25, after: 0, parameters: { FunctionName: FUNCTION, ReservedConcurrentExecutions: 0 } });
  // A replay of the planned step plans nothing twice and still calls nothing.
  expect(await handler({ ...input(), dryRun: true }, lambdaContext)).toMatchObject({ planned: true, replayed: true });
  expect(lambda).toHaveReceivedCommandTimes(PutFunctionConcurrencyCommand, 0);
});
