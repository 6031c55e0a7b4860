import type { AccountState, HistoryEventState } from './state';

/**
 * The TradAI backtest workflow (seed 004, its alert on failed workflows): a Standard state machine that
 * loads market data, then backtests 120 strategies in a Map (40 at a time). Its execution of
 * 2026-12-01 failed yesterday: strategy 80's backtest timed out on the exchange's API, and the 39
 * iterations running beside it were aborted, so the state the failed task belongs to lies on the
 * history's third page newest first (100 events a page). It is redrivable; redriven, the failed iterations run again and succeed.
 */
export const WORKFLOW_MACHINE_NAME = 'tradai-prod-backtest-workflow';
export const WORKFLOW_EXECUTION_NAME = 'backtest-2026-12-01';
export const WORKFLOW_FAILED_STATE = 'Run backtest';
export const WORKFLOW_ERROR = 'Backtest.ExchangeTimeout';
export const WORKFLOW_CAUSE = 'GET https://api.exchange.example/v3/klines?symbol=BTCUSDT timed out after 30000 ms';
const STRATEGIES = 120;
const CONCURRENCY = 40;
const FAILING = 80;

const REGION = 'sa-east-1';
const ACCOUNT = '111122223333';
export const WORKFLOW_MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${WORKFLOW_MACHINE_NAME}`;
export const WORKFLOW_EXECUTION = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${WORKFLOW_MACHINE_NAME}:${WORKFLOW_EXECUTION_NAME}`;

/** The failed run's history, oldest first, with the ids and previousEventIds Step Functions gives it. */
function failedRunHistory(startedAt: Date): HistoryEventState[] {
  const events: HistoryEventState[] = [];
  const at = (seconds: number) => new Date(startedAt.getTime() + seconds * 1000).toISOString();
  const add = (type: string, previousEventId: number, details: Record<string, unknown> = {}): number => {
    const id = events.length + 1;
    events.push({ id, previousEventId, timestamp: at(id), type, ...details });
    return id;
  };
  const entered = (name: string) => ({ stateEnteredEventDetails: { name } });
  const exited = (name: string) => ({ stateExitedEventDetails: { name } });
  const task = { resource: 'invoke', resourceType: 'lambda' };
  let last = add('ExecutionStarted', 0, { executionStartedEventDetails: { roleArn: `arn:aws:iam::${ACCOUNT}:role/tradai-prod-backtest-workflow` } });
  last = add('TaskStateEntered', last, entered('Load market data'));
  last = add('TaskScheduled', last, { taskScheduledEventDetails: { ...task, region: REGION } });
  last = add('TaskStarted', last, { taskStartedEventDetails: task });
  last = add('TaskSucceeded', last, { taskSucceededEventDetails: task });
  last = add('TaskStateExited', last, exited('Load market data'));
  const map = add('MapStateEntered', last, entered('Run strategies'));
  last = add('MapStateStarted', map, { mapStateStartedEventDetails: { length: STRATEGIES } });
  // The first 80 strategies run to the end, 40 at a time.
  for (let i = 0; i < FAILING; i++) {
    const started = add('MapIterationStarted', last, { mapIterationStartedEventDetails: { name: 'Run strategies', index: i } });
    const state = add('TaskStateEntered', started, entered(WORKFLOW_FAILED_STATE));
    const scheduled = add('TaskScheduled', state, { taskScheduledEventDetails: { ...task, region: REGION } });
    const running = add('TaskStarted', scheduled, { taskStartedEventDetails: task });
    const done = add('TaskSucceeded', running, { taskSucceededEventDetails: task });
    const out = add('TaskStateExited', done, exited(WORKFLOW_FAILED_STATE));
    last = add('MapIterationSucceeded', out, { mapIterationSucceededEventDetails: { name: 'Run strategies', index: i } });
  }
  // The last 40 start together; strategy 80's task is the one that fails.
  const running: number[] = [];
  for (let i = FAILING; i < FAILING + CONCURRENCY; i++) {
    const started = add('MapIterationStarted', last, { mapIterationStartedEventDetails: { name: 'Run strategies', index: i } });
    const state = add('TaskStateEntered', started, entered(WORKFLOW_FAILED_STATE));
    const scheduled = add('TaskScheduled', state, { taskScheduledEventDetails: { ...task, region: REGION } });
    running.push(add('TaskStarted', scheduled, { taskStartedEventDetails: task }));
  }
  const failed = add('TaskFailed', running[0]!, { taskFailedEventDetails: { ...task, error: WORKFLOW_ERROR, cause: WORKFLOW_CAUSE } });
  last = add('MapIterationFailed', failed, { mapIterationFailedEventDetails: { name: 'Run strategies', index: FAILING } });
  for (let i = FAILING + 1; i < FAILING + CONCURRENCY; i++) {
    last = add('MapIterationAborted', last, { mapIterationAbortedEventDetails: { name: 'Run strategies', index: i } });
  }
  last = add('MapStateFailed', last);
  add('ExecutionFailed', last, { executionFailedEventDetails: { error: WORKFLOW_ERROR, cause: WORKFLOW_CAUSE } });
  return events;
}

/**
 * The backtest of 2026-12-06, still running 9 hours after it started (ExecutionTime's alarm is
 * 6 hours): it waits in "Load market data" on the exchange's API, entered and never left.
 */
export const LONG_RUNNING_EXECUTION_NAME = 'backtest-2026-12-06';
export const LONG_RUNNING_STATE = 'Load market data';
export const LONG_RUNNING_EXECUTION = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${WORKFLOW_MACHINE_NAME}:${LONG_RUNNING_EXECUTION_NAME}`;

function runningHistory(startedAt: Date): HistoryEventState[] {
  const at = (seconds: number) => new Date(startedAt.getTime() + seconds * 1000).toISOString();
  const task = { resource: 'invoke', resourceType: 'lambda' };
  return [
    { id: 1, previousEventId: 0, timestamp: at(0), type: 'ExecutionStarted', executionStartedEventDetails: { roleArn: `arn:aws:iam::${ACCOUNT}:role/tradai-prod-backtest-workflow` } },
    { id: 2, previousEventId: 1, timestamp: at(1), type: 'TaskStateEntered', stateEnteredEventDetails: { name: LONG_RUNNING_STATE } },
    { id: 3, previousEventId: 2, timestamp: at(1), type: 'TaskScheduled', taskScheduledEventDetails: { ...task, region: REGION } },
    { id: 4, previousEventId: 3, timestamp: at(2), type: 'TaskStarted', taskStartedEventDetails: task },
  ];
}

/** Adds the workflow and its failed, redrivable execution to a seeded account. */
export function seedWorkflowSystems(state: AccountState, now: Date): void {
  const startedAt = new Date(now.getTime() - 26 * 3_600_000);
  const history = failedRunHistory(startedAt);
  state.stepFunctions.stateMachines[WORKFLOW_MACHINE] = { type: 'STANDARD', tags: { Project: 'tradai', Environment: 'prod' } };
  state.stepFunctions.executions[WORKFLOW_EXECUTION] = {
    stateMachineArn: WORKFLOW_MACHINE, name: WORKFLOW_EXECUTION_NAME, input: JSON.stringify({ date: '2026-12-01', strategies: STRATEGIES }),
    status: 'FAILED', startDate: startedAt.toISOString(), stopDate: history.at(-1)!.timestamp, error: WORKFLOW_ERROR, cause: WORKFLOW_CAUSE,
    redriveCount: 0, history, afterRedrive: { status: 'SUCCEEDED', state: WORKFLOW_FAILED_STATE },
  };
  const runningSince = new Date(now.getTime() - 9 * 3_600_000);
  state.stepFunctions.executions[LONG_RUNNING_EXECUTION] = {
    stateMachineArn: WORKFLOW_MACHINE, name: LONG_RUNNING_EXECUTION_NAME, input: JSON.stringify({ date: '2026-12-06', strategies: STRATEGIES }),
    status: 'RUNNING', startDate: runningSince.toISOString(), redriveCount: 0, history: runningHistory(runningSince),
  };
}
