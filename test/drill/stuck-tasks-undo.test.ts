/**
 * Undoing dynamodb-throttling after its cleanup deleted the stuck tasks (seed 003 §2): the undo
 * state machine puts the deleted tasks back from the ledger row, then the table's capacity, and
 * the tasks table holds the same items as at the start.
 */
import { readInputFile } from '../../drill/inputs';
import { STUCK_TASK_IDS } from '../../drill/sandbox';
import { scanItems } from '../../drill/table-items';
import { runDrill } from './run-drill';
import { useDrillSandbox } from './drill-harness';

const TABLE = 'cabruca-segmentation-prod-agent-tasks';
const byId = (items: Record<string, unknown>[]) => [...items].sort((a, b) => String(a.task_id).localeCompare(String(b.task_id)));

test('npm run drill -- dynamodb-throttling --env prod --approve alice,bob --then-undo: the tasks are deleted on approval, then put back on approval', async () => {
  const { code, results: [r] } = await runDrill(['dynamodb-throttling', '--env', 'prod', '--approve', 'alice,bob', '--then-undo', '--json']);

  expect(code).toBe(0);
  expect(r).toMatchObject({ outcome: 'remediated', reason: expect.stringContaining('3 deleted, 0 skipped') });
  expect(r!.undo).toMatchObject({ outcome: 'remediated', restored: true });
  expect(r!.undo!.actions.map((a) => [a.operation, a.status, a.auditedBeforeCall])).toEqual([
    ['dynamodb:PutItem', 'succeeded', true],
    ['dynamodb:UpdateTable', 'succeeded', true],
  ]);
  const put = r!.undo!.actions[0]!.after as { restored: { task_id: string }[]; left: unknown[] };
  expect(put.restored.map((k) => k.task_id).sort()).toEqual([...STUCK_TASK_IDS].sort());
  expect(put.left).toEqual([]);
  const [table] = r!.undo!.resources;
  expect(table).toMatchObject({ name: TABLE, start: { items: 7 }, afterRunbook: { items: 4 }, afterUndo: { items: 7 }, equalsStart: true });
  expect((table!.afterUndo as { itemsDigest: string }).itemsDigest).toBe((table!.start as { itemsDigest: string }).itemsDigest);
  // The undo waited for two approvers too (prod), who answered on their own links.
  expect(r!.undo!.timeline).toContainEqual(expect.objectContaining({ state: 'Ask to undo: wait for approvers', event: 'done', detail: expect.stringContaining('autoApproved=false') }));
});

describe('in a drill sandbox', () => {
  const harness = useDrillSandbox();

  test('after the undo the tasks table holds exactly the items it held at the start, attribute for attribute', async () => {
    const start = byId(await scanItems(harness.dynamo, TABLE));
    expect(start).toHaveLength(7);

    const result = await harness.drill.handleThenUndo(readInputFile('events/dynamodb-throttling.alarm.json'));

    expect(result.actions.map((a) => a.operation)).toContain('dynamodb:DeleteItem');
    expect(result.resources.after[TABLE]).toMatchObject({ items: 4 });
    expect(result.undo).toMatchObject({ outcome: 'remediated', restored: true });
    expect(byId(await scanItems(harness.dynamo, TABLE))).toEqual(start);
    const rows = await harness.drill.ledger.listActions(result.incidentId!);
    expect(rows.map((a) => `${a.actionKey} ${a.status}`)).toEqual(expect.arrayContaining([
      `undo-cleanup#dynamodb:PutItem#${TABLE} succeeded`,
      `undo-switch#dynamodb:UpdateTable#${TABLE} succeeded`,
    ]));
  });
});
