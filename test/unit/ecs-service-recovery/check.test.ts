import { DescribeServicesCommand, ECSClient, type DeploymentRolloutState, type DescribeServicesCommandOutput } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import type { RolloutCheck } from '../../../runbooks/ecs-service-recovery/handlers/check';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const ecs = mockClient(ECSClient);
const CLUSTER = 'alphaswarm-cluster-prod';
const SERVICE = 'alphaswarm-admin-prod';
const NEW = 'ecs-svc/2222222222222222222';
const ENV = { AWS_REGION: 'sa-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT', ROLLOUT_TIMEOUT_SECONDS: '300', POLL_SECONDS: '30' };
type Handler = (event: unknown, context: typeof lambdaContext) => Promise<RolloutCheck>;
let handler: Handler;

beforeAll(async () => {
  Object.assign(process.env, ENV);
  handler = (await import('../../../runbooks/ecs-service-recovery/handlers/check')).handler as Handler;
});
beforeEach(() => ecs.reset());

const input = (attempt: number) => ({
  incident: incident({ runbook: 'ecs-service-recovery', target: `${CLUSTER}/${SERVICE}` }), execution: { id: EXECUTION_ARN }, attempt,
});
/** What each DescribeServices call asked for: the incident's service, in its cluster, is the only right answer. */
const described = () => ecs.commandCalls(DescribeServicesCommand).map((call) => call.args[0].input);
const INCIDENT_SERVICE = [{ cluster: CLUSTER, services: [SERVICE] }];

const rollout = (rolloutState: DeploymentRolloutState, runningCount: number, oldStillActive = false): Partial<DescribeServicesCommandOutput> => ({
  services: [{
    serviceName: SERVICE, status: 'ACTIVE', desiredCount: 2, runningCount,
    deployments: [
      { id: NEW, status: 'PRIMARY', rolloutState },
      ...(oldStillActive ? [{ id: 'ecs-svc/1111111111111111111', status: 'ACTIVE', rolloutState: 'COMPLETED' as const }] : []),
    ],
  }],
});

test('rollout in progress: not done, poll again', async () => {
  ecs.on(DescribeServicesCommand).resolves(rollout('IN_PROGRESS', 2, true));

  await expect(handler(input(0), lambdaContext)).resolves.toEqual({
    attempt: 1, done: false, failed: false, timedOut: false, pollSeconds: 30,
    service: { key: `${CLUSTER}/${SERVICE}`, desiredCount: 2, runningCount: 2, rolloutState: 'IN_PROGRESS', deploymentId: NEW },
  });
  expect(described()).toEqual(INCIDENT_SERVICE);
});

test('rollout COMPLETED with every desired task running: done', async () => {
  ecs.on(DescribeServicesCommand).resolves(rollout('COMPLETED', 2));

  await expect(handler(input(4), lambdaContext)).resolves.toMatchObject({ attempt: 5, done: true, failed: false, timedOut: false });
  expect(described()).toEqual(INCIDENT_SERVICE);
});

test('rollout FAILED (circuit breaker): failed', async () => {
  ecs.on(DescribeServicesCommand).resolves(rollout('FAILED', 0, true));

  await expect(handler(input(4), lambdaContext)).resolves.toMatchObject({ done: false, failed: true });
  expect(described()).toEqual(INCIDENT_SERVICE);
});

test('still in progress when the polls add up to ROLLOUT_TIMEOUT_SECONDS: timed out', async () => {
  ecs.on(DescribeServicesCommand).resolves(rollout('IN_PROGRESS', 1, true));

  await expect(handler(input(9), lambdaContext)).resolves.toMatchObject({ attempt: 10, done: false, timedOut: true });
  expect(described()).toEqual(INCIDENT_SERVICE);
});

test('a payload that names a service watches that one, not the incident\'s target (a database runbook watches its services one by one)', async () => {
  ecs.on(DescribeServicesCommand).resolves(rollout('COMPLETED', 2));

  await expect(handler({ ...input(0), target: 'tradai-cluster-prod/tradai-prod-strategy-service' }, lambdaContext))
    .resolves.toMatchObject({ done: true, service: { key: 'tradai-cluster-prod/tradai-prod-strategy-service' } });
  expect(described()).toEqual([{ cluster: 'tradai-cluster-prod', services: ['tradai-prod-strategy-service'] }]);
});

test('a target that is not a "cluster/service" key is InvalidInput, and nothing is read', async () => {
  await expect(handler({ ...input(0), target: 'tradai-prod-db' }, lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('target') });
  expect(ecs.calls()).toHaveLength(0);
});

test('a payload without attempt is InvalidInput', async () => {
  const { attempt: _attempt, ...payload } = input(0);

  await expect(handler(payload, lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('attempt') });
  expect(ecs.calls()).toHaveLength(0);
});

test('a missing ROLLOUT_TIMEOUT_SECONDS fails the cold start', async () => {
  await jest.isolateModulesAsync(async () => {
    delete process.env.ROLLOUT_TIMEOUT_SECONDS;
    try {
      await expect(import('../../../runbooks/ecs-service-recovery/handlers/check')).rejects.toThrow(/ROLLOUT_TIMEOUT_SECONDS/);
    } finally {
      process.env.ROLLOUT_TIMEOUT_SECONDS = ENV.ROLLOUT_TIMEOUT_SECONDS;
    }
  });
});
