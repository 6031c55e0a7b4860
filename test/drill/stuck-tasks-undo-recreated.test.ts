/**
 * Undoing the stuck-task cleanup when someone has created one of the deleted tasks again since:
 * that task is left exactly as it is (never overwritten), the others are put back, and the undo
 * escalates to the critical topic naming the task left alone.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { readInputFile } from '../../drill/inputs';
import { scanItems } from '../../drill/table-items';
import { buildUndoResult } from '../../drill/undo-result';
import { lastNotice, useDrillSandbox } from './drill-harness';

const TABLE = 'cabruca-segmentation-prod-agent-tasks';
const harness = useDrillSandbox();

test('a deleted task created again since is left as it is; the rest are put back; the undo escalates naming it', async () => {
  const start = await scanItems(harness.dynamo, TABLE);
  const result = await harness.drill.handle(readInputFile('events/dynamodb-throttling.alarm.json'));
  const deleted = (result.actions.find((a) => a.operation === 'dynamodb:DeleteItem')!.after as { deleted: { task_id: string }[] }).deleted.map((k) => k.task_id);
  expect(deleted).toHaveLength(3);
  const [again, ...others] = deleted;
  // An operator re-queues one of the deleted tasks by hand.
  const requeued = { ...start.find((i) => i.task_id === again)!, status: 'pending', timestamp: Math.floor(Date.now() / 1000), payload: 're-queued by hand' };
  await harness.dynamo.send(new PutItemCommand({ TableName: TABLE, Item: marshall(requeued) }));

  const execution = await harness.drill.undo(result.incidentId!);
  const undo = await buildUndoResult({ result, execution, afterUndo: await harness.drill.snapshot(), audits: [], ledger: harness.drill.ledger });

  const now = await scanItems(harness.dynamo, TABLE);
  expect(now.find((i) => i.task_id === again)).toEqual(requeued);
  for (const id of others) expect(now.find((i) => i.task_id === id)).toEqual(start.find((i) => i.task_id === id));
  expect(now).toHaveLength(start.length);
  expect(undo).toMatchObject({ outcome: 'escalated', restored: false, reason: expect.stringContaining(`left as they are (task_id=${again})`) });
  expect(undo.actions).toEqual([
    expect.objectContaining({ operation: 'dynamodb:PutItem', status: 'succeeded', after: { restored: others.map((id) => ({ task_id: id })), unchanged: [], left: [{ key: { task_id: again }, reason: expect.any(String) }] } }),
    expect.objectContaining({ operation: 'dynamodb:UpdateTable', status: 'succeeded' }),
  ]);
  // The plan, the approval request, each restore and verify carry the keys, not the tasks: the
  // items are read from the cleanup's ledger row (every seeded task has a "segment tile" payload).
  for (const inv of execution.invocations) expect(JSON.stringify([inv.payload, inv.output])).not.toContain('segment tile');
  const restore = execution.invocations.find((i) => i.state === 'Restore recorded value' && JSON.stringify(i.payload).includes('dynamodb:PutItem'));
  expect(restore?.payload).toMatchObject({ restore: { sourceKey: `cleanup#dynamodb:DeleteItem#${TABLE}`, restoreTo: { count: 3, keys: deleted.map((id) => ({ task_id: id })) } } });
  expect(lastNotice(execution)).toMatchObject({ outcome: 'escalated', topic: 'critical' });
  expect(await harness.drill.ledger.getIncident(result.incidentId!)).toMatchObject({ undoStatus: 'escalated' });
});
