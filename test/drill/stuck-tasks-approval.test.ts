/**
 * The gate before the stuck-task delete (seed 003 section 2), in prod (two distinct approvers):
 * the real ASL, the real request handler and approval page, the approvers answering on their own
 * links after an email scanner pre-fetched every one.
 */
import type { DrillResult } from '../../drill/result';
import { STUCK_TASK_IDS } from '../../drill/sandbox';
import { runDrill } from './run-drill';

const TABLE = 'cabruca-segmentation-prod-agent-tasks';
const operations = (r: DrillResult) => r.actions.map((a) => a.operation);
const backupArn = (r: DrillResult) => (r.actions.find((a) => a.operation === 'dynamodb:CreateBackup')!.after as { backupArn: string }).backupArn;

test('prod, 4-eyes: after the backup, alice and bob approve; exactly the stuck tasks are deleted and the ledger holds them and both decisions', async () => {
  const { code, results: [r] } = await runDrill(['dynamodb-throttling', '--env', 'prod', '--approve', 'alice,bob', '--json']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ outcome: 'remediated', reason: expect.stringContaining('Stuck tasks deleted on approval: 3 deleted, 0 skipped') });
  expect(operations(r!)).toEqual(['dynamodb:UpdateTable', 'dynamodb:CreateBackup', 'dynamodb:DeleteItem']);
  // The backup was AVAILABLE before anyone was asked.
  const states = r!.timeline.map((t) => `${t.event}:${t.state}`);
  const asked = states.findIndex((s) => s.startsWith('requested:'));
  expect(states.findIndex((s) => s === 'done:Back up the tasks table')).toBeLessThan(asked);
  expect(r!.timeline.filter((t) => t.state === 'Check backup status').at(-1)!.detail).toContain('done=true');
  expect(r!.timeline).toContainEqual(expect.objectContaining({ event: 'scanned', detail: expect.stringContaining('nothing decided, the request is still open') }));
  expect(r!.approvals.map((a) => [a.approver, a.decision, a.level])).toEqual([['alice', 'approved', 'L1'], ['bob', 'approved', 'L1']]);
  expect(r!.approvalRequests).toEqual([expect.objectContaining({ step: 'delete-stuck', level: 'L1', status: 'approved', outcome: 'alice approved, bob approved' })]);
  // The ledger row: the full items as they were, the backup they are in, and exactly the keys deleted.
  const row = r!.actions[2]!;
  expect(row).toMatchObject({ target: TABLE, status: 'succeeded', auditedBeforeCall: true });
  const before = row.before as { items: { task_id: string; status: string }[]; missing: unknown[]; backupArn: string };
  expect(before.items.map((i) => i.task_id).sort()).toEqual([...STUCK_TASK_IDS].sort());
  expect(before.items.every((i) => i.status === 'pending')).toBe(true);
  expect(before).toMatchObject({ missing: [], backupArn: backupArn(r!) });
  expect((row.after as { deleted: { task_id: string }[] }).deleted.map((k) => k.task_id).sort()).toEqual([...STUCK_TASK_IDS].sort());
  expect(r!.resources.after[TABLE]).toMatchObject({ items: 4, billingMode: 'PAY_PER_REQUEST' });
});

test('prod: alice approves, carol rejects: one rejection rejects, the tasks are kept, the decisions are in the ledger, and it escalates', async () => {
  const { results: [r] } = await runDrill(['dynamodb-throttling', '--env', 'prod', '--approve', 'alice', '--reject', 'carol', '--json']);
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringMatching(/The delete of 3 stuck tasks was rejected: they are kept for a human; backup arn:aws:dynamodb:/) });
  expect(operations(r!)).toEqual(['dynamodb:UpdateTable', 'dynamodb:CreateBackup']);
  expect(r!.timeline.map((t) => t.state)).not.toContain('Delete stuck tasks');
  expect(r!.resources.after[TABLE]).toMatchObject({ items: 7 });
  expect(r!.approvals.map((a) => [a.approver, a.decision])).toEqual([['alice', 'approved'], ['carol', 'rejected']]);
  expect(r!.approvalRequests).toEqual([expect.objectContaining({ step: 'delete-stuck', level: 'L1', status: 'rejected' })]);
  expect(r!.notifications).toEqual([{ outcome: 'escalated', topic: 'critical' }]);
});

test('prod, nobody answers: L1 -> L2 -> L3 each time out, the delete aborts (onTimeout abort), the tasks are kept and it escalates', async () => {
  const { results: [r] } = await runDrill(['dynamodb-throttling', '--env', 'prod', '--no-answer', '--json']);
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('The delete of 3 stuck tasks was timed-out: they are kept') });
  expect(operations(r!)).toEqual(['dynamodb:UpdateTable', 'dynamodb:CreateBackup']);
  expect(r!.resources.after[TABLE]).toMatchObject({ items: 7 });
  expect(r!.approvalRequests.map((q) => [q.step, q.level, q.status])).toEqual([
    ['delete-stuck', 'L1', 'timed-out'], ['delete-stuck', 'L2', 'timed-out'], ['delete-stuck', 'L3', 'timed-out'],
  ]);
  expect(r!.approvals).toEqual([]);
  expect(r!.timeline).toContainEqual(expect.objectContaining({ state: 'Delete approval timed out', detail: expect.stringContaining('onTimeout=abort') }));
  expect(r!.notifications).toEqual([{ outcome: 'escalated', topic: 'critical' }]);
});
