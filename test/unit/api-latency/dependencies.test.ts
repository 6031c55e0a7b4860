import { rankDependencies, signalsOf, spanOf, type Dependencies, type Series, type Signal } from '../../../runbooks/api-latency/dependencies';

const NONE: Dependencies = { functions: [], tables: [], tableOperations: ['GetItem'], databases: [], services: [] };
const NOW = new Date('2026-12-06T14:22:31Z');
const span = spanOf(NOW, 5);
const minute = (m: number) => new Date(span.end.getTime() - m * 60_000).toISOString();
/** `before` a minute for the hour before the window, then `after` a minute for the window's five. */
const story = (before: number, after: number): Series => ({
  partial: false,
  points: [...Array.from({ length: 60 }, (_, i) => ({ at: minute(65 - i), value: before })), ...Array.from({ length: 5 }, (_, i) => ({ at: minute(5 - i), value: after }))],
});
const rank = (signals: readonly Signal[], series: Record<string, Series>, answers: Record<string, string> = {}) =>
  rankDependencies({ api: 'app/api/0123456789abcdef', alarmName: 'api-p99', signals, series, windowStart: span.windowStart, windowMinutes: 5, movedRatio: 2, answers });
const idOf = (signals: readonly Signal[], label: RegExp) => signals.find((s) => label.test(s.label))!.id;

test('one signal per dependency and metric, ids unique and lowercase-first as GetMetricData wants them, p99 only where the metric has percentiles', () => {
  const signals = signalsOf({
    functions: ['agent'], tables: ['tasks'], tableOperations: ['GetItem', 'Query'], databases: ['db-1'], services: [{ clusterName: 'c', serviceName: 's' }],
  });
  expect(signals.map((s) => [s.metric.namespace, s.metric.metricName, s.stat])).toEqual([
    ['AWS/Lambda', 'Duration', 'p99'],
    ['AWS/DynamoDB', 'SuccessfulRequestLatency', 'Average'], ['AWS/DynamoDB', 'SuccessfulRequestLatency', 'Average'],
    ['AWS/DynamoDB', 'ReadThrottleEvents', 'Sum'], ['AWS/DynamoDB', 'WriteThrottleEvents', 'Sum'],
    ['AWS/RDS', 'ReadLatency', 'Average'], ['AWS/RDS', 'WriteLatency', 'Average'],
    ['AWS/ECS', 'CPUUtilization', 'Average'], ['AWS/ECS', 'MemoryUtilization', 'Average'],
  ]);
  expect(signals[2]!.metric.dimensions).toEqual({ TableName: 'tasks', Operation: 'Query' });
  expect(new Set(signals.map((s) => s.id)).size).toBe(signals.length);
  for (const s of signals) expect(s.id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
});

test('the span: the window ends at the minute of the reading, the hour before ends where the window starts', () => {
  expect(span).toEqual({ start: new Date('2026-12-06T13:17:00Z'), windowStart: new Date('2026-12-06T14:17:00Z'), end: new Date('2026-12-06T14:22:00Z') });
});

test('ranked by how many times the hour before each is; the top mover named with the runbook that answers it', () => {
  const signals = signalsOf({ ...NONE, functions: ['agent'], tables: ['tasks'] });
  const d = rank(signals, {
    [idOf(signals, /agent Duration/)]: story(800, 820),
    [idOf(signals, /GetItem latency/)]: story(4, 25),
    [idOf(signals, /write throttles/)]: { partial: false, points: [31, 44, 39, 47, 42].map((value, i) => ({ at: minute(5 - i), value })) },
  }, { 'AWS/DynamoDB WriteThrottleEvents': 'dynamodb-throttling' });
  expect(d.ranked.map((r) => [r.label, r.moved])).toEqual([
    ['DynamoDB table tasks write throttles', true],
    ['DynamoDB table tasks GetItem latency (average)', true],
    ['Lambda function agent Duration p99', false],
    // Throttle events are published only while throttling: no datapoints is none, not unknown.
    ['DynamoDB table tasks read throttles', false],
  ]);
  expect(d.top).toMatchObject({ label: 'DynamoDB table tasks write throttles', before: 0, window: 40.6, answeredBy: 'dynamodb-throttling' });
  expect(d.summary).toBe(
    'API app/api/0123456789abcdef latency (alarm api-p99): DynamoDB table tasks write throttles moved most, 0/min -> 40.6/min (none the hour before) '
    + 'over the last 5 min against the hour before; runbook dynamodb-throttling answers it: an alarm on its WriteThrottleEvents starts it. '
    + 'Moved: 1. DynamoDB table tasks write throttles: 0/min -> 40.6/min (none the hour before); 2. DynamoDB table tasks GetItem latency (average): 4.0 ms -> 25.0 ms (x6.3). '
    + 'Not moved: 2 other metric(s), within x2 of the hour before.',
  );
});

test('a top mover no runbook answers: a person decides', () => {
  const signals = signalsOf({ ...NONE, databases: ['db-1'] });
  const d = rank(signals, { [idOf(signals, /read latency/)]: story(0.002, 0.09), [idOf(signals, /write latency/)]: story(0.003, 0.003) });
  expect(d.top?.label).toBe('RDS instance db-1 read latency (average)');
  expect(d.summary).toContain('0.0020 s -> 0.090 s (x45.0)');
  expect(d.summary).toContain('no runbook enabled here answers it: a person decides');
});

test('nothing moved: not explained by the configured dependencies, and nothing named as the answer', () => {
  const signals = signalsOf({ ...NONE, functions: ['agent'] });
  const d = rank(signals, { [idOf(signals, /agent/)]: story(800, 1500) }, { 'AWS/Lambda Duration': 'lambda-timeouts' });
  expect(d.top).toBeNull();
  expect(d.summary).toMatch(/^API app\/api\/0123456789abcdef latency \(alarm api-p99\) is not explained by the configured dependencies: none moved over the last 5 min against the hour before \(at least x2\)/);
  expect(d.summary).not.toContain('lambda-timeouts');
});

test('a rise within the noise floor is no move, however large its ratio', () => {
  const signals = signalsOf({ ...NONE, services: [{ clusterName: 'c', serviceName: 's' }] });
  const d = rank(signals, { [idOf(signals, /CPU/)]: story(0.1, 0.9), [idOf(signals, /memory/)]: story(40, 41) });
  expect(d.ranked.every((r) => !r.moved)).toBe(true);
});

test('no datapoints and one-sided data are said, never ranked as moved', () => {
  const signals = signalsOf({ ...NONE, functions: ['a', 'b', 'c'] });
  const windowOnly: Series = { partial: false, points: [{ at: minute(2), value: 900 }] };
  const beforeOnly: Series = { partial: true, points: [{ at: minute(30), value: 900 }] };
  const d = rank(signals, { [idOf(signals, /function a /)]: windowOnly, [idOf(signals, /function b /)]: beforeOnly });
  expect(d.top).toBeNull();
  expect(d.ranked.map((r) => [r.label, r.gap])).toEqual([
    ['Lambda function a Duration p99', 'no datapoints in the hour before'],
    ['Lambda function b Duration p99', 'no datapoints in the window (partial data)'],
    ['Lambda function c Duration p99', 'no datapoints'],
  ]);
  expect(d.summary).toContain('Cannot compare: Lambda function a Duration p99: no datapoints in the hour before; Lambda function b Duration p99: no datapoints in the window (partial data).');
  expect(d.summary).toContain('No datapoints for: Lambda function c Duration p99.');
});
