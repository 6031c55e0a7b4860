import * as z from '../../../lambdas/shared/zod';
import { EcsServiceClient, parseServiceKey, rolloutProgress, type RolloutProgress } from '../../../lambdas/aws/ecs';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';

const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const SCALE_TIMEOUT_SECONDS = requirePositiveIntegerEnv('SCALE_TIMEOUT_SECONDS');
const services = new EcsServiceClient();

const inputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.gte(0)) });

export interface ScaleCheck extends RolloutProgress {
  readonly pollSeconds: number;
  readonly service: { readonly desiredCount: number; readonly runningCount: number; readonly pendingCount: number };
}

/** Polled until the service runs every desired task (the new ones started), fails its rollout or runs out of time. */
export const handler = taskHandler(inputSchema, async ({ incident, attempt }): Promise<ScaleCheck> => {
  const service = await services.describe(parseServiceKey(incident.target));
  return {
    ...rolloutProgress(service, attempt, POLL_SECONDS, SCALE_TIMEOUT_SECONDS), pollSeconds: POLL_SECONDS,
    service: { desiredCount: service.desiredCount, runningCount: service.runningCount, pendingCount: service.pendingCount },
  };
});
