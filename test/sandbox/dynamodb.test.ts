/**
 * The drill's DynamoDB: the seed tables as createSeedTables makes them on dynalite, and the faults
 * the drill's proxy (drill/audit-proxy.ts) injects, answered from DynamoDB's row of the sandbox's
 * fault table as the SDK sees them.
 */
import {
  CreateBackupCommand,
  DescribeBackupCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTagsOfResourceCommand,
  ScanCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { startDynamoProxy, type DynamoProxy } from '../../drill/audit-proxy';
import {
  createProvisionedTables,
  createSeedTables,
  DYNAMODB_FAULTS,
  INJECTED_ERRORS,
  SANDBOX_ACCOUNT_ID,
  SANDBOX_CREDENTIALS,
  SANDBOX_REGION,
  SEED_TABLES,
  seedTasks,
  startDynamo,
  type LocalDynamo,
} from '../../drill/sandbox';
import { rejectionOf } from './support';

const NOW = new Date('2026-11-18T12:00:00Z');
const TASKS = 'cabruca-segmentation-prod-agent-tasks';
const MEMORY = 'cabruca-segmentation-prod-agent-memory';
const STATE = 'cabruca-segmentation-prod-agent-state';

let dynamo: LocalDynamo;
let proxy: DynamoProxy;
/** Straight to dynalite: what the tables really hold. */
let direct: DynamoDBClient;
/** Through the drill's proxy, one attempt: an error is the proxy's answer. */
let client: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startDynamo();
  await createSeedTables(dynamo.endpoint, NOW);
  proxy = await startDynamoProxy(dynamo.endpoint, new Set(), async () => undefined);
  const config = { region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 };
  direct = new DynamoDBClient({ ...config, endpoint: dynamo.endpoint });
  client = new DynamoDBClient({ ...config, endpoint: proxy.url });
});
afterAll(async () => {
  client.destroy();
  direct.destroy();
  await proxy.close();
  await dynamo.close();
});

const describeTable = async (name: string) => (await direct.send(new DescribeTableCommand({ TableName: name }))).Table;
const billingMode = async (name: string) => (await describeTable(name))?.BillingModeSummary?.BillingMode ?? 'PROVISIONED';
const toOnDemand = (name: string) => new UpdateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST' });

describe('the seed tables', () => {
  test.each(SEED_TABLES.map((spec) => [spec.name, spec] as const))('%s: provisioned, with its keys and tags', async (name, spec) => {
    const keys = 'sortKey' in spec ? [spec.partitionKey, spec.sortKey] : [spec.partitionKey];
    const table = await describeTable(name);
    const { Tags } = await direct.send(new ListTagsOfResourceCommand({ ResourceArn: `arn:aws:dynamodb:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:table/${name}` }));

    expect(table).toMatchObject({ TableStatus: 'ACTIVE', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } });
    expect(table?.KeySchema).toEqual(keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })));
    expect(table?.AttributeDefinitions).toEqual(expect.arrayContaining(keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type }))));
    expect(Object.fromEntries((Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual(spec.tags);
  });

  test('the tasks table holds the seed tasks, timed from the seed clock', async () => {
    const { Items } = await direct.send(new ScanCommand({ TableName: TASKS }));
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.task_id).localeCompare(String(b.task_id));

    expect((Items ?? []).map((item) => unmarshall(item)).sort(byId)).toEqual(seedTasks(NOW).sort(byId));
  });

  test('a table spec\'s own capacity is made as written', async () => {
    await createProvisionedTables(dynamo.endpoint, [{ name: 'spec-table', partitionKey: { name: 'pk', type: 'N' }, readCapacityUnits: 7, writeCapacityUnits: 3 }]);

    expect(await describeTable('spec-table')).toMatchObject({
      ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 3 },
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'N' }],
    });
  });
});

describe('faults through the drill proxy', () => {
  test.each(INJECTED_ERRORS)('%s: the SDK sees DynamoDB\'s row of the fault table, and the table is not changed', async (kind) => {
    const row = DYNAMODB_FAULTS[kind];
    proxy.injectFault({ operation: 'UpdateTable', error: kind });

    const failure = await rejectionOf(client.send(toOnDemand(MEMORY)));

    expect({ name: failure.name, status: failure.$metadata?.httpStatusCode, message: failure.message }).toEqual({ name: row.code, status: row.status, message: row.message });
    expect(await billingMode(MEMORY)).toBe('PROVISIONED');
  });

  test('not-found on the backup calls is their own error: TableNotFoundException, BackupNotFoundException', async () => {
    proxy.injectFault({ operation: 'CreateBackup', error: 'not-found' });
    proxy.injectFault({ operation: 'DescribeBackup', error: 'not-found' });

    const create = await rejectionOf(client.send(new CreateBackupCommand({ TableName: MEMORY, BackupName: 'not-made' })));
    const describe = await rejectionOf(client.send(new DescribeBackupCommand({ BackupArn: `arn:aws:dynamodb:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:table/${MEMORY}/backup/01796544598436-78615023` })));

    expect([create.name, describe.name]).toEqual(['TableNotFoundException', 'BackupNotFoundException']);
    expect(proxy.backups()).toEqual([]);
  });

  test('timeout: no answer, and the table is not changed', async () => {
    proxy.injectFault({ operation: 'UpdateTable', error: 'timeout', holdMs: 20 });

    const failure = await rejectionOf(client.send(toOnDemand(MEMORY)));

    expect(`${failure.name}: ${failure.message}`).toMatch(/TimeoutError|socket hang up|ECONNRESET/);
    expect(await billingMode(MEMORY)).toBe('PROVISIONED');
  });

  test('a fault on any operation with x2 fails two calls, then the call goes through', async () => {
    proxy.injectFault({ error: 'throttling', times: 2 });

    const failures = [await rejectionOf(client.send(toOnDemand(STATE))), await rejectionOf(client.send(toOnDemand(STATE)))];
    await client.send(toOnDemand(STATE));

    expect(failures.map((f) => f.name)).toEqual(['ThrottlingException', 'ThrottlingException']);
    expect(await billingMode(STATE)).toBe('PAY_PER_REQUEST');
  });
});
