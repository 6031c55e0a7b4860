import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ECSClient, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig, rejectionOf, useSandbox } from './support';

const CLUSTER = 'alphaswarm-cluster-prod';
const SERVICE = 'alphaswarm-worker-prod';
const RESOURCE = `service/${CLUSTER}/${SERVICE}`;
const DIMENSION = 'ecs:service:DesiredCount';
const sandbox = useSandbox();
const aas = () => new ApplicationAutoScalingClient({ ...clientConfig(sandbox()), maxAttempts: 1 });
const ecs = () => new ECSClient({ ...clientConfig(sandbox()), maxAttempts: 1 });
const register = (input: { MinCapacity?: number; MaxCapacity?: number; ResourceId?: string }) =>
  aas().send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: RESOURCE, ScalableDimension: DIMENSION, ...input }));
const target = async () => (await aas().send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [RESOURCE], ScalableDimension: DIMENSION }))).ScalableTargets ?? [];
const service = async () => (await ecs().send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services?.[0];

test('the worker service is seeded with its scalable target [2, 8]; another resource has none', async () => {
  expect(await target()).toEqual([expect.objectContaining({ ResourceId: RESOURCE, MinCapacity: 2, MaxCapacity: 8, ScalableDimension: DIMENSION })]);
  const none = await aas().send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [`service/${CLUSTER}/alphaswarm-admin-prod`] }));
  expect(none.ScalableTargets).toEqual([]);
});

test('raising the minimum above the desired count moves the desired count to it (a scaling activity), and keeps what it does not name', async () => {
  await register({ MinCapacity: 4 });
  expect(await target()).toEqual([expect.objectContaining({ MinCapacity: 4, MaxCapacity: 8 })]);
  expect((await service())?.desiredCount).toBe(4);
});

test('a minimum above the maximum is a ValidationException (400) and changes nothing', async () => {
  const e = await rejectionOf(register({ MinCapacity: 9 }));
  expect({ name: e.name, status: e.$metadata?.httpStatusCode, message: e.message }).toEqual({
    name: 'ValidationException', status: 400, message: 'Minimum capacity cannot be greater than maximum capacity',
  });
  expect(await target()).toEqual([expect.objectContaining({ MinCapacity: 2, MaxCapacity: 8 })]);
  expect((await service())?.desiredCount).toBe(2);
});

test('a new target needs both capacities; a service that does not exist is a ValidationException', async () => {
  const partial = await rejectionOf(register({ ResourceId: `service/${CLUSTER}/alphaswarm-admin-prod`, MinCapacity: 1 }));
  expect([partial.name, partial.message]).toEqual(['ValidationException', 'MinCapacity and MaxCapacity are required when registering a new scalable target']);
  const missing = await rejectionOf(register({ ResourceId: `service/${CLUSTER}/nope`, MinCapacity: 1, MaxCapacity: 2 }));
  expect([missing.name, missing.message]).toEqual(['ValidationException', `ECS service doesn't exist: service/${CLUSTER}/nope`]);
});

test('the queue backlog and both alarms clear once the worker runs the 4 tasks that keep up', async () => {
  const sqs = new SQSClient({ ...clientConfig(sandbox()), useQueueUrlAsEndpoint: false });
  const depth = async () => (await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: 'https://sqs.sa-east-1.amazonaws.com/111122223333/alphaswarm-prod-celery', AttributeNames: ['ApproximateNumberOfMessages'],
  }))).Attributes?.ApproximateNumberOfMessages;
  const alarms = async () => Object.fromEntries(((await new CloudWatchClient(clientConfig(sandbox())).send(new DescribeAlarmsCommand({
    AlarmNames: ['alphaswarm-prod-celery-depth', 'alphaswarm-worker-prod-memory-high'],
  }))).MetricAlarms ?? []).map((a) => [a.AlarmName, a.StateValue]));
  expect(await depth()).toBe('1840');
  expect(await alarms()).toEqual({ 'alphaswarm-prod-celery-depth': 'ALARM', 'alphaswarm-worker-prod-memory-high': 'ALARM' });
  await register({ MinCapacity: 4 });
  // The new tasks start as DescribeServices is read (describesToSettle), as a rollout does.
  for (let i = 0; i < 3 && (await service())?.runningCount !== 4; i++);
  expect((await service())?.runningCount).toBe(4);
  expect(await depth()).toBe('0');
  expect(await alarms()).toEqual({ 'alphaswarm-prod-celery-depth': 'OK', 'alphaswarm-worker-prod-memory-high': 'OK' });
});
