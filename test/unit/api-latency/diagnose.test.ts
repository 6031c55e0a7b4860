import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import type { ApiLatencyDiagnosis } from '../../../runbooks/api-latency/handlers/diagnose';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const cloudwatch = mockClient(CloudWatchClient);
const API = 'app/cabruca-segmentation-prod-api/7c1d2e3f4a5b6c7d';
let handler: (event: unknown, context: typeof lambdaContext) => Promise<ApiLatencyDiagnosis>;

beforeAll(async () => {
  process.env.API_POLICIES = JSON.stringify({
    [API]: {
      windowMinutes: 5, movedRatio: 2, answers: { 'AWS/DynamoDB WriteThrottleEvents': 'dynamodb-throttling' },
      dependencies: { functions: ['agent'], tables: ['tasks'], tableOperations: ['PutItem'], databases: [], services: [] },
    },
  });
  handler = (await import('../../../runbooks/api-latency/handlers/diagnose')).handler as unknown as typeof handler;
});
beforeEach(() => {
  cloudwatch.reset();
  jest.useFakeTimers({ now: new Date('2026-12-06T14:22:31Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});
afterEach(() => jest.useRealTimers());

const input = (target = API) => ({ incident: incident({ runbook: 'api-latency', target, source: { name: 'api-p99' } }), execution: { id: EXECUTION_ARN } });
const at = (iso: string) => new Date(iso);

test('one GetMetricData call: every dependency metric a minute, over the window and the hour before; ranked, the throttling table first', async () => {
  cloudwatch.on(GetMetricDataCommand).resolves({
    MetricDataResults: [
      { Id: 'q0', StatusCode: 'Complete', Timestamps: [at('2026-12-06T14:20:00Z'), at('2026-12-06T13:30:00Z')], Values: [810, 800] },
      { Id: 'q1', StatusCode: 'Complete', Timestamps: [at('2026-12-06T14:20:00Z'), at('2026-12-06T13:30:00Z')], Values: [48, 6] },
      { Id: 'q3', StatusCode: 'Complete', Timestamps: [at('2026-12-06T14:18:00Z'), at('2026-12-06T14:19:00Z')], Values: [40, 60] },
    ],
  });

  const d = await handler(input(), lambdaContext);

  const calls = cloudwatch.commandCalls(GetMetricDataCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.args[0].input).toEqual({
    StartTime: at('2026-12-06T13:17:00Z'), EndTime: at('2026-12-06T14:22:00Z'), ScanBy: 'TimestampAscending', NextToken: undefined,
    MetricDataQueries: [
      { Id: 'q0', ReturnData: true, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: [{ Name: 'FunctionName', Value: 'agent' }] }, Period: 60, Stat: 'p99' } },
      { Id: 'q1', ReturnData: true, MetricStat: { Metric: { Namespace: 'AWS/DynamoDB', MetricName: 'SuccessfulRequestLatency', Dimensions: [{ Name: 'TableName', Value: 'tasks' }, { Name: 'Operation', Value: 'PutItem' }] }, Period: 60, Stat: 'Average' } },
      { Id: 'q2', ReturnData: true, MetricStat: { Metric: { Namespace: 'AWS/DynamoDB', MetricName: 'ReadThrottleEvents', Dimensions: [{ Name: 'TableName', Value: 'tasks' }] }, Period: 60, Stat: 'Sum' } },
      { Id: 'q3', ReturnData: true, MetricStat: { Metric: { Namespace: 'AWS/DynamoDB', MetricName: 'WriteThrottleEvents', Dimensions: [{ Name: 'TableName', Value: 'tasks' }] }, Period: 60, Stat: 'Sum' } },
    ],
  });
  expect(d.window).toEqual({ start: '2026-12-06T14:17:00.000Z', end: '2026-12-06T14:22:00.000Z', minutes: 5, before: '2026-12-06T13:17:00.000Z' });
  expect(d.ranked.map((r) => r.label)).toEqual([
    'DynamoDB table tasks write throttles', 'DynamoDB table tasks PutItem latency (average)', 'Lambda function agent Duration p99', 'DynamoDB table tasks read throttles',
  ]);
  expect(d.top).toMatchObject({ window: 20, before: 0, answeredBy: 'dynamodb-throttling' });
  expect(d.summary).toContain('runbook dynamodb-throttling answers it');
});

test('a throttled read is AwsThrottled (the state machine retries it); an access denied one is AwsAccessDenied', async () => {
  cloudwatch.on(GetMetricDataCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }))
    .rejectsOnce(Object.assign(new Error('not authorized to perform: cloudwatch:GetMetricData'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled', message: expect.stringContaining('cloudwatch:GetMetricData of 4 metric(s)') });
  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsAccessDenied' });
});

test('an API that is not configured: TargetNotAllowed, nothing read', async () => {
  await expect(handler(input('app/other/0123456789abcdef'), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotAllowed' });
  expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(0);
});
