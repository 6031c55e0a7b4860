/**
 * The drill's on-demand backups (drill/dynamo-backups.ts behind drill/audit-proxy.ts): ListBackups
 * with the DynamoDB API reference's request checks and answer shape, and what the proxy's
 * `timeout` and `applied-timeout` faults do to a CreateBackup.
 */
import {
  CreateBackupCommand,
  DescribeBackupCommand,
  DynamoDBClient,
  GetItemCommand,
  ListBackupsCommand,
  PutItemCommand,
  type BackupTypeFilter,
  type ListBackupsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { startDynamoProxy, type DynamoProxy } from '../../drill/audit-proxy';
import { createSeedTables, startDynamo, type LocalDynamo } from '../../drill/sandbox';

const TASKS = 'cabruca-segmentation-prod-agent-tasks';
const STATE = 'cabruca-segmentation-prod-agent-state';

let local: LocalDynamo;
let proxy: DynamoProxy;
let client: DynamoDBClient;

beforeAll(async () => {
  local = await startDynamo();
  await createSeedTables(local.endpoint);
  proxy = await startDynamoProxy(local.endpoint, new Set(), async () => undefined);
  // One attempt: a dropped connection is seen as the caller's SDK first sees it, not retried away.
  client = new DynamoDBClient({ endpoint: proxy.url, region: 'sa-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await proxy.close();
  await local.close();
});

/** A settled (AVAILABLE) backup: another of the same table may be taken right after. */
async function backup(table: string, name: string): Promise<string> {
  const out = await client.send(new CreateBackupCommand({ TableName: table, BackupName: name }));
  await client.send(new DescribeBackupCommand({ BackupArn: out.BackupDetails!.BackupArn! }));
  return out.BackupDetails!.BackupArn!;
}

const list = (input: ListBackupsCommandInput) => client.send(new ListBackupsCommand(input));
const names = async (input: ListBackupsCommandInput) => ((await list(input)).BackupSummaries ?? []).map((b) => b.BackupName);

describe('ListBackups', () => {
  let first: string;
  let second: string;
  let other: string;
  beforeAll(async () => {
    first = await backup(TASKS, 'tasks-one');
    second = await backup(TASKS, 'tasks-two');
    other = await backup(STATE, 'state-one');
  });

  test('lists the account\'s backups oldest first, each with the BackupSummary fields', async () => {
    const out = await list({});
    expect(out.BackupSummaries!.map((b) => b.BackupArn)).toEqual([first, second, other]);
    expect(out.LastEvaluatedBackupArn).toBeUndefined();
    const [summary] = out.BackupSummaries!;
    expect(summary).toEqual({
      TableName: TASKS, TableId: expect.any(String), TableArn: expect.stringContaining(`table/${TASKS}`),
      BackupArn: first, BackupName: 'tasks-one', BackupStatus: 'AVAILABLE', BackupType: 'USER',
      BackupCreationDateTime: expect.any(Date), BackupSizeBytes: expect.any(Number),
    });
  });

  test('TableName filters by the table\'s name or ARN; a table with no backups, or none at all, lists nothing', async () => {
    expect(await names({ TableName: TASKS })).toEqual(['tasks-one', 'tasks-two']);
    const tableArn = (await list({ TableName: STATE })).BackupSummaries![0]!.TableArn!;
    expect(await names({ TableName: tableArn })).toEqual(['state-one']);
    expect(await names({ TableName: 'cabruca-segmentation-prod-agent-memory' })).toEqual([]);
    expect(await names({ TableName: 'no-such-table' })).toEqual([]);
  });

  test('the time range is on creation time: the lower bound inclusive, the upper bound exclusive', async () => {
    const [a, b] = (await list({ TableName: TASKS })).BackupSummaries!.map((s) => s.BackupCreationDateTime!);
    expect(await names({ TableName: TASKS, TimeRangeLowerBound: b })).toEqual(['tasks-two']);
    expect(await names({ TableName: TASKS, TimeRangeUpperBound: b })).toEqual(b!.getTime() > a!.getTime() ? ['tasks-one'] : []);
    expect(await names({ TableName: TASKS, TimeRangeLowerBound: a, TimeRangeUpperBound: a })).toEqual([]);
    expect(await names({ TableName: TASKS, TimeRangeLowerBound: new Date(Date.now() + 60_000) })).toEqual([]);
  });

  test('BackupType: USER (the default) and ALL list these on-demand backups; SYSTEM and AWS_BACKUP do not', async () => {
    expect(await names({ TableName: TASKS, BackupType: 'USER' })).toEqual(['tasks-one', 'tasks-two']);
    expect(await names({ TableName: TASKS, BackupType: 'ALL' })).toEqual(['tasks-one', 'tasks-two']);
    expect(await names({ TableName: TASKS, BackupType: 'SYSTEM' })).toEqual([]);
    expect(await names({ TableName: TASKS, BackupType: 'AWS_BACKUP' })).toEqual([]);
  });

  test('Limit pages the list: a full page carries LastEvaluatedBackupArn, the next page starts after it', async () => {
    const page1 = await list({ Limit: 2 });
    expect(page1.BackupSummaries!.map((b) => b.BackupArn)).toEqual([first, second]);
    expect(page1.LastEvaluatedBackupArn).toBe(second);
    const page2 = await list({ Limit: 2, ExclusiveStartBackupArn: page1.LastEvaluatedBackupArn });
    expect(page2.BackupSummaries!.map((b) => b.BackupArn)).toEqual([other]);
    expect(page2.LastEvaluatedBackupArn).toBeUndefined();
    // A full last page may or may not mean there is more, as the API reference says: here, nothing more.
    const full = await list({ TableName: TASKS, Limit: 2 });
    expect(full.LastEvaluatedBackupArn).toBe(second);
    expect(await list({ TableName: TASKS, Limit: 2, ExclusiveStartBackupArn: second })).toEqual(expect.objectContaining({ BackupSummaries: [] }));
  });

  test.each([
    [{ Limit: 0 }, "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    [{ Limit: 101 }, "Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"],
    [{ ExclusiveStartBackupArn: 'arn:aws:dynamodb:sa-east-1:1:table/x' }, "at 'exclusiveStartBackupArn' failed to satisfy constraint: Member must have length between 37 and 1024"],
    [{ TableName: '' }, "at 'tableName' failed to satisfy constraint: Member must have length between 1 and 1024"],
    [{ BackupType: 'DAILY' as BackupTypeFilter }, "Value 'DAILY' at 'backupType' failed to satisfy constraint: Member must satisfy enum value set: [USER, SYSTEM, AWS_BACKUP, ALL]"],
  ])('%j is a ValidationException', async (input, message) => {
    await expect(list(input)).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining(message) });
  });
});

describe('a call whose answer is lost', () => {
  const TABLE = 'cabruca-segmentation-prod-agent-memory';

  test('timeout: no answer and nothing applied; applied-timeout: no answer, and the backup exists and is listed', async () => {
    const before = proxy.backups().length;
    proxy.injectFault({ operation: 'CreateBackup', error: 'timeout' });
    await expect(client.send(new CreateBackupCommand({ TableName: TABLE, BackupName: 'lost-before' }))).rejects.toThrow();
    expect(proxy.backups()).toHaveLength(before);

    proxy.injectFault({ operation: 'CreateBackup', error: 'applied-timeout' });
    await expect(client.send(new CreateBackupCommand({ TableName: TABLE, BackupName: 'lost-after' }))).rejects.toThrow();
    expect(proxy.backups().slice(before).map((b) => [b.tableName, b.backupName, b.status])).toEqual([[TABLE, 'lost-after', 'CREATING']]);
    expect(await names({ TableName: TABLE })).toEqual(['lost-after']);
    // Made again, it is refused while the first is still being created, as DynamoDB does.
    await expect(client.send(new CreateBackupCommand({ TableName: TABLE, BackupName: 'lost-after' }))).rejects.toMatchObject({ name: 'BackupInUseException' });
  });

  test('applied-timeout on a table call: dynalite applies it, the caller gets no answer', async () => {
    const item = { task_id: { S: 'task-lost-answer' }, status: { S: 'pending' } };
    proxy.injectFault({ operation: 'PutItem', error: 'applied-timeout' });
    await expect(client.send(new PutItemCommand({ TableName: TASKS, Item: item }))).rejects.toThrow();
    expect((await client.send(new GetItemCommand({ TableName: TASKS, Key: { task_id: item.task_id }, ConsistentRead: true }))).Item).toEqual(item);
  });
});
