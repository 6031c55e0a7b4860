import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import type { CapacityRange } from '../../../lambdas/aws/application-autoscaling';
import { parseServiceKey } from '../../../lambdas/aws/ecs';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv, requireJsonEnv } from '../../../lambdas/shared/env';
import { ChangeRejected, InvalidInput, TargetNotAllowed } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { capacityPoliciesSchema, changeParameters, targetCapacity, type CapacityChange } from '../capacity-plan';
import { ServiceCapacity } from '../service-capacity';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const assertAllowed = allowedTargets();
const POLICIES = requireJsonEnv('CAPACITY_POLICIES', (raw) => capacityPoliciesSchema.parse(raw));
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('SCALE_ON_TIMEOUT'));
const capacity = new ServiceCapacity();

const count = z.int().check(z.gte(0), z.lte(5000));
/** The diagnosis's change: which call, and the absolute value it sets. */
const changeSchema = z.discriminatedUnion('via', [
  z.object({ via: z.literal('scalable-target'), operation: z.literal('application-autoscaling:RegisterScalableTarget'), to: z.object({ minCapacity: count, maxCapacity: count }) }),
  z.object({ via: z.literal('desired-count'), operation: z.literal('ecs:UpdateService'), to: z.object({ desiredCount: count }) }),
]);
const inputSchema = z.extend(stepInputSchema, { approval: approvalResultSchema, change: changeSchema });

type Desired = { desiredCount: number };
/** A scalable target's range, with the desired count it held. */
type Capacity = CapacityRange & { desiredCount?: number };

/**
 * Act (seed 001 C "scale workers up"), as approved: the scalable target's minimum (and the maximum
 * with it, where the minimum would pass it), or the desired count where the service has no scalable
 * target, set to the absolute value the diagnosis planned. The value it replaces is recorded before
 * the call; just before it, the service is read again: a capacity already at or above the planned
 * one, a range changed since, or a scalable target that appeared or went is refused (ChangeRejected),
 * never lowered and never overwritten.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, approval, change, dryRun }, context): Promise<ActionResult<Capacity | Desired, Capacity | Desired>> => {
  await assertAllowed(incident.target, context.invokedFunctionArn);
  const policy = POLICIES[incident.target];
  if (!policy) throw new TargetNotAllowed(`${incident.target} has no capacity policy in this function's configuration`);
  const planned = change as CapacityChange;
  const value = planned.via === 'scalable-target' ? planned.to.minCapacity : planned.to.desiredCount;
  // The input names the value; the configuration bounds it: only the configured scale-out, never past the ceiling.
  if (value !== targetCapacity(0, policy)) throw new InvalidInput(`scale-out sets ${incident.target} to ${policy.scaleOutTasks} tasks, not ${value}`);
  if (planned.via === 'scalable-target' && planned.to.maxCapacity < planned.to.minCapacity) throw new InvalidInput(`a minimum of ${planned.to.minCapacity} above a maximum of ${planned.to.maxCapacity}`);
  const key = parseServiceKey(incident.target);
  const parameters = changeParameters(key, planned);
  await assertApproved(approvals, approval, { incidentId: incident.id, runbook: 'scale-out', step: 'scale', operation: planned.operation, target: incident.target, parameters }, { onTimeout, dryRun });

  if (planned.via === 'scalable-target') {
    const to = planned.to;
    return performAction<Capacity, Capacity>(ledger, incident, execution, {
      step: 'scale', operation: planned.operation, target: incident.target, parameters, intended: to,
      // The desired count is recorded with the range: the scale-in puts it back too.
      readBefore: async () => {
        const now = await capacity.read(key);
        if (!now.scalableTarget) throw new ChangeRejected(`${incident.target} has no scalable target any more: its desired count is left as it is`);
        return { ...now.scalableTarget, desiredCount: now.desiredCount };
      },
      mutate: async (_before, now) => {
        if (now.minCapacity >= to.minCapacity) throw new ChangeRejected(`the minimum of ${incident.target} is ${now.minCapacity} since the diagnosis, at or above the ${to.minCapacity} approved: it is neither lowered nor raised`);
        if (now.maxCapacity > to.maxCapacity) throw new ChangeRejected(`the maximum of ${incident.target} is ${now.maxCapacity} since the diagnosis, above the ${to.maxCapacity} approved: it is not lowered`);
        const range = await capacity.targets.register(key, to);
        // Application Auto Scaling moves the desired count into the new range at once.
        return { ...range, desiredCount: Math.min(Math.max(now.desiredCount ?? 0, range.minCapacity), range.maxCapacity) };
      },
      inEffect: (observed) => (observed.minCapacity === to.minCapacity && observed.maxCapacity === to.maxCapacity ? observed : undefined),
    }, { dryRun });
  }
  const to = planned.to;
  return performAction<Desired, Desired>(ledger, incident, execution, {
    step: 'scale', operation: planned.operation, target: incident.target, parameters, intended: to,
    readBefore: async () => ({ desiredCount: (await capacity.read(key)).desiredCount }),
    mutate: async (_before, now) => {
      if (now.desiredCount >= to.desiredCount) throw new ChangeRejected(`the desired count of ${incident.target} is ${now.desiredCount} since the diagnosis, at or above the ${to.desiredCount} approved: it is neither lowered nor raised`);
      // A scalable target registered since would reset a desired count outside its range: its minimum is the lever then.
      if ((await capacity.targets.read(key)) !== null) throw new ChangeRejected(`${incident.target} has a scalable target since the diagnosis: its minimum, not the desired count, must be raised`);
      return { desiredCount: (await capacity.services.setDesiredCount(key, to.desiredCount)).desiredCount };
    },
    inEffect: (observed) => (observed.desiredCount === to.desiredCount ? to : undefined),
  }, { dryRun });
});
