import * as z from '../../../lambdas/shared/zod';
import { EcsServiceClient } from '../../../lambdas/aws/ecs';
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

const inputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.nonnegative()) });

export interface FailoverCheck extends FailoverWatch {
  readonly pollSeconds: number;
  readonly database: DatabaseState;
  readonly services: readonly ServiceHealth[];
}

/**
 * Verify after a failover RDS made by itself (seed 004 "Database Failover: verify connections"):
 * polled until the database is available and every service that uses it runs its desired tasks
 * with no rollout under way, or the watch runs out. Reads only: nothing here fails over or reboots.
 */
export const handler = taskHandler(inputSchema, async ({ incident, attempt }): Promise<FailoverCheck> => {
  const db = databases(incident.target);
  const database = await readDatabase(rds, incident.target, db);
  const services = await readServices(ecs, db);
  return { ...failoverProgress(database, services, attempt, POLL_SECONDS, WATCH_SECONDS), pollSeconds: POLL_SECONDS, database, services };
});
