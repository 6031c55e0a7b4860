/**
 * Where a failed execution failed, read from its history newest first (seed 004 "Workflow
 * Stuck/Failed: check Step Functions history"): the event that failed it (a task, a Lambda
 * function, an activity, a Fail state), its error and cause, and the state that event belongs to,
 * found by following previousEventId back to the state's StateEntered. Pure.
 */

/** A history event, as GetExecutionHistory returns it without execution data (the fields read here). */
export interface HistoryEventView {
  readonly id?: number;
  readonly previousEventId?: number;
  readonly type?: string;
  readonly stateEnteredEventDetails?: { readonly name?: string };
  readonly [details: string]: unknown;
}

export interface FailurePoint {
  /** The state the failure belongs to (inside a Map or Parallel, the inner state). Null when the history does not say. */
  readonly state: string | null;
  /** The event that failed it: TaskFailed, LambdaFunctionTimedOut, ExecutionTimedOut, ... */
  readonly failedBy: string;
  readonly error: string | null;
  readonly cause: string | null;
  /** How many events were read to find it. */
  readonly eventsRead: number;
}

const TERMINAL = ['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted'];
/** The events that fail a state (Step Functions API reference, HistoryEvent types), newest first these come before the terminal one. */
const STATE_FAILURES = [
  'TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed', 'ActivityFailed', 'ActivityTimedOut', 'ActivityScheduleFailed', 'MapRunFailed',
];

/** `<type>EventDetails` of an event: TaskFailed -> taskFailedEventDetails. */
function detailsOf(event: HistoryEventView): { error?: string; cause?: string } | undefined {
  const type = event.type ?? '';
  const value = event[`${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`];
  return value !== null && typeof value === 'object' ? (value as { error?: string; cause?: string }) : undefined;
}

/**
 * The failure point, from the events read so far (newest first). `not-failed`: the newest event
 * does not end the execution unsuccessfully (it runs again, or succeeded since). `need-more`: the
 * events read end before the event that failed it or the state it belongs to: read the next
 * page. `complete`: there is no next page (or no more may be read): answer from what was read.
 */
export function failurePoint(newestFirst: readonly HistoryEventView[], complete: boolean): FailurePoint | 'not-failed' | 'need-more' {
  const last = newestFirst[0];
  if (!last?.type || !TERMINAL.includes(last.type)) return 'not-failed';
  const byId = new Map(newestFirst.flatMap((e) => (e.id === undefined ? [] : [[e.id, e] as const])));
  const failure = newestFirst.find((e) => STATE_FAILURES.includes(e.type ?? ''));
  const terminalDetails = detailsOf(last);
  // Not among the events read yet: a Map's other iterations may have been aborted after it.
  if (!failure && !complete) return 'need-more';
  if (failure) {
    // previousEventId leads from the failure back through the task's events to its StateEntered.
    let event: HistoryEventView | undefined = failure;
    while (event && !(event.type ?? '').endsWith('StateEntered')) {
      const previous: number | undefined = event.previousEventId;
      event = previous === undefined || previous === 0 ? undefined : byId.get(previous);
      if (event === undefined && previous !== undefined && previous !== 0 && !complete) return 'need-more';
    }
    const details = detailsOf(failure);
    return {
      state: event?.stateEnteredEventDetails?.name ?? null, failedBy: failure.type ?? 'unknown',
      error: details?.error ?? terminalDetails?.error ?? null, cause: details?.cause ?? terminalDetails?.cause ?? null, eventsRead: newestFirst.length,
    };
  }
  // A Fail state, the execution's own timeout or an abort: the state it was in is the last one entered.
  const entered = newestFirst.find((e) => (e.type ?? '').endsWith('StateEntered'));
  return {
    state: entered?.stateEnteredEventDetails?.name ?? null, failedBy: last.type,
    error: terminalDetails?.error ?? null, cause: terminalDetails?.cause ?? null, eventsRead: newestFirst.length,
  };
}
