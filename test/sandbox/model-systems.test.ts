/**
 * The seed systems model-drift answers: the metrics the TradAI application publishes (GetMetricData:
 * a metric by its exact identity, periods and statistics, newest first), the PSI alarms that follow
 * them, and the retraining workflow the sandbox runs itself (StartExecution without the drill's
 * hook, its end after a set number of DescribeExecution calls, its output; ListExecutions).
 */
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, InvalidParameterValueException, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  DescribeExecutionCommand, ExecutionAlreadyExists, InvalidArn, ListExecutionsCommand, SFNClient, StartExecutionCommand, StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import {
  DRIFT_MODEL, PSI_DRIFT_ALARM, PSI_SIGNIFICANT_ALARM, RETRAINING_MACHINE, RETRAINING_OUTPUT, seedAccountState, startSandbox, type Sandbox,
} from '../../drill/sandbox';
import { clientConfig, rejectionOf } from './support';

const NOW = new Date('2026-12-06T03:07:00Z');
let sandbox: Sandbox;
let hooked: string[] = [];
beforeEach(async () => {
  hooked = [];
  sandbox = await startSandbox(seedAccountState(undefined, { now: NOW }), {
    now: () => NOW,
    onStartExecution: async (arn, name) => {
      hooked.push(name);
      return { executionArn: `${arn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: NOW };
    },
  });
});
afterEach(() => sandbox.close());
const cw = () => new CloudWatchClient(clientConfig(sandbox));
const sfn = () => new SFNClient(clientConfig(sandbox));

const psiQuery = (dimensions = [{ Name: 'Model', Value: DRIFT_MODEL }], extra: Partial<MetricDataQuery> = {}): MetricDataQuery => ({
  Id: 'psi', MetricStat: { Metric: { Namespace: 'TradAI/Models', MetricName: 'PSI', Dimensions: dimensions }, Period: 3600, Stat: 'Maximum' }, ...extra,
});
const hoursBefore = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

describe('GetMetricData', () => {
  test('the newest PSI periods of momentum-v3, newest first, each the statistic over its period', async () => {
    const out = await cw().send(new GetMetricDataCommand({ StartTime: hoursBefore(3), EndTime: NOW, MetricDataQueries: [psiQuery()] }));

    expect(out.MetricDataResults).toEqual([expect.objectContaining({ Id: 'psi', Label: 'PSI', StatusCode: 'Complete', Values: [0.31, 0.19, 0.14] })]);
    const stamps = out.MetricDataResults?.[0]?.Timestamps ?? [];
    expect(stamps.map((t) => t.toISOString())).toEqual(['2026-12-06T03:00:00.000Z', '2026-12-06T02:00:00.000Z', '2026-12-06T01:00:00.000Z']);
  });

  test('oldest first with ScanBy, and MaxDatapoints caps the answer', async () => {
    const out = await cw().send(new GetMetricDataCommand({
      StartTime: hoursBefore(3), EndTime: NOW, ScanBy: 'TimestampAscending', MaxDatapoints: 2, MetricDataQueries: [psiQuery()],
    }));

    expect(out.MetricDataResults?.[0]?.Values).toEqual([0.14, 0.19]);
  });

  test('a period groups the datapoints with the statistic asked for', async () => {
    const positions = (stat: string): MetricDataQuery => ({
      Id: stat.toLowerCase(), MetricStat: { Metric: { Namespace: 'TradAI/Trading', MetricName: 'OpenPositions', Dimensions: [] }, Period: 1800, Stat: stat },
    });
    const out = await cw().send(new GetMetricDataCommand({
      StartTime: new Date('2026-12-06T02:30:00Z'), EndTime: new Date('2026-12-06T03:00:00Z'), MetricDataQueries: [positions('Maximum'), positions('Sum'), positions('SampleCount')],
    }));

    // One datapoint a minute from 02:37 (the oldest) to 03:06: one position open to 02:56, none from 02:57; 23 before 03:00.
    expect(out.MetricDataResults?.map((r) => [r.Id, r.Values])).toEqual([['maximum', [1]], ['sum', [20]], ['samplecount', [23]]]);
  });

  test('a metric is its exact set of dimensions: another model, or none, has no datapoints, and no error', async () => {
    const out = await cw().send(new GetMetricDataCommand({
      StartTime: hoursBefore(3), EndTime: NOW,
      MetricDataQueries: [
        psiQuery([{ Name: 'Model', Value: 'mean-reversion-v1' }], { Id: 'other' }), psiQuery([], { Id: 'none' }),
        psiQuery([{ Name: 'Model', Value: DRIFT_MODEL }, { Name: 'Environment', Value: 'prod' }], { Id: 'more' }),
      ],
    }));

    expect(out.MetricDataResults?.map((r) => [r.Id, r.Values])).toEqual([['other', []], ['none', []], ['more', []]]);
  });

  test.each([
    ['StartTime after EndTime', { StartTime: NOW, EndTime: hoursBefore(1), MetricDataQueries: [psiQuery()] }, 'StartTime must be less than'],
    ['an id that does not start with a lowercase letter', { StartTime: hoursBefore(1), EndTime: NOW, MetricDataQueries: [psiQuery(undefined, { Id: 'PSI' })] }, 'Id is not valid'],
    ['a period that is not a multiple of 60', { StartTime: hoursBefore(1), EndTime: NOW, MetricDataQueries: [psiQuery(undefined, { MetricStat: { ...psiQuery().MetricStat!, Period: 90 } })] }, 'multiple of 60'],
    ['metric math, which the sandbox does not model', { StartTime: hoursBefore(1), EndTime: NOW, MetricDataQueries: [{ Id: 'e', Expression: 'psi * 2' }] }, 'does not model metric math'],
  ])('%s: InvalidParameterValue, as CloudWatch answers', async (_what, input, message) => {
    const error = await rejectionOf(cw().send(new GetMetricDataCommand(input)));

    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toContain(message);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  test('the PSI alarms follow the published PSI: under 0.25 again, the significant alarm is OK and the drift alarm stays in ALARM', async () => {
    sandbox.state.cloudwatch.metrics!['momentum-v3 PSI']!.values.push(0.18);

    const out = await cw().send(new DescribeAlarmsCommand({ AlarmNames: [PSI_DRIFT_ALARM, PSI_SIGNIFICANT_ALARM] }));

    expect(Object.fromEntries((out.MetricAlarms ?? []).map((a) => [a.AlarmName, a.StateValue]))).toEqual({ [PSI_DRIFT_ALARM]: 'ALARM', [PSI_SIGNIFICANT_ALARM]: 'OK' });
  });
});

describe('the retraining workflow', () => {
  const start = (name: string, input = '{"model":"momentum-v3"}') => sfn().send(new StartExecutionCommand({ stateMachineArn: RETRAINING_MACHINE, name, input }));

  test('started, the sandbox runs it (not the drill): RUNNING, then SUCCEEDED with its output at the third read', async () => {
    const { executionArn } = await start('retrain-1');

    const reads = [];
    for (let i = 0; i < 3; i++) reads.push(await sfn().send(new DescribeExecutionCommand({ executionArn })));

    expect(hooked).toEqual([]);
    expect(reads.map((r) => r.status)).toEqual(['RUNNING', 'RUNNING', 'SUCCEEDED']);
    expect(JSON.parse(reads[2]!.output ?? 'null')).toEqual(RETRAINING_OUTPUT);
    expect(reads[2]!.stopDate).toEqual(NOW);
  });

  test('METADATA_ONLY leaves out the input and output, as Step Functions does', async () => {
    const { executionArn } = await start('retrain-1');
    for (let i = 0; i < 2; i++) await sfn().send(new DescribeExecutionCommand({ executionArn }));

    const out = await sfn().send(new DescribeExecutionCommand({ executionArn, includedData: 'METADATA_ONLY' }));

    expect(out.status).toBe('SUCCEEDED');
    expect(out.input).toBeUndefined();
    expect(out.output).toBeUndefined();
  });

  test('one execution of a name: the same start while it runs answers it again; once it ended, ExecutionAlreadyExists', async () => {
    const first = await start('retrain-1');
    const again = await start('retrain-1');
    expect(again.executionArn).toBe(first.executionArn);
    for (let i = 0; i < 3; i++) await sfn().send(new DescribeExecutionCommand({ executionArn: first.executionArn }));

    expect(await rejectionOf(start('retrain-1'))).toBeInstanceOf(ExecutionAlreadyExists);
  });

  test('ListExecutions: newest first, filtered by status, a page at a time', async () => {
    const older = await start('retrain-older');
    await sandbox.close();
    sandbox = await startSandbox(sandbox.state, { now: () => new Date(NOW.getTime() + 60_000) });
    const newer = await start('retrain-newer');

    const running = await sfn().send(new ListExecutionsCommand({ stateMachineArn: RETRAINING_MACHINE, statusFilter: 'RUNNING', maxResults: 1 }));
    const next = await sfn().send(new ListExecutionsCommand({ stateMachineArn: RETRAINING_MACHINE, statusFilter: 'RUNNING', maxResults: 1, nextToken: running.nextToken }));
    expect(running.executions?.map((e) => e.executionArn)).toEqual([newer.executionArn]);
    expect(next.executions?.map((e) => e.executionArn)).toEqual([older.executionArn]);
    expect(next.nextToken).toBeUndefined();

    for (let i = 0; i < 3; i++) await sfn().send(new DescribeExecutionCommand({ executionArn: older.executionArn }));
    const still = await sfn().send(new ListExecutionsCommand({ stateMachineArn: RETRAINING_MACHINE, statusFilter: 'RUNNING' }));
    expect(still.executions?.map((e) => e.name)).toEqual(['retrain-newer']);
  });

  test('ListExecutions of a machine that does not exist: StateMachineDoesNotExist; a malformed ARN: InvalidArn', async () => {
    const missing = await rejectionOf(sfn().send(new ListExecutionsCommand({ stateMachineArn: `${RETRAINING_MACHINE}-gone` })));
    const malformed = await rejectionOf(sfn().send(new ListExecutionsCommand({ stateMachineArn: 'tradai-prod-model-retraining' })));

    expect(missing).toBeInstanceOf(StateMachineDoesNotExist);
    expect(malformed).toBeInstanceOf(InvalidArn);
  });
});
