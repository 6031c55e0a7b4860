import type { AccountState, EcsServiceState, RdsParameterGroupState } from './state';
import { minutesBefore } from './common';

/**
 * The TradAI databases (seed 004 "Database Failover", "Connection Pool Exhausted"; seed 001 F) and
 * the ECS services that use them:
 * - `tradai-prod-db`, a Multi-AZ PostgreSQL instance, available (it failed over to its standby in
 *   sa-east-1b a moment ago: the recorded RDS-EVENT-0049). Its parameter group sets max_connections
 *   to 400, and its connections are near it: the strategy service's current tasks leak pooled
 *   connections (170 each instead of 25), so its DatabaseConnections alarm is in ALARM. New tasks
 *   (a forced deployment) hold 25 again.
 * - `tradai-prod-marketdata`, an Aurora PostgreSQL cluster of two instances, available (its writer
 *   moved to -1 in the recorded RDS-EVENT-0071).
 * - ECS cluster `tradai-cluster-prod`: `tradai-prod-strategy-service` and
 *   `tradai-prod-data-collection-service`, 2 tasks each; both use tradai-prod-db, the data
 *   collection service the market data cluster too.
 * - The strategy service's heartbeat (seed 004 "Stale Heartbeat"): its application publishes
 *   `TradAI/Trading` `Heartbeat`, and the tasks of its current deployment (the leaking one) hung
 *   and stopped publishing, while ECS reports them running and the service steady. Its alarm,
 *   `tradai-prod-strategy-heartbeat-stale`, is in ALARM; new tasks publish again.
 */
export const TRADAI_CLUSTER = 'tradai-cluster-prod';
export const STRATEGY_SERVICE = 'tradai-prod-strategy-service';
export const DATA_COLLECTION_SERVICE = 'tradai-prod-data-collection-service';
export const TRADAI_DB = 'tradai-prod-db';
export const TRADAI_DB_PARAMETER_GROUP = 'tradai-prod-postgres16';
export const MARKETDATA_CLUSTER = 'tradai-prod-marketdata';
export const TRADAI_DB_CONNECTIONS_ALARM = 'tradai-prod-db-connections-near-max';
export const STRATEGY_HEARTBEAT_ALARM = 'tradai-prod-strategy-heartbeat-stale';
const HEARTBEAT = { namespace: 'TradAI/Trading', metricName: 'Heartbeat' } as const;
/** The deployment whose tasks leak connections: replaced by a forced deployment. */
export const STRATEGY_DEPLOYMENT = 'ecs-svc/3906142857193620481';
const DATA_COLLECTION_DEPLOYMENT = 'ecs-svc/6251937048512269384';
const REGION = 'sa-east-1';
const ACCOUNT = '111122223333';
const SECURITY_GROUP = 'sg-0a1b2c3d4e5f60718';

function service(now: Date, name: string, container: string, taskDefinition: string, deploymentId: string): EcsServiceState {
  return {
    status: 'ACTIVE', desiredCount: 2, runningCount: 2, pendingCount: 0, taskDefinition,
    containerName: container, containerImage: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name.replace(/^tradai-prod-/, 'tradai-')}:v2.3.0`, containerPort: 8000,
    targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name.slice(0, 24)}/4e1c9a7b2d0f6358`,
    failure: 'none', describesToSettle: 2, createdAt: minutesBefore(now, 60 * 24 * 120),
    tags: { Project: 'tradai', Environment: 'prod' },
    deployments: [{
      id: deploymentId, status: 'PRIMARY', rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${deploymentId} completed.`,
      taskDefinition, desiredCount: 2, runningCount: 2, pendingCount: 0, failedTasks: 0,
      createdAt: minutesBefore(now, 60 * 24 * 6), updatedAt: minutesBefore(now, 60 * 24 * 6 - 4),
    }],
    events: [{ id: `7d3e5f1a-2b4c-4d6e-8f0a-${Buffer.from(name).toString('hex').slice(0, 12)}`, createdAt: minutesBefore(now, 60 * 3), message: `(service ${name}) has reached a steady state.` }],
    // Running tasks for the counts are created when the sandbox starts.
    tasks: [],
  };
}

const MAX_CONNECTIONS_DESCRIPTION = 'Sets the maximum number of concurrent connections.';

function parameterGroups(): Record<string, RdsParameterGroupState> {
  const common = { applyType: 'static', dataType: 'integer', isModifiable: true } as const;
  return {
    [TRADAI_DB_PARAMETER_GROUP]: {
      family: 'postgres16', description: 'TradAI prod PostgreSQL 16',
      parameters: {
        max_connections: { ...common, value: '400', source: 'user', description: MAX_CONNECTIONS_DESCRIPTION, allowedValues: '6-262143' },
        shared_buffers: { ...common, value: '{DBInstanceClassMemory/32768}', source: 'system', description: 'Sets the number of shared memory buffers used by the server.', allowedValues: '16-1073741823' },
        idle_in_transaction_session_timeout: { ...common, applyType: 'dynamic', value: '0', source: 'engine-default', description: 'Sets the maximum allowed duration of any idling transaction.', allowedValues: '0-2147483647' },
      },
    },
    'tradai-prod-aurora-postgresql16': {
      family: 'aurora-postgresql16', description: 'TradAI prod Aurora PostgreSQL 16 instances',
      parameters: {
        max_connections: { ...common, value: 'LEAST({DBInstanceClassMemory/9531392},5000)', source: 'system', description: MAX_CONNECTIONS_DESCRIPTION, allowedValues: '6-262143' },
      },
    },
  };
}

/** Adds the TradAI databases, the services that use them and the connections alarm to a seeded account. */
export function seedTradaiDatabases(state: AccountState, now: Date): void {
  const cluster = (state.ecs.clusters[TRADAI_CLUSTER] ??= { services: {} });
  cluster.services[STRATEGY_SERVICE] = {
    ...service(now, STRATEGY_SERVICE, 'strategy', `${STRATEGY_SERVICE}:31`, STRATEGY_DEPLOYMENT),
    heartbeat: { ...HEARTBEAT, staleDeployments: [STRATEGY_DEPLOYMENT] },
  };
  cluster.services[DATA_COLLECTION_SERVICE] = service(now, DATA_COLLECTION_SERVICE, 'data-collection', `${DATA_COLLECTION_SERVICE}:18`, DATA_COLLECTION_DEPLOYMENT);
  const created = minutesBefore(now, 60 * 24 * 300);
  const aurora = (writer: boolean, zone: string) => ({
    engine: 'aurora-postgresql', engineVersion: '16.4', instanceClass: 'db.r6g.large', status: 'available', multiAZ: false,
    availabilityZone: zone, parameterGroup: 'tradai-prod-aurora-postgresql16', clusterIdentifier: MARKETDATA_CLUSTER, port: 5432, createdAt: created,
    vpcSecurityGroups: [SECURITY_GROUP], tags: { Project: 'tradai', Environment: 'prod' },
    ...(writer ? { clients: [{ clusterName: TRADAI_CLUSTER, serviceName: DATA_COLLECTION_SERVICE, connectionsPerTask: 10 }] } : {}),
  });
  state.rds = {
    instances: {
      [TRADAI_DB]: {
        engine: 'postgres', engineVersion: '16.4', instanceClass: 'db.r6g.xlarge', status: 'available', multiAZ: true,
        // Failed over to its standby: the primary is in sa-east-1b now.
        availabilityZone: `${REGION}b`, secondaryAvailabilityZone: `${REGION}a`, parameterGroup: TRADAI_DB_PARAMETER_GROUP,
        port: 5432, createdAt: created, vpcSecurityGroups: [SECURITY_GROUP], tags: { Project: 'tradai', Environment: 'prod' },
        clients: [
          { clusterName: TRADAI_CLUSTER, serviceName: STRATEGY_SERVICE, connectionsPerTask: 25, leak: { deployments: [STRATEGY_DEPLOYMENT], connectionsPerTask: 170 } },
          { clusterName: TRADAI_CLUSTER, serviceName: DATA_COLLECTION_SERVICE, connectionsPerTask: 25 },
        ],
      },
      [`${MARKETDATA_CLUSTER}-1`]: aurora(true, `${REGION}a`),
      [`${MARKETDATA_CLUSTER}-2`]: aurora(false, `${REGION}b`),
    },
    clusters: {
      [MARKETDATA_CLUSTER]: {
        engine: 'aurora-postgresql', engineVersion: '16.4', status: 'available', multiAZ: true,
        members: [{ instance: `${MARKETDATA_CLUSTER}-1`, writer: true }, { instance: `${MARKETDATA_CLUSTER}-2`, writer: false }],
        clusterParameterGroup: 'default.aurora-postgresql16', availabilityZones: [`${REGION}a`, `${REGION}b`, `${REGION}c`], port: 5432, createdAt: created,
        tags: { Project: 'tradai', Environment: 'prod' },
      },
    },
    parameterGroups: parameterGroups(),
  };
  state.cloudwatch.alarms[TRADAI_DB_CONNECTIONS_ALARM] = {
    description: `Seed 004 "Connection Pool Exhausted": ${TRADAI_DB}'s connections are near its max_connections (400).`,
    namespace: 'AWS/RDS', metricName: 'DatabaseConnections', dimensions: { DBInstanceIdentifier: TRADAI_DB }, statistic: 'Maximum',
    period: 60, evaluationPeriods: 3, threshold: 360, comparisonOperator: 'GreaterThanOrEqualToThreshold', treatMissingData: 'notBreaching',
    stateValue: 'ALARM', stateUpdatedAt: minutesBefore(now, 1), alarmActions: [], okActions: [],
    stateReason: 'Threshold Crossed: 3 out of the last 3 datapoints [390.0 (05/12/26 14:21:00), 388.0 (05/12/26 14:20:00)] were greater than or equal to the threshold (360.0).',
    tags: { Project: 'tradai', Environment: 'prod' },
  };
  state.cloudwatch.alarms[STRATEGY_HEARTBEAT_ALARM] = {
    description: `Seed 004 "Stale Heartbeat": ${STRATEGY_SERVICE} has not published its heartbeat for 3 minutes.`,
    ...HEARTBEAT, dimensions: { ClusterName: TRADAI_CLUSTER, ServiceName: STRATEGY_SERVICE }, statistic: 'Sum',
    period: 60, evaluationPeriods: 3, threshold: 1, comparisonOperator: 'LessThanThreshold', treatMissingData: 'breaching',
    stateValue: 'ALARM', stateUpdatedAt: minutesBefore(now, 1), alarmActions: [], okActions: [],
    stateReason: 'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].',
    tags: { Project: 'tradai', Environment: 'prod' },
  };
}
