import 'aws-sdk-client-mock-jest';
import {
  BackupInUseException,
  BackupNotFoundException,
  ConditionalCheckFailedException,
  ContinuousBackupsUnavailableException,
  CreateBackupCommand,
  DeleteItemCommand,
  DescribeBackupCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListBackupsCommand,
  ResourceNotFoundException,
  ScanCommand,
  TableNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { ledgerHarness } from '../../support/ledger-harness';
import { seedApprovalRequest } from '../../support/approval-requests';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

// Mocks the tasks table's client only: the ledger talks to dynalite through the document client.
const dynamodb = mockClient(DynamoDBClient);
const TABLE = 'cabruca-segmentation-prod-agent-tasks';
const SPEC = { tableName: TABLE, statusAttribute: 'status', pendingStatus: 'pending', timestampAttribute: 'timestamp', olderThanMinutes: 60, maxItems: 2 };
const BACKUP_ARN = `arn:aws:dynamodb:sa-east-1:111122223333:table/${TABLE}/backup/01795473256422-78615023`;
type Handler = (event: unknown, context: typeof lambdaContext) => Promise<Record<string, unknown>>;

const h = ledgerHarness('c', {
  mockedDynamo: dynamodb,
  env: { ALLOWED_TARGETS: JSON.stringify([TABLE]), STUCK_TASKS: JSON.stringify(SPEC), BACKUP_TIMEOUT_SECONDS: '30', POLL_SECONDS: '10' },
});
let approvals: ApprovalStore;
let count: Handler;
let backup: Handler;
let status: Handler;
let remove: Handler;
let incidentId: string;

beforeAll(async () => {
  approvals = new ApprovalStore('ledger', h.dynamo.client);
  count = (await import('../../../runbooks/dynamodb-throttling/handlers/count-stuck')).handler as unknown as Handler;
  backup = (await import('../../../runbooks/dynamodb-throttling/handlers/backup')).handler as unknown as Handler;
  status = (await import('../../../runbooks/dynamodb-throttling/handlers/backup-status')).handler as unknown as Handler;
  remove = (await import('../../../runbooks/dynamodb-throttling/handlers/delete-stuck')).handler as unknown as Handler;
});
beforeEach(() => {
  dynamodb.reset();
  incidentId = h.nextIncidentId();
});

const step = (target = TABLE) => ({ incident: incident({ id: incidentId, runbook: 'dynamodb-throttling', target }), execution: { id: EXECUTION_ARN } });
const notFound = () => new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: { httpStatusCode: 400 } });

describe('count stuck tasks', () => {
  test("sends the seed's scan (status = pending, timestamp before now - 1 h) for key attributes only, across pages, keeping maxItems keys", async () => {
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableName: TABLE, KeySchema: [{ AttributeName: 'task_id', KeyType: 'HASH' }] } });
    dynamodb.on(ScanCommand)
      .resolvesOnce({ Items: [marshall({ task_id: 't-1' }), marshall({ task_id: 't-2' })], LastEvaluatedKey: marshall({ task_id: 't-2' }) })
      .resolvesOnce({ Items: [marshall({ task_id: 't-3' })] });
    const now = Math.floor(Date.now() / 1000);

    const result = await count(step(), lambdaContext);

    expect(result).toMatchObject({ applies: true, count: 3, keys: [{ task_id: 't-1' }, { task_id: 't-2' }], truncated: true });
    expect(Math.abs((result.cutoff as number) - (now - 3600))).toBeLessThanOrEqual(2);
    expect(dynamodb).toHaveReceivedCommandTimes(ScanCommand, 2);
    expect(dynamodb.commandCalls(ScanCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE, FilterExpression: '#status = :pending AND #timestamp < :cutoff', ProjectionExpression: '#k0',
      ExpressionAttributeNames: { '#status': 'status', '#timestamp': 'timestamp', '#k0': 'task_id' },
      ExpressionAttributeValues: { ':pending': { S: 'pending' }, ':cutoff': { N: String(result.cutoff) } },
    });
    expect(dynamodb.commandCalls(ScanCommand)[1]!.args[0].input).toMatchObject({ ExclusiveStartKey: marshall({ task_id: 't-2' }) });
  });

  test('another table is not scanned: the step does not apply', async () => {
    const result = await count(step('cabruca-segmentation-prod-agent-state'), lambdaContext);
    expect(result).toMatchObject({ applies: false, count: 0, keys: [], cutoff: null });
    expect(dynamodb.calls()).toHaveLength(0);
  });

  test('a missing table is TargetNotFound; a throttled scan is AwsThrottled (retried by the state machine)', async () => {
    dynamodb.on(DescribeTableCommand).rejects(notFound());
    await expect(count(step(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound' });
    dynamodb.reset();
    dynamodb.on(DescribeTableCommand).resolves({ Table: { KeySchema: [{ AttributeName: 'task_id', KeyType: 'HASH' }] } });
    dynamodb.on(ScanCommand).rejects(Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(count(step(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
  });
});

describe('back up the tasks table', () => {
  // No earlier attempt made a backup (backup.test.ts covers adopting one).
  beforeEach(() => dynamodb.on(ListBackupsCommand).resolves({ BackupSummaries: [] }));

  test('records the intent, then sends CreateBackup named after the incident', async () => {
    let intentAtCall: unknown;
    dynamodb.on(CreateBackupCommand).callsFake(async () => {
      intentAtCall = await h.ledger.getAction(incidentId, `backup#dynamodb:CreateBackup#${TABLE}`);
      return { BackupDetails: { BackupArn: BACKUP_ARN, BackupName: `stuck-tasks-${incidentId}`, BackupStatus: 'CREATING', BackupSizeBytes: 10, BackupType: 'USER', BackupCreationDateTime: new Date() } };
    });

    const result = await backup({ ...step(), stuckCount: 3 }, lambdaContext);

    expect(dynamodb).toHaveReceivedCommandWith(CreateBackupCommand, { TableName: TABLE, BackupName: `stuck-tasks-${incidentId}` });
    expect(intentAtCall).toMatchObject({ status: 'intent', before: { stuckTasks: 3 } });
    expect(result).toMatchObject({ after: { backupArn: BACKUP_ARN, backupStatus: 'CREATING' }, replayed: false });
  });

  test.each([
    [new TableNotFoundException({ message: 'Table not found', $metadata: { httpStatusCode: 400 } }), 'TargetNotFound'],
    [new BackupInUseException({ message: 'conflicting backup control plane operation', $metadata: { httpStatusCode: 400 } }), 'TableBusy'],
    [new ContinuousBackupsUnavailableException({ message: 'Backups have not yet been enabled for this table.', $metadata: { httpStatusCode: 400 } }), 'ChangeRejected'],
  ])('%s is %s, and the ledger row is marked failed', async (error, name) => {
    dynamodb.on(CreateBackupCommand).rejects(error);
    await expect(backup({ ...step(), stuckCount: 3 }, lambdaContext)).rejects.toMatchObject({ name });
    expect(await h.ledger.listActions(incidentId)).toEqual([expect.objectContaining({ status: 'failed', error: expect.stringContaining(name) })]);
  });

  test('a table that is not configured is refused before any call', async () => {
    await expect(backup({ ...step('cabruca-segmentation-prod-agent-state'), stuckCount: 1 }, lambdaContext)).rejects.toMatchObject({ name: 'TargetNotAllowed' });
    expect(dynamodb.calls()).toHaveLength(0);
  });
});

describe('backup status', () => {
  test('asks DescribeBackup for the ARN; AVAILABLE is done, DELETED has failed, a vanished backup is TargetNotFound, and time runs out', async () => {
    dynamodb.on(DescribeBackupCommand).resolvesOnce({ BackupDescription: { BackupDetails: { BackupArn: BACKUP_ARN, BackupName: 'n', BackupStatus: 'AVAILABLE', BackupType: 'USER', BackupCreationDateTime: new Date() } } });
    expect(await status({ ...step(), attempt: 0, backupArn: BACKUP_ARN }, lambdaContext)).toMatchObject({ done: true, failed: false, attempt: 1 });
    expect(dynamodb).toHaveReceivedCommandWith(DescribeBackupCommand, { BackupArn: BACKUP_ARN });

    dynamodb.reset();
    dynamodb.on(DescribeBackupCommand).resolves({ BackupDescription: { BackupDetails: { BackupArn: BACKUP_ARN, BackupName: 'n', BackupStatus: 'DELETED', BackupType: 'USER', BackupCreationDateTime: new Date() } } });
    expect(await status({ ...step(), attempt: 0, backupArn: BACKUP_ARN }, lambdaContext)).toMatchObject({ done: false, failed: true });
    dynamodb.reset();
    dynamodb.on(DescribeBackupCommand).rejects(new BackupNotFoundException({ message: 'Backup not found', $metadata: { httpStatusCode: 400 } }));
    await expect(status({ ...step(), attempt: 0, backupArn: BACKUP_ARN }, lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound' });

    dynamodb.reset();
    dynamodb.on(DescribeBackupCommand).resolves({ BackupDescription: { BackupDetails: { BackupArn: BACKUP_ARN, BackupName: 'n', BackupStatus: 'CREATING', BackupType: 'USER', BackupCreationDateTime: new Date() } } });
    expect(await status({ ...step(), attempt: 2, backupArn: BACKUP_ARN }, lambdaContext)).toMatchObject({ done: false, timedOut: true, attempt: 3 });
  });

  test('a payload without a backup ARN is InvalidInput and sends nothing', async () => {
    await expect(status({ ...step(), attempt: 0, backupArn: 'not-an-arn' }, lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(dynamodb.calls()).toHaveLength(0);
  });
});

describe('delete stuck tasks', () => {
  const cutoff = 1_795_000_000;
  const stuck = { applies: true, tableName: TABLE, count: 2, keys: [{ task_id: 't-1' }, { task_id: 't-2' }], truncated: false, cutoff, reason: '2 stuck' };
  const available = { backupArn: BACKUP_ARN, backupStatus: 'AVAILABLE' };
  /** The approval step's result, and its request in the ledger: approved, for exactly this delete. */
  const approved = async (keys: { task_id: string }[] = stuck.keys) => {
    const requestId = await seedApprovalRequest(approvals, {
      requestId: `apr-${incidentId}`, incidentId, status: 'approved', requiredApprovals: 1,
      gate: {
        runbook: 'dynamodb-throttling', step: 'delete-stuck', summary: 's', firedAt: new Date().toISOString(), operation: 'dynamodb:DeleteItem', target: TABLE,
        parameters: { TableName: TABLE, Keys: keys, BackupArn: BACKUP_ARN }, evidence: null, severity: 'P3',
      },
    });
    return { decision: 'approved', requestId, approvals: [{ approver: 'alice' }] };
  };
  const item = (id: string) => ({ task_id: id, status: 'pending', timestamp: cutoff - 100, payload: `p-${id}` });

  test('records the full items, then sends one conditional DeleteItem per counted key; a task changed since is skipped', async () => {
    dynamodb.on(GetItemCommand).callsFake(async (input: { Key: { task_id: { S: string } } }) => ({ Item: marshall(item(input.Key.task_id.S)) }));
    let intentAtFirstDelete: unknown;
    dynamodb.on(DeleteItemCommand)
      .callsFakeOnce(async () => {
        intentAtFirstDelete = await h.ledger.getAction(incidentId, `cleanup#dynamodb:DeleteItem#${TABLE}`);
        return {};
      })
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } }));

    const result = await remove({ ...step(), stuck, backup: available, approval: await approved() }, lambdaContext);

    expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, { TableName: TABLE, Key: { task_id: { S: 't-1' } }, ConsistentRead: true });
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 2);
    expect(dynamodb.commandCalls(DeleteItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE, Key: { task_id: { S: 't-1' } }, ConditionExpression: '#status = :pending AND #timestamp < :cutoff',
      ExpressionAttributeNames: { '#status': 'status', '#timestamp': 'timestamp' },
      ExpressionAttributeValues: { ':pending': { S: 'pending' }, ':cutoff': { N: String(cutoff) } },
    });
    expect(intentAtFirstDelete).toMatchObject({ status: 'intent', before: { items: [item('t-1'), item('t-2')], missing: [], backupArn: BACKUP_ARN } });
    const after = { deleted: [{ task_id: 't-1' }], skipped: [{ key: { task_id: 't-2' }, reason: expect.stringContaining('no longer pending') }] };
    expect(result).toMatchObject({ operation: 'dynamodb:DeleteItem', after, replayed: false });
    expect(result).not.toHaveProperty('before');
    expect(await h.ledger.listActions(incidentId)).toEqual([expect.objectContaining({ status: 'succeeded', after })]);
  });

  test('a task read before the delete and gone when its conditional delete fails was deleted by an earlier attempt: recorded as deleted, so an undo puts it back', async () => {
    dynamodb.on(GetItemCommand).resolvesOnce({ Item: marshall(item('t-1')) }).resolves({});
    dynamodb.on(DeleteItemCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } }));
    const result = await remove({ ...step(), stuck: { ...stuck, keys: [{ task_id: 't-1' }] }, backup: available, approval: await approved([{ task_id: 't-1' }]) }, lambdaContext);
    expect(result).toMatchObject({ after: { deleted: [{ task_id: 't-1' }], skipped: [] } });
  });

  test('a lost answer on a delete leaves the row unknown; the Retry reads every task again, finds one still stuck, and deletes what is left: one row, both recorded deleted', async () => {
    const present = new Map([['t-1', item('t-1')], ['t-2', item('t-2')]]);
    dynamodb.on(GetItemCommand).callsFake(async (input: { Key: { task_id: { S: string } } }) => {
      const found = present.get(input.Key.task_id.S);
      return found ? { Item: marshall(found) } : {};
    });
    dynamodb.on(DeleteItemCommand)
      .callsFakeOnce(async () => {
        present.delete('t-1');
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      })
      .callsFake(async (input: { Key: { task_id: { S: string } } }) => {
        // The condition (pending, older than the cutoff) fails on a task that is gone.
        if (!present.delete(input.Key.task_id.S)) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
        return {};
      });
    const approval = await approved();
    await expect(remove({ ...step(), stuck, backup: available, approval }, lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
    expect(await h.ledger.listActions(incidentId)).toEqual([expect.objectContaining({ status: 'unknown', error: expect.stringContaining('TimeoutError') })]);

    const result = await remove({ ...step(), stuck, backup: available, approval }, lambdaContext);

    expect(dynamodb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input.Key?.task_id)).toEqual([{ S: 't-1' }, { S: 't-1' }, { S: 't-2' }]);
    expect(result).toMatchObject({ after: { deleted: [{ task_id: 't-1' }, { task_id: 't-2' }], skipped: [] } });
    expect(await h.ledger.listActions(incidentId)).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 2, before: expect.objectContaining({ items: [item('t-1'), item('t-2')] }) })]);
  });

  test('a task already gone when read is skipped without a delete call', async () => {
    dynamodb.on(GetItemCommand).resolves({});
    const result = await remove({ ...step(), stuck: { ...stuck, keys: [{ task_id: 't-9' }] }, backup: available, approval: await approved([{ task_id: 't-9' }]) }, lambdaContext);
    expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 0);
    expect(result).toMatchObject({ after: { deleted: [], skipped: [{ key: { task_id: 't-9' }, reason: expect.stringContaining('gone') }] } });
  });

  test('a 5xx on a delete may have taken effect: the row is unknown (not failed), and the step is retried as AwsUnavailable', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: marshall(item('t-1')) });
    dynamodb.on(DeleteItemCommand).rejects(Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));
    await expect(remove({ ...step(), stuck, backup: available, approval: await approved() }, lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
    expect(await h.ledger.listActions(incidentId)).toEqual([expect.objectContaining({ status: 'unknown', before: expect.objectContaining({ items: [item('t-1'), item('t-1')] }) })]);
  });

  test('a refused first delete changed nothing: the row is failed', async () => {
    dynamodb.on(GetItemCommand).resolves({ Item: marshall(item('t-1')) });
    dynamodb.on(DeleteItemCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    await expect(remove({ ...step(), stuck, backup: available, approval: await approved() }, lambdaContext)).rejects.toMatchObject({ name: 'AwsAccessDenied' });
    expect(await h.ledger.listActions(incidentId)).toEqual([expect.objectContaining({ status: 'failed' })]);
  });

  test('a delete refused after an earlier one took effect: the row is unknown, not failed (one task is gone)', async () => {
    dynamodb.on(GetItemCommand).callsFake(async (input: { Key: { task_id: { S: string } } }) => ({ Item: marshall(item(input.Key.task_id.S)) }));
    dynamodb.on(DeleteItemCommand).resolvesOnce({}).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    await expect(remove({ ...step(), stuck, backup: available, approval: await approved() }, lambdaContext)).rejects.toMatchObject({ name: 'AwsAccessDenied' });
    expect(await h.ledger.listActions(incidentId)).toEqual([expect.objectContaining({ status: 'unknown', error: expect.stringContaining('AwsAccessDenied') })]);
  });

  test.each([[undefined], [{ decision: 'rejected' }], [{ decision: 'timed-out' }]])('approval %j: NotApproved, nothing read or deleted', async (approval) => {
    await expect(remove({ ...step(), stuck, backup: available, ...(approval ? { approval } : {}) }, lambdaContext)).rejects.toMatchObject({ name: 'NotApproved' });
    expect(dynamodb.calls()).toHaveLength(0);
  });

  test('a backup that is not AVAILABLE is refused as InvalidInput', async () => {
    await expect(remove({ ...step(), stuck, backup: { backupArn: BACKUP_ARN, backupStatus: 'CREATING' }, approval: await approved() }, lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(dynamodb.calls()).toHaveLength(0);
  });

  test('an approval whose ledger request names other keys is ChangeRejected: nothing read or deleted, no ledger row', async () => {
    const approval = await approved([{ task_id: 't-1' }]);
    await expect(remove({ ...step(), stuck, backup: available, approval }, lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected' });
    expect(dynamodb.calls()).toHaveLength(0);
    expect(await h.ledger.listActions(incidentId)).toEqual([]);
  });
});
