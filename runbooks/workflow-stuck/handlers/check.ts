import * as z from '../../../lambdas/shared/zod';
import { WorkflowClient } from '../../../lambdas/aws/sfn';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { executionOf } from '../execution';

const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const WATCH_SECONDS = requirePositiveIntegerEnv('WATCH_TIMEOUT_SECONDS');
const workflows = new WorkflowClient();

const inputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.gte(0)), redriveCount: z.int().check(z.gte(1)) });

export interface RedriveCheck {
  readonly attempt: number;
  readonly done: boolean;
  readonly failed: boolean;
  readonly timedOut: boolean;
  readonly pollSeconds: number;
  readonly execution: { readonly status: string; readonly redriveCount: number; readonly error: string | null; readonly cause: string | null };
}

/**
 * Verify: the redriven run, polled until it ends (bounded by the watch). Done when it succeeded;
 * failed when it ended otherwise (its own failure event starts the runbook again, counted against
 * the cap); still running at the end of the watch is reported as such.
 */
export const handler = taskHandler(inputSchema, async ({ incident, attempt, redriveCount }): Promise<RedriveCheck> => {
  const now = await workflows.describe(executionOf(incident));
  const next = attempt + 1;
  const thisRun = now.redriveCount >= redriveCount;
  const done = thisRun && now.status === 'SUCCEEDED';
  const failed = !thisRun || (now.status !== 'RUNNING' && now.status !== 'SUCCEEDED');
  return {
    attempt: next, done, failed, timedOut: !done && !failed && next * POLL_SECONDS >= WATCH_SECONDS, pollSeconds: POLL_SECONDS,
    execution: { status: now.status, redriveCount: now.redriveCount, error: now.error, cause: now.cause },
  };
});
