/**
 * What database-recovery does (seed 004 "Database Failover", "Connection Pool Exhausted"; seed 001
 * F), decided from what diagnosis read. Pure: no AWS here.
 *
 * RDS fails over by itself: a failover event is answered by verifying the database serves again
 * and its services are healthy, never by another failover. A connections alarm is answered as the
 * seed does, "restart services": a forced deployment of each configured service that uses the
 * database, one at a time.
 */
import { rolloutComplete, type ServiceView } from '../../lambdas/aws/ecs';
import type { Incident } from '../../lambdas/shared/task-input';

/** What started the run: an RDS failover event, or an alarm on the database's connections. */
export type DatabaseTrigger = 'failover' | 'connections';

/** The RDS events, as admit names an incident's source (its detail-type). */
const RDS_EVENTS = ['RDS DB Instance Event', 'RDS DB Cluster Event'];

export const triggerOf = (incident: Incident): DatabaseTrigger => (RDS_EVENTS.includes(incident.source.name) ? 'failover' : 'connections');

/** The database as DescribeDBInstances or DescribeDBClusters showed it. */
export interface DatabaseState {
  readonly kind: 'instance' | 'cluster';
  readonly identifier: string;
  readonly status: string;
  readonly multiAZ: boolean;
  /** Where it serves from: an instance's zone (and its standby's), a cluster's writer. */
  readonly where: string;
  /** An instance's DB parameter group (where max_connections is set); null for a cluster. */
  readonly parameterGroup: string | null;
}

export interface ServiceHealth {
  /** "cluster/service". */
  readonly key: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly rolloutState: string | null;
  /** Running every desired task, its rollout over. */
  readonly healthy: boolean;
}

export function serviceHealth(key: string, s: ServiceView): ServiceHealth {
  return {
    key, desiredCount: s.desiredCount, runningCount: s.runningCount, rolloutState: s.primary?.rolloutState ?? null,
    healthy: s.runningCount === s.desiredCount && rolloutComplete(s),
  };
}

const described = (h: ServiceHealth) => `${h.key} ${h.runningCount}/${h.desiredCount} tasks${h.rolloutState ? ` rollout ${h.rolloutState}` : ''}`;

export const describeDatabase = (d: DatabaseState): string =>
  `${d.kind === 'instance' ? 'DB instance' : 'DB cluster'} ${d.identifier} is ${d.status}${d.where ? ` (${d.where})` : ''}`;

export type RecoveryDecision = 'verify-failover' | 'restart' | 'database-unavailable' | 'service-unsettled';

/** One forced deployment of the plan, exactly as UpdateService is called (the approvers see these). */
export interface Redeploy {
  readonly cluster: string;
  readonly service: string;
  readonly forceNewDeployment: true;
}

export interface RecoveryPlan {
  readonly decision: RecoveryDecision;
  readonly reason: string;
  /** The forced deployments, in order (config's), one at a time; empty unless the decision is restart. */
  readonly redeploys: readonly Redeploy[];
  /** The same services as "cluster/service" keys, in the same order (the state machine steps through them). */
  readonly order: readonly string[];
}

/**
 * A failover: verify, change nothing. Connections near max_connections: restart the services that
 * use the database, one at a time, unless the database itself is not available (its connections
 * are not the services' pools then: a restart cannot help) or a service's rollout is not over (a
 * forced deployment would restart a rollout ECS is still deciding, or bring back one that failed).
 */
export function planRecovery(trigger: DatabaseTrigger, database: DatabaseState, services: readonly ServiceHealth[]): RecoveryPlan {
  const none = { redeploys: [], order: [] };
  if (trigger === 'failover') {
    return {
      ...none, decision: 'verify-failover',
      reason: `RDS failed over ${database.identifier} by itself: verifying it is available and its services healthy (${services.map((s) => s.key).join(', ')}); a failover is never answered with another`,
    };
  }
  if (database.status !== 'available') {
    return {
      ...none, decision: 'database-unavailable',
      reason: `${describeDatabase(database)}, not available: restarting its services cannot help until it serves again; nothing restarted`,
    };
  }
  const unsettled = services.filter((s) => s.rolloutState === 'IN_PROGRESS' || s.rolloutState === 'FAILED');
  if (unsettled.length > 0) {
    return {
      ...none, decision: 'service-unsettled',
      reason: `${unsettled.map(described).join('; ')}: a forced deployment would restart a rollout ECS is still deciding or bring back one that failed; nothing restarted`,
    };
  }
  const redeploys = services.map((s): Redeploy => {
    const [cluster = '', service = ''] = s.key.split('/');
    return { cluster, service, forceNewDeployment: true };
  });
  return {
    decision: 'restart', redeploys, order: services.map((s) => s.key),
    reason: `connections of ${database.identifier} near max_connections: restarting the ${services.length} service(s) that use it, one at a time (${services.map(described).join('; ')})`,
  };
}

export interface FailoverWatch {
  readonly attempt: number;
  readonly done: boolean;
  readonly timedOut: boolean;
  readonly summary: string;
}

/**
 * After a failover: done once the database is available and every service runs its desired tasks
 * with its rollout over; given up when the polls add up to the watch.
 */
export function failoverProgress(database: DatabaseState, services: readonly ServiceHealth[], attempt: number, pollSeconds: number, watchSeconds: number): FailoverWatch {
  const next = attempt + 1;
  const unhealthy = services.filter((s) => !s.healthy);
  const done = database.status === 'available' && unhealthy.length === 0;
  const servicesNow = services.length === 0 ? 'no service configured' : services.map(described).join('; ');
  const summary = done
    ? `RDS failed over by itself: ${describeDatabase(database)} and its services are healthy (${servicesNow}); nothing was changed`
    : `${describeDatabase(database)}${unhealthy.length > 0 ? `; not healthy: ${unhealthy.map(described).join('; ')}` : ''}`;
  return { attempt: next, done, timedOut: !done && next * pollSeconds >= watchSeconds, summary };
}

/** max_connections as the parameter group sets it, against what config says (the alarm's threshold is a share of it). */
export interface MaxConnectionsRead {
  /** The parameter group read; null when none was. */
  readonly parameterGroup: string | null;
  /** The value as RDS reports it (a number, or a formula over the instance's memory); null when unset or not read. */
  readonly value: string | null;
  readonly configured: number | null;
  /** One line for the notification: the seed's "check max_connections". */
  readonly summary: string;
}

export function maxConnectionsFinding(group: string, parameter: { value: string | null; source: string | null } | null, configured: number | null): MaxConnectionsRead {
  const base = { parameterGroup: group, value: parameter?.value ?? null, configured };
  const against = configured === null ? '' : `; config says ${configured}`;
  if (parameter === null || parameter.value === null) {
    return { ...base, summary: `max_connections is not set in ${group}: the engine's default applies${against}` };
  }
  const value = parameter.value;
  if (!/^\d+$/.test(value)) {
    return { ...base, summary: `max_connections in ${group} is ${value} (${parameter.source ?? 'source unknown'}): RDS computes it from the instance's memory${against}` };
  }
  const differs = configured !== null && Number(value) !== configured
    ? `, not ${configured} as config says: the connections alarm's threshold is a share of the wrong number (set runbooks.database-recovery maxConnections to ${value})`
    : '';
  return { ...base, summary: `max_connections is ${value} in ${group} (${parameter.source ?? 'source unknown'})${differs || against}` };
}
