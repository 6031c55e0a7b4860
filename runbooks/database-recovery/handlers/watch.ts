import * as z from '../../../lambdas/shared/zod';
import { EcsServiceClient, SERVICE_KEY } from '../../../lambdas/aws/ecs';
import { checkRollout, type RolloutCheck } from '../../../lambdas/aws/ecs-rollout-check';
import { DatabaseClient } from '../../../lambdas/aws/rds';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { configuredDatabases, readDatabase, readServices } from '../databases';
import { failoverProgress, type DatabaseState, type FailoverWatch, type ServiceHealth } from '../recovery-plan';

const databases = configuredDatabases();
const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const WATCH_SECONDS = requirePositiveIntegerEnv('WATCH_TIMEOUT_SECONDS');
const rds = new DatabaseClient();
const ecs = new EcsServiceClient();

const attempt = z.int().check(z.nonnegative());
const inputSchema = z.discriminatedUnion('watch', [
  /** A restarted service's rollout (the shared rollout watch). */
  z.extend(stepInputSchema, { watch: z.literal('rollout'), attempt, target: z.string().check(z.regex(SERVICE_KEY, 'a "cluster/service" key')) }),
  /** The database and its services after a failover. */
  z.extend(stepInputSchema, { watch: z.literal('failover'), attempt }),
]);

export interface FailoverCheck extends FailoverWatch {
  readonly pollSeconds: number;
  readonly database: DatabaseState;
  readonly services: readonly ServiceHealth[];
}

/**
 * Verify, polled by the state machine (bounded by WATCH_TIMEOUT_SECONDS, POLL_SECONDS apart):
 * - `rollout`: one restarted service's forced rollout, until COMPLETED with every desired task
 *   running, FAILED, or out of time, before the next service is restarted;
 * - `failover` (seed 004 "Database Failover: verify connections"): after a failover RDS made by
 *   itself, until the database is available and every service that uses it runs its desired tasks
 *   with no rollout under way. Reads only: nothing here fails over or reboots.
 * One function for both watches: each function costs the stack several resources.
 */
export const handler = taskHandler(inputSchema, async (input): Promise<RolloutCheck | FailoverCheck> => {
  if (input.watch === 'rollout') return checkRollout(ecs, input.target, input.attempt, POLL_SECONDS, WATCH_SECONDS);
  const db = databases(input.incident.target);
  const database = await readDatabase(rds, input.incident.target, db);
  const services = await readServices(ecs, db);
  return { ...failoverProgress(database, services, input.attempt, POLL_SECONDS, WATCH_SECONDS), pollSeconds: POLL_SECONDS, database, services };
});
