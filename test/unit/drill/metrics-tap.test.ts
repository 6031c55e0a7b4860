import { metricsOf, parseEmf, tapMetrics } from '../../../drill/metrics-tap';

const line = (executionArn: string, value = 1) => JSON.stringify({
  _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'RunbookAutopilot', Dimensions: [['environment', 'runbook']], Metrics: [{ Name: 'ActionsTaken', Unit: 'Count' }] }] },
  executionArn, environment: 'drill', runbook: 'r', ActionsTaken: value,
});

test('other output is not a metric', () => {
  expect(parseEmf('{"input":"events/x.json"}')).toEqual([]);
  expect(parseEmf('{"_aws": not json')).toEqual([]);
  expect(parseEmf('plain text')).toEqual([]);
});

test('the tap takes EMF lines off stdout, lets the rest through, and each open tap gets every line', () => {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const a = tapMetrics();
    const b = tapMetrics();
    process.stdout.write(`${line('arn:e1')}\n`);
    process.stdout.write('the drill says\n');
    process.stdout.write(`${line('arn:e2', 3)}\nand more\n`);
    b.stop();
    process.stdout.write(`${line('arn:e1', 2)}\n`);
    a.stop();
    expect(written.join('')).toBe('the drill says\nand more\n');
    expect(metricsOf(a.metrics, new Set(['arn:e1'])).map((m) => m.value)).toEqual([1, 2]);
    expect(b.metrics.map((m) => m.executionArn)).toEqual(['arn:e1', 'arn:e2']);
    // Both closed: stdout is itself again.
    process.stdout.write(`${line('arn:e3')}\n`);
    expect(written.at(-1)).toContain('arn:e3');
  } finally {
    spy.mockRestore();
  }
});
