/**
 * scale-out's decision (seed 001 C "scale workers up", seed 004 "ECS Memory High: scale service"):
 * whether to raise a service's capacity, and to what. Pure. Values are absolute: the configured
 * scale-out count, max(current, scale-out) capped by the ceiling (seed 001's --replicas=8), never
 * current + n, so a retry, a redrive or a re-fired alarm finds it set and never ratchets it further.
 * Where Application Auto Scaling keeps the service in [min, max], the minimum is raised (a desired
 * count outside the range is reset by the next scaling activity); otherwise the desired count.
 * Capacity is never lowered here: that is the scale-in (the undo), to the recorded values.
 */
import * as z from '../../lambdas/shared/zod';
import type { CapacityRange } from '../../lambdas/aws/application-autoscaling';

const tasks = z.int().check(z.gte(1), z.lte(5000));

/** What config says of one service (the handlers' CAPACITY_POLICIES, by "cluster/service"). */
export const capacityPolicySchema = z.strictObject({
  /** The capacity a scale-out sets (the scalable target's minimum, or the desired count). */
  scaleOutTasks: tasks,
  /** Never set above this; at or above it already, the runbook escalates. */
  ceilingTasks: tasks,
  /** The queue whose depth alarm starts it for this service (its backlog is evidence). */
  queueArn: z.optional(z.string().check(z.minLength(1))),
}).check(z.refine((p) => p.scaleOutTasks <= p.ceilingTasks, 'scaleOutTasks must not exceed ceilingTasks'));
export type CapacityPolicy = z.infer<typeof capacityPolicySchema>;
export const capacityPoliciesSchema = z.record(z.string(), capacityPolicySchema);

/** The service as read at diagnosis: its counts, and its scalable target's range (null: none). */
export interface CapacityNow {
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly scalableTarget: CapacityRange | null;
}

export type CapacityDecision = 'scale-out' | 'at-ceiling' | 'already-scaled';

/** The one call a scale-out makes: its operation, its exact parameters, and the value it sets. */
export type CapacityChange =
  | { readonly via: 'scalable-target'; readonly operation: 'application-autoscaling:RegisterScalableTarget'; readonly to: CapacityRange }
  | { readonly via: 'desired-count'; readonly operation: 'ecs:UpdateService'; readonly to: { readonly desiredCount: number } };

export interface CapacityPlan {
  readonly decision: CapacityDecision;
  /** The capacity the plan compares: the scalable target's minimum, or the desired count. */
  readonly current: number;
  readonly change: CapacityChange | null;
  readonly reason: string;
}

/** max(current, scale-out), never above the ceiling: an absolute value, the same however often it is asked. */
export const targetCapacity = (current: number, policy: Pick<CapacityPolicy, 'scaleOutTasks' | 'ceilingTasks'>): number =>
  Math.min(Math.max(current, policy.scaleOutTasks), policy.ceilingTasks);

export function planCapacity(now: CapacityNow, policy: CapacityPolicy): CapacityPlan {
  const range = now.scalableTarget;
  const current = range ? range.minCapacity : now.desiredCount;
  const what = range ? `the scalable target's minimum is ${range.minCapacity} (max ${range.maxCapacity})` : `the desired count is ${now.desiredCount} (no scalable target)`;
  const hold = (decision: Exclude<CapacityDecision, 'scale-out'>, reason: string): CapacityPlan => ({ decision, current, change: null, reason });
  if (current >= policy.ceilingTasks) {
    return hold('at-ceiling', `${what}, at or above the ceiling of ${policy.ceilingTasks} tasks: more capacity is a human's call (seed 004: or bigger tasks)`);
  }
  const to = targetCapacity(current, policy);
  if (to <= current) {
    return hold('already-scaled', `${what}, already at or above the ${policy.scaleOutTasks} tasks a scale-out sets: it scales out once, never again on a re-fired alarm; the cause needs a human`);
  }
  if (range) {
    // AWS refuses a minimum above the maximum: the maximum is raised with it, never lowered.
    const next = { minCapacity: to, maxCapacity: Math.max(range.maxCapacity, to) };
    return {
      decision: 'scale-out', current, change: { via: 'scalable-target', operation: 'application-autoscaling:RegisterScalableTarget', to: next },
      reason: `raise the scalable target's minimum from ${range.minCapacity} to ${to} (max ${next.maxCapacity}; ceiling ${policy.ceilingTasks})`,
    };
  }
  return {
    decision: 'scale-out', current, change: { via: 'desired-count', operation: 'ecs:UpdateService', to: { desiredCount: to } },
    reason: `raise the desired count from ${now.desiredCount} to ${to} (no scalable target; ceiling ${policy.ceilingTasks})`,
  };
}

/** The exact API parameters of a change on a service ("cluster/service"), as the gate shows them and the call sends them. */
export function changeParameters(service: { cluster: string; service: string }, change: CapacityChange): Record<string, unknown> {
  return change.via === 'scalable-target'
    ? { ServiceNamespace: 'ecs', ResourceId: `service/${service.cluster}/${service.service}`, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: change.to.minCapacity, MaxCapacity: change.to.maxCapacity }
    : { cluster: service.cluster, service: service.service, desiredCount: change.to.desiredCount };
}
