import type { AwsCallReceived } from '../../drill/drill';
import { SLOW_API_ALARM, SLOW_API_LOAD_BALANCER, THROTTLED_TASKS_TABLE } from '../../drill/sandbox';
import { runDrill, scenarioDrill } from './run-drill';

const callsOf = (r: unknown) => (r as { calls: AwsCallReceived[] }).calls;
const of = (calls: readonly AwsCallReceived[], service: string, operation: string) => calls.filter((c) => c.service === service && c.operation === operation);
/** The page: what the critical topic was sent. */
const pageOf = (calls: readonly AwsCallReceived[]) => of(calls, 'sns', 'Publish').filter((c) => String(c.input.TopicArn).endsWith('-critical')).map((c) => String(c.input.Message));
/** Every call the runbook made besides reads, the ledger's and the notifications: none. */
const changes = (calls: readonly AwsCallReceived[]) => calls.filter((c) => !['GetMetricData', 'GetParameters', 'Publish', 'PutObject'].includes(c.operation) && c.service !== 'dynamodb');

test('the latency alarm: one GetMetricData call, then a page naming the throttling tasks table first and dynamodb-throttling as its answer; nothing changed', async () => {
  const { code, results: [r] } = await runDrill(['api-latency', '--json', '--calls']);
  expect(code).toBe(0);
  expect(r).toMatchObject({
    runbook: 'api-latency', outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }],
    reason: expect.stringMatching(new RegExp(`^API ${SLOW_API_LOAD_BALANCER} latency \\(alarm ${SLOW_API_ALARM}\\): DynamoDB table ${THROTTLED_TASKS_TABLE} write throttles moved most, 0/min -> 40\\.6/min \\(none the hour before\\) over the last 5 min against the hour before; runbook dynamodb-throttling answers it`)),
  });
  const calls = callsOf(r);
  const reads = of(calls, 'cloudwatch', 'GetMetricData');
  expect(reads).toHaveLength(1);
  // 3 agents, and per table 3 operations' latency and 2 throttle counts.
  expect((reads[0]!.input.MetricDataQueries as unknown[]).length).toBe(3 + 2 * (3 + 2));
  expect(r!.reason).toContain(`Moved: 1. DynamoDB table ${THROTTLED_TASKS_TABLE} write throttles`);
  expect(r!.reason).toContain('Not moved: 8 other metric(s), within x2 of the hour before.');
  expect(pageOf(calls).join('\n')).toContain(`DynamoDB table ${THROTTLED_TASKS_TABLE} write throttles moved most`);
  expect(r!.actions).toEqual([]);
  expect(changes(calls)).toEqual([]);
});

test('no dependency moved: the page says the configured dependencies do not explain it, and names no runbook', async () => {
  const { results: [r] } = await scenarioDrill('api-latency', 'api-latency-not-explained');
  expect(r).toMatchObject({
    outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }],
    reason: expect.stringContaining(`API ${SLOW_API_LOAD_BALANCER} latency (alarm ${SLOW_API_ALARM}) is not explained by the configured dependencies: none moved over the last 5 min`),
  });
  expect(r!.reason).not.toContain('Moved:');
  expect(r!.reason).not.toContain('dynamodb-throttling');
});

test('a table with no datapoints: said by name, and the throttling table still ranked first', async () => {
  const { results: [r] } = await scenarioDrill('api-latency', 'api-latency-state-table-silent');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining(`DynamoDB table ${THROTTLED_TASKS_TABLE} write throttles moved most`) });
  expect(r!.reason).toContain('No datapoints for: DynamoDB table cabruca-segmentation-prod-agent-state GetItem latency (average), DynamoDB table cabruca-segmentation-prod-agent-state PutItem latency (average), DynamoDB table cabruca-segmentation-prod-agent-state Query latency (average).');
});

test('GetMetricData throttled: retried by the state machine, then the same page', async () => {
  const { results: [r] } = await runDrill(['api-latency', '--fault', 'cloudwatch:GetMetricData=throttlingx2', '--json', '--calls']);
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining(`${THROTTLED_TASKS_TABLE} write throttles moved most`) });
  expect(of(callsOf(r), 'cloudwatch', 'GetMetricData').length).toBeGreaterThanOrEqual(3);
});
