import type { DrillResult } from '../../drill/result';
import { STUCK_TASK_IDS } from '../../drill/sandbox';
import { runDrill, scenarioDrill } from './run-drill';
import { duplicateOf } from './events';

const TABLE = 'cabruca-segmentation-prod-agent-tasks';

test('happy path: PROVISIONED -> PAY_PER_REQUEST, previous capacities recorded before the call', async () => {
  const { code, results: [r] } = await runDrill(['dynamodb-throttling', '--json']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'dynamodb-throttling', outcome: 'remediated' });
  expect(r!.actions[0]).toEqual({
    operation: 'dynamodb:UpdateTable', target: TABLE, status: 'succeeded', auditedBeforeCall: true,
    before: expect.objectContaining({ billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 5 }),
    after: { billingMode: 'PAY_PER_REQUEST' },
  });
  expect(r!.resources.before[TABLE]).toMatchObject({ billingMode: 'PROVISIONED' });
  expect(r!.resources.after[TABLE]).toMatchObject({ billingMode: 'PAY_PER_REQUEST', tableStatus: 'ACTIVE' });
});

test('already remediated: an on-demand table is not touched', async () => {
  const { results: [r] } = await scenarioDrill('dynamodb-throttling', 'table-already-on-demand');
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('already on-demand') });
  expect(r!.actions).toEqual([]);
});

test('target missing: a deleted table escalates and changes nothing', async () => {
  const { results: [r] } = await scenarioDrill('dynamodb-throttling', 'table-deleted');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('does not exist') });
  expect(r!.actions).toEqual([]);
});

test('throttled API: UpdateTable throttled past the SDK retries is retried by the state machine', async () => {
  const { results: [r] } = await runDrill(['dynamodb-throttling', '--fault', 'dynamodb:UpdateTable=throttlingx4', '--json']);
  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.timeline).toContainEqual(expect.objectContaining({ state: 'Switch to on-demand', event: 'retried' }));
  expect(r!.actions[0]).toEqual(expect.objectContaining({ status: 'succeeded', after: { billingMode: 'PAY_PER_REQUEST' }, auditedBeforeCall: true }));
});

test('duplicate delivery switches once', async () => {
  const { results } = await runDrill(['--event', 'events/dynamodb-throttling.alarm.json', '--event', duplicateOf('events/dynamodb-throttling.alarm.json'), '--json']);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'skipped']);
  expect(results[1]!.reason).toMatch(/^duplicate/);
});

describe('stuck tasks (seed 003 section 2): counted after the switch, backed up first, deleted as approved (the drill environment needs no approver)', () => {
  let r: DrillResult;
  beforeAll(async () => {
    const run = await runDrill(['dynamodb-throttling', '--json']);
    expect(run.code).toBe(0);
    r = run.results[0]!;
  });

  test('counts exactly the tasks pending for over an hour (not younger pending ones, not old running or done ones)', () => {
    // The timeline shows each step's output as field=value (lists counted); the keys themselves are checked in stuck-tasks.test.ts.
    const count = r.timeline.find((t) => t.state === 'Count stuck tasks')!.detail;
    expect(count).toMatch(new RegExp(`^applies=true tableName=${TABLE} count=${STUCK_TASK_IDS.length} keys=\\[${STUCK_TASK_IDS.length}\\] `));
  });

  test('takes an on-demand backup after the switch and before anything else, audited first, and waits for AVAILABLE', () => {
    expect(r.actions.map((a) => a.operation)).toEqual(['dynamodb:UpdateTable', 'dynamodb:CreateBackup', 'dynamodb:DeleteItem']);
    expect(r.actions[1]).toMatchObject({
      target: TABLE, status: 'succeeded', auditedBeforeCall: true, before: { stuckTasks: STUCK_TASK_IDS.length },
      after: { backupArn: expect.stringMatching(new RegExp(`^arn:aws:dynamodb:sa-east-1:111122223333:table/${TABLE}/backup/`)), backupStatus: 'CREATING' },
    });
    const states = r.timeline.map((t) => t.state);
    expect(states.indexOf('Back up the tasks table')).toBeGreaterThan(states.indexOf('Count stuck tasks'));
    expect(states.lastIndexOf('Check backup status')).toBeLessThan(states.indexOf('Ask to delete stuck tasks: wait for approvers'));
    expect(states.indexOf('Ask to delete stuck tasks: wait for approvers')).toBeLessThan(states.indexOf('Delete approved?'));
    expect(r.timeline.filter((t) => t.state === 'Check backup status').map((t) => /\bdone=(true|false)\b/.exec(t.detail)?.[1])).toEqual(['false', 'true']);
  });

  test('no approver needed here: the request is recorded as auto-approved, then exactly the stuck tasks are deleted, their items kept in the ledger', () => {
    expect(r.approvalRequests).toEqual([expect.objectContaining({ step: 'delete-stuck', level: 'L1', status: 'approved' })]);
    expect(r.approvals).toEqual([expect.objectContaining({ approver: '(policy)', decision: 'auto-approved' })]);
    const deleted = r.actions[2]!;
    expect(deleted).toMatchObject({ target: TABLE, status: 'succeeded', auditedBeforeCall: true });
    const after = deleted.after as { deleted: { task_id: string }[]; skipped: unknown[] };
    expect(after.deleted.map((k) => k.task_id).sort()).toEqual([...STUCK_TASK_IDS].sort());
    expect(after.skipped).toEqual([]);
    const before = deleted.before as { items: { task_id: string; status: string }[]; backupArn: string };
    expect(before.items.map((i) => [i.task_id, i.status]).sort()).toEqual([...STUCK_TASK_IDS].sort().map((id) => [id, 'pending']));
    expect(before.backupArn).toBe((r.actions[1]!.after as { backupArn: string }).backupArn);
    expect(r.resources.before[TABLE]).toMatchObject({ items: 7 });
    expect(r.resources.after[TABLE]).toMatchObject({ items: 4 });
    expect(r).toMatchObject({ outcome: 'remediated', reason: expect.stringMatching(/Stuck tasks deleted on approval: 3 deleted, 0 skipped .*; backup arn:aws:dynamodb:.*\/backup\//) });
  });

  test('a table that is not the tasks table is not scanned and gets no backup', async () => {
    const { results: [s] } = await runDrill(['--event', 'events/samples/dynamodb-read-throttle.alarm.json', '--json']);
    expect(s).toMatchObject({ outcome: 'remediated', reason: expect.stringContaining('switched to on-demand') });
    const count = s!.timeline.find((t) => t.state === 'Count stuck tasks');
    expect(count!.detail).toMatch(/^applies=false tableName=cabruca-segmentation-prod-agent-state count=0 /);
    expect(s!.actions.map((a) => a.operation)).toEqual(['dynamodb:UpdateTable']);
  });
});
