import { currentState, longRunning, longRunningVerdict } from '../../../runbooks/workflow-stuck/long-running';

const NOW = new Date('2026-12-06T17:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const run = (name: string, status: string, startedHoursAgo: number, stoppedHoursAgo?: number) => ({
  executionArn: `arn:aws:states:sa-east-1:111122223333:execution:wf:${name}`, name, status, startDate: hoursAgo(startedHoursAgo),
  stopDate: stoppedHoursAgo === undefined ? null : hoursAgo(stoppedHoursAgo),
});

test('past the limit: running ones longest first, closed ones apart; those within it left out', () => {
  const found = longRunning([
    run('a', 'RUNNING', 7), run('b', 'RUNNING', 9), run('c', 'RUNNING', 1), run('d', 'SUCCEEDED', 20, 12), run('e', 'FAILED', 3, 2),
  ], 360, NOW);
  expect(found.runningLong.map((a) => [a.name, a.minutes])).toEqual([['b', 540], ['a', 420]]);
  expect(found.ranLong.map((a) => [a.name, a.minutes, a.status])).toEqual([['d', 480, 'SUCCEEDED']]);
});

test('the state a running execution is in: the newest entered and not exited since (a Map\'s finished iterations skipped)', () => {
  const events = [
    { id: 9, type: 'TaskStarted' },
    { id: 8, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Run backtest' } },
    { id: 7, type: 'TaskStateExited', stateExitedEventDetails: { name: 'Run backtest' } },
    { id: 6, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Run backtest' } },
    { id: 5, type: 'MapStateEntered', stateEnteredEventDetails: { name: 'Run strategies' } },
  ];
  expect(currentState(events)).toBe('Run backtest');
  expect(currentState(events.slice(2))).toBe('Run strategies');
  expect(currentState([{ id: 1, type: 'ExecutionStarted' }])).toBeNull();
});

test('still running past the limit pages, saying none was stopped; none still running informs, naming the one that ran long', () => {
  const paging = longRunningVerdict('wf', 360, { runningLong: [{ ...run('b', 'RUNNING', 9), startDate: hoursAgo(9), minutes: 540, state: 'Load market data' }], ranLong: [] });
  expect(paging).toEqual({ escalate: true, summary: expect.stringContaining('b (started') });
  expect(paging.summary).toContain('now in "Load market data"');
  expect(paging.summary).toContain('none was stopped');
  const told = longRunningVerdict('wf', 360, { runningLong: [], ranLong: [{ ...run('d', 'SUCCEEDED', 20, 12), startDate: hoursAgo(20), minutes: 480, state: null }] });
  expect(told).toEqual({ escalate: false, summary: expect.stringContaining('ExecutionTime is published when an execution closes: d ran 480 min and ended SUCCEEDED') });
});
