import { runDrill, scenario } from './run-drill';
import { duplicateOf } from './events';

const TABLE = 'cabruca-segmentation-prod-agent-tasks';

test('happy path: PROVISIONED -> PAY_PER_REQUEST, previous capacities recorded before the call', async () => {
  const { code, results: [r] } = await runDrill(['dynamodb-throttling', '--json']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'dynamodb-throttling', outcome: 'remediated' });
  expect(r!.actions).toEqual([{
    operation: 'dynamodb:UpdateTable', target: TABLE, status: 'succeeded', auditedBeforeCall: true,
    before: expect.objectContaining({ billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 5 }),
    after: { billingMode: 'PAY_PER_REQUEST' },
  }]);
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
  expect(r!.actions).toEqual([expect.objectContaining({ status: 'succeeded', after: { billingMode: 'PAY_PER_REQUEST' }, auditedBeforeCall: true })]);
});

test('duplicate delivery switches once', async () => {
  const { results } = await runDrill(['--event', 'events/dynamodb-throttling.alarm.json', '--event', duplicateOf('events/dynamodb-throttling.alarm.json'), '--json']);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'skipped']);
  expect(results[1]!.reason).toMatch(/^duplicate/);
});
