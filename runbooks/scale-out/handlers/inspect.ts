import { parseServiceKey } from '../../../lambdas/aws/ecs';
import { QueueClient } from '../../../lambdas/aws/sqs';
import type { CapacityRange } from '../../../lambdas/aws/application-autoscaling';
import { requireJsonEnv } from '../../../lambdas/shared/env';
import { TargetNotAllowed, TargetNotFound } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { capacityPoliciesSchema, changeParameters, planCapacity, type CapacityPlan } from '../capacity-plan';
import { ServiceCapacity } from '../service-capacity';

const POLICIES = requireJsonEnv('CAPACITY_POLICIES', (raw) => capacityPoliciesSchema.parse(raw));
const capacity = new ServiceCapacity();
const queues = new QueueClient();

export interface CapacityDiagnosis {
  readonly cluster: string;
  readonly service: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly scalableTarget: CapacityRange | null;
  readonly scaleOutTasks: number;
  readonly ceilingTasks: number;
  /** The worker queue's backlog (ApproximateNumberOfMessages); null where none is configured. */
  readonly queue: { readonly queueArn: string; readonly messagesVisible: number } | null;
  /** The decision, with the exact call when it scales out (what the gate shows and the act sends). */
  readonly plan: CapacityPlan & { readonly operation: string | null; readonly parameters: Record<string, unknown> | null };
}

/**
 * The configured queue's backlog. A queue that does not exist (QueueDoesNotExist) is not an empty
 * backlog: the configuration no longer describes the account (the queue deleted or renamed, the
 * workers pointed elsewhere), so the runbook escalates rather than scale workers for it.
 */
async function backlog(queueArn: string, target: string): Promise<number> {
  const visible = await queues.messagesVisible(queueArn);
  if (visible === null) throw new TargetNotFound(`queue ${queueArn}, which ${target} drains by its configuration, does not exist: capacity is left as it is`);
  return visible;
}

/**
 * Diagnose (seed 001 C, seed 004 "ECS Memory High"): the service's desired and running counts, its
 * scalable target's range, the queue's backlog, and what the runbook would do about it.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<CapacityDiagnosis> => {
  const policy = POLICIES[incident.target];
  if (!policy) throw new TargetNotAllowed(`${incident.target} is not a configured target of scale-out`);
  const key = parseServiceKey(incident.target);
  const now = await capacity.read(key);
  const queue = policy.queueArn ? { queueArn: policy.queueArn, messagesVisible: await backlog(policy.queueArn, incident.target) } : null;
  const plan = planCapacity(now, policy);
  return {
    cluster: key.cluster, service: key.service, desiredCount: now.desiredCount, runningCount: now.runningCount, pendingCount: now.service.pendingCount,
    scalableTarget: now.scalableTarget, scaleOutTasks: policy.scaleOutTasks, ceilingTasks: policy.ceilingTasks, queue,
    plan: { ...plan, operation: plan.change?.operation ?? null, parameters: plan.change ? changeParameters(key, plan.change) : null },
  };
});
