/**
 * Putting back the stuck tasks the cleanup deleted, against a real DynamoDB (dynalite): the undo's
 * restore and verify handlers, the plan made from the cleanup's ledger row, a tasks table keyed as
 * the seed's. A task someone created again is never overwritten.
 */
import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { planUndo, type RestoreStep } from '../../../lambdas/domain/undo-plan';
import { incident, lambdaContext } from '../../support/fixtures';
import { RUNBOOK_EXEC, UNDO_EXEC, undoHarness, type UndoHandler } from './harness';

const TASKS = 'cabruca-segmentation-prod-agent-tasks';
const OTHER_TABLE = 'cabruca-segmentation-prod-agent-state';
const h = undoHarness(() => import('../../../lambdas/undo/restore'), 'f', { env: { ALLOWED_TARGETS: JSON.stringify([TASKS, OTHER_TABLE]) } });
let finish: UndoHandler;
let incidentId: string;
const ROW_KEY = `undo-cleanup#dynamodb:PutItem#${TASKS}`;

beforeAll(async () => {
  await h.dynamo.client.send(new CreateTableCommand({
    TableName: TASKS, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'task_id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'task_id', KeyType: 'HASH' }],
  }));
  finish = (await import('../../../lambdas/undo/finish')).handler as unknown as UndoHandler;
});

const task = (id: string, status = 'pending') => ({ task_id: `${id}`, status, timestamp: 1795388386, agent: 'engineer', payload: `segment tile ${id}` });
/** Ids unique per test, so the shared table needs no cleaning. */
let ids: [string, string, string];

beforeEach(async () => {
  incidentId = h.nextIncidentId();
  ids = ['a', 'b', 'c'].map((s) => `${incidentId}-${s}`) as [string, string, string];
  await h.ledger.claimIncident({ incidentId, runbook: 'dynamodb-throttling', target: TASKS, dedupeKey: incidentId, executionArn: RUNBOOK_EXEC, summary: 'alarm', firedAt: '2026-11-23T03:00:00Z' });
  await h.ledger.finishIncident(incidentId, RUNBOOK_EXEC, 'remediated', 'stuck tasks deleted');
  await h.ledger.claimUndo(incidentId, UNDO_EXEC, 'maria');
});

const SOURCE_KEY = `cleanup#dynamodb:DeleteItem#${TASKS}`;
const BACKUP = 'arn:aws:dynamodb:sa-east-1:111122223333:table/t/backup/1';
let planned: RestoreStep;

/** Writes a finished action row as performAction leaves it. */
async function recordAction(key: string, operation: string, target: string, before: unknown, after: unknown, parameters: Record<string, unknown> = {}): Promise<void> {
  await h.ledger.recordIntent({ incidentId, actionKey: key, runbook: 'dynamodb-throttling', operation, target, executionArn: RUNBOOK_EXEC, before, parameters });
  await h.ledger.completeAction(incidentId, key, after);
}

/**
 * The cleanup deleted a and c; b was picked up by a worker meanwhile and skipped (it stays in the
 * table). Its ledger row holds the items; the plan is made from the ledger, as the plan handler does.
 */
beforeEach(async () => {
  const [a, b, c] = ids;
  await recordAction(SOURCE_KEY, 'dynamodb:DeleteItem', TASKS,
    { items: [task(a), task(b), task(c)], missing: [], backupArn: BACKUP },
    { deleted: [{ task_id: a }, { task_id: c }], skipped: [{ key: { task_id: b }, reason: 'no longer pending' }] });
  [planned] = planUndo(await h.ledger.listActions(incidentId)).restores as [RestoreStep];
});
const cleanupRestore = (): RestoreStep => structuredClone(planned);
/** The undo's own rows (the cleanup's row is there from the start). */
const undoRows = async () => (await h.ledger.listActions(incidentId)).filter((r) => r.actionKey.startsWith('undo-'));
const input = (restore: RestoreStep) => ({ incident: incident({ id: incidentId, runbook: 'dynamodb-throttling', target: TASKS }), execution: { id: UNDO_EXEC }, restore });
const put = (item: Record<string, unknown>) => h.dynamo.client.send(new PutItemCommand({ TableName: TASKS, Item: marshall(item) }));
const read = async (id: string) => {
  const out = await h.dynamo.client.send(new GetItemCommand({ TableName: TASKS, Key: { task_id: { S: id } }, ConsistentRead: true }));
  return out.Item ? unmarshall(out.Item) : undefined;
};

/**
 * Every PutItem the handlers send to the tasks table (the calls still go to dynalite); the test's
 * own client (h.dynamo.client) is not counted. `before` runs ahead of each counted put.
 */
function watchPuts(before?: (command: PutItemCommand) => Promise<void>): { puts: string[]; restore(): void } {
  const puts: string[] = [];
  const original = DynamoDBClient.prototype.send as (this: DynamoDBClient, command: unknown) => Promise<unknown>;
  const spy = jest.spyOn(DynamoDBClient.prototype, 'send').mockImplementation(async function (this: DynamoDBClient, command: unknown) {
    if (this !== h.dynamo.client && command instanceof PutItemCommand && command.input.TableName === TASKS) {
      puts.push(String(command.input.Item?.task_id?.S));
      await before?.(command);
    }
    return original.call(this, command);
  } as never);
  return { puts, restore: () => spy.mockRestore() };
}

test('the deleted tasks are put back exactly as recorded, after a row of intent that holds the free keys; the skipped task is not touched', async () => {
  const [a, b, c] = ids;
  await put(task(b, 'running'));
  const watch = watchPuts(async () => {
    expect(await h.ledger.getAction(incidentId, ROW_KEY)).toMatchObject({ status: 'intent', before: [{ key: { task_id: a }, item: null }, { key: { task_id: c }, item: null }] });
    // Only the keys travel in the step: the items are read from the cleanup's row.
    expect(JSON.stringify(cleanupRestore())).not.toContain('segment tile');
  });

  const result = await h.handler(input(cleanupRestore()), lambdaContext).finally(watch.restore);

  expect(watch.puts).toEqual([a, c]);
  expect(result).toMatchObject({
    outcome: 'restored', replayed: false, operation: 'dynamodb:PutItem', target: TASKS,
    reason: `${TASKS}: put back 2 deleted item(s) (task_id=${a}, task_id=${c})`,
    items: { restored: [{ task_id: a }, { task_id: c }], unchanged: [], left: [] },
  });
  expect(await read(a)).toEqual(task(a));
  expect(await read(c)).toEqual(task(c));
  expect(await read(b)).toEqual(task(b, 'running'));
  expect(await h.ledger.getAction(incidentId, ROW_KEY)).toMatchObject({
    status: 'succeeded', executionArn: UNDO_EXEC, after: { restored: [{ task_id: a }, { task_id: c }], unchanged: [], left: [] },
    parameters: { TableName: TASKS, ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': 'task_id' } },
  });
});

test('a task someone created again under a deleted key is left as it is and reported; the other is put back', async () => {
  const [a, , c] = ids;
  const recreated = { ...task(a, 'running'), agent: 'manual-retry' };
  await put(recreated);
  const watch = watchPuts();

  const result = await h.handler(input(cleanupRestore()), lambdaContext).finally(watch.restore);

  expect(watch.puts).toEqual([c]);
  expect(await read(a)).toEqual(recreated);
  expect(await read(c)).toEqual(task(c));
  expect(result).toMatchObject({
    outcome: 'changed-since',
    reason: `${TASKS}: put back 1 deleted item(s) (task_id=${c}); 1 created again since the runbook deleted them, left as they are (task_id=${a})`,
    items: { restored: [{ task_id: c }], left: [{ key: { task_id: a }, reason: expect.stringContaining('created again') }] },
  });
});

test('every deleted key taken again: nothing put, no row; the same tasks back by hand: unchanged', async () => {
  const [a, , c] = ids;
  await put(task(a, 'running'));
  await put(task(c));
  const watch = watchPuts();

  const changed = await h.handler(input(cleanupRestore()), lambdaContext);
  await put(task(a));
  const unchanged = await h.handler(input(cleanupRestore()), lambdaContext).finally(watch.restore);

  expect(watch.puts).toEqual([]);
  expect(changed).toMatchObject({ outcome: 'changed-since', reason: `${TASKS}: 1 already held the recorded item (task_id=${c}); 1 created again since the runbook deleted them, left as they are (task_id=${a})` });
  expect(unchanged).toMatchObject({ outcome: 'unchanged', items: { restored: [], unchanged: [{ task_id: a }, { task_id: c }], left: [] } });
  expect(await undoRows()).toEqual([]);
});

test('a second run of the restore (a redrive, a second undo) reads the ledger and puts nothing', async () => {
  const [a] = ids;
  await h.handler(input(cleanupRestore()), lambdaContext);
  // A worker picks the restored task up: a replay must not put the recorded item over it.
  await h.dynamo.client.send(new UpdateItemCommand({
    TableName: TASKS, Key: { task_id: { S: a } }, UpdateExpression: 'SET #s = :r', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':r': { S: 'running' } },
  }));
  const watch = watchPuts();

  const again = await h.handler(input(cleanupRestore()), lambdaContext).finally(watch.restore);

  expect(watch.puts).toEqual([]);
  expect(again).toMatchObject({ outcome: 'restored', replayed: true, reason: expect.stringContaining(`restored by ${UNDO_EXEC}`) });
  expect(await read(a)).toMatchObject({ status: 'running' });
});

test('a retry after a partial restore puts only what is still missing, and does not call its own earlier put a change', async () => {
  const [a, , c] = ids;
  let first = true;
  // The first attempt puts a, then fails on c (throttled): a is back, so the row is unknown, not failed.
  const watch = watchPuts(async (command) => {
    if (first && command.input.Item?.task_id?.S === c) {
      first = false;
      throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    }
  });
  await expect(h.handler(input(cleanupRestore()), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
  expect(await h.ledger.getAction(incidentId, ROW_KEY)).toMatchObject({ status: 'unknown', error: expect.stringContaining('AwsThrottled') });
  expect(await read(a)).toEqual(task(a));

  const retried = await h.handler(input(cleanupRestore()), lambdaContext).finally(watch.restore);

  expect(watch.puts).toEqual([a, c, c]);
  expect(retried).toMatchObject({ outcome: 'restored', replayed: false, items: { restored: [{ task_id: a }, { task_id: c }], left: [] } });
  expect(await read(c)).toEqual(task(c));
  expect(await h.ledger.getAction(incidentId, ROW_KEY)).toMatchObject({ status: 'succeeded', attempts: 2 });
});

test('a task created between the read and the put (ConditionalCheckFailed) is left as it is, never overwritten', async () => {
  const [a, , c] = ids;
  const raced = { ...task(a, 'running'), agent: 'raced' };
  const watch = watchPuts(async (command) => {
    if (command.input.Item?.task_id?.S === a && !(await read(a))) await h.dynamo.client.send(new PutItemCommand({ TableName: TASKS, Item: marshall(raced) }));
  });

  const result = await h.handler(input(cleanupRestore()), lambdaContext).finally(watch.restore);

  expect(await read(a)).toEqual(raced);
  expect(result).toMatchObject({ outcome: 'changed-since', items: { restored: [{ task_id: c }], left: [{ key: { task_id: a }, reason: expect.stringContaining('ConditionalCheckFailed') }] } });
});

test('a target outside the config is refused before any read or put', async () => {
  const restore = { ...cleanupRestore(), target: 'someone-elses-table', parameters: { ...cleanupRestore().parameters, TableName: 'someone-elses-table' } };
  await expect(h.handler(input(restore), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotAllowed' });
  expect(await undoRows()).toEqual([]);
});

test('a put the plan could not have made (no only-create condition, another table, no items) is InvalidInput naming the field; nothing is put', async () => {
  const restore = cleanupRestore();
  const watch = watchPuts();
  const cases: [Partial<RestoreStep>, string][] = [
    [{ parameters: { ...restore.parameters, ConditionExpression: undefined } }, 'restore.parameters.ConditionExpression'],
    [{ parameters: { ...restore.parameters, ConditionExpression: 'attribute_exists(#key)' } }, 'restore.parameters.ConditionExpression'],
    [{ parameters: { ...restore.parameters, TableName: OTHER_TABLE } }, 'restore.parameters.TableName'],
    [{ restoreTo: { ...(restore.restoreTo as object), keys: [] } }, 'restore.restoreTo.keys'],
    [{ parameters: { ...restore.parameters, Items: [task('x')] } }, 'restore.parameters'],
    [{ restoreTo: { ...(restore.restoreTo as { keys: unknown[] }), count: 3, keys: [...(restore.restoreTo as { keys: unknown[] }).keys, { task_id: ids[0] }] } }, 'restore.restoreTo.keys'],
    [{ restoreTo: { ...(restore.restoreTo as object), count: 5 } }, 'restore.restoreTo.count'],
    [{ operation: 'dynamodb:UpdateTable' }, 'restore.operation'],
  ];
  for (const [change, field] of cases) {
    await expect(h.handler(input({ ...restore, ...change }), lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(field) });
  }
  watch.restore();
  expect(watch.puts).toEqual([]);
  expect(await undoRows()).toEqual([]);
});

test('a step naming a row or keys the cleanup did not delete is refused as one-line InvalidInput before any read or put', async () => {
  const [a, b] = ids;
  const restore = cleanupRestore();
  const approved = restore.restoreTo as { count: number; keys: Record<string, string>[]; digest: string };
  // Another finished row of the same incident: the switch to on-demand.
  await recordAction(`switch#dynamodb:UpdateTable#${TASKS}`, 'dynamodb:UpdateTable', TASKS, { billingMode: 'PROVISIONED' }, { billingMode: 'PAY_PER_REQUEST' });
  const watch = watchPuts();
  const cases: [Partial<RestoreStep>, string][] = [
    [{ restoreTo: { ...approved, count: 3, keys: [...approved.keys, { task_id: b }] } }, `did not delete task_id=${b}`],
    [{ restoreTo: { ...approved, keys: [{ task_id: a }, { task_id: `${a}-other` }] } }, `did not delete task_id=${a}-other`],
    [{ sourceKey: `switch#dynamodb:UpdateTable#${TASKS}`, step: 'undo-switch' }, 'is a dynamodb:UpdateTable, not the dynamodb:DeleteItem of the cleanup'],
    [{ sourceKey: `cleanup#dynamodb:DeleteItem#${OTHER_TABLE}` }, `the ledger has no row cleanup#dynamodb:DeleteItem#${OTHER_TABLE}`],
    [{ restoreTo: { ...approved, digest: '0'.repeat(64) } }, 'not the ones planned and approved (digest differs)'],
    [{ step: 'undo-switch' }, 'restore.step'],
  ];
  for (const [change, why] of cases) {
    const refused = h.handler(input({ ...restore, ...change }), lambdaContext);
    await expect(refused).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(why) });
    await expect(refused).rejects.toMatchObject({ message: expect.not.stringContaining('\n') });
  }
  watch.restore();
  expect(watch.puts).toEqual([]);
  expect(await undoRows()).toEqual([]);
});

test('a step of a row that failed is refused: its items were not deleted', async () => {
  const other = h.nextIncidentId();
  await h.ledger.claimIncident({ incidentId: other, runbook: 'dynamodb-throttling', target: TASKS, dedupeKey: other, executionArn: RUNBOOK_EXEC, summary: 'alarm', firedAt: '2026-11-23T03:00:00Z' });
  await h.ledger.recordIntent({ incidentId: other, actionKey: SOURCE_KEY, runbook: 'dynamodb-throttling', operation: 'dynamodb:DeleteItem', target: TASKS, executionArn: RUNBOOK_EXEC, before: { items: [task(ids[0])] }, parameters: {} });
  await h.ledger.failAction(other, SOURCE_KEY, 'AwsAccessDenied: no');

  await expect(h.handler({ ...input(cleanupRestore()), incident: incident({ id: other, runbook: 'dynamodb-throttling', target: TASKS }) }, lambdaContext))
    .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(`the ledger row ${SOURCE_KEY} did not finish (failed)`) });
});

test('a cleanup whose answer was lost (row unknown): the restore reads the table, settles the row with the tasks gone, and puts back only those', async () => {
  const other = h.nextIncidentId();
  incidentId = other;
  const [a, b, c] = ids;
  await h.ledger.claimIncident({ incidentId: other, runbook: 'dynamodb-throttling', target: TASKS, dedupeKey: other, executionArn: RUNBOOK_EXEC, summary: 'alarm', firedAt: '2026-11-23T03:00:00Z' });
  await h.ledger.recordIntent({
    incidentId: other, actionKey: SOURCE_KEY, runbook: 'dynamodb-throttling', operation: 'dynamodb:DeleteItem', target: TASKS, executionArn: RUNBOOK_EXEC,
    before: { items: [task(a), task(b), task(c)], missing: [], backupArn: BACKUP }, parameters: {},
    intended: { deleted: [{ task_id: a }, { task_id: b }, { task_id: c }], skipped: [] },
  });
  await h.ledger.markUnknown(other, SOURCE_KEY, 'AwsUnavailable: socket hang up');
  await h.ledger.finishIncident(other, RUNBOOK_EXEC, 'failed', 'the cleanup failed');
  await h.ledger.claimUndo(other, UNDO_EXEC, 'maria');
  // The lost call deleted a and b; c was never reached.
  await put(task(c));
  const [restore] = planUndo(await h.ledger.listActions(other)).restores;
  expect(restore).toMatchObject({ kind: 'dynamodb-items', restoreTo: { count: 3 } });
  const watch = watchPuts();

  const result = await h.handler(input(restore!), lambdaContext).finally(watch.restore);

  expect(watch.puts).toEqual([a, b]);
  expect(result).toMatchObject({ outcome: 'restored', items: { restored: [{ task_id: a }, { task_id: b }], left: [] } });
  expect(await h.ledger.getAction(other, SOURCE_KEY)).toMatchObject({
    status: 'succeeded', reconciledAt: expect.any(String),
    after: { deleted: [{ task_id: a }, { task_id: b }], skipped: [{ key: { task_id: c }, reason: expect.stringContaining('not deleted') }] },
  });
  const verified = await finish({ mode: 'verify', incident: incident({ id: other, runbook: 'dynamodb-throttling', target: TASKS }), execution: { id: UNDO_EXEC }, restores: [restore], results: [result], notReversible: [] }, lambdaContext);
  expect(verified).toMatchObject({ allRestored: true, checks: [{ restored: true, found: { count: 2, asRecorded: 2 } }] });
});

test('300 tasks of 1 KB (a 300 KB ledger row) are put back from the row; what the handlers return and the undo row stay small', async () => {
  const many = Array.from({ length: 300 }, (_, i) => ({ ...task(`${incidentId}-m${i}`), payload: 'p'.repeat(1000) }));
  const big = h.nextIncidentId();
  incidentId = big;
  await h.ledger.claimIncident({ incidentId: big, runbook: 'dynamodb-throttling', target: TASKS, dedupeKey: big, executionArn: RUNBOOK_EXEC, summary: 'alarm', firedAt: '2026-11-23T03:00:00Z' });
  await recordAction(SOURCE_KEY, 'dynamodb:DeleteItem', TASKS, { items: many, missing: [], backupArn: BACKUP }, { deleted: many.map((t) => ({ task_id: t.task_id })), skipped: [] });
  const source = await h.ledger.getAction(big, SOURCE_KEY);
  expect(JSON.stringify(source!.before).length).toBeGreaterThan(300_000);
  const [restore] = planUndo(await h.ledger.listActions(big)).restores;
  expect(Buffer.byteLength(JSON.stringify(restore))).toBeLessThan(24 * 1024);
  const watch = watchPuts();

  const result = await h.handler(input(restore!), lambdaContext).finally(watch.restore);
  const verified = await finish({ mode: 'verify', incident: incident({ id: big, runbook: 'dynamodb-throttling', target: TASKS }), execution: { id: UNDO_EXEC }, restores: [restore], results: [result], notReversible: [] }, lambdaContext);

  expect(watch.puts).toHaveLength(300);
  for (const t of [many[0]!, many[150]!, many[299]!]) expect(await read(t.task_id)).toEqual(t);
  expect(result).toMatchObject({ outcome: 'restored', found: { count: 300, withItem: 0 }, restoredTo: { count: 300 } });
  expect(verified).toMatchObject({ allRestored: true, checks: [{ target: TASKS, restored: true, found: { count: 300, asRecorded: 300 } }] });
  // The restore's result, verify's and the undo's own row: keys, counts and digests, never the items.
  for (const out of [result, verified, await h.ledger.getAction(big, ROW_KEY)]) {
    expect(JSON.stringify(out)).not.toContain('pppp');
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThan(64 * 1024);
  }
  expect((result as { reason: string }).reason).toMatch(/put back 300 deleted item\(s\) \(.* and 290 more\)$/);
});

describe('verify', () => {
  const verify = (restore: RestoreStep, results: unknown[]) => ({
    mode: 'verify', incident: incident({ id: incidentId, runbook: 'dynamodb-throttling', target: TASKS }), execution: { id: UNDO_EXEC }, restores: [restore], results, notReversible: [],
  });

  test('re-reads the items: all back as recorded is undone', async () => {
    const restore = cleanupRestore();
    const restored = await h.handler(input(restore), lambdaContext);

    const result = await finish(verify(restore, [restored]), lambdaContext);

    expect(result).toMatchObject({ allRestored: true, checks: [{ target: TASKS, operation: 'dynamodb:PutItem', restored: true }] });
    expect(await h.ledger.getIncident(incidentId)).toMatchObject({ undoStatus: 'undone' });
  });

  test('a restored task that does not read back (deleted again since) is named by key, not the items in full', async () => {
    const [a] = ids;
    const restore = cleanupRestore();
    const restored = await h.handler(input(restore), lambdaContext);
    await h.dynamo.client.send(new DeleteItemCommand({ TableName: TASKS, Key: { task_id: { S: a } } }));

    const result = await finish(verify(restore, [restored]), lambdaContext);

    expect(result).toMatchObject({ allRestored: false, reason: `not fully undone: ${TASKS}: task_id=${a} do not hold the recorded item after the restore` });
  });

  test('a task left alone escalates with its reason; the table capacity restored beside it is still checked on its own', async () => {
    const [a] = ids;
    await put(task(a, 'running'));
    const restore = cleanupRestore();
    const restored = await h.handler(input(restore), lambdaContext);
    const capacity = { target: TASKS, operation: 'dynamodb:UpdateTable', outcome: 'changed-since', reason: `${TASKS} was changed since the runbook set it` };

    const result = await finish(verify(restore, [restored, capacity]), lambdaContext);

    expect(result).toMatchObject({ allRestored: false, reason: `not fully undone: ${(restored as { reason: string }).reason}; ${capacity.reason}` });
    expect(await h.ledger.getIncident(incidentId)).toMatchObject({ undoStatus: 'escalated' });
  });
});
