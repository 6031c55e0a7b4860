import { EcsServiceClient } from '../../../lambdas/aws/ecs';
import { DatabaseClient } from '../../../lambdas/aws/rds';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { configuredDatabases, readDatabase, readServices } from '../databases';
import { planRecovery, triggerOf, type DatabaseState, type DatabaseTrigger, type RecoveryPlan, type ServiceHealth } from '../recovery-plan';

const databases = configuredDatabases();
const rds = new DatabaseClient();
const ecs = new EcsServiceClient();

export interface DatabaseDiagnosis {
  readonly trigger: DatabaseTrigger;
  readonly database: DatabaseState;
  readonly services: readonly ServiceHealth[];
  readonly plan: RecoveryPlan;
  /** One line for the notification. */
  readonly summary: string;
}

/**
 * Diagnose (seed 004 "Database Failover: check RDS events, verify connections"; "Connection Pool
 * Exhausted: restart services"): the database as RDS reports it (DescribeDBInstances or
 * DescribeDBClusters), each configured service that uses it (DescribeServices), and the plan:
 * verify a failover, or restart the services one at a time, or why not.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<DatabaseDiagnosis> => {
  const db = databases(incident.target);
  const trigger = triggerOf(incident);
  const database = await readDatabase(rds, incident.target, db);
  const services = await readServices(ecs, db);
  const plan = planRecovery(trigger, database, services);
  // A failover is told by its event (the watch tells the rest); anything else by the plan.
  const summary = trigger === 'failover' ? `RDS: ${(incident.source.reason ?? `a failover event on ${incident.target}`).replace(/\.?$/, '.')}` : plan.reason;
  return { trigger, database, services, plan, summary };
});
