import type { AccountState } from './state';
import { minutesBefore } from './common';

/**
 * The AlphaSwarm Celery workers (seed 001 C, seed 004 "ECS Memory High"): the worker service runs 2
 * tasks, Application Auto Scaling keeps it within [2, 8], and its queue has fallen behind: 4 tasks
 * keep up with what arrives, so both its queue-depth alarm and its memory alarm are in ALARM.
 * Scenarios take the scalable target away, or put its minimum at the ceiling already.
 */
export const WORKER_CLUSTER = 'alphaswarm-cluster-prod';
export const WORKER_SERVICE = 'alphaswarm-worker-prod';
export const WORKER_QUEUE = 'alphaswarm-prod-celery';
export const WORKER_QUEUE_ALARM = 'alphaswarm-prod-celery-depth';
export const WORKER_MEMORY_ALARM = 'alphaswarm-worker-prod-memory-high';
export const WORKER_SCALABLE_TARGET = `ecs|service/${WORKER_CLUSTER}/${WORKER_SERVICE}|ecs:service:DesiredCount`;
const REGION = 'sa-east-1';
const ACCOUNT = '111122223333';

/** Adds the worker service, its scalable target, its queue and their two alarms to a seeded account. */
export function seedWorkerSystems(state: AccountState, now: Date): void {
  const taskDefinition = 'alphaswarm-worker-prod:23';
  const deploymentId = 'ecs-svc/5820194736650182931';
  const cluster = (state.ecs.clusters[WORKER_CLUSTER] ??= { services: {} });
  cluster.services[WORKER_SERVICE] = {
    status: 'ACTIVE', desiredCount: 2, runningCount: 2, pendingCount: 0, taskDefinition,
    containerName: 'celery-worker', containerImage: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/alphaswarm-worker:v1.4.2`, containerPort: 8080,
    targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/alphaswarm-worker-prod/0c4d7e2a9b1f3856`,
    failure: 'none', describesToSettle: 2, createdAt: minutesBefore(now, 60 * 24 * 90),
    // 2 tasks at 85 % of their memory each: 4 tasks bring it to 42.5 %.
    memoryLoadPercent: 170,
    tags: { Project: 'alphaswarm', Environment: 'prod' },
    deployments: [{
      id: deploymentId, status: 'PRIMARY', rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${deploymentId} completed.`,
      taskDefinition, desiredCount: 2, runningCount: 2, pendingCount: 0, failedTasks: 0,
      createdAt: minutesBefore(now, 60 * 24 * 2), updatedAt: minutesBefore(now, 60 * 24 * 2 - 5),
    }],
    events: [{ id: '2c4e6a8b-0d1f-4a3c-8e5b-000000000001', createdAt: minutesBefore(now, 60 * 6), message: `(service ${WORKER_SERVICE}) has reached a steady state.` }],
    tasks: [],
  };
  state.applicationAutoScaling = {
    scalableTargets: {
      ...state.applicationAutoScaling?.scalableTargets,
      [WORKER_SCALABLE_TARGET]: {
        serviceNamespace: 'ecs', resourceId: `service/${WORKER_CLUSTER}/${WORKER_SERVICE}`, scalableDimension: 'ecs:service:DesiredCount',
        minCapacity: 2, maxCapacity: 8, createdAt: minutesBefore(now, 60 * 24 * 90),
        roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
      },
    },
  };
  state.sqs = {
    queues: {
      ...state.sqs?.queues,
      [WORKER_QUEUE]: {
        visibilityTimeout: 1800, messageRetentionPeriod: 345_600, createdAt: minutesBefore(now, 60 * 24 * 90), messagesVisible: 1840,
        consumer: { clusterName: WORKER_CLUSTER, serviceName: WORKER_SERVICE, tasksToKeepUp: 4 },
      },
    },
  };
  const common = {
    statistic: 'Average' as const, period: 60, evaluationPeriods: 5, comparisonOperator: 'GreaterThanThreshold' as const, treatMissingData: 'notBreaching' as const,
    stateValue: 'ALARM' as const, stateUpdatedAt: minutesBefore(now, 1), alarmActions: [], okActions: [],
  };
  state.cloudwatch.alarms[WORKER_QUEUE_ALARM] = {
    ...common, description: `Seed 001 C: the Celery queue ${WORKER_QUEUE} is backing up..`,
    namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: WORKER_QUEUE }, statistic: 'Maximum', threshold: 500,
    stateReason: 'Threshold Crossed: 5 out of the last 5 datapoints [1840.0 (03/11/26 03:12:00), 1611.0 (03/11/26 03:11:00)] were greater than the threshold (500.0).',
    tags: { Project: 'alphaswarm', Environment: 'prod' },
  };
  state.cloudwatch.alarms[WORKER_MEMORY_ALARM] = {
    ...common, description: `Seed 004 "ECS Memory High": ${WORKER_SERVICE} tasks use most of their memory..`,
    namespace: 'AWS/ECS', metricName: 'MemoryUtilization', dimensions: { ClusterName: WORKER_CLUSTER, ServiceName: WORKER_SERVICE }, threshold: 80,
    stateReason: 'Threshold Crossed: 5 out of the last 5 datapoints [85.0 (03/11/26 03:12:00), 84.6 (03/11/26 03:11:00)] were greater than the threshold (80.0).',
    tags: { Project: 'alphaswarm', Environment: 'prod' },
  };
}
