import * as z from '../../../lambdas/shared/zod';
import { EcsServiceClient, parseServiceKey, rolloutProgress, type RolloutProgress } from '../../../lambdas/aws/ecs';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';

const ROLLOUT_TIMEOUT_SECONDS = requirePositiveIntegerEnv('ROLLOUT_TIMEOUT_SECONDS');
const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const services = new EcsServiceClient();

const inputSchema = z.extend(stepInputSchema, {
  attempt: z.int().check(z.nonnegative()),
  /** The task definition the rollout must finish on. */
  taskDefinition: z.string().check(z.minLength(1)),
});

export interface RolloutCheck extends RolloutProgress {
  readonly pollSeconds: number;
  readonly service: { readonly taskDefinition: string | null; readonly desiredCount: number; readonly runningCount: number; readonly rolloutState: string | null };
}

/** Verify: the rollout completes with every desired task on the permissive revision, fails, or runs out of the watch. */
export const handler = taskHandler(inputSchema, async ({ incident, attempt, taskDefinition }): Promise<RolloutCheck> => {
  const service = await services.describe(parseServiceKey(incident.target));
  return {
    ...rolloutProgress(service, attempt, POLL_SECONDS, ROLLOUT_TIMEOUT_SECONDS, service.taskDefinition === taskDefinition), pollSeconds: POLL_SECONDS,
    service: { taskDefinition: service.taskDefinition, desiredCount: service.desiredCount, runningCount: service.runningCount, rolloutState: service.primary?.rolloutState ?? null },
  };
});
