import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { TableClient } from '../../../lambdas/dynamodb-throttling/table-client';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';

// Against a real DynamoDB implementation: what DescribeTable and UpdateTable actually return.
let dynamo: LocalDynamo;
let tables: TableClient;
let seq = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
  tables = new TableClient(dynamo.client, dynamo.client);
});
afterAll(() => dynamo.close());

async function createProvisionedTable(): Promise<string> {
  const name = `cabruca-segmentation-prod-agent-tasks-${++seq}`;
  await dynamo.client.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'task_id', AttributeType: 'S' }, { AttributeName: 'agent', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'task_id', KeyType: 'HASH' }],
    ProvisionedThroughput: { ReadCapacityUnits: 25, WriteCapacityUnits: 10 },
    GlobalSecondaryIndexes: [{
      IndexName: 'by-agent',
      KeySchema: [{ AttributeName: 'agent', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 4 },
    }],
  }));
  return name;
}

test('describes a provisioned table with its index capacities', async () => {
  const name = await createProvisionedTable();

  expect(await tables.describe(name)).toEqual({
    tableName: name,
    billingMode: 'PROVISIONED',
    tableStatus: 'ACTIVE',
    readCapacityUnits: 25,
    writeCapacityUnits: 10,
    globalSecondaryIndexes: [{ indexName: 'by-agent', readCapacityUnits: 5, writeCapacityUnits: 4 }],
  });
});

test('switches a provisioned table to on-demand; capacities then read as none', async () => {
  const name = await createProvisionedTable();

  await tables.switchToOnDemand(name);

  const raw = await dynamo.client.send(new DescribeTableCommand({ TableName: name }));
  expect(raw.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  expect(await tables.describe(name)).toMatchObject({
    billingMode: 'PAY_PER_REQUEST',
    readCapacityUnits: null,
    writeCapacityUnits: null,
    globalSecondaryIndexes: [{ indexName: 'by-agent', readCapacityUnits: null, writeCapacityUnits: null }],
  });
});

test('a missing table is TargetNotFound on describe and on update', async () => {
  await expect(tables.describe('no-such-table')).rejects.toMatchObject({ name: 'TargetNotFound', message: expect.stringContaining('no-such-table') });
  await expect(tables.switchToOnDemand('no-such-table')).rejects.toMatchObject({ name: 'TargetNotFound' });
});
