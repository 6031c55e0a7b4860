import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { CheckResult } from '../../../runbooks/dynamodb-throttling/handlers/check';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const dynamodb = mockClient(DynamoDBClient);
const TABLE = 'cabruca-segmentation-prod-agent-state';
const ENV = { AWS_REGION: 'sa-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT', ACTIVE_TIMEOUT_SECONDS: '60', POLL_SECONDS: '20' };
type Handler = (event: unknown, context: typeof lambdaContext) => Promise<CheckResult>;
let handler: Handler;

beforeAll(async () => {
  Object.assign(process.env, ENV);
  handler = (await import('../../../runbooks/dynamodb-throttling/handlers/check')).handler as Handler;
});
beforeEach(() => dynamodb.reset());

const input = (attempt: number) => ({
  incident: incident({ runbook: 'dynamodb-throttling', target: TABLE }), execution: { id: EXECUTION_ARN }, attempt,
});
const table = (TableStatus: 'ACTIVE' | 'UPDATING') => ({
  Table: { TableName: TABLE, TableStatus, BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' as const } },
});

test('the table is still UPDATING: not done, poll again after POLL_SECONDS', async () => {
  dynamodb.on(DescribeTableCommand).resolves(table('UPDATING'));

  await expect(handler(input(0), lambdaContext)).resolves.toEqual({
    attempt: 1, done: false, timedOut: false, pollSeconds: 20,
    table: { tableName: TABLE, billingMode: 'PAY_PER_REQUEST', tableStatus: 'UPDATING', readCapacityUnits: null, writeCapacityUnits: null, globalSecondaryIndexes: [] },
  });
});

test('ACTIVE on-demand: done', async () => {
  dynamodb.on(DescribeTableCommand).resolves(table('ACTIVE'));

  await expect(handler(input(1), lambdaContext)).resolves.toMatchObject({ attempt: 2, done: true, timedOut: false });
});

test('still UPDATING when the polls add up to ACTIVE_TIMEOUT_SECONDS: timed out', async () => {
  dynamodb.on(DescribeTableCommand).resolves(table('UPDATING'));

  await expect(handler(input(2), lambdaContext)).resolves.toMatchObject({ attempt: 3, done: false, timedOut: true });
});

test('a negative attempt is InvalidInput', async () => {
  await expect(handler(input(-1), lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('attempt') });
  expect(dynamodb.calls()).toHaveLength(0);
});

test.each([['0'], ['ten'], ['2.5'], ['']])('POLL_SECONDS=%j fails the cold start', async (value) => {
  await jest.isolateModulesAsync(async () => {
    process.env.POLL_SECONDS = value;
    try {
      await expect(import('../../../runbooks/dynamodb-throttling/handlers/check')).rejects.toThrow(/POLL_SECONDS/);
    } finally {
      process.env.POLL_SECONDS = ENV.POLL_SECONDS;
    }
  });
});
