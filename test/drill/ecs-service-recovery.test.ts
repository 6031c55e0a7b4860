import { runDrill, scenario, scenarioDrill } from './run-drill';
import { duplicateOf } from './events';

/** The seed's admin frontend completed its rollout, then lost its tasks. */
const SERVICE = 'alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod';
/** The seed's admin service, whose rollout of :43 FAILED; its own alarm is a sample. */
const ADMIN = 'alphaswarm-cluster-prod/alphaswarm-admin-prod';
const ADMIN_ALARM = 'events/samples/ecs-service-recovery-failed-rollout.alarm.json';
/** The TradAI strategy service, steady to ECS, whose application stopped publishing its heartbeat (seed 004 "Stale Heartbeat"). */
const STRATEGY = 'tradai-cluster-prod/tradai-prod-strategy-service';
const STALE_HEARTBEAT = 'events/samples/ecs-service-recovery-stale-heartbeat.alarm.json';

test('happy path: health-check failures -> forced deployment, rollout completes, evidence read first', async () => {
  const { code, results: [r] } = await runDrill(['ecs-service-recovery', '--json']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'ecs-service-recovery', outcome: 'remediated' });
  expect(r!.actions).toEqual([expect.objectContaining({ operation: 'ecs:UpdateService', target: SERVICE, status: 'succeeded', auditedBeforeCall: true })]);
  expect(r!.timeline.map((t) => t.state)).toEqual(expect.arrayContaining(['Read service events and stopped tasks', 'Force new deployment', 'Check rollout']));
  expect(r!.resources.before[SERVICE]).toMatchObject({ runningCount: 0, desiredCount: 2 });
  expect(r!.resources.after[SERVICE]).toMatchObject({ runningCount: 2, desiredCount: 2 });
});

test('image pull failure: escalates with the evidence instead of redeploying', async () => {
  const { results: [r] } = await scenarioDrill('ecs-service-recovery', 'admin-frontend-image-pull-failure');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringMatching(/image pull/i) });
  expect(r!.actions).toEqual([]);
  expect(r!.resources.after[SERVICE]).toEqual(r!.resources.before[SERVICE]);
});

test('target missing: a deleted service escalates and changes nothing', async () => {
  const { results: [r] } = await scenarioDrill('ecs-service-recovery', 'admin-frontend-service-deleted');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('does not exist') });
  expect(r!.actions).toEqual([]);
});

test('throttled API: UpdateService throttled past the SDK retries is retried by the state machine', async () => {
  const { results: [r] } = await runDrill(['ecs-service-recovery', '--fault', 'ecs:UpdateService=throttlingx4', '--json']);
  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.timeline).toContainEqual(expect.objectContaining({ state: 'Force new deployment', event: 'retried' }));
  expect(r!.actions).toHaveLength(1);
});

test('duplicate delivery redeploys once', async () => {
  const { results } = await runDrill(['--event', 'events/ecs-service-recovery.alarm.json', '--event', duplicateOf('events/ecs-service-recovery.alarm.json'), '--json']);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'skipped']);
});

test('already remediated: a service that recovered on its own is not redeployed', async () => {
  const { results: [r] } = await scenarioDrill('ecs-service-recovery', 'admin-frontend-already-recovered');
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('already healthy') });
  expect(r!.actions).toEqual([]);
});

test('a failed rollout: the admin service\'s tasks-below-desired alarm escalates, asking for a rollback; nothing is redeployed', async () => {
  const { results: [r] } = await runDrill(['--event', ADMIN_ALARM, '--json']);
  expect(r).toMatchObject({
    runbook: 'ecs-service-recovery',
    outcome: 'escalated',
    reason: expect.stringContaining('(alphaswarm-admin-prod:43) FAILED (0 of 2 tasks running): it needs a rollback to the last task definition that worked, not a redeploy'),
  });
  expect(r!.actions).toEqual([]);
  // No mutating call reached the account.
  expect(r!.runs.flatMap((run) => run.calls)).toEqual([]);
  expect(r!.timeline.map((t) => t.state)).not.toContain('Force new deployment');
  expect(r!.resources.after[ADMIN]).toEqual(r!.resources.before[ADMIN]);
});

test('the failed deployment has one owner: on one account, its alarm escalates and the SERVICE_DEPLOYMENT_FAILED event rolls back to :42', async () => {
  const { results } = await runDrill(['--event', ADMIN_ALARM, 'ecs-deployment-rollback', '--json']);
  expect(results.map((r) => [r.runbook, r.outcome])).toEqual([['ecs-service-recovery', 'escalated'], ['ecs-deployment-rollback', 'remediated']]);
  expect(results.flatMap((r) => r.actions.map((a) => [r.runbook, a.operation, a.target]))).toEqual([['ecs-deployment-rollback', 'ecs:UpdateService', ADMIN]]);
  expect(results[1]!.resources.after[ADMIN]).toMatchObject({ taskDefinition: expect.stringMatching(/alphaswarm-admin-prod:42$/), runningCount: 2 });
});

test('each service to its runbook: the frontend redeployed, the admin service rolled back, on one account', async () => {
  const { results } = await runDrill(['ecs-service-recovery', 'ecs-deployment-rollback', '--json']);
  expect(results.flatMap((r) => r.actions.map((a) => [r.runbook, a.operation, a.target, a.status]))).toEqual([
    ['ecs-service-recovery', 'ecs:UpdateService', SERVICE, 'succeeded'],
    ['ecs-deployment-rollback', 'ecs:UpdateService', ADMIN, 'succeeded'],
  ]);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'remediated']);
});

describe('a stale heartbeat (seed 004: "Check ECS task, restart if needed")', () => {
  test('its tagged alarm restarts a service ECS reports healthy, and the heartbeat alarm returning to OK verifies it', async () => {
    const { code, results: [r] } = await runDrill(['--event', STALE_HEARTBEAT, '--json']);
    expect(code).toBe(0);
    expect(r).toMatchObject({
      runbook: 'ecs-service-recovery', outcome: 'remediated',
      reason: expect.stringContaining('alarm tradai-prod-strategy-heartbeat-stale returned to OK 5 min after ecs:UpdateService'),
    });
    expect(r!.timeline).toContainEqual(expect.objectContaining({
      state: 'Read service events and stopped tasks', event: 'done', detail: expect.stringContaining('cause=stale-heartbeat'),
    }));
    expect(r!.actions).toEqual([expect.objectContaining({ operation: 'ecs:UpdateService', target: STRATEGY, status: 'succeeded', auditedBeforeCall: true })]);
    // Healthy to ECS before and after: the restart changed its tasks, not its counts.
    expect(r!.resources.before[STRATEGY]).toMatchObject({ runningCount: 2, desiredCount: 2 });
    expect(r!.resources.after[STRATEGY]).toMatchObject({ runningCount: 2, desiredCount: 2 });
  });

  test('new tasks that stop reporting too: the alarm stays in ALARM, escalated after the one restart', async () => {
    const { results: [r] } = await runDrill(['--event', STALE_HEARTBEAT, '--scenario', scenario('alarm-does-not-clear'), '--json']);
    expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('alarm tradai-prod-strategy-heartbeat-stale still in ALARM') });
    expect(r!.actions).toEqual([expect.objectContaining({ operation: 'ecs:UpdateService', target: STRATEGY })]);
  });
});
