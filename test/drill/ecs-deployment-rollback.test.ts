import type { AwsCallReceived } from '../../drill/drill';
import { duplicateOf } from './events';
import { recordedEvent, runDrill, scenarioDrill } from './run-drill';

const SERVICE = 'alphaswarm-cluster-prod/alphaswarm-admin-prod';
const TD = (rev: number) => `arn:aws:ecs:sa-east-1:111122223333:task-definition/alphaswarm-admin-prod:${rev}`;
const EVENT = 'events/ecs-deployment-rollback.event.json';
const callsOf = (r: unknown, operation: string) => ((r as { calls: AwsCallReceived[] }).calls).filter((c) => c.service === 'ecs' && c.operation === operation);

test('the failed :43 deployment: history read, rolled back to :42 by task definition ARN, ledger row first, rollout watched; the unpinned tag is said', async () => {
  const { code, results: [r] } = await runDrill(['--event', recordedEvent('ecs-deployment-rollback'), '--json', '--calls']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'ecs-deployment-rollback', outcome: 'remediated', reason: expect.stringContaining('Not pinned by digest: admin runs') });
  expect(r!.actions).toEqual([expect.objectContaining({
    operation: 'ecs:UpdateService', target: SERVICE, before: { taskDefinition: TD(43) }, after: { taskDefinition: TD(42) }, status: 'succeeded', auditedBeforeCall: true,
  })]);
  expect(callsOf(r, 'UpdateService').map((c) => c.input)).toEqual([{ cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-admin-prod', taskDefinition: TD(42) }]);
  expect(callsOf(r, 'ListServiceDeployments')).toHaveLength(1);
  expect(callsOf(r, 'DescribeTaskDefinition').map((c) => c.input)).toEqual([{ taskDefinition: TD(42) }]);
  expect(r!.resources.after[SERVICE]).toMatchObject({ taskDefinition: 'alphaswarm-admin-prod:42', runningCount: 2, desiredCount: 2 });
});

test('the same failure delivered twice: one rollback', async () => {
  const { results } = await runDrill(['--event', EVENT, '--event', duplicateOf(EVENT), '--json', '--calls']);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'skipped']);
  expect(results.flatMap((r) => callsOf(r, 'UpdateService'))).toHaveLength(1);
});

test('the circuit breaker already rolls back: its rollback watched to completion, nothing changed', async () => {
  const { results: [r] } = await scenarioDrill('ecs-deployment-rollback', 'admin-circuit-breaker-rolling-back');
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('ECS rolled it back to') });
  expect(r!.actions).toEqual([]);
  expect(callsOf(r, 'UpdateService')).toEqual([]);
  expect(r!.resources.after[SERVICE]).toMatchObject({ taskDefinition: 'alphaswarm-admin-prod:42', runningCount: 2 });
});

test('no older successful deployment: escalated saying so, nothing changed', async () => {
  const { results: [r] } = await scenarioDrill('ecs-deployment-rollback', 'admin-no-older-deployment');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('nothing to roll back to: the service has no successful deployment') });
  expect(r!.actions).toEqual([]);
  expect(callsOf(r, 'UpdateService')).toEqual([]);
  expect(r!.resources.after[SERVICE]).toEqual(r!.resources.before[SERVICE]);
});

test('prod: two distinct approvers roll it back; one alone is not enough and the service stays on :43', async () => {
  const [two, one] = await Promise.all([
    runDrill(['ecs-deployment-rollback', '--env', 'prod', '--approve', 'alice,bob', '--json']),
    runDrill(['ecs-deployment-rollback', '--env', 'prod', '--approve', 'alice', '--json']),
  ]);
  expect(two.results[0]).toMatchObject({ outcome: 'remediated' });
  expect(two.results[0]!.approvals.filter((a) => a.decision === 'approved').map((a) => a.approver).sort()).toEqual(['alice', 'bob']);
  expect(one.results[0]).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('the service stays on the deployment that failed') });
  expect(one.results[0]!.actions).toEqual([]);
  expect(one.results[0]!.resources.after[SERVICE]).toMatchObject({ taskDefinition: 'alphaswarm-admin-prod:43' });
});

test('undo: the service back on the task definition it ran (:43)', async () => {
  const { code, stdout } = await runDrill(['ecs-deployment-rollback', '--then-undo']);
  expect(code).toBe(0);
  const service = (revision: number) => JSON.stringify({ taskDefinition: `alphaswarm-admin-prod:${revision}`, desiredCount: 2 });
  // Read as words: the resource line is longer than the output's 120 columns and wraps under its head.
  expect(stdout.replace(/\s+/g, ' ')).toContain(
    `resource ${SERVICE} [taskDefinition, desiredCount]: start ${service(43)} -> runbook ${service(42)} -> undo ${service(43)}: equals the starting state`,
  );
  expect(stdout).toContain('RESTORED: every reversible touched resource equals its starting state');
});
