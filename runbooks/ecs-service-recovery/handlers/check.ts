import * as z from '../../../lambdas/shared/zod';
import { rolloutProgress, type RolloutProgress } from '../../../lambdas/aws/ecs';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { EcsServiceClient, parseServiceKey } from '../../../lambdas/aws/ecs';

const ROLLOUT_TIMEOUT_SECONDS = requirePositiveIntegerEnv('ROLLOUT_TIMEOUT_SECONDS');
const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const services = new EcsServiceClient();

const checkInputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.nonnegative()) });

export interface RolloutCheck extends RolloutProgress {
  readonly pollSeconds: number;
  readonly service: {
    readonly desiredCount: number;
    readonly runningCount: number;
    readonly rolloutState: string | null;
    readonly deploymentId: string | null;
  };
}

/** Verify: polled by the state machine until the forced rollout completes, fails or runs out of time. */
export const handler = taskHandler(checkInputSchema, async ({ incident, attempt }): Promise<RolloutCheck> => {
  const service = await services.describe(parseServiceKey(incident.target));
  return {
    ...rolloutProgress(service, attempt, POLL_SECONDS, ROLLOUT_TIMEOUT_SECONDS),
    pollSeconds: POLL_SECONDS,
    service: {
      desiredCount: service.desiredCount,
      runningCount: service.runningCount,
      rolloutState: service.primary?.rolloutState ?? null,
      deploymentId: service.primary?.id ?? null,
    },
  };
});
