import { runDrill, scenario } from './run-drill';
import { duplicateOf } from './events';

const SERVICE = 'alphaswarm-cluster-prod/alphaswarm-admin-prod';

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
  const { results: [r] } = await runDrill(['ecs-service-recovery', '--scenario', scenario('admin-image-pull-failure'), '--json']);
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringMatching(/image pull/i) });
  expect(r!.actions).toEqual([]);
  expect(r!.resources.after[SERVICE]).toEqual(r!.resources.before[SERVICE]);
});

test('target missing: a deleted service escalates and changes nothing', async () => {
  const { results: [r] } = await runDrill(['ecs-service-recovery', '--scenario', scenario('admin-service-deleted'), '--json']);
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
  const { results: [r] } = await runDrill(['ecs-service-recovery', '--scenario', scenario('admin-already-recovered'), '--json']);
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('already healthy') });
  expect(r!.actions).toEqual([]);
});
