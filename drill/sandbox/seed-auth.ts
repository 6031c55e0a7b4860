import type { AccountState, AlarmState, EcsServiceState } from './state';
import { minutesBefore } from './common';

/**
 * Seed 001 D "Auth0 JWKS returns 503": the AlphaSwarm API (alphaswarm-core in the seed's
 * Kubernetes, an ECS Fargate service here) enforces auth strictly (ALPHASWARM_AUTH_ENFORCE=strict
 * in its task definition, beside its Auth0 domain and a database secret by reference). For the last
 * ten minutes every authenticated request failed with jwks_unreachable: the application's
 * JwksFetchFailures metric and its alarm are in ALARM. The account also has one recurring
 * EventBridge Scheduler schedule of the team's (the nightly backtest), never fired here.
 */
export const API_CLUSTER = 'alphaswarm-cluster-prod';
export const API_SERVICE = 'alphaswarm-api-prod';
export const API_TASK_DEFINITION = `${API_SERVICE}:14`;
export const JWKS_ALARM = `${API_SERVICE}-jwks-failures`;
export const JWKS_METRIC = { namespace: 'AlphaSwarm/Auth', metricName: 'JwksFetchFailures' } as const;
const REGION = 'sa-east-1';
const ACCOUNT = '111122223333';
const CONTAINER = 'alphaswarm-api';
const PORT = 8000;
const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/alphaswarm-api@sha256:3f1c2a9b7e5d4c8a6f0b1e2d3c4a5b6978e1f0a2b3c4d5e6f708192a3b4c5d6e`;
const TARGET_GROUP_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${API_SERVICE}/9a7c5e3b1d2f4068`;
const DEPLOYMENT = 'ecs-svc/5190374628105937461';
const TAGS = { Project: 'alphaswarm', Environment: 'prod' };

/** Adds the API service, its task definition (strict auth), the JWKS alarm and the team's schedule to a seeded account. */
export function seedAuth(state: AccountState, now: Date): void {
  const cluster = (state.ecs.clusters[API_CLUSTER] ??= { services: {} });
  cluster.services[API_SERVICE] = apiService(now);
  state.ecs.taskDefinitions[API_TASK_DEFINITION] = {
    containers: [{
      name: CONTAINER, image: IMAGE, imageDigest: IMAGE.split('@')[1]!,
      environment: [
        { name: 'ALPHASWARM_ENV', value: 'prod' },
        { name: 'ALPHASWARM_AUTH_ENFORCE', value: 'strict' },
        { name: 'AUTH0_DOMAIN', value: 'your-tenant.us.auth0.com' },
      ],
      secrets: [{ name: 'DATABASE_URL', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:/alphaswarm/prod/database_url-Q1w2E3` }],
      rest: {
        essential: true,
        portMappings: [{ containerPort: PORT, protocol: 'tcp' }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/aws/ecs/${API_SERVICE}`, 'awslogs-region': REGION, 'awslogs-stream-prefix': CONTAINER } },
      },
    }],
    registeredAt: minutesBefore(now, 60 * 24 * 3),
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/${API_SERVICE}-task`,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${API_SERVICE}-execution`,
    cpu: '1024',
    memory: '2048',
    tags: { ...TAGS, Service: API_SERVICE },
  };
  state.cloudwatch.alarms[JWKS_ALARM] = jwksAlarm(now);
  state.scheduler = {
    schedules: {
      ...state.scheduler?.schedules,
      'default/tradai-prod-nightly-backtest': {
        groupName: 'default', name: 'tradai-prod-nightly-backtest', expression: 'cron(0 3 * * ? *)', state: 'ENABLED', actionAfterCompletion: 'NONE',
        flexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 30 },
        target: { Arn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:tradai-prod-backtest`, RoleArn: `arn:aws:iam::${ACCOUNT}:role/tradai-prod-scheduler` },
        createdAt: minutesBefore(now, 60 * 24 * 40),
      },
    },
  };
}

function apiService(now: Date): EcsServiceState {
  const taskIds = ['4a1e6c2d9b8f47a3a5c0e1d2f3b4a596', 'b7c8d9e0f1a24b3c8d4e5f6a7b8c9d0e', '1f2e3d4c5b6a47980a1b2c3d4e5f6a7b'];
  return {
    status: 'ACTIVE', desiredCount: 3, runningCount: 3, pendingCount: 0, taskDefinition: API_TASK_DEFINITION,
    containerName: CONTAINER, containerImage: IMAGE, containerPort: PORT, targetGroupArn: TARGET_GROUP_ARN,
    failure: 'none', describesToSettle: 2, tags: { ...TAGS, Service: API_SERVICE }, createdAt: minutesBefore(now, 60 * 24 * 200),
    deployments: [{
      id: DEPLOYMENT, status: 'PRIMARY', rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${DEPLOYMENT} completed.`,
      taskDefinition: API_TASK_DEFINITION, desiredCount: 3, runningCount: 3, pendingCount: 0, failedTasks: 0,
      createdAt: minutesBefore(now, 60 * 24 * 3), updatedAt: minutesBefore(now, 60 * 24 * 3 - 8),
    }],
    events: [{ id: '5d1c9e2a-7b3f-4e6d-8a0c-000000000001', createdAt: minutesBefore(now, 60 * 24 * 3 - 8), message: `(service ${API_SERVICE}) has reached a steady state.` }],
    tasks: taskIds.map((taskId) => ({
      taskId, taskDefinition: API_TASK_DEFINITION, startedBy: DEPLOYMENT, lastStatus: 'RUNNING' as const, desiredStatus: 'RUNNING' as const,
      createdAt: minutesBefore(now, 60 * 24 * 3), startedAt: minutesBefore(now, 60 * 24 * 3 - 2),
      containers: [{ name: CONTAINER, image: IMAGE, lastStatus: 'RUNNING' as const }],
    })),
  };
}

/** The application counts each JWKS fetch that fails (jwks_unreachable); Auth0 answering 503 keeps it above zero. */
function jwksAlarm(now: Date): AlarmState {
  return {
    description: `Seed 001 D: ${API_SERVICE} cannot fetch Auth0's JWKS (jwks_unreachable): the runbook of seed 001 D starts on it.`,
    ...JWKS_METRIC, dimensions: { ClusterName: API_CLUSTER, ServiceName: API_SERVICE },
    statistic: 'Sum', period: 60, evaluationPeriods: 3, threshold: 5, comparisonOperator: 'GreaterThanThreshold', treatMissingData: 'notBreaching',
    stateValue: 'ALARM', stateReason: 'Threshold Crossed: 3 out of the last 3 datapoints [212.0 (07/12/26 00:09:00), 198.0 (07/12/26 00:08:00), 187.0 (07/12/26 00:07:00)] were greater than the threshold (5.0).',
    stateUpdatedAt: minutesBefore(now, 1), alarmActions: [], okActions: [], tags: { Environment: 'prod', Service: API_SERVICE },
    causePersists: true,
  };
}
