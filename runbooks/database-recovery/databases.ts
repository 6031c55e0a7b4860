/**
 * The configured databases as database-recovery's handlers know them (DATABASES, from config), and
 * what one reading of a database and its services shows.
 */
import * as z from '../../lambdas/shared/zod';
import { EcsServiceClient, parseServiceKey } from '../../lambdas/aws/ecs';
import type { DatabaseClient } from '../../lambdas/aws/rds';
import { requireJsonEnv } from '../../lambdas/shared/env';
import { TargetNotAllowed } from '../../lambdas/shared/errors';
import { serviceHealth, type DatabaseState, type ServiceHealth } from './recovery-plan';

const databaseSchema = z.object({
  kind: z.enum(['instance', 'cluster']),
  /** "cluster/service", in the order they are restarted. */
  services: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  maxConnections: z.optional(z.int().check(z.positive())),
  parameterGroup: z.optional(z.string().check(z.minLength(1))),
});
export type ConfiguredDatabase = z.infer<typeof databaseSchema>;

/** DATABASES: each configured database by its identifier (the incident's target). */
export function configuredDatabases(): (identifier: string) => ConfiguredDatabase {
  const databases = requireJsonEnv('DATABASES', (raw) => z.record(z.string(), databaseSchema).parse(raw));
  return (identifier) => {
    const db = databases[identifier];
    if (!db) throw new TargetNotAllowed(`${identifier} is not a configured database of database-recovery`);
    return db;
  };
}

/** The database as RDS reports it now. */
export async function readDatabase(rds: DatabaseClient, identifier: string, db: ConfiguredDatabase): Promise<DatabaseState> {
  if (db.kind === 'cluster') {
    const c = await rds.cluster(identifier);
    return { kind: 'cluster', identifier, status: c.status, multiAZ: c.multiAZ, where: c.writer ? `writer ${c.writer}` : 'no writer', parameterGroup: null };
  }
  const i = await rds.instance(identifier);
  const zones = i.availabilityZone ? `primary in ${i.availabilityZone}${i.secondaryAvailabilityZone ? `, standby in ${i.secondaryAvailabilityZone}` : ''}` : '';
  return { kind: 'instance', identifier, status: i.status, multiAZ: i.multiAZ, where: zones, parameterGroup: i.parameterGroups[0]?.name ?? null };
}

/** Each configured service that uses the database, in config's order (one that is gone is TargetNotFound). */
export async function readServices(ecs: EcsServiceClient, db: ConfiguredDatabase): Promise<ServiceHealth[]> {
  const out: ServiceHealth[] = [];
  for (const key of db.services) out.push(serviceHealth(key, await ecs.describe(parseServiceKey(key))));
  return out;
}
