import { RUNBOOK_NAMES } from '../../runbooks/registry';
import { runDrill, scenario } from './run-drill';

test('the kill switch holds every runbook: nothing changes, and the hold is reported', async () => {
  const { code, results } = await runDrill(['--scenario', scenario('automation-paused'), '--json']);
  expect(code).toBe(0);
  expect(results.map((r) => [r.runbook, r.outcome])).toEqual(RUNBOOK_NAMES.map((name) => [name, 'skipped']));
  for (const r of results) {
    expect(r.reason).toBe('automation is paused (/runbook-autopilot/drill/automation = paused)');
    expect(r.actions).toEqual([]);
    expect(r.resources.after).toEqual(r.resources.before);
    expect(r.timeline).toContainEqual(expect.objectContaining({ state: 'Admit: dedupe, allowlist, switches, cooldown', detail: expect.stringContaining('[switches: automation paused, runbook enabled]') }));
  }
});

test('a runbook switched off is held while the others act', async () => {
  const { results } = await runDrill(['lambda-runaway', 'dynamodb-throttling', '--scenario', scenario('lambda-runaway-switched-off'), '--json']);
  expect(results.map((r) => [r.runbook, r.outcome])).toEqual([['lambda-runaway', 'skipped'], ['dynamodb-throttling', 'remediated']]);
  expect(results[0]!.reason).toContain('lambda-runaway is switched off');
});

test('a flapping alarm is held and escalated after K remediations, not acted on again', async () => {
  const { results } = await runDrill([
    '--scenario', scenario('flapping-alarm'),
    '--event', 'events/lambda-runaway.alarm.json',
    '--event', 'events/samples/lambda-runaway-refired.alarm.json',
    '--event', 'events/samples/lambda-runaway-refired-again.alarm.json',
    '--json',
  ]);
  // The drill approves the restore at once (its default policy, like dev), so the refire finds the function running at 5 and stops it again.
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'remediated', 'escalated']);
  expect(results[2]!.reason).toMatch(/remediated 2 times .* flapping, held for a human/);
  expect(results[2]!.notifications).toEqual([{ outcome: 'escalated', topic: 'critical' }]);
  expect(results[2]!.actions).toEqual([]);
});

test('a scenario with an invalid config change is refused with exit 2, naming the field', async () => {
  const { code, stderr } = await runDrill(['--scenario', 'test/drill/fixtures/bad-config-scenario.json', 'lambda-runaway']);
  expect(code).toBe(2);
  expect(stderr).toMatch(/runbooks\.lambda-runaway\.cooldownMinutes/);
});
