/**
 * database-recovery (seed 004 "Database Failover", "Connection Pool Exhausted"; seed 001 F): a
 * configured RDS database that failed over (an RDS DB Instance or DB Cluster Event in the failover
 * category) is verified, changing nothing: RDS fails over by itself, and no role here may fail it
 * over or reboot it. A DB instance whose DatabaseConnections alarm fires near max_connections gets
 * the seed's "restart services": a forced deployment of each configured service that uses it, one
 * at a time, as approved, each rollout watched to completion before the next; its max_connections
 * is read and told. A forced deployment has no inverse: no undo.
 */
import { z } from 'zod';
import { gatePolicy, resourceName, runbookBase, verifySchema } from '../config';
import { ECS_UPDATE_SERVICE_CHANGES, json, scoped, type Arns, type HandlerDef, type Permission } from '../kit';
import { defineRunbook } from '../module';
import definition from './statemachine';

/** An RDS DB instance or cluster identifier: letters, digits and hyphens, starting with a letter. */
const dbIdentifier = z.string().min(1).max(63).regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'an RDS identifier (letters, digits and hyphens, starting with a letter)');
const service = z.strictObject({ clusterName: resourceName, serviceName: resourceName });
const serviceKey = (s: { clusterName: string; serviceName: string }) => `${s.clusterName}/${s.serviceName}`;
/** The ECS services that use the database, in the order they are restarted (one at a time). */
const services = z.array(service).min(1).max(10).refine((list) => new Set(list.map(serviceKey)).size === list.length, 'each service once');

const instanceTarget = z.strictObject({
  dbInstanceIdentifier: dbIdentifier,
  /** max_connections as its parameter group sets it: the connections alarm's threshold is a share of it (a number the stack needs at synth). */
  maxConnections: z.number().int().min(6).max(262_143),
  /** Its DB parameter group: max_connections is read there (the only group the runbook may read). Absent: not read. */
  parameterGroup: resourceName.optional(),
  services,
});
/** An Aurora or Multi-AZ DB cluster: its failover events are verified (its connections alarm is per instance). */
const clusterTarget = z.strictObject({ dbClusterIdentifier: dbIdentifier, services });
type Target = z.infer<typeof instanceTarget> | z.infer<typeof clusterTarget>;

const config = z.strictObject({
  ...runbookBase,
  targets: z.array(z.union([instanceTarget, clusterTarget])).min(1)
    .refine((list) => new Set(list.map(identifierOf)).size === list.length, 'each database once'),
  /** The connections alarm fires at this share of max_connections. */
  connectionsAlarmPercent: z.number().int().min(50).max(100).default(90),
  /** Seed 004: Connection Pool Exhausted is High. */
  restart: z.strictObject({
    approval: gatePolicy.default({ severity: 'P2', onTimeout: 'abort' }),
  }).default({ approval: { severity: 'P2', onTimeout: 'abort' } }),
  /** Each forced rollout, and the database and its services after a failover, watched this long at most. */
  watch: z.strictObject({
    pollSeconds: z.number().int().min(5).max(300).default(30),
    timeoutMinutes: z.number().int().min(1).max(120).default(20),
  }).default({ pollSeconds: 30, timeoutMinutes: 20 }),
  verify: verifySchema('not-cleared'),
});
export type DatabaseRecoveryConfig = z.infer<typeof config>;

function identifierOf(t: Target): string {
  return 'dbInstanceIdentifier' in t ? t.dbInstanceIdentifier : t.dbClusterIdentifier;
}
const instances = (c: DatabaseRecoveryConfig) => c.targets.flatMap((t) => ('dbInstanceIdentifier' in t ? [t] : []));
const clusters = (c: DatabaseRecoveryConfig) => c.targets.flatMap((t) => ('dbClusterIdentifier' in t ? [t] : []));
const serviceArns = (c: DatabaseRecoveryConfig, arns: Arns) => [...new Set(c.targets.flatMap((t) => t.services.map((s) => arns.ecsService(s.clusterName, s.serviceName))))];
const describeServices = (c: DatabaseRecoveryConfig, arns: Arns): Permission => ({ actions: ['ecs:DescribeServices'], resources: serviceArns(c, arns) });
/** The database reads: DescribeDBInstances on the instances, DescribeDBClusters on the clusters (only what is configured). */
const readDatabases = (c: DatabaseRecoveryConfig, arns: Arns): Permission[] => scoped([
  { actions: ['rds:DescribeDBInstances'], resources: instances(c).map((t) => arns.rdsInstance(t.dbInstanceIdentifier)) },
  { actions: ['rds:DescribeDBClusters'], resources: clusters(c).map((t) => arns.rdsCluster(t.dbClusterIdentifier)) },
]);

/** DATABASES, as the handlers read it (runbooks/database-recovery/databases.ts). */
const databases = (c: DatabaseRecoveryConfig) => json(Object.fromEntries(c.targets.map((t) => [identifierOf(t), {
  kind: 'dbInstanceIdentifier' in t ? 'instance' : 'cluster', services: t.services.map(serviceKey),
  ...('dbInstanceIdentifier' in t ? { maxConnections: t.maxConnections, ...(t.parameterGroup ? { parameterGroup: t.parameterGroup } : {}) } : {}),
}])));

export default defineRunbook({
  name: 'database-recovery',
  answers: ['database-failover', 'connection-pool-exhausted', 'stateful-failover'],
  config,
  targets: (c) => c.targets.map(identifierOf),
  trigger: {
    kind: 'alarm',
    // Connections near max_connections, of a DB instance (RDS publishes DatabaseConnections per instance).
    route: { selectors: [{ namespaces: ['AWS/RDS'], metricNames: ['DatabaseConnections'], alarmedMetricOnly: false }], targetDimensions: ['DBInstanceIdentifier'] },
    dimensions: (c) => instances(c).map((t) => ({ DBInstanceIdentifier: t.dbInstanceIdentifier })),
  },
  events: {
    kind: 'event',
    // RDS-EVENT-0013/0015/0049 (instance) and RDS-EVENT-0071/0072/0073 (cluster) are all in the failover category.
    routes: [
      { event: 'rds-instance-event', detail: { EventCategories: ['failover'] } },
      { event: 'rds-cluster-event', detail: { EventCategories: ['failover'] } },
    ],
    // Rules filter on SourceArn (an instance event names a db: ARN, a cluster event a cluster: ARN).
    targetValues: ({ config: c, arns }) => [...instances(c).map((t) => arns.rdsInstance(t.dbInstanceIdentifier)), ...clusters(c).map((t) => arns.rdsCluster(t.dbClusterIdentifier))],
  },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({ RestartApprovalTimeoutSeconds: String(deadlineSeconds(c.restart.approval.severity)) }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    return [
      {
        id: 'DatabaseRecoveryInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/database-recovery/handlers/inspect.ts', usesLedger: false,
        description: 'database-recovery: read the database and the services that use it',
        environment: { DATABASES: databases(c) },
        permissions: [...readDatabases(c, arns), describeServices(c, arns)],
      },
      {
        id: 'DatabaseRecoveryMaxConnections', substitution: 'MaxConnectionsFunctionArn', entry: 'runbooks/database-recovery/handlers/max-connections.ts', usesLedger: false,
        description: "database-recovery: read max_connections of the instance's parameter group",
        environment: { DATABASES: databases(c) },
        permissions: scoped([{ actions: ['rds:DescribeDBParameters'], resources: [...new Set(instances(c).flatMap((t) => (t.parameterGroup ? [arns.rdsParameterGroup(t.parameterGroup)] : [])))] }]),
      },
      ctx.approvalRequest('DatabaseRecoveryApprovalRequest'),
      {
        id: 'DatabaseRecoveryRestart', substitution: 'RestartFunctionArn', entry: 'runbooks/database-recovery/handlers/restart.ts', usesLedger: true,
        description: 'database-recovery: force a new deployment of one service that uses the database, as approved',
        environment: { ALLOWED_TARGETS: json([...new Set(c.targets.flatMap((t) => t.services.map(serviceKey)))]), REDEPLOY_ON_TIMEOUT: c.restart.approval.onTimeout },
        permissions: [{ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: serviceArns(c, arns) }],
      },
      {
        id: 'DatabaseRecoveryWatch', substitution: 'WatchFunctionArn', entry: 'runbooks/database-recovery/handlers/watch.ts', usesLedger: false,
        description: "database-recovery: watch a restarted service's rollout, or the database and its services after a failover",
        environment: { POLL_SECONDS: String(c.watch.pollSeconds), WATCH_TIMEOUT_SECONDS: String(c.watch.timeoutMinutes * 60), DATABASES: databases(c) },
        permissions: [...readDatabases(c, arns), describeServices(c, arns)],
      },
      ctx.verifyAlarm('DatabaseRecoveryVerify', c.verify),
    ];
  },
  gates: [{ step: 'restart', policyAt: ['restart', 'approval'] }],
  approvalPage: {
    // The page re-reads each planned service: its tasks and rollout now.
    permissions: ({ config: c, arns }) => [describeServices(c, arns)],
  },
  alarms: (c) => instances(c).map((t) => ({
    id: `${t.dbInstanceIdentifier}-connections-near-max`,
    description: `Seed 004 "Connection Pool Exhausted": ${t.dbInstanceIdentifier} holds ${c.connectionsAlarmPercent} % of its max_connections (${t.maxConnections}) or more. Starts database-recovery.`,
    metric: { namespace: 'AWS/RDS', metricName: 'DatabaseConnections', dimensions: { DBInstanceIdentifier: t.dbInstanceIdentifier }, statistic: 'Maximum', periodMinutes: 1 },
    threshold: Math.floor((t.maxConnections * c.connectionsAlarmPercent) / 100),
    comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'notBreaching',
  })),
  drill: {
    // tradai-prod-db's connections near max_connections: the strategy service's tasks leak pooled connections.
    event: 'events/database-recovery.alarm.json',
    samples: ['events/samples/database-recovery-instance-failover.event.json', 'events/samples/database-recovery-cluster-failover.event.json'],
    scenarios: ['drill/scenarios/tradai-strategy-rollout-fails.json', 'drill/scenarios/tradai-db-failing-over.json'],
    changes: { 'ecs:UpdateService': ECS_UPDATE_SERVICE_CHANGES },
    // admit -> database and services -> max_connections -> approval (auto here) -> per service: re-read, UpdateService, rollout polls -> alarm back to OK? -> notify
    calls: [
      { call: 'rds:DescribeDBInstances', state: 'Read the database and its services' },
      { call: 'ecs:DescribeServices', state: 'Read the database and its services' },
      { call: 'rds:DescribeDBParameters', state: 'Read max_connections', bestEffort: true },
      { call: 'ecs:UpdateService', state: 'Force new deployment', mutates: true },
      { call: 'cloudwatch:DescribeAlarms', state: 'Check alarm state' },
      { call: 'sns:Publish', state: 'Notify remediated' },
    ],
  },
});
