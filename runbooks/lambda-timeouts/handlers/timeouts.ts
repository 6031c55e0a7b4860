import * as z from '../../../lambdas/shared/zod';
import { LogEventsClient, type LogEvent } from '../../../lambdas/aws/logs';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { AwsThrottled, AwsUnavailable } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';

const LOOKBACK_MINUTES = requirePositiveIntegerEnv('LOOKBACK_MINUTES');
const LIMIT = requirePositiveIntegerEnv('MAX_EVENTS');
/** What Lambda logs when an invocation runs out of time. */
export const TIMED_OUT = '"Task timed out"';
const logs = new LogEventsClient();

const inputSchema = z.extend(stepInputSchema, { logGroup: z.string().check(z.minLength(1), z.maxLength(512)) });

export interface TimeoutEvidence {
  /** Timeouts found (at most MAX_EVENTS); null when the logs could not be read. */
  readonly count: number | null;
  /** The latest few, newest last. */
  readonly recent: LogEvent[];
  readonly summary: string;
}

/**
 * Diagnose, best effort: the function's last timeouts in its log group, one bounded FilterLogEvents
 * page. Throttling and 5xx are thrown so the state machine retries (and after its retries goes on
 * without them); anything else is reported as "evidence unavailable" and the runbook goes on.
 */
export const handler = taskHandler(inputSchema, async ({ logGroup }): Promise<TimeoutEvidence> => {
  let events: LogEvent[];
  try {
    events = await logs.filter(logGroup, TIMED_OUT, new Date(Date.now() - LOOKBACK_MINUTES * 60_000), LIMIT);
  } catch (e: unknown) {
    if (e instanceof AwsThrottled || e instanceof AwsUnavailable) throw e;
    return { count: null, recent: [], summary: `evidence unavailable: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
  const window = `in ${logGroup} in the last ${LOOKBACK_MINUTES} minutes`;
  if (events.length === 0) return { count: 0, recent: [], summary: `no "Task timed out" ${window}` };
  const latest = events[events.length - 1]!;
  return {
    count: events.length, recent: events.slice(-3),
    summary: `${events.length === LIMIT ? 'at least ' : ''}${events.length} "Task timed out" ${window}, the latest at ${latest.timestamp}`,
  };
});
