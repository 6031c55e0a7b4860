import { capacityPolicySchema, changeParameters, planCapacity, targetCapacity } from '../../../runbooks/scale-out/capacity-plan';

const POLICY = { scaleOutTasks: 4, ceilingTasks: 8 };
const service = { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-worker-prod' };

test('with a scalable target, the minimum is raised to the scale-out count and the maximum is kept', () => {
  const plan = planCapacity({ desiredCount: 2, runningCount: 2, scalableTarget: { minCapacity: 2, maxCapacity: 8 } }, POLICY);
  expect(plan).toMatchObject({ decision: 'scale-out', current: 2, change: { via: 'scalable-target', operation: 'application-autoscaling:RegisterScalableTarget', to: { minCapacity: 4, maxCapacity: 8 } } });
  expect(changeParameters(service, plan.change!)).toEqual({
    ServiceNamespace: 'ecs', ResourceId: 'service/alphaswarm-cluster-prod/alphaswarm-worker-prod', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 4, MaxCapacity: 8,
  });
});

test('a maximum below the new minimum is raised with it (AWS refuses min > max), never lowered', () => {
  const plan = planCapacity({ desiredCount: 1, runningCount: 1, scalableTarget: { minCapacity: 1, maxCapacity: 2 } }, POLICY);
  expect(plan.change).toMatchObject({ to: { minCapacity: 4, maxCapacity: 4 } });
});

test('the minimum decides even when scaling activities run more tasks than it', () => {
  const plan = planCapacity({ desiredCount: 6, runningCount: 6, scalableTarget: { minCapacity: 2, maxCapacity: 8 } }, POLICY);
  expect(plan.change).toMatchObject({ via: 'scalable-target', to: { minCapacity: 4 } });
});

test('without a scalable target, the desired count is set', () => {
  const plan = planCapacity({ desiredCount: 2, runningCount: 2, scalableTarget: null }, POLICY);
  expect(plan.change).toEqual({ via: 'desired-count', operation: 'ecs:UpdateService', to: { desiredCount: 4 } });
  expect(changeParameters(service, plan.change!)).toEqual({ cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-worker-prod', desiredCount: 4 });
});

test('at or above the ceiling: escalate, nothing planned', () => {
  expect(planCapacity({ desiredCount: 8, runningCount: 8, scalableTarget: { minCapacity: 8, maxCapacity: 8 } }, POLICY)).toMatchObject({ decision: 'at-ceiling', change: null });
  expect(planCapacity({ desiredCount: 9, runningCount: 9, scalableTarget: null }, POLICY)).toMatchObject({ decision: 'at-ceiling', change: null });
});

test('already at or above the scale-out count (a re-fired alarm after a scale-out): nothing more, never a ratchet', () => {
  expect(planCapacity({ desiredCount: 4, runningCount: 4, scalableTarget: { minCapacity: 4, maxCapacity: 8 } }, POLICY)).toMatchObject({ decision: 'already-scaled', change: null });
  expect(planCapacity({ desiredCount: 5, runningCount: 5, scalableTarget: null }, POLICY)).toMatchObject({ decision: 'already-scaled', change: null });
});

test('absolute values: max(current, scale-out) capped by the ceiling, the same however often it is asked', () => {
  expect([0, 2, 4, 6, 8, 10].map((current) => targetCapacity(current, POLICY))).toEqual([4, 4, 4, 6, 8, 8]);
});

test('a scale-out count above the ceiling is refused by the policy schema', () => {
  expect(capacityPolicySchema.safeParse({ scaleOutTasks: 9, ceilingTasks: 8 }).success).toBe(false);
});
