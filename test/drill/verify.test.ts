/**
 * Verify or escalate, end to end: after acting, each runbook waits, then reads the alarm that
 * fired (or, for the budget runbook, the parameter and the proxy rollout). The sandbox derives
 * each alarm's state from the resource the runbook changed; a scenario keeps the cause in place.
 */
import { RUNBOOKS } from '../../runbooks/registry';
import { runDrill, scenario, scenarioDrill } from './run-drill';
import type { DrillResult } from '../../drill/result';

const verifySteps = (r: DrillResult, state = 'Check alarm state') => r.timeline.filter((t) => t.state === state && t.event === 'done').map((t) => t.detail);

const ALARMS = {
  'lambda-runaway': 'cabruca-segmentation-prod-researcher-agent-concurrency',
  'dynamodb-throttling': 'cabruca-segmentation-prod-agent-tasks-write-throttles',
  'ecs-service-recovery': 'alphaswarm-admin-frontend-prod-tasks-below-desired',
} as const;

describe.each(Object.entries(ALARMS))('%s', (runbook, alarm) => {
  test('the alarm returns to OK once the fix is in: remediated, after the wait', async () => {
    const { results: [r] } = await runDrill([runbook, '--json']);
    expect(r).toMatchObject({ outcome: 'remediated', reason: expect.stringContaining(`alarm ${alarm} returned to OK 5 min after`) });
    const steps = verifySteps(r!);
    // First the wait is scheduled (no read), then the read after the wait finds OK.
    expect(steps[0]).toMatch(/^verify pending: waiting 5 min before checking/);
    expect(steps[steps.length - 1]).toMatch(/^verify verified \[alarm OK\]/);
    expect(r!.timeline).toContainEqual(expect.objectContaining({ state: 'Wait for the alarm to evaluate' }));
    expect(r!.notifications).toEqual([{ outcome: 'remediated', topic: 'info' }]);
  });

  test('the alarm stays in ALARM: escalated to the critical topic, with the action and how long', async () => {
    const { results: [r] } = await runDrill([runbook, '--scenario', scenario('alarm-does-not-clear'), '--json']);
    expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringMatching(new RegExp(`^alarm ${alarm} still in ALARM 9 min after \\S+:\\S+ on .* \\(ALARM -> ALARM\\)$`)) });
    expect(r!.actions).toEqual([expect.objectContaining({ status: 'succeeded', auditedBeforeCall: true })]);
    // The configured 5 checks: one scheduled wait, then four pending reads and the last one.
    expect(verifySteps(r!).map((d) => d.split(':')[0])).toEqual(['verify pending', ...Array(4).fill('verify pending [alarm ALARM]'), 'verify not-verified [alarm ALARM]']);
    expect(r!.notifications).toEqual([{ outcome: 'escalated', topic: 'critical' }]);
  });
});

test('a composite alarm routed by tag is verified through its rule over its children', async () => {
  const { results: [r] } = await runDrill(['--event', 'events/samples/composite.alarm.json', '--json']);
  expect(r).toMatchObject({ runbook: 'ecs-service-recovery', outcome: 'remediated', reason: expect.stringContaining('alarm alphaswarm-admin-frontend-prod-degraded returned to OK') });
});

test('llm-budget-guardrail: verified once the parameter holds the cheaper model and the proxy rolled out', async () => {
  const { results: [r] } = await runDrill(['llm-budget-guardrail', '--json']);
  expect(r).toMatchObject({ outcome: 'remediated' });
  const steps = verifySteps(r!, 'Check model and proxy rollout');
  expect(steps[steps.length - 1]).toMatch(/^verify verified: the cheaper model is in effect .* rollout COMPLETED, 2\/2 running$/);
});

test('llm-budget-guardrail: a proxy rollout that fails is escalated, and the timed restore does not run', async () => {
  const { results: [r] } = await scenarioDrill('llm-budget-guardrail', 'proxy-rollout-fails');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('the agent proxy did not finish rolling out 9 min after the switch') });
  expect(r!.notifications).toEqual([{ outcome: 'escalated', topic: 'critical' }]);
  expect(r!.timeline.some((t) => t.state === 'Restore model preference')).toBe(false);
  // The switch stays recorded in the ledger with the value it replaced, for an undo.
  expect(r!.actions.map((a) => [a.operation, a.status])).toEqual([['ssm:PutParameter', 'succeeded'], ['ecs:UpdateService', 'succeeded']]);
});

test('dry run: nothing changed, so nothing is verified, and the result says so', async () => {
  const { results } = await runDrill(['--dry-run', '--json']);
  // A runbook that only reads and pages changes nothing, so it has nothing to verify either (test/drill/dry-run.test.ts).
  const pageOnly = new Set<string>(RUNBOOKS.filter((m) => m.drill.ends === 'escalated').map((m) => m.name));
  for (const r of results.filter((x) => !pageOnly.has(x.runbook ?? ''))) {
    expect(r.reason).toContain('planned; not verified');
    expect(r.timeline).toContainEqual(expect.objectContaining({ state: 'Verify: planned, not verified' }));
    expect(r.timeline.some((t) => t.state === 'Check alarm state' || t.state === 'Check model and proxy rollout')).toBe(false);
  }
  expect(results.map((r) => r.runbook)).toEqual(RUNBOOKS.map((m) => m.name));
});

test('a throttled DescribeAlarms is retried by the state machine and the run still verifies', async () => {
  const { results: [r] } = await runDrill(['lambda-runaway', '--fault', 'cloudwatch:DescribeAlarms=throttlingx4', '--json']);
  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.timeline).toContainEqual(expect.objectContaining({ state: 'Check alarm state', event: 'retried', detail: expect.stringContaining('AwsThrottled') }));
});

test('DescribeAlarms failing for good: the change stays recorded and the execution fails at the check, escalated by the execution-failure rule', async () => {
  const { results: [r] } = await runDrill(['lambda-runaway', '--fault', 'cloudwatch:DescribeAlarms=access-deniedx50', '--json']);
  expect(r).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('cloudwatch:DescribeAlarms') });
  expect(r!.runs).toEqual([expect.objectContaining({ status: 'FAILED', failedAt: 'Check alarm state' })]);
  expect(r!.actions).toEqual([expect.objectContaining({ status: 'succeeded', auditedBeforeCall: true })]);
  expect(r!.notifications).toEqual([{ outcome: 'failed', topic: 'critical', via: 'rule' }]);
});
