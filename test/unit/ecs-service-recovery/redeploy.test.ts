import 'aws-sdk-client-mock-jest';
import {
  DescribeServicesCommand,
  ECSClient,
  ServiceNotActiveException,
  ServiceNotFoundException,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const ecs = mockClient(ECSClient);
const CLUSTER = 'alphaswarm-cluster-prod';
const ADMIN = `${CLUSTER}/alphaswarm-admin-prod`;
const PROXY = `${CLUSTER}/alphaswarm-agentcore-proxy-prod`;
const TASK_DEF = 'arn:aws:ecs:sa-east-1:111122223333:task-definition/alphaswarm-admin-prod:42';
const OLD = 'ecs-svc/1111111111111111111';
const NEW = 'ecs-svc/2222222222222222222';
const h = ledgerHarness('e', { env: { ALLOWED_TARGETS: JSON.stringify([ADMIN, PROXY]) } });
let handler: (event: unknown, context: typeof lambdaContext) => Promise<{ operation: string; target: string; before: unknown; after: unknown; replayed: boolean }>;
let incidentId: string;

beforeAll(async () => {
  // The handler reads its environment at cold start, so it is imported after the harness sets it.
  handler = (await import('../../../runbooks/ecs-service-recovery/handlers/redeploy')).handler as typeof handler;
});

beforeEach(() => {
  ecs.reset();
  incidentId = h.nextIncidentId();
});

const input = (overrides: { step?: string; target?: string } = {}) => ({
  incident: incident({ id: incidentId, runbook: 'ecs-service-recovery', target: ADMIN }),
  execution: { id: EXECUTION_ARN },
  step: 'redeploy',
  target: ADMIN,
  ...overrides,
});

const service = (primary: string, extra: Partial<Service> = {}): Service => ({
  serviceName: 'alphaswarm-admin-prod', status: 'ACTIVE', desiredCount: 2, runningCount: 1, pendingCount: 0, taskDefinition: TASK_DEF,
  deployments: [{ id: primary, status: 'PRIMARY', rolloutState: primary === NEW ? 'IN_PROGRESS' : 'COMPLETED', taskDefinition: TASK_DEF }],
  ...extra,
});
const BEFORE = { taskDefinition: TASK_DEF, desiredCount: 2, runningCount: 1, deploymentId: OLD };
const AFTER = { deploymentId: NEW, taskDefinition: TASK_DEF };
const actionKey = (step: string, target: string) => `${step}#ecs:UpdateService#${target}`;

test('records the current deployment, then forces a new one', async () => {
  ecs.on(DescribeServicesCommand).resolves({ services: [service(OLD)] });
  let intentAtCall: unknown;
  ecs.on(UpdateServiceCommand).callsFake(async () => {
    intentAtCall = await h.ledger.getAction(incidentId, actionKey('redeploy', ADMIN));
    return { service: service(NEW) };
  });

  const result = await handler(input(), lambdaContext);

  expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: CLUSTER, service: 'alphaswarm-admin-prod', forceNewDeployment: true });
  expect(intentAtCall).toMatchObject({ status: 'intent', operation: 'ecs:UpdateService', target: ADMIN, before: BEFORE });
  expect(result).toEqual({
    operation: 'ecs:UpdateService', target: ADMIN, before: BEFORE, after: AFTER, replayed: false, planned: false,
    parameters: { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-admin-prod', forceNewDeployment: true },
  });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'succeeded', before: BEFORE, after: AFTER, executionArn: EXECUTION_ARN });
});

test('the target comes from the payload: the budget guardrail redeploys its proxy under its own step', async () => {
  ecs.on(DescribeServicesCommand).resolves({ services: [service(OLD)] });
  ecs.on(UpdateServiceCommand).resolves({ service: service(NEW) });

  const result = await handler(input({ step: 'switch-redeploy', target: PROXY }), lambdaContext);

  expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: CLUSTER, services: ['alphaswarm-agentcore-proxy-prod'] });
  expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: CLUSTER, service: 'alphaswarm-agentcore-proxy-prod', forceNewDeployment: true });
  expect(result.target).toBe(PROXY);
  expect(await h.ledger.getAction(incidentId, actionKey('switch-redeploy', PROXY))).toMatchObject({ status: 'succeeded' });
});

test('a retried step does not force a second deployment once the ledger holds it as done', async () => {
  ecs.on(DescribeServicesCommand).resolves({ services: [service(OLD)] });
  ecs.on(UpdateServiceCommand).resolves({ service: service(NEW) });
  await handler(input(), lambdaContext);

  const again = await handler(input(), lambdaContext);

  expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  expect(again).toMatchObject({ before: BEFORE, after: AFTER, replayed: true });
});

test('a retry after a timeout finds the new deployment already PRIMARY and does not force another: the row is settled from the service', async () => {
  // The first attempt recorded its intent, then its answer was lost after ECS had started the deployment.
  await h.ledger.recordIntent({
    incidentId, actionKey: actionKey('redeploy', ADMIN), runbook: 'ecs-service-recovery', operation: 'ecs:UpdateService',
    target: ADMIN, executionArn: EXECUTION_ARN, before: BEFORE,
  });
  ecs.on(DescribeServicesCommand).resolves({ services: [service(NEW)] });

  const result = await handler(input(), lambdaContext);

  expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
  expect(result).toMatchObject({ before: BEFORE, after: AFTER, replayed: true });
  expect(await h.ledger.getAction(incidentId, actionKey('redeploy', ADMIN))).toMatchObject({ status: 'succeeded', attempts: 1, after: AFTER, reconciledAt: expect.any(String) });
});

test('a retry whose first attempt never reached ECS forces the deployment', async () => {
  await h.ledger.recordIntent({
    incidentId, actionKey: actionKey('redeploy', ADMIN), runbook: 'ecs-service-recovery', operation: 'ecs:UpdateService',
    target: ADMIN, executionArn: EXECUTION_ARN, before: BEFORE,
  });
  ecs.on(DescribeServicesCommand).resolves({ services: [service(OLD)] });
  ecs.on(UpdateServiceCommand).resolves({ service: service(NEW) });

  const result = await handler(input(), lambdaContext);

  expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
  expect(result).toMatchObject({ before: BEFORE, after: AFTER });
});

test('a missing service is TargetNotFound and leaves no ledger row', async () => {
  ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound' });
  expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 0);
  expect(await h.ledger.listActions(incidentId)).toEqual([]);
});

test.each([
  ['ServiceNotFoundException', new ServiceNotFoundException({ message: 'Service not found.', $metadata: { httpStatusCode: 400 } })],
  ['ServiceNotActiveException', new ServiceNotActiveException({ message: 'Service was not ACTIVE.', $metadata: { httpStatusCode: 400 } })],
])('%s on UpdateService is TargetNotFound and the intent row is marked failed', async (_name, error) => {
  ecs.on(DescribeServicesCommand).resolves({ services: [service(OLD)] });
  ecs.on(UpdateServiceCommand).rejects(error);

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound' });
  const [row] = await h.ledger.listActions(incidentId);
  expect(row).toMatchObject({ status: 'failed', before: BEFORE, error: expect.stringContaining('TargetNotFound') });
});

test('throttling on UpdateService is AwsThrottled (retried) and the intent row is marked failed', async () => {
  ecs.on(DescribeServicesCommand).resolves({ services: [service(OLD)] });
  ecs.on(UpdateServiceCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
  expect(await h.ledger.listActions(incidentId)).toEqual([expect.objectContaining({ status: 'failed' })]);
});

test('a service outside the config is refused before any call', async () => {
  await expect(handler(input({ target: `${CLUSTER}/someone-elses-service` }), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotAllowed' });
  expect(ecs.calls()).toHaveLength(0);
});

test.each([
  [{ target: 'alphaswarm-admin-prod' }, 'target'],
  [{ step: 'Redeploy#1' }, 'step'],
])('a malformed payload %j is InvalidInput naming %s', async (overrides, field) => {
  await expect(handler(input(overrides), lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining(field) });
  expect(ecs.calls()).toHaveLength(0);
});
