import 'aws-sdk-client-mock-jest';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const dynamodb = mockClient(DynamoDBClient);
const TABLE = 'cabruca-segmentation-prod-agent-memory';
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;

beforeAll(async () => {
  Object.assign(process.env, { AWS_REGION: 'sa-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' });
  handler = (await import('../../../runbooks/dynamodb-throttling/handlers/inspect')).handler as typeof handler;
});
beforeEach(() => dynamodb.reset());

const input = { incident: incident({ runbook: 'dynamodb-throttling', target: TABLE }), execution: { id: EXECUTION_ARN } };

test('reports a provisioned table (no BillingModeSummary) with the fields the state machine selects', async () => {
  dynamodb.on(DescribeTableCommand, { TableName: TABLE }).resolves({
    Table: { TableName: TABLE, TableStatus: 'ACTIVE', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } },
  });

  await expect(handler(input, lambdaContext)).resolves.toEqual({
    tableName: TABLE, billingMode: 'PROVISIONED', tableStatus: 'ACTIVE', readCapacityUnits: 5, writeCapacityUnits: 5, globalSecondaryIndexes: [],
  });
});

test('reports an on-demand table with no capacities', async () => {
  dynamodb.on(DescribeTableCommand).resolves({
    Table: {
      TableName: TABLE, TableStatus: 'ACTIVE', BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
    },
  });

  await expect(handler(input, lambdaContext)).resolves.toMatchObject({ billingMode: 'PAY_PER_REQUEST', readCapacityUnits: null, writeCapacityUnits: null });
  expect(dynamodb).toHaveReceivedCommandWith(DescribeTableCommand, { TableName: TABLE });
});

test('a missing table is TargetNotFound', async () => {
  dynamodb.on(DescribeTableCommand).rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: { httpStatusCode: 400 } }));

  await expect(handler(input, lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound' });
});

test('a 5xx from DynamoDB is AwsUnavailable (retried)', async () => {
  dynamodb.on(DescribeTableCommand).rejects(Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));

  await expect(handler(input, lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
});
