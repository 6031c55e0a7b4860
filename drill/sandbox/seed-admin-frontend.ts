import type { AccountState, AlarmState, EcsServiceState, EcsTaskState } from './state';
import { minutesBefore } from './common';

/**
 * The admin frontend (seed 002 "(e) Admin deploy flow": the admin workflow builds two images,
 * alphaswarm-admin and alphaswarm-admin-frontend, rolled onto ECS Fargate). Its v1.4.2 rollout
 * COMPLETED a day ago; in the last quarter hour its tasks failed ELB health checks and were
 * stopped, so it runs 0 of 2 (seed 000 "ECS Fargate service down"): a fresh deployment fixes
 * that. Its tasks-below-desired alarm and the team's composite alarm over it are in ALARM.
 * Scenarios change its failure (an image it cannot pull), delete it, or find it recovered.
 */
export const FRONTEND_CLUSTER = 'alphaswarm-cluster-prod';
export const FRONTEND_SERVICE = 'alphaswarm-admin-frontend-prod';
export const FRONTEND_ALARM = `${FRONTEND_SERVICE}-tasks-below-desired`;
export const FRONTEND_COMPOSITE_ALARM = `${FRONTEND_SERVICE}-degraded`;
export const FRONTEND_LOG_GROUP = `/aws/ecs/${FRONTEND_SERVICE}`;
export const FRONTEND_TASK_DEFINITION = `${FRONTEND_SERVICE}:27`;
const REGION = 'sa-east-1';
const ACCOUNT = '111122223333';
const CONTAINER = 'admin-frontend';
const PORT = 3000;
const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/alphaswarm-admin-frontend:v1.4.2`;
const TARGET_GROUP = `targetgroup/${FRONTEND_SERVICE}/3e8a1c5b7d9f2046`;
const TARGET_GROUP_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:${TARGET_GROUP}`;
const DEPLOYMENT = 'ecs-svc/3872615094428816205';
const TAGS = { Project: 'alphaswarm', Environment: 'prod' };

/** Adds the frontend service, its task definition, log group and alarms to a seeded account. */
export function seedAdminFrontend(state: AccountState, now: Date): void {
  const cluster = (state.ecs.clusters[FRONTEND_CLUSTER] ??= { services: {} });
  cluster.services[FRONTEND_SERVICE] = frontendService(now);
  state.ecs.taskDefinitions[FRONTEND_TASK_DEFINITION] = {
    containers: [{ name: CONTAINER, image: IMAGE, imageDigest: 'sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c' }],
    registeredAt: minutesBefore(now, 60 * 26 + 10),
  };
  state.logs = { groups: { ...state.logs?.groups, [FRONTEND_LOG_GROUP]: logEvents(now) } };
  Object.assign(state.cloudwatch.alarms, frontendAlarms(now));
  state.cloudwatch.compositeAlarms[FRONTEND_COMPOSITE_ALARM] = {
    description: `${FRONTEND_SERVICE} is degraded: fewer tasks than desired or unhealthy targets.`,
    alarmRule: `ALARM("${FRONTEND_ALARM}") OR ALARM("${FRONTEND_SERVICE}-unhealthy-targets")`,
    stateValue: 'ALARM',
    stateReason: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${FRONTEND_ALARM} transitioned to ALARM`,
    stateUpdatedAt: minutesBefore(now, 1),
    alarmActions: [],
    tags: { Environment: 'prod' },
  };
}

const TASK_IDS = ['6b1f0e9d8c7a4b5e9f3d2c1b0a9e8d7c', 'e2d4c6b8a0f14e3d8c5b7a9f1e3d5c7b', '0f9e8d7c6b5a44f39e2d1c0b9a8f7e6d', '7c6b5a4f3e2d41c0b9a8f7e6d5c4b3a2'] as const;

function frontendService(now: Date): EcsServiceState {
  const stopped = (taskId: string, startedMin: number, stoppedMin: number): EcsTaskState => ({
    taskId, taskDefinition: FRONTEND_TASK_DEFINITION, startedBy: DEPLOYMENT, lastStatus: 'STOPPED', desiredStatus: 'STOPPED',
    createdAt: minutesBefore(now, startedMin + 1), startedAt: minutesBefore(now, startedMin), stoppedAt: minutesBefore(now, stoppedMin),
    stopCode: 'ServiceSchedulerInitiated', stoppedReason: `Task failed ELB health checks in (target-group ${TARGET_GROUP_ARN})`,
    containers: [{ name: CONTAINER, image: IMAGE, lastStatus: 'STOPPED', exitCode: 137 }],
  });
  // The rollout's tasks ran for a day, then the replacements failed their health checks too.
  const tasks = [stopped(TASK_IDS[0], 60 * 26, 12), stopped(TASK_IDS[1], 60 * 26, 12), stopped(TASK_IDS[2], 10, 3), stopped(TASK_IDS[3], 10, 3)];
  const event = (minutes: number, message: string, n: number) => ({
    id: `8c2d4e6f-1a3b-4c5d-9e7f-${n.toString(16).padStart(12, '0')}`, createdAt: minutesBefore(now, minutes), message: `(service ${FRONTEND_SERVICE}) ${message}`,
  });
  const unhealthy = (taskId: string) =>
    `(task ${taskId}) (port ${PORT}) is unhealthy in (target-group ${TARGET_GROUP_ARN}) due to (reason Health checks failed with these codes: [502]).`;
  const [t1, t2, t3, t4] = TASK_IDS;
  return {
    status: 'ACTIVE', desiredCount: 2, runningCount: 0, pendingCount: 0, taskDefinition: FRONTEND_TASK_DEFINITION,
    containerName: CONTAINER, containerImage: IMAGE, containerPort: PORT, targetGroupArn: TARGET_GROUP_ARN,
    failure: 'health-check', describesToSettle: 2, tags: { ...TAGS, Service: FRONTEND_SERVICE }, createdAt: minutesBefore(now, 60 * 24 * 90),
    deployments: [{
      id: DEPLOYMENT, status: 'PRIMARY', rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${DEPLOYMENT} completed.`,
      taskDefinition: FRONTEND_TASK_DEFINITION, desiredCount: 2, runningCount: 0, pendingCount: 0, failedTasks: 2,
      createdAt: minutesBefore(now, 60 * 26 + 6), updatedAt: minutesBefore(now, 3),
    }],
    events: [
      event(3, `has stopped 2 running tasks: (task ${t3}) (task ${t4}).`, 7),
      event(4, unhealthy(t4), 6),
      event(4, unhealthy(t3), 5),
      event(10, `has started 2 tasks: (task ${t3}) (task ${t4}).`, 4),
      event(12, `has stopped 2 running tasks: (task ${t1}) (task ${t2}).`, 3),
      event(13, unhealthy(t2), 2),
      event(13, unhealthy(t1), 1),
      event(60 * 26, 'has reached a steady state.', 0),
    ],
    tasks,
  };
}

/** The tasks' awslogs stream (prefix/container/task id): the server stops answering its health check. */
function logEvents(now: Date) {
  const line = (taskId: string, minutes: number, message: string) => ({ logStreamName: `${CONTAINER}/${CONTAINER}/${taskId}`, timestamp: minutesBefore(now, minutes), message });
  return [
    line(TASK_IDS[0], 60 * 26, `ready - started server on 0.0.0.0:${PORT}`),
    line(TASK_IDS[0], 14, 'error - GET /healthz timed out after 5000 ms'),
    line(TASK_IDS[2], 10, `ready - started server on 0.0.0.0:${PORT}`),
    line(TASK_IDS[2], 4, 'error - GET /healthz timed out after 5000 ms'),
  ];
}

function frontendAlarms(now: Date): Record<string, AlarmState> {
  const common = {
    period: 60, treatMissingData: 'notBreaching' as const, stateValue: 'ALARM' as const, stateUpdatedAt: minutesBefore(now, 1),
    alarmActions: [], okActions: [], tags: { Environment: 'prod', Service: FRONTEND_SERVICE },
  };
  return {
    [FRONTEND_ALARM]: {
      ...common, description: `${FRONTEND_SERVICE} is running fewer tasks than desired.`,
      namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensions: { ClusterName: FRONTEND_CLUSTER, ServiceName: FRONTEND_SERVICE },
      statistic: 'Average', evaluationPeriods: 2, threshold: 2, comparisonOperator: 'LessThanThreshold',
      stateReason: 'Threshold Crossed: 2 out of the last 2 datapoints [0.0, 0.0] were less than the threshold (2.0).',
    },
    // The composite alarm's second child: no tasks run, so no target is registered, none unhealthy.
    [`${FRONTEND_SERVICE}-unhealthy-targets`]: {
      ...common, description: `Unhealthy targets behind ${FRONTEND_SERVICE}.`,
      namespace: 'AWS/ApplicationELB', metricName: 'UnHealthyHostCount', dimensions: { TargetGroup: TARGET_GROUP, LoadBalancer: 'app/alphaswarm-prod/50dc6c495c0c9188' },
      statistic: 'Maximum', evaluationPeriods: 1, threshold: 0, comparisonOperator: 'GreaterThanThreshold', stateValue: 'OK',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (0.0).',
    },
  };
}
