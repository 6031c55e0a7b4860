import 'aws-sdk-client-mock-jest';
import {
  DescribeTableCommand,
  DynamoDBClient,
  LimitExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  type DescribeTableCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

// Mocks the target table's client only: the ledger talks to dynalite through the document client.
const dynamodb = mockClient(DynamoDBClient);
const TABLE = 'cabruca-segmentation-prod-agent-state';
const ACTION_KEY = `switch#dynamodb:UpdateTable#${TABLE}`;
const h = ledgerHarness('a', { mockedDynamo: dynamodb, env: { ALLOWED_TARGETS: JSON.stringify([TABLE]) } });
let handler: (event: unknown, context: typeof lambdaContext) => Promise<{ operation: string; target: string; before: unknown; after: unknown; replayed: boolean }>;
let incidentId: string;

beforeAll(async () => {
  handler = (await import('../../../runbooks/dynamodb-throttling/handlers/switch')).handler as typeof handler;
});

beforeEach(() => {
  dynamodb.reset();
  incidentId = h.nextIncidentId();
});

const input = (target = TABLE) => ({
  incident: incident({ id: incidentId, runbook: 'dynamodb-throttling', target }),
  execution: { id: EXECUTION_ARN },
});

/** A provisioned table as DescribeTable reports one that was never on-demand: no BillingModeSummary. */
const provisioned: Partial<DescribeTableCommandOutput> = {
  Table: {
    TableName: TABLE,
    TableStatus: 'ACTIVE',
    ProvisionedThroughput: { ReadCapacityUnits: 25, WriteCapacityUnits: 10, NumberOfDecreasesToday: 0 },
    GlobalSecondaryIndexes: [
      { IndexName: 'by-agent', IndexStatus: 'ACTIVE', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } },
    ],
  },
};
const onDemand: Partial<DescribeTableCommandOutput> = {
  Table: {
    TableName: TABLE,
    TableStatus: 'UPDATING',
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0, NumberOfDecreasesToday: 0 },
  },
};
const BEFORE = {
  billingMode: 'PROVISIONED',
  readCapacityUnits: 25,
  writeCapacityUnits: 10,
  globalSecondaryIndexes: [{ indexName: 'by-agent', readCapacityUnits: 5, writeCapacityUnits: 5 }],
};

test('records the provisioned capacities, indexes included, then switches the table to on-demand', async () => {
  dynamodb.on(DescribeTableCommand).resolves(provisioned);
  let intentAtCall: unknown;
  dynamodb.on(UpdateTableCommand).callsFake(async () => {
    intentAtCall = await h.ledger.getAction(incidentId, ACTION_KEY);
    return { TableDescription: onDemand.Table };
  });

  const result = await handler(input(), lambdaContext);

  expect(dynamodb).toHaveReceivedCommandTimes(UpdateTableCommand, 1);
  expect(dynamodb).toHaveReceivedCommandWith(UpdateTableCommand, { TableName: TABLE, BillingMode: 'PAY_PER_REQUEST' });
  expect(intentAtCall).toMatchObject({ status: 'intent', operation: 'dynamodb:UpdateTable', target: TABLE, before: BEFORE });
  expect(result).toEqual({
    operation: 'dynamodb:UpdateTable', target: TABLE, before: BEFORE, after: { billingMode: 'PAY_PER_REQUEST' }, replayed: false, planned: false,
    parameters: { TableName: TABLE, BillingMode: 'PAY_PER_REQUEST' },
  });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'succeeded', before: BEFORE, after: { billingMode: 'PAY_PER_REQUEST' }, executionArn: EXECUTION_ARN });
});

test('a retried step does not call UpdateTable again once the ledger holds it as done', async () => {
  dynamodb.on(DescribeTableCommand).resolves(provisioned);
  dynamodb.on(UpdateTableCommand).resolves({ TableDescription: onDemand.Table });
  await handler(input(), lambdaContext);

  const again = await handler(input(), lambdaContext);

  expect(dynamodb).toHaveReceivedCommandTimes(UpdateTableCommand, 1);
  expect(again).toMatchObject({ before: BEFORE, after: { billingMode: 'PAY_PER_REQUEST' }, replayed: true });
});

test('a lost answer leaves the row unknown (not failed); the Retry reads the table, finds it on-demand and completes the row without a second UpdateTable', async () => {
  dynamodb.on(DescribeTableCommand).resolvesOnce(provisioned).resolves(onDemand);
  dynamodb.on(UpdateTableCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
  expect(await h.ledger.getAction(incidentId, ACTION_KEY)).toMatchObject({ status: 'unknown', before: BEFORE, error: expect.stringContaining('TimeoutError') });

  const result = await handler(input(), lambdaContext);

  expect(dynamodb).toHaveReceivedCommandTimes(UpdateTableCommand, 1);
  expect(result).toMatchObject({ before: BEFORE, after: { billingMode: 'PAY_PER_REQUEST' }, replayed: true });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'succeeded', attempts: 1, before: BEFORE, after: { billingMode: 'PAY_PER_REQUEST' }, reconciledAt: expect.any(String) });
});

test('a lost answer whose call did not take effect: the Retry reads the table still provisioned, marks the row failed, then switches with the first before', async () => {
  dynamodb.on(DescribeTableCommand).resolves(provisioned);
  dynamodb.on(UpdateTableCommand)
    .rejectsOnce(Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }))
    .resolves({ TableDescription: onDemand.Table });
  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
  expect(await h.ledger.getAction(incidentId, ACTION_KEY)).toMatchObject({ status: 'unknown' });

  const result = await handler(input(), lambdaContext);

  expect(dynamodb).toHaveReceivedCommandTimes(UpdateTableCommand, 2);
  expect(result).toMatchObject({ before: BEFORE, after: { billingMode: 'PAY_PER_REQUEST' }, replayed: false });
  expect(await h.ledger.getAction(incidentId, ACTION_KEY)).toMatchObject({ status: 'succeeded', attempts: 2, reconciledAt: expect.any(String) });
});

test('a table already on-demand when the step runs is recorded as such and not updated', async () => {
  dynamodb.on(DescribeTableCommand).resolves({ Table: { ...onDemand.Table, TableStatus: 'ACTIVE' } });

  const result = await handler(input(), lambdaContext);

  expect(dynamodb).toHaveReceivedCommandTimes(UpdateTableCommand, 0);
  expect(result).toMatchObject({
    before: { billingMode: 'PAY_PER_REQUEST', readCapacityUnits: null, writeCapacityUnits: null, globalSecondaryIndexes: [] },
    after: { billingMode: 'PAY_PER_REQUEST' },
  });
});

test('an unknown table is TargetNotFound and leaves no ledger row', async () => {
  dynamodb.on(DescribeTableCommand).rejects(new ResourceNotFoundException({ message: `Requested resource not found: Table: ${TABLE} not found`, $metadata: { httpStatusCode: 400 } }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound' });
  expect(dynamodb).toHaveReceivedCommandTimes(UpdateTableCommand, 0);
  expect(await h.ledger.listActions(incidentId)).toEqual([]);
});

test('a table being updated is TableBusy (the state machine waits and retries) and the intent row is marked failed', async () => {
  dynamodb.on(DescribeTableCommand).resolves(provisioned);
  dynamodb.on(UpdateTableCommand).rejects(new ResourceInUseException({
    message: `Attempt to change a resource which is still in use: Table is being updated: ${TABLE}`, $metadata: { httpStatusCode: 400 },
  }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'TableBusy', message: expect.stringContaining('Table is being updated') });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'failed', before: BEFORE, error: expect.stringContaining('TableBusy') });
});

test('the retry after TableBusy switches with the before recorded the first time', async () => {
  dynamodb.on(DescribeTableCommand).resolves(provisioned);
  dynamodb.on(UpdateTableCommand)
    .rejectsOnce(new ResourceInUseException({ message: 'Table is being updated', $metadata: { httpStatusCode: 400 } }))
    .resolves({ TableDescription: onDemand.Table });
  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'TableBusy' });

  const result = await handler(input(), lambdaContext);

  expect(dynamodb).toHaveReceivedCommandTimes(UpdateTableCommand, 2);
  expect(result).toMatchObject({ before: BEFORE, after: { billingMode: 'PAY_PER_REQUEST' }, replayed: false });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'succeeded', attempts: 2 });
});

test('the on-demand switch limit is SwitchLimitReached (escalated, not retried)', async () => {
  dynamodb.on(DescribeTableCommand).resolves(provisioned);
  dynamodb.on(UpdateTableCommand).rejects(new LimitExceededException({
    message: 'Subscriber limit exceeded: Provisioned to on-demand billing mode switches are limited to 4 per 24 hours', $metadata: { httpStatusCode: 400 },
  }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'SwitchLimitReached' });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'failed', error: expect.stringContaining('SwitchLimitReached') });
});

test('throttling on UpdateTable is AwsThrottled (retried by the state machine)', async () => {
  dynamodb.on(DescribeTableCommand).resolves(provisioned);
  const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ThrottlingException', $metadata: { httpStatusCode: 400 }, $retryable: { throttling: true },
  });
  dynamodb.on(UpdateTableCommand).rejects(throttled);

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'failed' });
});

test('a table outside the config is refused before any call', async () => {
  await expect(handler(input('cabruca-segmentation-prod-billing'), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotAllowed' });
  expect(dynamodb.calls()).toHaveLength(0);
  expect(await h.ledger.listActions(incidentId)).toEqual([]);
});

test('a malformed payload is InvalidInput naming the field', async () => {
  await expect(handler({ incident: { ...input().incident, target: '' }, execution: { id: EXECUTION_ARN } }, lambdaContext))
    .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('incident.target') });
  expect(dynamodb.calls()).toHaveLength(0);
});
