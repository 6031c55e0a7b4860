import { seedAccountState, WORKFLOW_CAUSE, WORKFLOW_ERROR, WORKFLOW_EXECUTION, WORKFLOW_FAILED_STATE } from '../../../drill/sandbox';
import { failurePoint, type HistoryEventView } from '../../../runbooks/workflow-stuck/failure-point';
import { planRedrive, redriveToken, type RedriveFacts } from '../../../runbooks/workflow-stuck/redrive-plan';

const ev = (id: number, previousEventId: number, type: string, details: Record<string, unknown> = {}): HistoryEventView => ({ id, previousEventId, type, ...details });
const entered = (name: string) => ({ stateEnteredEventDetails: { name } });

/** The seed's failed backtest run, newest first. */
const seedHistory = (): HistoryEventView[] => [...seedAccountState().stepFunctions.executions[WORKFLOW_EXECUTION]!.history!].reverse() as HistoryEventView[];

describe('the failure point in a history read newest first', () => {
  test('a task failing inside a Map, 39 iterations aborted after it: previousEventId leads back to its state', () => {
    const all = seedHistory();
    expect(failurePoint(all, true)).toEqual({ state: WORKFLOW_FAILED_STATE, failedBy: 'TaskFailed', error: WORKFLOW_ERROR, cause: WORKFLOW_CAUSE, eventsRead: all.length });
  });

  test('page by page: the first page holds the failure but not its state, so it asks for more; then it finds it', () => {
    const all = seedHistory();
    expect(failurePoint(all.slice(0, 100), false)).toBe('need-more');
    const found = [100, 200, 300].map((n) => failurePoint(all.slice(0, n), false)).find((p) => p !== 'need-more');
    expect(found).toMatchObject({ state: WORKFLOW_FAILED_STATE, error: WORKFLOW_ERROR });
  });

  test('no more pages to read: it answers with what it has, the state unknown rather than a wrong one', () => {
    expect(failurePoint(seedHistory().slice(0, 100), true)).toMatchObject({ state: null, failedBy: 'TaskFailed', error: WORKFLOW_ERROR });
  });

  test('a Fail state, or the execution\'s own timeout: the last state entered, with the terminal event\'s error', () => {
    const failState = [
      ev(4, 3, 'ExecutionFailed', { executionFailedEventDetails: { error: 'Validation.Failed', cause: 'no symbols' } }),
      ev(3, 2, 'FailStateEntered', entered('Reject input')),
      ev(2, 1, 'PassStateExited'),
      ev(1, 0, 'ExecutionStarted'),
    ];
    expect(failurePoint(failState, true)).toEqual({ state: 'Reject input', failedBy: 'ExecutionFailed', error: 'Validation.Failed', cause: 'no symbols', eventsRead: 4 });
    const timedOut = [ev(3, 2, 'ExecutionTimedOut', { executionTimedOutEventDetails: { error: 'States.Timeout' } }), ev(2, 1, 'WaitStateEntered', entered('Wait for fills')), ev(1, 0, 'ExecutionStarted')];
    expect(failurePoint(timedOut, true)).toMatchObject({ state: 'Wait for fills', failedBy: 'ExecutionTimedOut', error: 'States.Timeout' });
  });

  test('a history whose newest event does not end the run (redriven since, or succeeded): not failed', () => {
    expect(failurePoint([ev(9, 8, 'ExecutionRedriven'), ...seedHistory()], true)).toBe('not-failed');
    expect(failurePoint([ev(2, 1, 'ExecutionSucceeded'), ev(1, 0, 'ExecutionStarted')], true)).toBe('not-failed');
  });
});

describe('the redrive plan', () => {
  const facts = (f: Partial<RedriveFacts> = {}): RedriveFacts => ({
    executionArn: WORKFLOW_EXECUTION, status: 'FAILED', redriveStatus: 'REDRIVABLE', redriveStatusReason: null,
    tags: { Project: 'tradai' }, redrivesSoFar: 0, maxRedrives: 2, ...f,
  });

  test('failed and redrivable, under the cap: redrive', () => {
    expect(planRedrive(facts())).toEqual({ decision: 'redrive', reason: 'FAILED, redrivable; redrive 1 of at most 2 by this runbook' });
  });

  test("this system's own state machine is refused before anything else, even failed and redrivable", () => {
    expect(planRedrive(facts({ tags: { 'runbook-autopilot:stack': 'RunbookAutopilot-prod' } })).decision).toBe('own-state-machine');
  });

  test.each([
    [{ status: 'RUNNING' }, 'not-failed'],
    [{ status: 'SUCCEEDED' }, 'not-failed'],
    [{ redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution redrivable period exceeded' }, 'not-redrivable'],
    [{ redrivesSoFar: 2 }, 'cap-reached'],
  ])('%j: %s', (changes, decision) => {
    expect(planRedrive(facts(changes as Partial<RedriveFacts>)).decision).toBe(decision);
  });

  test('the client token is the same for every attempt of one redrive, another for the next run, and fits Step Functions (1-64 printable)', () => {
    const token = redriveToken('inc-0123456789abcdef', WORKFLOW_EXECUTION, 0);
    expect(redriveToken('inc-0123456789abcdef', WORKFLOW_EXECUTION, 0)).toBe(token);
    expect(redriveToken('inc-0123456789abcdef', WORKFLOW_EXECUTION, 1)).not.toBe(token);
    expect(token).toMatch(/^[!-~]{1,64}$/);
  });
});
