import * as z from '../../../lambdas/shared/zod';
import { FunctionConfigurationClient } from '../../../lambdas/aws/lambda';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';

const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const UPDATE_TIMEOUT_SECONDS = requirePositiveIntegerEnv('UPDATE_TIMEOUT_SECONDS');
const functions = new FunctionConfigurationClient();

const inputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.nonnegative()), expected: z.int().check(z.gte(1), z.lte(900)) });

export interface UpdateCheck {
  readonly attempt: number;
  readonly done: boolean;
  readonly failed: boolean;
  readonly timedOut: boolean;
  readonly pollSeconds: number;
  readonly function: { readonly timeoutSeconds: number; readonly lastUpdateStatus: string; readonly lastUpdateStatusReason: string | null };
}

/**
 * Verify: polled by the state machine until the update settles. Done when LastUpdateStatus is
 * Successful with the timeout set; failed when it settled otherwise (Failed, or another value since).
 */
export const handler = taskHandler(inputSchema, async ({ incident, attempt, expected }): Promise<UpdateCheck> => {
  const fn = await functions.read(incident.target);
  const next = attempt + 1;
  const settled = fn.lastUpdateStatus !== 'InProgress';
  const done = fn.lastUpdateStatus === 'Successful' && fn.settings.Timeout === expected;
  const failed = settled && !done;
  return {
    attempt: next, done, failed, timedOut: !settled && next * POLL_SECONDS >= UPDATE_TIMEOUT_SECONDS, pollSeconds: POLL_SECONDS,
    function: { timeoutSeconds: fn.settings.Timeout, lastUpdateStatus: fn.lastUpdateStatus, lastUpdateStatusReason: fn.lastUpdateStatusReason },
  };
});
