import { runDrill, scenarioDrill } from './run-drill';

const SERVICE = 'alphaswarm-cluster-prod/alphaswarm-worker-prod';
const REGISTER = 'application-autoscaling:RegisterScalableTarget';

test('memory high: the scalable target\'s minimum goes from 2 to 4, recorded first; the tasks start and the alarm clears', async () => {
  const { code, results: [r] } = await runDrill(['scale-out', '--json']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'scale-out', outcome: 'remediated' });
  expect(r!.actions).toEqual([expect.objectContaining({
    operation: REGISTER, target: SERVICE, status: 'succeeded', auditedBeforeCall: true,
    before: { minCapacity: 2, maxCapacity: 8, desiredCount: 2 }, after: { minCapacity: 4, maxCapacity: 8, desiredCount: 4 },
  })]);
});

test('the queue the workers drain was deleted: escalates and changes nothing (a missing queue is not an empty backlog)', async () => {
  const { results: [r] } = await scenarioDrill('scale-out', 'worker-queue-deleted');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('queue it drains does not exist') });
  expect(r!.actions).toEqual([]);
  expect(r!.resources.after[SERVICE]).toEqual(r!.resources.before[SERVICE]);
});

test('at the ceiling already: escalates and changes nothing', async () => {
  const { results: [r] } = await scenarioDrill('scale-out', 'worker-at-ceiling');
  expect(r).toMatchObject({ outcome: 'escalated' });
  expect(r!.actions).toEqual([]);
  expect(r!.resources.after[SERVICE]).toEqual(r!.resources.before[SERVICE]);
});

test('no scalable target: the desired count is set instead', async () => {
  const { results: [r] } = await scenarioDrill('scale-out', 'worker-without-scalable-target');
  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.actions).toEqual([expect.objectContaining({ operation: 'ecs:UpdateService', status: 'succeeded', before: { desiredCount: 2 }, after: { desiredCount: 4 } })]);
});

test('server errors past the SDK\'s attempts on both reads, then on the change: retried (InternalServiceException as any 5xx), scaled out once', async () => {
  // The service read takes the state machine's first retry, so the scalable-target read must be retried by the SDK too.
  const { results: [r] } = await runDrill([
    'scale-out', '--fault', 'ecs:DescribeServices=server-errorx4', '--fault', 'application-autoscaling:DescribeScalableTargets=server-errorx4',
    '--fault', `${REGISTER}=server-errorx3`, '--json',
  ]);
  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.actions).toEqual([expect.objectContaining({ operation: REGISTER, status: 'succeeded' })]);
  expect(r!.runs.flatMap((run) => run.calls).filter((c) => c.operation === REGISTER && c.applied)).toHaveLength(1);
});

test('the service gone when the minimum is raised (ValidationException "ECS service doesn\'t exist"): escalates, nothing changed', async () => {
  const { results: [r] } = await runDrill(['scale-out', '--fault', `${REGISTER}=not-foundx500`, '--json']);
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('does not exist') });
  expect(r!.actions.filter((a) => a.status === 'succeeded')).toEqual([]);
  expect(r!.resources.after[SERVICE]).toEqual(r!.resources.before[SERVICE]);
});
