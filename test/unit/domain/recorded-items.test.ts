/**
 * The deleted stuck tasks as the cleanup's ledger row recorded them: which row an undo may read
 * them from, and how a notification and an approval request tell them (count and keys, no items).
 */
import { outcomeNotification } from '../../../lambdas/domain/message';
import { emailText } from '../../../lambdas/domain/notification';
import { digestOf, itemsRestoreLines, recordedItemsAt } from '../../../lambdas/domain/recorded-items';
import { planUndo } from '../../../lambdas/domain/undo-plan';
import type { ActionRecord } from '../../../lambdas/shared/ledger';

const TASKS = 'cabruca-segmentation-prod-agent-tasks';
const SOURCE = `cleanup#dynamodb:DeleteItem#${TASKS}`;
const BACKUP = `arn:aws:dynamodb:sa-east-1:111122223333:table/${TASKS}/backup/01795473256422-78615023`;
const EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook:exec-1';
const ids = Array.from({ length: 400 }, (_, i) => `t-${String(i).padStart(4, '0')}`);
const task = (id: string) => ({ task_id: id, status: 'pending', timestamp: 1795388386, payload: `${id} `.padEnd(900, 'x') });
const cleanupRow = {
  operation: 'dynamodb:DeleteItem', target: TASKS, status: 'succeeded' as const,
  before: { items: ids.map(task), missing: [], backupArn: BACKUP },
  after: { deleted: ids.slice(0, 399).map((id) => ({ task_id: id })), skipped: [{ key: { task_id: ids[399] }, reason: 'no longer pending' }] },
};

describe('recordedItemsAt: the items of the row the undo planned', () => {
  const keys = [{ task_id: 't-0000' }, { task_id: 't-0002' }];

  test('the row planned gives the items at the keys, in their order', () => {
    expect(recordedItemsAt(cleanupRow, SOURCE, { target: TASKS, keys, digest: digestOf([task('t-0000'), task('t-0002')]) }))
      .toEqual([{ key: keys[0], item: task('t-0000') }, { key: keys[1], item: task('t-0002') }]);
  });

  test.each([
    ['no row', undefined, {}, `the ledger has no row ${SOURCE}`],
    ['another operation', cleanupRow, { operation: 'dynamodb:UpdateTable' }, 'is a dynamodb:UpdateTable, not the dynamodb:DeleteItem of the cleanup'],
    ['another table', cleanupRow, { target: 'other' }, `deleted from other, not ${TASKS}`],
    ['not finished', cleanupRow, { status: 'failed' }, 'did not finish (failed)'],
    ['no deleted keys', cleanupRow, { after: {} }, 'does not list the keys it deleted'],
    ['a key it skipped', cleanupRow, { after: { deleted: [{ task_id: 't-0000' }] } }, 'did not delete task_id=t-0002'],
    ['an item it does not hold', cleanupRow, { before: { items: [task('t-0000')] } }, 'does not hold the deleted item task_id=t-0002'],
  ])('%s is refused with why', (_name, row, change, why) => {
    const result = recordedItemsAt(row && { ...row, ...change }, SOURCE, { target: TASKS, keys });
    expect(result).toEqual({ why: expect.stringContaining(why) });
  });

  test('items that are not the ones approved (another digest) are refused', () => {
    expect(recordedItemsAt(cleanupRow, SOURCE, { target: TASKS, keys, digest: digestOf([task('t-0002'), task('t-0000')]) }))
      .toEqual({ why: `the items of the ledger row ${SOURCE} are not the ones planned and approved (digest differs)` });
  });
});

describe('what humans read: counts and keys, never the items', () => {
  test('the notification names the table, how many tasks and which keys, for the cleanup and for the undo that put them back', () => {
    const row = (r: Partial<ActionRecord>): ActionRecord => ({
      incidentId: 'inc-0000000000000001', actionKey: 'k', runbook: 'dynamodb-throttling', operation: '', target: TASKS,
      executionArn: EXEC, status: 'succeeded', before: null, attempts: 1, startedAt: '2026-11-23T03:00:00Z', ...r,
    });
    const undoBefore = ids.slice(0, 399).map((id, i) => ({ key: { task_id: id }, item: i === 0 ? digestOf(task(id)) : null }));
    const actions = [
      row({ ...cleanupRow, actionKey: SOURCE }),
      row({
        actionKey: `undo-cleanup#dynamodb:PutItem#${TASKS}`, operation: 'dynamodb:PutItem', before: undoBefore,
        after: { restored: ids.slice(1, 399).map((id) => ({ task_id: id })), unchanged: [{ task_id: 't-0000' }], left: [] },
      }),
    ];
    expect(JSON.stringify(cleanupRow.before).length).toBeGreaterThan(350_000);

    const body = emailText(outcomeNotification({ outcome: 'remediated', reason: 'undone', runbook: 'undo', actions, executionArn: EXEC, region: 'sa-east-1' }));

    expect(body).not.toContain('xxxx');
    expect(Buffer.byteLength(body)).toBeLessThan(8 * 1024);
    expect(body).toContain(`dynamodb:DeleteItem on ${TASKS}: 400 task(s) read in full (kept in the ledger row and in backup ${BACKUP}) -> deleted 399 (task_id=t-0000, `);
    expect(body).toContain('task_id=t-0009 and 389 more), skipped 1');
    expect(body).toContain(`dynamodb:PutItem on ${TASKS}: 399 deleted key(s), 398 free -> put back 398 (task_id=t-0001, `);
    expect(body).toContain('and 388 more), 1 already back (task_id=t-0000)');
  });

  test('a failed cleanup row says so with its error, still without the items', () => {
    const body = emailText(outcomeNotification({
      outcome: 'failed', reason: 'x', runbook: 'dynamodb-throttling', executionArn: EXEC, region: 'sa-east-1',
      actions: [{ ...cleanupRow, incidentId: 'i', actionKey: SOURCE, runbook: 'dynamodb-throttling', executionArn: EXEC, attempts: 1, startedAt: 't', status: 'failed', error: 'AwsThrottled: slow down' }],
    }));
    expect(body).toContain(`dynamodb:DeleteItem on ${TASKS}: failed: AwsThrottled: slow down (was 400 task(s) read in full`);
    expect(body).not.toContain('xxxx');
  });

  test('the approval request of an undo names the table, the number of tasks, the keys and the row they are read from', () => {
    const plan = planUndo([{ ...cleanupRow, actionKey: SOURCE, executionArn: EXEC }]);

    const lines = itemsRestoreLines({ restores: plan.restores });

    expect(lines).toEqual([`Puts back 399 deleted task(s) into ${TASKS} (only where no item has the key now), as the ledger row ${SOURCE} recorded them: task_id=t-0000, task_id=t-0001, task_id=t-0002, task_id=t-0003, task_id=t-0004, task_id=t-0005, task_id=t-0006, task_id=t-0007, task_id=t-0008, task_id=t-0009 and 389 more`]);
    expect(itemsRestoreLines({ restores: [{ kind: 'ssm-parameter', target: 'p' }] })).toEqual([]);
  });
});
