/**
 * A run's events as Step Functions' GetExecutionHistory gives them, from aws-local-stepfunctions'
 * event log. Modelled: ExecutionStarted (ExecutionRedriven for a redriven run, with its count),
 * <Type>StateEntered / <Type>StateExited with the state's input and output, TaskFailed for each
 * failed attempt of a Task (its error and cause), Map iterations, and ExecutionSucceeded /
 * ExecutionFailed. Not modelled: TaskScheduled, TaskStarted and TaskSucceeded, and the Lambda
 * request ids they carry.
 */
import { randomUUID } from 'node:crypto';
import type { ExecutionState, HistoryEventState } from './sandbox';
import type { EventLog, ExecutionRecord } from './executor';

const json = (value: unknown) => JSON.stringify(value ?? null);
const DATA = { truncated: false };

export function historyOf(run: ExecutionRecord, firstId: number, roleArn = 'arn:aws:iam::111122223333:role/drill'): HistoryEventState[] {
  const out: HistoryEventState[] = [];
  const push = (timestamp: number, type: string, details: Record<string, unknown> = {}) => {
    const id = firstId + out.length;
    out.push({ id, previousEventId: id - 1, timestamp: new Date(timestamp).toISOString(), type, ...details });
  };
  const failedAttempts = new Map<string, number>();
  const failure = (state: string, event: EventLog): { error: string; cause: string } => {
    const n = failedAttempts.get(state) ?? 0;
    failedAttempts.set(state, n + 1);
    const invocation = run.invocations.filter((i) => i.state === state && i.error)[n];
    if ('Error' in event && typeof event.Error === 'string') return { error: event.Error, cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause) };
    return { error: invocation?.error?.name ?? 'States.TaskFailed', cause: invocation?.error?.message ?? '' };
  };
  for (const event of run.events) {
    switch (event.type) {
      case 'ExecutionStarted':
        if (run.redriveCount > 0) push(event.timestamp, 'ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: run.redriveCount } });
        else push(event.timestamp, 'ExecutionStarted', { executionStartedEventDetails: { input: json(event.input), inputDetails: DATA, roleArn } });
        break;
      case 'StateEntered':
        push(event.timestamp, `${event.state.type}StateEntered`, { stateEnteredEventDetails: { name: event.state.name, input: json(event.state.input), inputDetails: DATA } });
        break;
      case 'StateExited':
        if (event.state.type === 'Fail') break;
        push(event.timestamp, `${event.state.type}StateExited`, { stateExitedEventDetails: { name: event.state.name, output: json(event.state.output), outputDetails: DATA } });
        break;
      case 'StateRetried':
      case 'StateCaught':
      case 'StateFailed':
        if (event.state.type === 'Task') push(event.timestamp, 'TaskFailed', { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', ...failure(event.state.name, event) } });
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        push(event.timestamp, event.type, { mapIterationStartedEventDetails: { name: event.parentState.name, index: event.index } });
        break;
      case 'ExecutionSucceeded':
        push(event.timestamp, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: json(event.output), outputDetails: DATA } });
        break;
      case 'ExecutionFailed':
        push(event.timestamp, 'ExecutionFailed', { executionFailedEventDetails: { error: event.Error, cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause) } });
        break;
      case 'ExecutionAborted':
        push(event.timestamp, 'ExecutionAborted', { executionAbortedEventDetails: {} });
        break;
      case 'ExecutionTimeout':
        push(event.timestamp, 'ExecutionTimedOut', { executionTimedOutEventDetails: { error: 'States.Timeout' } });
        break;
      default:
        break;
    }
  }
  // A run that failed without the library's ExecutionFailed event (an error before any state) still ends in one.
  if (run.status === 'FAILED' && !out.some((e) => e.type === 'ExecutionFailed')) {
    push(run.endedAt, 'ExecutionFailed', { executionFailedEventDetails: { error: run.error?.Error ?? 'States.Runtime', cause: run.error?.Cause ?? '' } });
  }
  return out;
}

/** The "Step Functions Execution Status Change" event Step Functions sends EventBridge when a run ends. */
export function statusChangeEvent(run: ExecutionRecord, execution: ExecutionState, account: string, region: string): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account,
    time: new Date(run.endedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [run.executionArn],
    detail: {
      executionArn: run.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: Date.parse(execution.startDate),
      stopDate: run.endedAt,
      input: execution.input,
      inputDetails: { included: true },
      output: run.status === 'SUCCEEDED' ? json(run.output) : null,
      outputDetails: run.status === 'SUCCEEDED' ? { included: true } : null,
      error: run.error?.Error ?? null,
      cause: run.error?.Cause ?? null,
      redriveCount: run.redriveCount,
      redriveDate: execution.redriveDate ? Date.parse(execution.redriveDate) : null,
      redriveStatus: run.status === 'SUCCEEDED' ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
      redriveStatusReason: run.status === 'SUCCEEDED' ? 'Execution is SUCCEEDED and cannot be redriven' : null,
    },
  };
}
