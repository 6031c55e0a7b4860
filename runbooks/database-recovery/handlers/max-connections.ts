import * as z from '../../../lambdas/shared/zod';
import { DatabaseClient } from '../../../lambdas/aws/rds';
import { AwsThrottled, AwsUnavailable } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { configuredDatabases } from '../databases';
import { maxConnectionsFinding, type MaxConnectionsRead } from '../recovery-plan';

const databases = configuredDatabases();
const rds = new DatabaseClient();

/** The DB parameter group the instance uses now (from the diagnosis), null for a cluster. */
const inputSchema = z.extend(stepInputSchema, { inUse: z.nullable(z.string()) });

const notRead = (configured: number | null, why: string): MaxConnectionsRead => ({ parameterGroup: null, value: null, configured, summary: `max_connections not read: ${why}` });

/**
 * Diagnose, best effort (seed 004 "Connection Pool Exhausted: check max_connections"): the
 * max_connections of the instance's DB parameter group, one filtered DescribeDBParameters, against
 * what config says. Read only on the parameter group config names (the role may read no other),
 * and only while the instance uses it. Throttling and 5xx are thrown so the state machine retries
 * (and after its retries goes on without it); anything else is reported as "evidence unavailable".
 */
export const handler = taskHandler(inputSchema, async ({ incident, inUse }): Promise<MaxConnectionsRead> => {
  const db = databases(incident.target);
  const configured = db.maxConnections ?? null;
  if (db.kind === 'cluster') return notRead(configured, `${incident.target} is a DB cluster: Aurora sets max_connections per instance, in each instance's parameter group`);
  if (!db.parameterGroup) return notRead(configured, `config names no parameterGroup for ${incident.target}`);
  if (inUse !== db.parameterGroup) return notRead(configured, `${incident.target} uses parameter group ${inUse ?? 'none'}, not ${db.parameterGroup} as config says`);
  try {
    return maxConnectionsFinding(db.parameterGroup, await rds.parameter(db.parameterGroup, 'max_connections'), configured);
  } catch (e: unknown) {
    if (e instanceof AwsThrottled || e instanceof AwsUnavailable) throw e;
    return { ...notRead(configured, ''), summary: `max_connections: evidence unavailable: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
});
