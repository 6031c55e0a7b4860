import * as z from '../../../lambdas/shared/zod';
import { FunctionEnvironmentClient } from '../../../lambdas/aws/lambda-environment';
import { keyState } from '../../../lambdas/domain/function-environment';
import { requireEnv, requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { agentFunctions } from '../agent-functions';

const FUNCTIONS = agentFunctions();
const VARIABLE = requireEnv('KEY_VARIABLE');
const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const UPDATE_TIMEOUT_SECONDS = requirePositiveIntegerEnv('UPDATE_TIMEOUT_SECONDS');
const environments = new FunctionEnvironmentClient();

const inputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.nonnegative()), functions: z.array(z.string().check(z.minLength(1))) });

export interface KeyCheck {
  readonly attempt: number;
  readonly done: boolean;
  readonly failed: boolean;
  readonly timedOut: boolean;
  readonly pollSeconds: number;
  readonly functions: { functionName: string; key: string; lastUpdateStatus: string; lastUpdateStatusReason: string | null }[];
}

/**
 * Verify, polled by the state machine: done when every function written has LastUpdateStatus
 * Successful with the key set (GetFunctionConfiguration); failed when one settled otherwise.
 */
export const handler = taskHandler(inputSchema, async ({ attempt, functions }): Promise<KeyCheck> => {
  const read: KeyCheck['functions'] = [];
  for (const functionName of functions) {
    FUNCTIONS.assertConfigured(functionName);
    const env = await environments.read(functionName);
    read.push({ functionName, key: keyState(env.variables, VARIABLE), lastUpdateStatus: env.lastUpdateStatus, lastUpdateStatusReason: env.lastUpdateStatusReason });
  }
  const next = attempt + 1;
  const settled = read.every((f) => f.lastUpdateStatus !== 'InProgress');
  const done = read.every((f) => f.lastUpdateStatus === 'Successful' && f.key === 'set');
  return { attempt: next, done, failed: settled && !done, timedOut: !settled && next * POLL_SECONDS >= UPDATE_TIMEOUT_SECONDS, pollSeconds: POLL_SECONDS, functions: read };
});
