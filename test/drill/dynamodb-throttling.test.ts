import type { DrillResult } from '../../drill/result';
import { STUCK_TASK_IDS } from '../../drill/sandbox';
import { runDrill, scenario } from './run-drill';
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
  const { results: [r] } = await runDrill(['dynamodb-throttling', '--scenario', scenario('table-already-on-demand'), '--json']);
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('already on-demand') });
  expect(r!.actions).toEqual([]);
});

test('target missing: a deleted table escalates and changes nothing', async () => {
  const { results: [r] } = await runDrill(['dynamodb-throttling', '--scenario', scenario('table-deleted'), '--json']);
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

describe('stuck tasks (seed 003 section 2): counted after the switch, backed up first, kept without an approval', () => {
  let r: DrillResult;
  beforeAll(async () => {
    const run = await runDrill(['dynamodb-throttling', '--json']);
    expect(run.code).toBe(0);
    r = run.results[0]!;
  });

  test('counts exactly the tasks pending for over an hour (not younger pending ones, not old running or done ones)', () => {
    // The timeline shows the start of each step's output; the keys themselves are checked in stuck-tasks.test.ts.
    const count = r.timeline.find((t) => t.state === 'Count stuck tasks')!.detail;
    expect(count).toMatch(new RegExp(`^\\{"applies":true,"tableName":"${TABLE}","count":${STUCK_TASK_IDS.length},"keys":\\[\\{"task_id":"task-7f3a000[123]"`));
  });

  test('takes an on-demand backup after the switch and before anything else, audited first, and waits for AVAILABLE', () => {
    expect(r.actions.map((a) => a.operation)).toEqual(['dynamodb:UpdateTable', 'dynamodb:CreateBackup']);
    expect(r.actions[1]).toMatchObject({
      target: TABLE, status: 'succeeded', auditedBeforeCall: true, before: { stuckTasks: STUCK_TASK_IDS.length },
      after: { backupArn: expect.stringMatching(new RegExp(`^arn:aws:dynamodb:sa-east-1:111122223333:table/${TABLE}/backup/`)), backupStatus: 'CREATING' },
    });
    const states = r.timeline.map((t) => t.state);
    expect(states.indexOf('Back up the tasks table')).toBeGreaterThan(states.indexOf('Count stuck tasks'));
    expect(states.lastIndexOf('Check backup status')).toBeLessThan(states.indexOf('Delete approved?'));
    expect(r.timeline.filter((t) => t.state === 'Check backup status').map((t) => /"done":(true|false)/.exec(t.detail)?.[1])).toEqual(['false', 'true']);
  });

  test('without an approval nothing is deleted: every task is still there, and the notification says so with the backup ARN', () => {
    expect(r.actions.map((a) => a.operation)).not.toContain('dynamodb:DeleteItem');
    expect(r.timeline.map((t) => t.state)).not.toContain('Delete stuck tasks');
    expect(r.resources.after[TABLE]).toMatchObject({ items: 7 });
    expect(r.resources.before[TABLE]).toMatchObject({ items: 7 });
    expect(r).toMatchObject({ outcome: 'remediated', reason: expect.stringMatching(/3 stuck tasks kept for a human; backup arn:aws:dynamodb:.*\/backup\//) });
  });

  test('a table that is not the tasks table is not scanned and gets no backup', async () => {
    const { results: [s] } = await runDrill(['--event', 'events/samples/dynamodb-read-throttle.alarm.json', '--json']);
    expect(s).toMatchObject({ outcome: 'remediated', reason: expect.stringContaining('switched to on-demand') });
    const count = s!.timeline.find((t) => t.state === 'Count stuck tasks');
    expect(count!.detail).toMatch(/^\{"applies":false,"tableName":"cabruca-segmentation-prod-agent-state","count":0,/);
    expect(s!.actions.map((a) => a.operation)).toEqual(['dynamodb:UpdateTable']);
  });
});
