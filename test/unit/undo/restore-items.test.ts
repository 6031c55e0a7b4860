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

/** The cleanup deleted a and c; b was picked up by a worker meanwhile and skipped (it stays in the table). */
function cleanupRestore(): RestoreStep {
  const [a, b, c] = ids;
  const [restore] = planUndo([{
    actionKey: `cleanup#dynamodb:DeleteItem#${TASKS}`, operation: 'dynamodb:DeleteItem', target: TASKS, status: 'succeeded', executionArn: RUNBOOK_EXEC,
    before: { items: [task(a), task(b), task(c)], missing: [], backupArn: 'arn:aws:dynamodb:sa-east-1:111122223333:table/t/backup/1' },
    after: { deleted: [{ task_id: a }, { task_id: c }], skipped: [{ key: { task_id: b }, reason: 'no longer pending' }] },
  }]).restores;
  return restore!;
}
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
  expect(await h.ledger.listActions(incidentId)).toEqual([]);
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
  // The first attempt puts a, then fails on c (throttled after its retries): the row is failed, a is back.
  const watch = watchPuts(async (command) => {
    if (first && command.input.Item?.task_id?.S === c) {
      first = false;
      throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    }
  });
  await expect(h.handler(input(cleanupRestore()), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
  expect(await h.ledger.getAction(incidentId, ROW_KEY)).toMatchObject({ status: 'failed' });
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
  expect(await h.ledger.listActions(incidentId)).toEqual([]);
});

test('a put the plan could not have made (no only-create condition, another table, no items) is InvalidInput naming the field; nothing is put', async () => {
  const restore = cleanupRestore();
  const watch = watchPuts();
  const cases: [Partial<RestoreStep>, string][] = [
    [{ parameters: { ...restore.parameters, ConditionExpression: undefined } }, 'restore.parameters.ConditionExpression'],
    [{ parameters: { ...restore.parameters, ConditionExpression: 'attribute_exists(#key)' } }, 'restore.parameters.ConditionExpression'],
    [{ parameters: { ...restore.parameters, TableName: OTHER_TABLE } }, 'restore.parameters.TableName'],
    [{ restoreTo: [] }, 'restore.restoreTo'],
    [{ operation: 'dynamodb:UpdateTable' }, 'restore.operation'],
  ];
  for (const [change, field] of cases) {
    await expect(h.handler(input({ ...restore, ...change }), lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(field) });
  }
  watch.restore();
  expect(watch.puts).toEqual([]);
  expect(await h.ledger.listActions(incidentId)).toEqual([]);
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
