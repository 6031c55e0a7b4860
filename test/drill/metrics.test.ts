import { describeMetrics } from '../../drill/render';
import type { DrillResult } from '../../drill/result';
import { METRIC, METRICS_NAMESPACE } from '../../lambdas/domain/metrics';
import { RUNBOOK_NAMES } from '../../runbooks/registry';
import { recordedEvent, runDrill, scenario } from './run-drill';

/** A run's counted metrics, summed by name (a suppression by reason). */
function counts(r: DrillResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of r.metrics.filter((x) => x.unit === 'Count')) {
    const key = m.dimensions.reason ? `${m.name}/${m.dimensions.reason}` : m.name;
    out[key] = (out[key] ?? 0) + m.value;
  }
  return out;
}
const durations = (r: DrillResult, name: string) => r.metrics.filter((m) => m.name === name).map((m) => m.value);

test('a remediated run emits what it did, as EMF: admitted, each change taken, the approval asked and answered, and the times to mitigate and to verified', async () => {
  const { code, stdout, results: [r] } = await runDrill(['lambda-runaway', '--json']);
  expect(code).toBe(0);
  expect(r!.outcome).toBe('remediated');
  const made = r!.actions.filter((a) => a.status === 'succeeded' && !a.planned).length;
  expect(made).toBe(2);
  expect(counts(r!)).toEqual({
    [METRIC.admitted]: 1, [METRIC.actionsTaken]: made, [METRIC.approvalsRequested]: 1, [METRIC.approvalsApproved]: 1,
  });
  const [mitigated] = durations(r!, METRIC.timeToMitigate);
  const [verified] = durations(r!, METRIC.timeToVerified);
  expect(durations(r!, METRIC.timeToMitigate)).toHaveLength(1);
  expect(durations(r!, METRIC.timeToVerified)).toHaveLength(1);
  // From the recorded alarm's time: mitigated first, verified after; the recorded event fired weeks before the run.
  expect(mitigated).toBeGreaterThan(0);
  expect(verified).toBeGreaterThanOrEqual(mitigated!);
  expect(r!.triggerAgeMs).toBeGreaterThan(86_400_000);
  expect(mitigated! - r!.triggerAgeMs!).toBeGreaterThanOrEqual(0);
  expect(mitigated! - r!.triggerAgeMs!).toBeLessThan(60_000);
  for (const m of r!.metrics) {
    expect(m).toMatchObject({ namespace: METRICS_NAMESPACE, dimensions: expect.objectContaining({ runbook: 'lambda-runaway', environment: 'drill' }), executionArn: r!.executionArn });
  }
  // The EMF lines are taken off the drill's own output: every line of --json is a result.
  expect(stdout.trim().split('\n')).toHaveLength(1);
});

test('a run admit holds emits its suppression with the reason, and nothing else: the kill switch (paused) for every runbook', async () => {
  const { results } = await runDrill(['--scenario', scenario('automation-paused'), '--json']);
  expect(results.map((r) => r.runbook)).toEqual([...RUNBOOK_NAMES]);
  for (const r of results) expect({ runbook: r.runbook, counts: counts(r) }).toEqual({ runbook: r.runbook, counts: { [`${METRIC.suppressed}/paused`]: 1 } });
});

test('a flapping target: two remediations counted, then the third held as flapping', async () => {
  const { results } = await runDrill([
    '--scenario', scenario('flapping-alarm'),
    '--event', 'events/lambda-runaway.alarm.json',
    '--event', 'events/samples/lambda-runaway-refired.alarm.json',
    '--event', 'events/samples/lambda-runaway-refired-again.alarm.json',
    '--json',
  ]);
  expect(results.map((r) => counts(r)[METRIC.admitted] ?? 0)).toEqual([1, 1, 0]);
  expect(counts(results[2]!)).toEqual({ [`${METRIC.suppressed}/flapping`]: 1 });
});

test('the same alarm transition delivered twice: admitted once, the second suppressed as a duplicate', async () => {
  const { results } = await runDrill([
    '--event', 'events/samples/duplicate-delivery/first.alarm.json',
    '--event', 'events/samples/duplicate-delivery/second.alarm.json', '--json',
  ]);
  expect(results.map(counts).map((c) => [c[METRIC.admitted] ?? 0, c[`${METRIC.suppressed}/duplicate`] ?? 0])).toEqual([[1, 0], [0, 1]]);
});

test('the text output shows the metrics a run emitted, each duration split into the replay and the run', async () => {
  const { stdout } = await runDrill(['lambda-runaway']);
  // The whole block, to the blank line after it: where its lines wrap depends on how wide its numbers are.
  const metrics = stdout.slice(stdout.indexOf('  metrics ')).split(/\n\s*\n/)[0]!.replace(/\s+/g, ' ');
  expect(metrics).toMatch(/^ metrics IncidentsAdmitted 1, ActionsTaken 2, ApprovalsRequested 1, ApprovalsApproved 1, TimeToMitigate (\d+) ms = \d+ d( \d+ h)? before the run \+ (\d+) ms in it, TimeToVerified \d+ ms = \d+ d( \d+ h)? before the run \+ \d+ ms in it/);
});

test('a duration is shown as it was emitted when the trigger is no older than a minute: no replay to tell apart', () => {
  const metric = (name: string, value: number) => ({ name, value, unit: 'Milliseconds', namespace: METRICS_NAMESPACE, dimensions: {} });
  expect(describeMetrics([metric(METRIC.timeToMitigate, 812)], 500)).toBe('TimeToMitigate 812 ms');
  expect(describeMetrics([metric(METRIC.timeToMitigate, 7_200_900)], 7_200_000)).toBe('TimeToMitigate 7200900 ms = 2 h before the run + 900 ms in it');
  expect(describeMetrics([metric(METRIC.timeToMitigate, 812)])).toBe('TimeToMitigate 812 ms');
});

test('approvals answered by people: approved by quorum, rejected by one, expired when nobody answers (prod policy)', async () => {
  const approved = (await runDrill(['lambda-runaway', '--env', 'prod', '--approve', 'alice,bob', '--json'])).results[0]!;
  const rejected = (await runDrill(['lambda-runaway', '--env', 'prod', '--approve', 'alice', '--reject', 'carol', '--json'])).results[0]!;
  const expired = (await runDrill(['lambda-runaway', '--env', 'prod', '--no-answer', '--json'])).results[0]!;
  const approvals = (r: DrillResult) => Object.fromEntries(Object.entries(counts(r)).filter(([name]) => name.startsWith('Approvals')));
  expect(approvals(approved)).toEqual({ [METRIC.approvalsRequested]: 1, [METRIC.approvalsApproved]: 1 });
  expect(approvals(rejected)).toEqual({ [METRIC.approvalsRequested]: 1, [METRIC.approvalsRejected]: 1 });
  // Asked at each level in turn (L1 -> L2 -> L3): one question, one expiry.
  expect(approvals(expired)).toEqual({ [METRIC.approvalsRequested]: 1, [METRIC.approvalsExpired]: 1 });
});

test("an undo counts each restore it made as undone, under the incident's runbook", async () => {
  const { results: [r] } = await runDrill(['--event', recordedEvent('lambda-errors-rollback'), '--then-undo', '--json', '--calls']);
  const restored = r!.undo!.actions.filter((a) => a.status === 'succeeded').length;
  expect(restored).toBeGreaterThan(0);
  const undone = r!.metrics.filter((m) => m.name === METRIC.actionsUndone);
  expect(undone).toHaveLength(restored);
  expect(undone.every((m) => m.dimensions.runbook === 'lambda-errors-rollback' && m.executionArn === r!.undo!.executionArn)).toBe(true);
});
