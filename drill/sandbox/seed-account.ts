import { createHash } from 'node:crypto';
import { isRecord } from './input';
import { seedAdminFrontend } from './seed-admin-frontend';
import { seedAlarmHistory } from './seed-alarm-history';
import { seedWorkerSystems } from './seed-workers';
import { seedTimeoutSystems } from './seed-timeouts';
import { seedTradaiDatabases } from './seed-tradai';
import { seedWorkflowSystems } from './seed-workflows';
import { seedModelSystems } from './seed-models';
import { seedSlowApi } from './seed-slow-api';
import { seedPagedAlarms } from './seed-paged-alarms';
import { seedAgentops } from './seed-agentops';
import { seedS3Access } from './seed-s3-access';
import { seedCredentials } from './seed-credentials';
import { seedNatInstance } from './seed-nat-instance';
import { seedUnauthorizedCalls } from './seed-unauthorized-calls';
import { seedAgentcore } from './seed-agentcore';
import { seedAuth } from './seed-auth';
import type { AccountState, AlarmState, EcsServiceState, EcsTaskState, LambdaFunctionState } from './state';
import { minutesBefore } from './common';

/** The seed systems (seeds 000 to 004) as the drill's starting account. */

export const SANDBOX_ACCOUNT_ID = '111122223333';
export const SANDBOX_REGION = 'sa-east-1';

const topicArn = (name: string) => `arn:aws:sns:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:${name}`;
export const TOPIC_ARNS = {
  critical: topicArn('runbook-autopilot-drill-critical'),
  info: topicArn('runbook-autopilot-drill-info'),
  budget: topicArn('runbook-autopilot-drill-budget'),
  approvals: topicArn('runbook-autopilot-drill-approvals'),
} as const;

export const AGENT_FUNCTIONS = ['manager', 'engineer', 'qa', 'researcher', 'data_processor'].map(
  (role) => `cabruca-segmentation-prod-${role}-agent`,
);
const ALLOW_TAG_KEY = 'runbook-autopilot:allow';

/**
 * Functions the drill config does not name: one carries the tag that allowlists it for the
 * runaway runbook (config/drill.json targetTags), one belongs to another team and carries none.
 */
export const ALLOW_TAG = { key: ALLOW_TAG_KEY, value: 'true' } as const;
export const TAGGED_FUNCTION = 'cabruca-segmentation-prod-annotator-agent';
export const UNTAGGED_FUNCTION = 'tradai-prod-signal-ingest';
export const OTHER_FUNCTIONS = [TAGGED_FUNCTION, UNTAGGED_FUNCTION];
export const ECS_CLUSTER = 'alphaswarm-cluster-prod';
export const ADMIN_SERVICE = 'alphaswarm-admin-prod';
export const PROXY_SERVICE = 'alphaswarm-agentcore-proxy-prod';
export const MODEL_PREFERENCE_PARAMETER = '/alphaswarm/prod/llm_model_preference';
export const SEED_MODEL = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
export const COST_BUCKET_TAG = { key: 'alphaswarm.io/cost-bucket', value: 'bedrock-tokens' } as const;

/** The seed's provisioned tables (seed 003); the tasks table key is the seed script's task_id. */
const TABLE_TAGS = { Project: 'cabruca-segmentation', Environment: 'prod' } as const;
export const SEED_TABLES = [
  { name: 'cabruca-segmentation-prod-agent-state', partitionKey: { name: 'agent_id', type: 'S' }, tags: TABLE_TAGS },
  {
    name: 'cabruca-segmentation-prod-agent-memory',
    partitionKey: { name: 'agent_id', type: 'S' },
    sortKey: { name: 'timestamp', type: 'N' },
    tags: TABLE_TAGS,
  },
  // The tasks table carries the allowlist tag (drill/scenarios/table-allowlisted-by-tag.json).
  { name: 'cabruca-segmentation-prod-agent-tasks', partitionKey: { name: 'task_id', type: 'S' }, tags: { ...TABLE_TAGS, [ALLOW_TAG_KEY]: 'true' } },
] as const;

/**
 * The seed's tasks table content (seed 003 §2: status, timestamp in epoch seconds): three tasks
 * stuck in pending for over an hour, and tasks that are not stuck (pending for less than an hour,
 * or old but running or done), so a count of stuck tasks has something to get wrong.
 */
export const STUCK_TASK_IDS = ['task-7f3a0001', 'task-7f3a0002', 'task-7f3a0003'] as const;
export function seedTasks(now: Date): Record<string, string | number>[] {
  const at = (minutes: number) => Math.floor(now.getTime() / 1000) - minutes * 60;
  const task = (id: string, status: string, minutes: number, agent: string) => ({
    task_id: id, status, timestamp: at(minutes), agent, payload: `segment tile ${id.slice(-4)}`,
  });
  return [
    task(STUCK_TASK_IDS[0], 'pending', 2 * 60, 'data_processor'),
    task(STUCK_TASK_IDS[1], 'pending', 3 * 60, 'researcher'),
    task(STUCK_TASK_IDS[2], 'pending', 26 * 60, 'engineer'),
    task('task-7f3a0004', 'pending', 10, 'qa'),
    task('task-7f3a0005', 'pending', 59, 'manager'),
    task('task-7f3a0006', 'running', 5 * 60, 'researcher'),
    task('task-7f3a0007', 'completed', 2 * 24 * 60, 'data_processor'),
  ];
}

export type DeepPartial<T> = T extends readonly (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Either a deep-partial patch (objects merge, arrays and scalars replace) or a function. */
export type StateOverride = DeepPartial<AccountState> | ((state: AccountState) => AccountState | void);

function merge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  if (!isRecord(base) || !isRecord(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = merge(base[key], value);
  return out;
}

function agentFunction(name: string, reservedConcurrency: number | null, lastModified: string): LambdaFunctionState {
  return {
    runtime: 'python3.12',
    handler: 'handler.lambda_handler',
    memorySize: 1024,
    timeout: 300,
    reservedConcurrency,
    lastModified,
    description: `Cabruca segmentation ${name.replace(/^cabruca-segmentation-prod-|-agent$/g, '')} agent`,
    environment: { ENVIRONMENT: 'prod', STATE_TABLE: 'cabruca-segmentation-prod-agent-state' },
    tags: { Project: 'cabruca-segmentation', Environment: 'prod' },
  };
}

const ADMIN_REPOSITORY = `${SANDBOX_ACCOUNT_ID}.dkr.ecr.${SANDBOX_REGION}.amazonaws.com/alphaswarm-admin`;
/** The admin service's releases (seed 002: one image tag per release): task definition revision, tag, the digest it resolved to. */
const ADMIN_RELEASES = [
  { revision: 41, tag: 'v1.4.1', digest: 'sha256:5b0e7c1d9a3f46e28b7c0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c', daysAgo: 9 },
  { revision: 42, tag: 'v1.4.2', digest: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', daysAgo: 1 },
  { revision: 43, tag: 'v1.4.3', digest: 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae', daysAgo: 0 },
] as const;
/** The admin service's failed deployment (task definition :43) and the last successful one (:42), as seed 002 "(h) Rollback" finds them. */
export const ADMIN_FAILED_DEPLOYMENT = 'ecs-svc/4519867253017263412';
export const ADMIN_SERVICE_DEPLOYMENTS = { failed: 'b2YmQq7RkN1sXc4TvW9zA', lastGood: 'K8pLmN3qRs5tUv7wXy9zB', older: 'Zq1Wx2Ec3Rv4Tb5Yn6Um7' } as const;
const ADMIN_REVISIONS = { 41: '1485800978477494641', 42: '1485800978477494642', 43: '1485800978477494643' } as const;

/** The admin task definitions: the container's image by tag, and the digest ECS resolved it to. */
function adminTaskDefinitions(now: Date): AccountState['ecs']['taskDefinitions'] {
  return Object.fromEntries(ADMIN_RELEASES.map((r) => [`${ADMIN_SERVICE}:${r.revision}`, {
    containers: [{ name: 'admin', image: `${ADMIN_REPOSITORY}:${r.tag}`, imageDigest: r.digest }],
    registeredAt: minutesBefore(now, r.daysAgo * 24 * 60 + 30),
  }]));
}

function adminService(now: Date): EcsServiceState {
  const targetGroupArn = `arn:aws:elasticloadbalancing:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:targetgroup/alphaswarm-admin-prod/6d0ecf831eec9f09`;
  const image = `${ADMIN_REPOSITORY}:v1.4.3`;
  const deploymentId = ADMIN_FAILED_DEPLOYMENT;
  const taskDefinition = 'alphaswarm-admin-prod:43';
  const stopped = (taskId: string, startedMin: number, stoppedMin: number): EcsTaskState => ({
    taskId,
    taskDefinition,
    startedBy: deploymentId,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    createdAt: minutesBefore(now, startedMin + 1),
    startedAt: minutesBefore(now, startedMin),
    stoppedAt: minutesBefore(now, stoppedMin),
    stopCode: 'ServiceSchedulerInitiated',
    stoppedReason: `Task failed ELB health checks in (target-group ${targetGroupArn})`,
    containers: [{ name: 'admin', image, lastStatus: 'STOPPED', exitCode: 137 }],
  });
  const tasks = [
    stopped('3f2c9a4e8b7d4c1fa0e6b5d4c3b2a190', 16, 10),
    stopped('8d1e7f6a5b4c43d2a1f0e9d8c7b6a5f4', 16, 10),
    stopped('a4b3c2d1e0f94e8d9c7b6a5f4e3d2c1b', 8, 2),
    stopped('c9d8e7f6a5b44c3d8e2f1a0b9c8d7e6f', 8, 2),
  ];
  const event = (minutes: number, message: string, n: number) => ({
    id: `5e1b2c3d-4f5a-4b6c-8d7e-${n.toString(16).padStart(12, '0')}`,
    createdAt: minutesBefore(now, minutes),
    message: `(service ${ADMIN_SERVICE}) ${message}`,
  });
  const unhealthy = (taskId: string) =>
    `(task ${taskId}) (port 8000) is unhealthy in (target-group ${targetGroupArn}) due to (reason Health checks failed with these codes: [502]).`;
  const [t1, t2, t3, t4] = tasks.map((t) => t.taskId) as [string, string, string, string];
  return {
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 0,
    taskDefinition,
    containerName: 'admin',
    containerImage: image,
    containerPort: 8000,
    targetGroupArn,
    failure: 'health-check',
    describesToSettle: 2,
    tags: { Project: 'alphaswarm', Environment: 'prod' },
    createdAt: minutesBefore(now, 60 * 24 * 90),
    deployments: [
      {
        id: deploymentId,
        status: 'PRIMARY',
        rolloutState: 'FAILED',
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        taskDefinition,
        desiredCount: 2,
        runningCount: 0,
        pendingCount: 0,
        failedTasks: 4,
        createdAt: minutesBefore(now, 17),
        updatedAt: minutesBefore(now, 2),
        serviceDeploymentId: ADMIN_SERVICE_DEPLOYMENTS.failed,
      },
    ],
    // The circuit breaker stops a failing deployment without rolling it back: the rollback is the team's (seed 002 "(h) Rollback").
    circuitBreaker: { enable: true, rollback: false },
    serviceDeployments: [
      {
        id: ADMIN_SERVICE_DEPLOYMENTS.failed, status: 'STOPPED', statusReason: 'ECS deployment circuit breaker: tasks failed to start.',
        createdAt: minutesBefore(now, 17), startedAt: minutesBefore(now, 17), finishedAt: minutesBefore(now, 2),
        targetRevision: ADMIN_REVISIONS[43], sourceRevisions: [ADMIN_REVISIONS[42]], failedTasks: 4,
      },
      {
        id: ADMIN_SERVICE_DEPLOYMENTS.lastGood, status: 'SUCCESSFUL',
        createdAt: minutesBefore(now, 60 * 26 + 6), startedAt: minutesBefore(now, 60 * 26 + 6), finishedAt: minutesBefore(now, 60 * 26),
        targetRevision: ADMIN_REVISIONS[42], sourceRevisions: [ADMIN_REVISIONS[41]],
      },
      {
        id: ADMIN_SERVICE_DEPLOYMENTS.older, status: 'SUCCESSFUL',
        createdAt: minutesBefore(now, 60 * 24 * 9 + 6), startedAt: minutesBefore(now, 60 * 24 * 9 + 6), finishedAt: minutesBefore(now, 60 * 24 * 9),
        targetRevision: ADMIN_REVISIONS[41], sourceRevisions: [],
      },
    ],
    revisions: Object.fromEntries(ADMIN_RELEASES.map((r) => [ADMIN_REVISIONS[r.revision], {
      taskDefinition: `${ADMIN_SERVICE}:${r.revision}`, createdAt: minutesBefore(now, r.daysAgo * 24 * 60 + (r.revision === 43 ? 17 : 6)),
    }])),
    events: [
      event(2, `has stopped 2 running tasks: (task ${t3}) (task ${t4}).`, 7),
      event(3, unhealthy(t4), 6),
      event(3, unhealthy(t3), 5),
      event(8, `has started 2 tasks: (task ${t3}) (task ${t4}).`, 4),
      event(10, `has stopped 2 running tasks: (task ${t1}) (task ${t2}).`, 3),
      event(11, unhealthy(t1), 2),
      event(16, `has started 2 tasks: (task ${t1}) (task ${t2}).`, 1),
      event(60 * 26, 'has reached a steady state.', 0),
    ],
    tasks,
  };
}

function proxyService(now: Date): EcsServiceState {
  const deploymentId = 'ecs-svc/7310295581645278841';
  const taskDefinition = 'alphaswarm-agentcore-proxy-prod:17';
  return {
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    taskDefinition,
    containerName: 'agentcore-proxy',
    containerImage: `${SANDBOX_ACCOUNT_ID}.dkr.ecr.${SANDBOX_REGION}.amazonaws.com/alphaswarm-agentcore-proxy:v0.9.8`,
    containerPort: 8080,
    targetGroupArn: `arn:aws:elasticloadbalancing:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:targetgroup/alphaswarm-agentcore-proxy/2b7c5f0e91d4a3c8`,
    failure: 'none',
    describesToSettle: 2,
    createdAt: minutesBefore(now, 60 * 24 * 60),
    deployments: [
      {
        id: deploymentId,
        status: 'PRIMARY',
        rolloutState: 'COMPLETED',
        rolloutStateReason: `ECS deployment ${deploymentId} completed.`,
        taskDefinition,
        desiredCount: 2,
        runningCount: 2,
        pendingCount: 0,
        failedTasks: 0,
        createdAt: minutesBefore(now, 60 * 24 * 3),
        updatedAt: minutesBefore(now, 60 * 24 * 3 - 6),
      },
    ],
    events: [
      {
        id: '9a8b7c6d-5e4f-4a3b-9c2d-000000000001',
        createdAt: minutesBefore(now, 60 * 5),
        message: `(service ${PROXY_SERVICE}) has reached a steady state.`,
      },
    ],
    // Running tasks for the counts are created when the sandbox starts.
    tasks: [],
  };
}

type AlarmSpec = Pick<
  AlarmState,
  'description' | 'namespace' | 'metricName' | 'dimensions' | 'statistic' | 'threshold' | 'comparisonOperator' | 'stateReason' | 'tags'
> &
  Partial<AlarmState>;

function alarm(now: Date, partial: AlarmSpec): AlarmState {
  return {
    period: 60,
    evaluationPeriods: 1,
    treatMissingData: 'notBreaching',
    stateValue: 'ALARM',
    stateUpdatedAt: minutesBefore(now, 1),
    alarmActions: [TOPIC_ARNS.critical],
    okActions: [],
    ...partial,
  };
}

function seedAlarms(now: Date): Record<string, AlarmState> {
  return {
    'alphaswarm-admin-prod-tasks-below-desired': alarm(now, {
      description: `${ADMIN_SERVICE} is running fewer tasks than desired.`,
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensions: { ClusterName: ECS_CLUSTER, ServiceName: ADMIN_SERVICE },
      statistic: 'Average',
      evaluationPeriods: 2,
      threshold: 2,
      comparisonOperator: 'LessThanThreshold',
      stateReason: 'Threshold Crossed: 2 out of the last 2 datapoints [0.0, 0.0] were less than the threshold (2.0).',
      tags: { Environment: 'prod', Service: ADMIN_SERVICE },
    }),
    'cabruca-segmentation-prod-researcher-agent-concurrency': alarm(now, {
      description: 'Concurrent executions of cabruca-segmentation-prod-researcher-agent above 80% of the account limit (1000).',
      namespace: 'AWS/Lambda',
      metricName: 'ConcurrentExecutions',
      dimensions: { FunctionName: 'cabruca-segmentation-prod-researcher-agent' },
      statistic: 'Maximum',
      threshold: 800,
      comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [912.0] was greater than the threshold (800.0).',
      tags: { Environment: 'prod', Project: 'cabruca-segmentation' },
    }),
    // Seed 003 "Key Metrics": errors of the manager agent's alias `live` (version 7 fails).
    'cabruca-segmentation-prod-manager-agent-live-errors': alarm(now, {
      description: 'Errors of cabruca-segmentation-prod-manager-agent through its alias live.',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: 'cabruca-segmentation-prod-manager-agent', Resource: 'cabruca-segmentation-prod-manager-agent:live' },
      statistic: 'Sum',
      period: 300,
      threshold: 10,
      comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [214.0] was greater than the threshold (10.0).',
      tags: { Environment: 'prod', Project: 'cabruca-segmentation' },
    }),
    // The error-rate alarm the stack deploys for an alias (metric math, modelled by its Errors metric).
    'cabruca-segmentation-prod-engineer-agent-live-error-rate': alarm(now, {
      description: 'Error rate of cabruca-segmentation-prod-engineer-agent through its alias live above 1% (metric math, modelled by its Errors metric).',
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: 'cabruca-segmentation-prod-engineer-agent', Resource: 'cabruca-segmentation-prod-engineer-agent:live' },
      statistic: 'Sum',
      period: 300,
      threshold: 1,
      comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [6.8] was greater than the threshold (1.0).',
      tags: { Environment: 'prod', Project: 'cabruca-segmentation' },
    }),
    'cabruca-segmentation-prod-agent-tasks-write-throttles': alarm(now, {
      description: 'Write requests to cabruca-segmentation-prod-agent-tasks are being throttled.',
      namespace: 'AWS/DynamoDB',
      metricName: 'WriteThrottleEvents',
      dimensions: { TableName: 'cabruca-segmentation-prod-agent-tasks' },
      statistic: 'Sum',
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [143.0] was greater than the threshold (0.0).',
      tags: { Environment: 'prod', Project: 'cabruca-segmentation' },
    }),
    // The alarms of the recorded sample events (events/samples/). A metric-math or anomaly-detection
    // alarm is modelled by the metric it reads: its state follows that metric's resource.
    'cabruca-segmentation-prod-manager-agent-invocations': alarm(now, {
      description: 'Invocations of cabruca-segmentation-prod-manager-agent far above normal (per 5 minutes).',
      namespace: 'AWS/Lambda',
      metricName: 'Invocations',
      dimensions: { FunctionName: 'cabruca-segmentation-prod-manager-agent' },
      statistic: 'Sum',
      period: 300,
      threshold: 5000,
      comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [18342.0] was greater than the threshold (5000.0).',
      tags: { Environment: 'prod', Project: 'cabruca-segmentation' },
    }),
    'cabruca-segmentation-prod-engineer-agent-invocations-anomaly': alarm(now, {
      description: 'Invocations of cabruca-segmentation-prod-engineer-agent above the anomaly band (modelled by its metric).',
      namespace: 'AWS/Lambda',
      metricName: 'Invocations',
      dimensions: { FunctionName: 'cabruca-segmentation-prod-engineer-agent' },
      statistic: 'Sum',
      period: 300,
      threshold: 2400,
      comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Thresholds Crossed: 1 out of the last 1 datapoints was greater than the upper thresholds.',
      tags: { Environment: 'prod', Project: 'cabruca-segmentation' },
    }),
    'cabruca-segmentation-prod-qa-agent-concurrency-percent': alarm(now, {
      description: 'Concurrent executions of cabruca-segmentation-prod-qa-agent above 80% of the account limit (metric math, modelled by its metric).',
      namespace: 'AWS/Lambda',
      metricName: 'ConcurrentExecutions',
      dimensions: { FunctionName: 'cabruca-segmentation-prod-qa-agent' },
      statistic: 'Maximum',
      threshold: 800,
      comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [87.3] was greater than the threshold (80.0).',
      tags: { Environment: 'prod', Project: 'cabruca-segmentation' },
    }),
    'cabruca-segmentation-prod-data_processor-agent-concurrency': alarm(now, {
      description: 'Concurrent executions of cabruca-segmentation-prod-data_processor-agent above 80% of the account limit.',
      namespace: 'AWS/Lambda',
      metricName: 'ConcurrentExecutions',
      dimensions: { FunctionName: 'cabruca-segmentation-prod-data_processor-agent' },
      statistic: 'Maximum',
      threshold: 800,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'missing',
      stateValue: 'INSUFFICIENT_DATA',
      stateReason: 'Insufficient Data: 1 datapoint was unknown.',
      tags: { Environment: 'prod', Project: 'cabruca-segmentation' },
    }),
    'cabruca-segmentation-prod-agent-state-read-throttles': alarm(now, {
      description: 'Read requests to cabruca-segmentation-prod-agent-state are being throttled.',
      namespace: 'AWS/DynamoDB',
      metricName: 'ReadThrottleEvents',
      dimensions: { TableName: 'cabruca-segmentation-prod-agent-state' },
      statistic: 'Sum',
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [57.0] was greater than the threshold (0.0).',
      tags: { Environment: 'prod', Project: 'cabruca-segmentation' },
    }),
    [`${TAGGED_FUNCTION}-concurrency`]: alarm(now, {
      description: `Concurrent executions of ${TAGGED_FUNCTION} above 80% of the account limit.`,
      namespace: 'AWS/Lambda',
      metricName: 'ConcurrentExecutions',
      dimensions: { FunctionName: TAGGED_FUNCTION },
      statistic: 'Maximum',
      threshold: 800,
      comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [846.0] was greater than the threshold (800.0).',
      tags: { Environment: 'prod', Project: 'cabruca-segmentation' },
    }),
  };
}

/** Seed 003 §4 "Investigate cause": the queue bucket whose notifications invoke the agents. */
export const AGENT_QUEUE_BUCKET = 'cabruca-segmentation-prod-agent-queue';
export const RESEARCHER_FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const functionArn = (name: string) => `arn:aws:lambda:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:function:${name}`;
/** The researcher's invokers: a one-minute schedule (the runaway), a disabled nightly rule, and the queue bucket. */
export const RESEARCHER_RULES = { schedule: 'cabruca-segmentation-prod-researcher-poll', nightly: 'cabruca-segmentation-prod-researcher-nightly' } as const;

function seedEventRules(): AccountState['events'] {
  const target = (name: string) => [{ id: 'agent', arn: functionArn(name) }];
  return {
    buses: {
      default: {
        rules: {
          [RESEARCHER_RULES.schedule]: { state: 'ENABLED', scheduleExpression: 'rate(1 minute)', description: 'Poll for new research jobs', targets: target(RESEARCHER_FUNCTION) },
          [RESEARCHER_RULES.nightly]: { state: 'DISABLED', scheduleExpression: 'cron(0 3 * * ? *)', targets: target(RESEARCHER_FUNCTION) },
          'cabruca-segmentation-prod-qa-on-deploy': {
            state: 'ENABLED', eventPattern: JSON.stringify({ source: ['aws.codedeploy'], 'detail-type': ['CodeDeploy Deployment State-change Notification'] }),
            targets: target('cabruca-segmentation-prod-qa-agent'),
          },
        },
      },
    },
  };
}

function queueNotification() {
  return { id: 'researcher-uploads', functionArn: functionArn(RESEARCHER_FUNCTION), events: ['s3:ObjectCreated:*'], prefix: 'uploads/' };
}

/** Resource policies as AddPermission leaves them: S3 and EventBridge may invoke the researcher. */
function seedFunctionPolicies(): Record<string, NonNullable<LambdaFunctionState['policy']>> {
  return {
    [RESEARCHER_FUNCTION]: [
      {
        Sid: 's3-agent-queue', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: functionArn(RESEARCHER_FUNCTION),
        Condition: { StringEquals: { 'AWS:SourceAccount': SANDBOX_ACCOUNT_ID }, ArnLike: { 'AWS:SourceArn': `arn:aws:s3:::${AGENT_QUEUE_BUCKET}` } },
      },
      {
        Sid: 'events-poll', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: functionArn(RESEARCHER_FUNCTION),
        Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:events:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:rule/${RESEARCHER_RULES.schedule}` } },
      },
    ],
  };
}

/**
 * Seed 003 §1 "Quick rollback", as aliases do it: the manager agent's alias `live` serves version 7,
 * published yesterday, whose code fails; version 6 is the one it served before, and 5 the one before that.
 */
export const MANAGER_FUNCTION = 'cabruca-segmentation-prod-manager-agent';
export const LIVE_ALIAS = 'live';
export const LIVE_ALIAS_REVISION = '4f9e2c1a-7b3d-4e8f-9a6c-2d1b0e7f5a39';

function managerVersions(now: Date, name = MANAGER_FUNCTION): Pick<LambdaFunctionState, 'versions' | 'aliases'> {
  const release = (n: number, daysAgo: number, failing = false) => [String(n), {
    codeSha256: createHash('sha256').update(`${name}:release-1.${n}`).digest('base64'),
    description: `release 1.${n}`, lastModified: minutesBefore(now, daysAgo * 24 * 60), ...(failing ? { failing } : {}),
  }] as const;
  return {
    versions: Object.fromEntries([release(1, 90), release(2, 75), release(3, 60), release(4, 41), release(5, 30), release(6, 12), release(7, 1, true)]),
    aliases: { [LIVE_ALIAS]: { functionVersion: '7', description: 'production traffic', revisionId: LIVE_ALIAS_REVISION } },
  };
}

/** A workflow of the seed systems (seed 004, "Debug Workflows": Step Functions and DynamoDB). */
export const SEED_STATE_MACHINE = `arn:aws:states:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:stateMachine:alphaswarm-prod-workload-run`;
/** The secret the AgentCore proxy's tasks read at start (its `secrets` failure mode cannot read it). */
export const PROXY_SECRET = 'agentcore-proxy/prod/app-secrets';

/**
 * The seed systems as a fresh, JSON-serialisable account state. A scenario adjusts it with a
 * deep-partial patch or a function; timestamps are relative to `now`.
 */
export function seedAccountState(override?: StateOverride, options: { now?: Date } = {}): AccountState {
  const now = options.now ?? new Date();
  const lastModified = minutesBefore(now, 60 * 24 * 14);
  const reserved: Record<string, number | null> = {
    'cabruca-segmentation-prod-manager-agent': 50,
    'cabruca-segmentation-prod-data_processor-agent': 100,
  };
  const base: AccountState = {
    accountId: SANDBOX_ACCOUNT_ID,
    region: SANDBOX_REGION,
    lambda: {
      concurrentExecutionsLimit: 1000,
      unreservedMinimum: 100,
      functions: {
        ...Object.fromEntries(AGENT_FUNCTIONS.map((name) => [name, agentFunction(name, reserved[name] ?? null, lastModified)])),
        [TAGGED_FUNCTION]: { ...agentFunction(TAGGED_FUNCTION, null, lastModified), tags: { Project: 'cabruca-segmentation', Environment: 'prod', [ALLOW_TAG.key]: ALLOW_TAG.value } },
        [UNTAGGED_FUNCTION]: { ...agentFunction(UNTAGGED_FUNCTION, null, lastModified), description: 'TradAI signal ingest', tags: { Project: 'tradai', Environment: 'prod' } },
      },
    },
    ecs: {
      clusters: { [ECS_CLUSTER]: { services: { [ADMIN_SERVICE]: adminService(now), [PROXY_SERVICE]: proxyService(now) } } },
      taskDefinitions: adminTaskDefinitions(now),
    },
    ssm: {
      parameters: {
        [MODEL_PREFERENCE_PARAMETER]: { type: 'String', value: SEED_MODEL, version: 1, lastModified, history: [] },
      },
    },
    costs: { currency: 'USD', total: 1260, byTag: { [COST_BUCKET_TAG.key]: { [COST_BUCKET_TAG.value]: 900 } } },
    sns: { topics: Object.values(TOPIC_ARNS) },
    stepFunctions: { stateMachines: { [SEED_STATE_MACHINE]: { type: 'STANDARD' } }, executions: {} },
    cloudwatch: { alarms: seedAlarms(now), compositeAlarms: {} },
    events: seedEventRules(),
    s3: { buckets: { [AGENT_QUEUE_BUCKET]: { owner: SANDBOX_ACCOUNT_ID, lambdaNotifications: [queueNotification()] } } },
    secretsManager: {
      secrets: {
        [PROXY_SECRET]: {
          arn: `arn:aws:secretsmanager:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:secret:${PROXY_SECRET}-Qx7pLm`,
          value: JSON.stringify({ AGENTCORE_API_KEY: 'sandbox-not-a-secret' }), versionId: '00000000-0000-4000-8000-00000000a9e1', createdAt: lastModified,
        },
      },
    },
  };
  for (const [name, policy] of Object.entries(seedFunctionPolicies())) {
    const fn = base.lambda.functions[name];
    if (fn) fn.policy = policy;
  }
  Object.assign(base.lambda.functions[MANAGER_FUNCTION]!, managerVersions(now));
  // The engineer agent ships with the manager: the same releases, its alias live on 7 too.
  Object.assign(base.lambda.functions['cabruca-segmentation-prod-engineer-agent']!, managerVersions(now, 'cabruca-segmentation-prod-engineer-agent'));
  base.lambda.eventSourceMappings = [{
    uuid: 'a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', functionName: 'cabruca-segmentation-prod-data_processor-agent',
    eventSourceArn: `arn:aws:sqs:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:cabruca-segmentation-prod-agent-jobs`,
    state: 'Enabled', batchSize: 10, lastModified: lastModified,
  }];
  seedTimeoutSystems(base, now, lastModified);
  seedWorkflowSystems(base, now);
  seedWorkerSystems(base, now);
  seedAdminFrontend(base, now);
  seedTradaiDatabases(base, now);
  seedModelSystems(base, now);
  seedSlowApi(base, now);
  seedPagedAlarms(base, now);
  seedAgentops(base, now, AGENT_FUNCTIONS);
  seedS3Access(base);
  seedCredentials(base, now);
  seedNatInstance(base, now);
  seedUnauthorizedCalls(base, now);
  seedAgentcore(base, now, { cluster: ECS_CLUSTER, service: PROXY_SERVICE });
  seedAuth(base, now);
  // Last: the history leads each alarm to the state the seed holds it in.
  seedAlarmHistory(base, now);
  if (override === undefined) return base;
  if (typeof override === 'function') return override(base) ?? base;
  return merge(base, override) as AccountState;
}
