import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { createSeedTables, SANDBOX_CREDENTIALS, SANDBOX_REGION, SEED_TABLES, startDynamo, type LocalDynamo } from '../../drill/sandbox';

let dynamo: LocalDynamo;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startDynamo();
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
  await createSeedTables(dynamo.endpoint);
});
afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

test('the seed tables exist, provisioned, with their key schemas', async () => {
  for (const spec of SEED_TABLES) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: spec.name }));
    expect(Table).toMatchObject({ TableStatus: 'ACTIVE', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } });
    expect(Table?.KeySchema?.[0]).toEqual({ AttributeName: spec.partitionKey.name, KeyType: 'HASH' });
  }
});

test('a table switches to on-demand as DynamoDB allows', async () => {
  const name = 'cabruca-segmentation-prod-agent-tasks';
  await client.send(new UpdateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST' }));
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));

  expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
});
