/**
 * A runbook execution that failed, timed out or was aborted, as Step Functions reports it to
 * EventBridge ("Step Functions Execution Status Change") and in its history: which state it failed
 * at, with what error, and which run (redrive count) failed. Pure: no AWS calls.
 */
import * as z from '../shared/zod';
import type { EventPattern } from './event-pattern';

/** The statuses a run can end in without succeeding; each can be redriven. */
export const FAILED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** The rule's pattern: this stack's own runbook executions ending unsuccessfully. */
export function executionFailurePattern(stateMachineArns: readonly string[]): EventPattern {
  return {
    source: ['aws.states'],
    'detail-type': ['Step Functions Execution Status Change'],
    detail: { status: [...FAILED_STATUSES], stateMachineArn: [...stateMachineArns] },
  };
}

/** The event, as far as the notifier reads it. */
export const executionStatusEventSchema = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string().check(z.regex(/^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/, 'an execution ARN')),
    stateMachineArn: z.string().check(z.minLength(1)),
    name: z.string().check(z.minLength(1)),
    status: z.enum(FAILED_STATUSES),
    input: z.optional(z.nullable(z.string())),
    error: z.optional(z.nullable(z.string())),
    cause: z.optional(z.nullable(z.string())),
    /** 0 for the first run, one more per redrive (absent in events from before redrive existed). */
    redriveCount: z.optional(z.int().check(z.gte(0))),
  }),
});
export type ExecutionStatusEvent = z.infer<typeof executionStatusEventSchema>;

/** A history event, as GetExecutionHistory returns it (only the fields read here). */
export interface HistoryEventView {
  readonly type?: string;
  readonly stateEnteredEventDetails?: { readonly name?: string; readonly input?: string };
  readonly executionFailedEventDetails?: { readonly error?: string; readonly cause?: string };
  readonly executionAbortedEventDetails?: { readonly error?: string; readonly cause?: string };
  readonly executionTimedOutEventDetails?: { readonly error?: string; readonly cause?: string };
  readonly executionRedrivenEventDetails?: { readonly redriveCount?: number };
}

const TERMINAL: Readonly<Record<string, keyof HistoryEventView>> = {
  ExecutionFailed: 'executionFailedEventDetails',
  ExecutionAborted: 'executionAbortedEventDetails',
  ExecutionTimedOut: 'executionTimedOutEventDetails',
};

export interface FailedRun {
  /** The state the run was in when it ended: where a redrive starts again. */
  readonly state: { readonly name: string; readonly input: unknown } | null;
  readonly error: string | null;
  readonly cause: string | null;
  /** The run's redrive count, when the history reached its start. */
  readonly redriveCount: number | null;
}

/**
 * Reads a run's end from the newest events of its history (newest first). `moved-on`: the newest
 * event does not end a run (the execution was redriven since): the failure is no longer current.
 * `incomplete`: the events given end before the state that failed.
 */
export function failedRunFrom(newestFirst: readonly HistoryEventView[]): FailedRun | 'moved-on' | 'incomplete' {
  const last = newestFirst[0];
  const detailsKey = last?.type ? TERMINAL[last.type] : undefined;
  if (!last || !detailsKey) return 'moved-on';
  const details = last[detailsKey] as { error?: string; cause?: string } | undefined;
  let state: FailedRun['state'] = null;
  let redriveCount: number | null = null;
  for (const event of newestFirst.slice(1)) {
    if (state === null && event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name) {
      state = { name: event.stateEnteredEventDetails.name, input: parseJson(event.stateEnteredEventDetails.input) };
    }
    if (event.type === 'ExecutionRedriven') redriveCount = event.executionRedrivenEventDetails?.redriveCount ?? null;
    if (event.type === 'ExecutionStarted') redriveCount = 0;
    if (redriveCount !== null) break;
  }
  if (state === null && redriveCount === null) return 'incomplete';
  return { state, error: details?.error ?? null, cause: details?.cause ?? null, redriveCount };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e: unknown) {
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** The incident a runbook state's input carries (every state after admit has it at $.admission.incident). */
export function incidentOf(stateInput: unknown): unknown {
  const admission = (stateInput as { admission?: { incident?: unknown } } | null | undefined)?.admission;
  return admission?.incident ?? undefined;
}

/** What the escalation says to do next: the console's Redrive retries the state that failed. */
export function redriveAdvice(state: string | null): string {
  if (state === null) return 'Redrive from the Step Functions console retries the step that failed (within 14 days), or start a new execution with the same input.';
  return `Redrive retries ${state}: from the Step Functions console (within 14 days), with the input it failed with; `
    + 'a redriven step reads its ledger row and the target first, so it acts only if the target still needs it. Or start a new execution with the same input.';
}
