/**
 * The stuck-task cleanup end to end against the drill's DynamoDB (dynalite behind the drill's
 * proxy, which models on-demand backups): the real count, backup, backup-status and delete
 * handlers, the real ledger, the seed's tasks. The delete is handed an approved decision whose
 * request is in the ledger, as the approval step leaves it; a request that does not name exactly
 * the call is refused.
 */
import { CreateTableCommand, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { startDynamoProxy, type DynamoProxy } from '../../drill/audit-proxy';
import { ApprovalStore, type RequestStatus } from '../../lambdas/approval/store';
import type { TaskKey } from '../../runbooks/dynamodb-throttling/stuck-tasks';
import { createSeedTables, startDynamo, STUCK_TASK_IDS, type LocalDynamo } from '../../drill/sandbox';
import { Ledger } from '../../lambdas/shared/ledger';
import { LEDGER_PARTITION_KEY, LEDGER_SORT_KEY } from '../../lambdas/shared/ledger-table';
import { seedApprovalRequest } from '../support/approval-requests';
import { EXECUTION_ARN, incident, lambdaContext, nthIncidentId } from '../support/fixtures';

const TABLE = 'cabruca-segmentation-prod-agent-tasks';
type Handler = (event: unknown, context: typeof lambdaContext) => Promise<Record<string, unknown>>;

let local: LocalDynamo;
let proxy: DynamoProxy;
let client: DynamoDBClient;
let ledger: Ledger;
let approvals: ApprovalStore;
const handlers: Record<'count' | 'backup' | 'status' | 'remove', Handler> = {} as never;
const intents: string[] = [];
let seq = 0;

beforeAll(async () => {
  local = await startDynamo();
  proxy = await startDynamoProxy(local.endpoint, new Set(['CreateBackup', 'DeleteItem']), async (operation) => {
    intents.push(operation);
  });
  client = new DynamoDBClient({ endpoint: local.endpoint, region: 'sa-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await createSeedTables(local.endpoint);
  Object.assign(process.env, {
    AWS_REGION: 'sa-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_ENDPOINT_URL_DYNAMODB: proxy.url, LEDGER_TABLE: 'ledger', ALLOWED_TARGETS: JSON.stringify([TABLE]),
    STUCK_TASKS: JSON.stringify({ tableName: TABLE, statusAttribute: 'status', pendingStatus: 'pending', timestampAttribute: 'timestamp', olderThanMinutes: 60, maxItems: 100 }),
    BACKUP_TIMEOUT_SECONDS: '600', POLL_SECONDS: '10',
  });
  await createLedger(client);
  ledger = new Ledger('ledger', client);
  approvals = new ApprovalStore('ledger', client);
  handlers.count = (await import('../../runbooks/dynamodb-throttling/handlers/count-stuck')).handler as unknown as Handler;
  handlers.backup = (await import('../../runbooks/dynamodb-throttling/handlers/backup')).handler as unknown as Handler;
  handlers.status = (await import('../../runbooks/dynamodb-throttling/handlers/backup-status')).handler as unknown as Handler;
  handlers.remove = (await import('../../runbooks/dynamodb-throttling/handlers/delete-stuck')).handler as unknown as Handler;
});

afterAll(async () => {
  client.destroy();
  await proxy.close();
  await local.close();
});

/** The ledger table, keyed as the stack's. */
async function createLedger(c: DynamoDBClient): Promise<void> {
  await c.send(new CreateTableCommand({
    TableName: 'ledger', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: LEDGER_PARTITION_KEY, AttributeType: 'S' }, { AttributeName: LEDGER_SORT_KEY, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: LEDGER_PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: LEDGER_SORT_KEY, KeyType: 'RANGE' }],
  }));
}

/** An approval request as the approval step records it, for this delete (or another one), in the given status. */
async function approvalFor(incidentId: string, parameters: { TableName: string; Keys: TaskKey[]; BackupArn: string }, status: RequestStatus = 'approved'): Promise<string> {
  const requestId = await seedApprovalRequest(approvals, {
    requestId: `apr-${(++seq).toString(16).padStart(32, '0')}`, incidentId, status,
    gate: {
      runbook: 'dynamodb-throttling', step: 'delete-stuck', summary: 's', firedAt: new Date().toISOString(), operation: 'dynamodb:DeleteItem',
      target: parameters.TableName, parameters, evidence: null, severity: 'P3',
    },
  });
  return requestId;
}

const task = async (id: string) => {
  const out = await client.send(new GetItemCommand({ TableName: TABLE, Key: { task_id: { S: id } }, ConsistentRead: true }));
  return out.Item ? unmarshall(out.Item) : undefined;
};

test('count -> backup -> AVAILABLE -> approved delete: exactly the counted tasks go, the ledger row and the backup hold them', async () => {
  const step = { incident: incident({ id: nthIncidentId('b', ++seq), runbook: 'dynamodb-throttling', target: TABLE }), execution: { id: EXECUTION_ARN } };

  const stuck = await handlers.count(step, lambdaContext);
  expect(stuck).toMatchObject({ applies: true, tableName: TABLE, count: 3, truncated: false });
  expect((stuck.keys as { task_id: string }[]).map((k) => k.task_id).sort()).toEqual([...STUCK_TASK_IDS].sort());

  const backup = await handlers.backup({ ...step, stuckCount: stuck.count }, lambdaContext);
  const backupArn = (backup.after as { backupArn: string }).backupArn;
  expect(backup).toMatchObject({ operation: 'dynamodb:CreateBackup', after: { backupStatus: 'CREATING' }, replayed: false });
  expect(await handlers.status({ ...step, attempt: 0, backupArn }, lambdaContext)).toMatchObject({ done: false, attempt: 1 });
  const available = await handlers.status({ ...step, attempt: 1, backupArn }, lambdaContext);
  expect(available).toMatchObject({ done: true, backup: { backupArn, backupStatus: 'AVAILABLE' } });

  // A worker picks one stuck task up between the count and the delete: it must be skipped.
  const [first, second, third] = [...STUCK_TASK_IDS].sort();
  await client.send(new UpdateItemCommand({
    TableName: TABLE, Key: { task_id: { S: second! } }, UpdateExpression: 'SET #s = :running',
    ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':running': { S: 'running' } },
  }));
  const originals = { [first!]: await task(first!), [third!]: await task(third!) };

  const keys = stuck.keys as TaskKey[];
  const requestId = await approvalFor(step.incident.id, { TableName: TABLE, Keys: keys, BackupArn: backupArn });
  const removed = await handlers.remove({ ...step, stuck, backup: available.backup, approval: { decision: 'approved', requestId, approvals: [] } }, lambdaContext);
  const after = removed.after as { deleted: { task_id: string }[]; skipped: { key: { task_id: string }; reason: string }[] };
  expect(after.deleted.map((k) => k.task_id).sort()).toEqual([first, third]);
  expect(after.skipped).toEqual([{ key: { task_id: second }, reason: expect.stringContaining('no longer pending') }]);
  expect(await task(first!)).toBeUndefined();
  expect(await task(third!)).toBeUndefined();
  expect(await task(second!)).toMatchObject({ status: 'running' });
  // The younger pending and the old running and done tasks were never candidates.
  for (const id of ['task-7f3a0004', 'task-7f3a0005', 'task-7f3a0006', 'task-7f3a0007']) expect(await task(id)).toBeDefined();

  // The ledger row: the full items as they were before the delete (written before it), and what was deleted vs skipped.
  const row = await ledger.getAction(step.incident.id, `cleanup#dynamodb:DeleteItem#${TABLE}`);
  expect(row).toMatchObject({ status: 'succeeded', after: after });
  const before = row!.before as { items: Record<string, unknown>[]; backupArn: string };
  expect(before.backupArn).toBe(backupArn);
  expect(before.items).toEqual(expect.arrayContaining([originals[first!], originals[third!]]));
  expect(before.items).toHaveLength(3);
  expect(intents).toEqual(['CreateBackup', 'DeleteItem', 'DeleteItem', 'DeleteItem']);

  // The backup was taken before the delete and holds every deleted task.
  const [taken] = proxy.backups();
  const inBackup = taken!.items.map((i) => unmarshall(i).task_id as string);
  expect(inBackup).toEqual(expect.arrayContaining([first, second, third]));
  expect(inBackup).toHaveLength(7);
});

test('without an approved decision the delete handler changes nothing and writes no ledger row', async () => {
  const step = { incident: incident({ id: nthIncidentId('b', ++seq), runbook: 'dynamodb-throttling', target: TABLE }), execution: { id: EXECUTION_ARN } };
  const stuck = { applies: true, tableName: TABLE, count: 1, keys: [{ task_id: 'task-7f3a0004' }], truncated: false, cutoff: Math.floor(Date.now() / 1000), reason: 'r' };
  const backup = { backupArn: proxy.backups()[0]?.backupArn ?? 'x', backupStatus: 'AVAILABLE' };
  for (const approval of [undefined, { decision: 'rejected' }, { decision: 'timed-out' }]) {
    await expect(handlers.remove({ ...step, stuck, backup, ...(approval ? { approval } : {}) }, lambdaContext)).rejects.toMatchObject({ name: 'NotApproved' });
  }
  expect(await task('task-7f3a0004')).toBeDefined();
  expect(await ledger.listActions(step.incident.id)).toEqual([]);
});

test('an approved decision whose ledger request does not name exactly this delete is refused: nothing is deleted or recorded', async () => {
  const intentsBefore = intents.length;
  const step = { incident: incident({ id: nthIncidentId('b', ++seq), runbook: 'dynamodb-throttling', target: TABLE }), execution: { id: EXECUTION_ARN } };
  const keys = [{ task_id: 'task-7f3a0004' }];
  const stuck = { applies: true, tableName: TABLE, count: 1, keys, truncated: false, cutoff: Math.floor(Date.now() / 1000), reason: 'r' };
  const backup = { backupArn: 'arn:aws:dynamodb:sa-east-1:111122223333:table/t/backup/1', backupStatus: 'AVAILABLE' };
  const exact = { TableName: TABLE, Keys: keys, BackupArn: backup.backupArn };
  const other = incident({ id: nthIncidentId('b', ++seq), runbook: 'dynamodb-throttling', target: TABLE });
  const refused = [
    await approvalFor(step.incident.id, { ...exact, Keys: [...keys, { task_id: 'task-7f3a0005' }] }), // more keys than this call
    await approvalFor(step.incident.id, { ...exact, Keys: [{ task_id: 'task-7f3a0005' }] }), // other keys
    await approvalFor(step.incident.id, { ...exact, BackupArn: `${backup.backupArn}0` }), // another backup
    await approvalFor(other.id, exact), // another incident's request
    await approvalFor(step.incident.id, exact, 'open'), // not decided yet
    await approvalFor(step.incident.id, exact, 'rejected'),
    'apr-missing',
  ];
  for (const requestId of refused) {
    await expect(handlers.remove({ ...step, stuck, backup, approval: { decision: 'approved', requestId } }, lambdaContext))
      .rejects.toMatchObject({ name: 'ChangeRejected', message: expect.stringContaining('No approval in the ledger covers dynamodb:DeleteItem on cabruca-segmentation-prod-agent-tasks for dynamodb-throttling/delete-stuck') });
  }
  // A timed-out request does not delete while the gate aborts on timeout (the default).
  const timedOut = await approvalFor(step.incident.id, exact, 'timed-out');
  await expect(handlers.remove({ ...step, stuck, backup, approval: { decision: 'timed-out', requestIds: [timedOut] } }, lambdaContext)).rejects.toMatchObject({ name: 'NotApproved' });
  expect(await task('task-7f3a0004')).toMatchObject({ status: 'pending' });
  expect(intents).toHaveLength(intentsBefore);
  expect(await ledger.listActions(step.incident.id)).toEqual([]);
});
