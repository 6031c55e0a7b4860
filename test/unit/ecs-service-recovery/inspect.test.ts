import 'aws-sdk-client-mock-jest';
import {
  ClusterNotFoundException,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import type { ServiceInspection } from '../../../runbooks/ecs-service-recovery/handlers/inspect';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const ecs = mockClient(ECSClient);
const CLUSTER = 'alphaswarm-cluster-prod';
const SERVICE = 'alphaswarm-admin-prod';
const DEPLOYMENT = 'ecs-svc/8429131628562915112';
const HEARTBEAT_ALARM = 'alphaswarm-admin-prod-heartbeat-stale';
const TASK = `arn:aws:ecs:sa-east-1:111122223333:task/${CLUSTER}/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<ServiceInspection>;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'sa-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT',
    HEARTBEAT_ALARMS: JSON.stringify({ [`${CLUSTER}/${SERVICE}`]: HEARTBEAT_ALARM, 'alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod': 'frontend-heartbeat-stale' }),
  });
  handler = (await import('../../../runbooks/ecs-service-recovery/handlers/inspect')).handler as typeof handler;
});
beforeEach(() => ecs.reset());

const input = (target = `${CLUSTER}/${SERVICE}`, alarm = 'test-alarm') => ({
  incident: incident({ runbook: 'ecs-service-recovery', target, source: { name: alarm } }), execution: { id: EXECUTION_ARN },
});

const service = (overrides: Partial<Service> = {}): Service => ({
  serviceName: SERVICE, status: 'ACTIVE', desiredCount: 2, runningCount: 0, pendingCount: 1,
  taskDefinition: 'arn:aws:ecs:sa-east-1:111122223333:task-definition/alphaswarm-admin-prod:42',
  deployments: [{ id: DEPLOYMENT, status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: 'arn:aws:ecs:sa-east-1:111122223333:task-definition/alphaswarm-admin-prod:42' }],
  events: Array.from({ length: 12 }, (_, i) => ({
    id: `e${i}`, createdAt: new Date(Date.UTC(2026, 10, 23, 3, 30 - i)), message: `(service ${SERVICE}) has started 1 tasks: (task t${i}).`,
  })),
  ...overrides,
});

const PULL = 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.sa-east-1.amazonaws.com/alphaswarm-admin:sha-4f1c2d9: not found';

test('reads the last 10 events and the stopped tasks, and says a redeploy cannot fix an image pull failure', async () => {
  ecs.on(DescribeServicesCommand).resolves({ services: [service()], failures: [] });
  ecs.on(ListTasksCommand).resolves({ taskArns: [TASK] });
  ecs.on(DescribeTasksCommand).resolves({
    tasks: [{
      taskArn: TASK, lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: PULL, startedBy: DEPLOYMENT,
      stoppedAt: new Date('2026-11-23T03:29:00Z'), containers: [{ name: 'admin', reason: PULL }, { name: 'adot-collector' }],
    }],
  });

  const result = await handler(input(), lambdaContext);

  expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: CLUSTER, services: [SERVICE] });
  expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, { cluster: CLUSTER, serviceName: SERVICE, desiredStatus: 'STOPPED' });
  expect(ecs).toHaveReceivedCommandWith(DescribeTasksCommand, { cluster: CLUSTER, tasks: [TASK] });
  expect(result).toMatchObject({
    cluster: CLUSTER, service: SERVICE, desiredCount: 2, runningCount: 0, pendingCount: 1, rolloutState: 'IN_PROGRESS',
    cause: 'image-pull', redeployCanFix: false, healthy: false,
    verdict: `A redeploy cannot fix an image pull failure: "admin: ${PULL}"`,
    stoppedTasks: [{ taskArn: TASK, stoppedReason: PULL, stopCode: 'TaskFailedToStart', containerReasons: [`admin: ${PULL}`] }],
  });
  expect(result.events).toHaveLength(10);
  expect(result.events[0]).toEqual({ createdAt: '2026-11-23T03:30:00.000Z', message: `(service ${SERVICE}) has started 1 tasks: (task t0).` });
});

describe('a service ECS reports healthy', () => {
  const healthy = () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [service({ runningCount: 2, pendingCount: 0, deployments: [{ id: DEPLOYMENT, status: 'PRIMARY', rolloutState: 'COMPLETED' }], events: [] })], failures: [],
    });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  };

  test('started by its own heartbeat alarm: restarted (seed 004 "Stale Heartbeat")', async () => {
    healthy();
    await expect(handler(input(`${CLUSTER}/${SERVICE}`, HEARTBEAT_ALARM), lambdaContext))
      .resolves.toMatchObject({ cause: 'stale-heartbeat', healthy: false, redeployCanFix: true, verdict: expect.stringContaining(HEARTBEAT_ALARM) });
    expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: CLUSTER, services: [SERVICE] });
  });

  test.each([
    ['any other alarm', `${CLUSTER}/${SERVICE}`, 'alphaswarm-admin-prod-tasks-below-desired'],
    ['another service\'s heartbeat alarm', `${CLUSTER}/${SERVICE}`, 'frontend-heartbeat-stale'],
    ['a service with no heartbeat alarm', `${CLUSTER}/alphaswarm-agentcore-proxy-prod`, HEARTBEAT_ALARM],
  ])('started by %s: healthy, nothing to restart', async (_, target, alarm) => {
    healthy();
    await expect(handler(input(target, alarm), lambdaContext)).resolves.toMatchObject({ cause: 'none', healthy: true });
    const [cluster, name] = target.split('/');
    expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster, services: [name] });
  });
});

test('no stopped tasks: DescribeTasks is skipped', async () => {
  ecs.on(DescribeServicesCommand).resolves({
    services: [service({ runningCount: 2, pendingCount: 0, deployments: [{ id: DEPLOYMENT, status: 'PRIMARY', rolloutState: 'COMPLETED' }], events: [] })],
  });
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });

  const result = await handler(input(), lambdaContext);

  expect(ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 0);
  expect(result).toMatchObject({ healthy: true, cause: 'none', redeployCanFix: true, stoppedTasks: [], events: [] });
});

test('a service DescribeServices reports MISSING is TargetNotFound', async () => {
  ecs.on(DescribeServicesCommand).resolves({
    services: [], failures: [{ arn: `arn:aws:ecs:sa-east-1:111122223333:service/${CLUSTER}/${SERVICE}`, reason: 'MISSING' }],
  });

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound', message: expect.stringContaining('MISSING') });
  expect(ecs).toHaveReceivedCommandTimes(ListTasksCommand, 0);
});

test('a missing cluster is TargetNotFound', async () => {
  ecs.on(DescribeServicesCommand).rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: { httpStatusCode: 400 } }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound', message: expect.stringContaining(CLUSTER) });
});

test.each([['INACTIVE'], ['DRAINING']])('a %s service is TargetNotFound naming the status', async (status) => {
  ecs.on(DescribeServicesCommand).resolves({ services: [service({ status })] });

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound', message: expect.stringContaining(status) });
});

test('throttling is AwsThrottled (retried)', async () => {
  ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
});

test('a target that is not "cluster/service" is InvalidInput and calls nothing', async () => {
  await expect(handler(input(SERVICE), lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('cluster/service') });
  expect(ecs.calls()).toHaveLength(0);
});
