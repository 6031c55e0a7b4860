/**
 * The seed system api-latency answers: the Cabruca API's p99 alarm (an extended statistic), and
 * GetMetricData's percentiles over the dependencies' metrics (the tasks table's story against flat
 * agents), with CloudWatch's limits on a call.
 */
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, InvalidParameterValueException, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { SLOW_API_ALARM, SLOW_API_LOAD_BALANCER, THROTTLED_TASKS_TABLE, seedAccountState, startSandbox, type Sandbox } from '../../drill/sandbox';
import { clientConfig, rejectionOf } from './support';

const NOW = new Date('2026-12-06T14:22:31Z');
let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox(seedAccountState(undefined, { now: NOW }), { now: () => NOW });
});
afterEach(() => sandbox.close());
const cw = () => new CloudWatchClient(clientConfig(sandbox));
const minutesBefore = (m: number) => new Date(NOW.getTime() - m * 60_000);
const query = (id: string, namespace: string, metricName: string, dimensions: Record<string, string>, stat: string, period = 60): MetricDataQuery => ({
  Id: id, MetricStat: { Metric: { Namespace: namespace, MetricName: metricName, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })) }, Period: period, Stat: stat },
});

test('the API p99 alarm is in ALARM and says its percentile as ExtendedStatistic, as CloudWatch does', async () => {
  const out = await cw().send(new DescribeAlarmsCommand({ AlarmNames: [SLOW_API_ALARM] }));
  expect(out.MetricAlarms?.[0]).toMatchObject({
    StateValue: 'ALARM', Namespace: 'AWS/ApplicationELB', MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99',
    Dimensions: [{ Name: 'LoadBalancer', Value: SLOW_API_LOAD_BALANCER }],
  });
  expect(out.MetricAlarms?.[0]?.Statistic).toBeUndefined();
});

test('percentiles are the nearest rank over a period: p99 and p50 of the tasks table\'s PutItem latency over the last ten minutes', async () => {
  const putItem = (stat: string) => query(stat.toLowerCase().replace('.', '_'), 'AWS/DynamoDB', 'SuccessfulRequestLatency', { TableName: THROTTLED_TASKS_TABLE, Operation: 'PutItem' }, stat, 600);
  const out = await cw().send(new GetMetricDataCommand({
    StartTime: new Date('2026-12-06T14:10:00Z'), EndTime: new Date('2026-12-06T14:20:00Z'), MetricDataQueries: [putItem('p99'), putItem('p50'), putItem('p99.9'), putItem('Maximum')],
  }));
  const [p99, p50, p999, max] = (out.MetricDataResults ?? []).map((r) => r.Values?.[0]);
  // Ten datapoints: seven before the story (about 6 ms) and its first three (about 48 ms).
  expect(p99).toBe(max);
  expect(p999).toBe(max);
  expect(p50).toBeGreaterThan(5);
  expect(p50).toBeLessThan(7);
});

test('throttle events are published only while throttling: the last five minutes, none before', async () => {
  const out = await cw().send(new GetMetricDataCommand({
    StartTime: minutesBefore(70), EndTime: NOW, ScanBy: 'TimestampAscending',
    MetricDataQueries: [query('w', 'AWS/DynamoDB', 'WriteThrottleEvents', { TableName: THROTTLED_TASKS_TABLE }, 'Sum')],
  }));
  expect(out.MetricDataResults?.[0]?.Values).toEqual([31, 44, 39, 47, 42]);
});

test.each([
  ['a percentile above 100', [query('a', 'AWS/Lambda', 'Duration', {}, 'p101')], 'not p101'],
  ['a trimmed mean, which the sandbox does not model', [query('a', 'AWS/Lambda', 'Duration', {}, 'tm99')], 'not tm99'],
  ['the same id twice', [query('a', 'AWS/Lambda', 'Duration', {}, 'p99'), query('a', 'AWS/Lambda', 'Duration', {}, 'p50')], 'used more than once'],
  ['more than 500 queries', Array.from({ length: 501 }, (_, i) => query(`q${i}`, 'AWS/Lambda', 'Duration', {}, 'p99')), 'not have more than 500'],
])('%s: InvalidParameterValue, as CloudWatch answers', async (_what, queries, message) => {
  const error = await rejectionOf(cw().send(new GetMetricDataCommand({ StartTime: minutesBefore(60), EndTime: NOW, MetricDataQueries: queries })));
  expect(error).toBeInstanceOf(InvalidParameterValueException);
  expect(error.message).toContain(message);
});
