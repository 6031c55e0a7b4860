import { runDrill, scenario } from './run-drill';

test('the kill switch holds every runbook: nothing changes, and the hold is reported', async () => {
  const { code, results } = await runDrill(['--scenario', scenario('automation-paused'), '--json']);
  expect(code).toBe(0);
  expect(results.map((r) => [r.runbook, r.outcome])).toEqual([
    ['lambda-runaway', 'skipped'], ['dynamodb-throttling', 'skipped'], ['ecs-service-recovery', 'skipped'], ['llm-budget-guardrail', 'skipped'],
  ]);
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
