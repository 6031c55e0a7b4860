import * as z from '../../../lambdas/shared/zod';
import { EcsServiceClient, rolloutProgress, type RolloutProgress } from '../../../lambdas/aws/ecs';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { failedDeploymentOf } from '../failed-deployment';

const ROLLOUT_TIMEOUT_SECONDS = requirePositiveIntegerEnv('ROLLOUT_TIMEOUT_SECONDS');
const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const services = new EcsServiceClient();

const inputSchema = z.extend(stepInputSchema, {
  attempt: z.int().check(z.nonnegative()),
  /** The task definition that failed: a rollout of it is no rollback. */
  failedTaskDefinition: z.nullable(z.string()),
});

export interface RollbackCheck extends RolloutProgress {
  readonly pollSeconds: number;
  readonly service: {
    readonly taskDefinition: string | null;
    readonly desiredCount: number;
    readonly runningCount: number;
    readonly rolloutState: string | null;
    readonly deploymentId: string | null;
  };
}

/**
 * Verify: the rollback's rollout (this runbook's, or the one ECS's circuit breaker started), polled
 * until it completes with every desired task running on a task definition other than the one that
 * failed, fails, or runs out of the watch.
 */
export const handler = taskHandler(inputSchema, async ({ incident, attempt, failedTaskDefinition }): Promise<RollbackCheck> => {
  const { key } = failedDeploymentOf(incident);
  const service = await services.describe(key);
  return {
    ...rolloutProgress(service, attempt, POLL_SECONDS, ROLLOUT_TIMEOUT_SECONDS, service.taskDefinition !== failedTaskDefinition),
    pollSeconds: POLL_SECONDS,
    service: {
      taskDefinition: service.taskDefinition, desiredCount: service.desiredCount, runningCount: service.runningCount,
      rolloutState: service.primary?.rolloutState ?? null, deploymentId: service.primary?.id ?? null,
    },
  };
});
