import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { evaluateRule } from '../../drill/sandbox/alarm-evaluation';
import { STRATEGY_HEARTBEAT_ALARM, STRATEGY_SERVICE, TRADAI_CLUSTER } from '../../drill/sandbox';
import { clientConfig, useSandbox } from './support';

const LAMBDA_ALARM = 'cabruca-segmentation-prod-researcher-agent-concurrency';
const TABLE_ALARM = 'cabruca-segmentation-prod-agent-tasks-write-throttles';
const COMPOSITE = 'alphaswarm-admin-frontend-prod-degraded';
const tables: Record<string, { billingMode: string; status: string }> = {};
const sandbox = useSandbox(undefined, { describeTable: async (name) => tables[name] });
const cw = () => new CloudWatchClient(clientConfig(sandbox()));
const stateOf = async (name: string) => {
  const out = await cw().send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
  return (out.MetricAlarms?.[0] ?? out.CompositeAlarms?.[0])?.StateValue;
};
const researcher = () => sandbox().state.lambda.functions['cabruca-segmentation-prod-researcher-agent']!;

beforeEach(() => {
  for (const key of Object.keys(tables)) delete tables[key];
});

test('a runaway function keeps its alarm in ALARM; reserved concurrency 0 silences the metric and clears it', async () => {
  await expect(stateOf(LAMBDA_ALARM)).resolves.toBe('ALARM');

  researcher().reservedConcurrency = 0;

  await expect(stateOf(LAMBDA_ALARM)).resolves.toBe('OK');
});

test('missing data follows the alarm treatMissingData: "missing" gives INSUFFICIENT_DATA', async () => {
  sandbox().state.cloudwatch.alarms[LAMBDA_ALARM]!.treatMissingData = 'missing';
  researcher().reservedConcurrency = 0;

  await expect(stateOf(LAMBDA_ALARM)).resolves.toBe('INSUFFICIENT_DATA');
});

test('causePersists keeps the alarm in ALARM whatever the resource does', async () => {
  sandbox().state.cloudwatch.alarms[LAMBDA_ALARM]!.causePersists = true;
  researcher().reservedConcurrency = 0;

  await expect(stateOf(LAMBDA_ALARM)).resolves.toBe('ALARM');
});

test('a throttled table clears only once it is PAY_PER_REQUEST and ACTIVE', async () => {
  tables['cabruca-segmentation-prod-agent-tasks'] = { billingMode: 'PAY_PER_REQUEST', status: 'UPDATING' };
  await expect(stateOf(TABLE_ALARM)).resolves.toBe('ALARM');

  tables['cabruca-segmentation-prod-agent-tasks'] = { billingMode: 'PAY_PER_REQUEST', status: 'ACTIVE' };
  await expect(stateOf(TABLE_ALARM)).resolves.toBe('OK');
});

test('a composite alarm follows its rule over its children', async () => {
  await expect(stateOf(COMPOSITE)).resolves.toBe('ALARM');

  sandbox().state.ecs.clusters['alphaswarm-cluster-prod']!.services['alphaswarm-admin-frontend-prod']!.runningCount = 2;

  await expect(stateOf(COMPOSITE)).resolves.toBe('OK');
});

test('alarm rules: AND, OR, NOT, parentheses; unknown children are not in the state; bad rules are left alone', () => {
  const states: Record<string, string> = { a: 'ALARM', b: 'OK' };
  const of = (name: string) => states[name];
  expect(evaluateRule('ALARM("a") AND OK("b")', of)).toBe(true);
  expect(evaluateRule('ALARM("b") OR (NOT ALARM("a"))', of)).toBe(false);
  expect(evaluateRule('ALARM("missing") OR TRUE', of)).toBe(true);
  expect(evaluateRule('ALARM("a") AND', of)).toBeUndefined();
  expect(evaluateRule('ALARM(a)', of)).toBeUndefined();
});

test('a service whose application hung: ECS reports it steady, its heartbeat alarm is in ALARM until new tasks publish again', async () => {
  const ecs = new ECSClient(clientConfig(sandbox()));
  const key = { cluster: TRADAI_CLUSTER, services: [STRATEGY_SERVICE] };
  const { services: [before] = [] } = await ecs.send(new DescribeServicesCommand(key));
  expect(before).toMatchObject({ runningCount: 2, desiredCount: 2, deployments: [expect.objectContaining({ rolloutState: 'COMPLETED' })] });
  await expect(stateOf(STRATEGY_HEARTBEAT_ALARM)).resolves.toBe('ALARM');

  await ecs.send(new UpdateServiceCommand({ cluster: TRADAI_CLUSTER, service: STRATEGY_SERVICE, forceNewDeployment: true }));
  let rollout: string | undefined;
  for (let polls = 0; rollout !== 'COMPLETED' && polls < 10; polls++) {
    rollout = (await ecs.send(new DescribeServicesCommand(key))).services?.[0]?.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState;
  }

  expect(rollout).toBe('COMPLETED');
  await expect(stateOf(STRATEGY_HEARTBEAT_ALARM)).resolves.toBe('OK');
});
