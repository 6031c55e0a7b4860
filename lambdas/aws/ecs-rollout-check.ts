/**
 * Watching a forced deployment roll out, as a runbook step polled by its state machine: the check
 * of every runbook that redeploys a service and waits for it (runbooks/<name>/handlers/...).
 */
import * as z from '../shared/zod';
import { requirePositiveIntegerEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { stepInputSchema } from '../shared/task-input';
import { EcsServiceClient, parseServiceKey, rolloutProgress, SERVICE_KEY, type RolloutProgress } from './ecs';

const checkInputSchema = z.extend(stepInputSchema, {
  attempt: z.int().check(z.nonnegative()),
  /** The service watched, when it is not the incident's target (a database's services, one after another). */
  target: z.optional(z.string().check(z.regex(SERVICE_KEY, 'a "cluster/service" key'))),
});

export interface RolloutCheck extends RolloutProgress {
  readonly pollSeconds: number;
  readonly service: {
    readonly key: string;
    readonly desiredCount: number;
    readonly runningCount: number;
    readonly rolloutState: string | null;
    readonly deploymentId: string | null;
  };
}

/** One poll of a service's forced rollout: done, failed (the circuit breaker), or out of `timeoutSeconds`. */
export async function checkRollout(services: EcsServiceClient, key: string, attempt: number, pollSeconds: number, timeoutSeconds: number): Promise<RolloutCheck> {
  const service = await services.describe(parseServiceKey(key));
  return {
    ...rolloutProgress(service, attempt, pollSeconds, timeoutSeconds),
    pollSeconds,
    service: {
      key,
      desiredCount: service.desiredCount,
      runningCount: service.runningCount,
      rolloutState: service.primary?.rolloutState ?? null,
      deploymentId: service.primary?.id ?? null,
    },
  };
}

/**
 * Verify: polled until the forced rollout completes with every desired task running, fails (the
 * circuit breaker) or runs out of ROLLOUT_TIMEOUT_SECONDS, POLL_SECONDS apart.
 */
export function rolloutCheckHandler() {
  const timeoutSeconds = requirePositiveIntegerEnv('ROLLOUT_TIMEOUT_SECONDS');
  const pollSeconds = requirePositiveIntegerEnv('POLL_SECONDS');
  const services = new EcsServiceClient();
  return taskHandler(checkInputSchema, ({ incident, attempt, target }) => checkRollout(services, target ?? incident.target, attempt, pollSeconds, timeoutSeconds));
}
