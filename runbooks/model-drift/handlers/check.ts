import * as z from '../../../lambdas/shared/zod';
import { WorkflowClient } from '../../../lambdas/aws/sfn';
import { requireEnv, requireJsonEnv, requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { TargetNotAllowed } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { validationOf, validationSchema, type Validation } from '../drift-plan';

const MACHINE = requireEnv('RETRAINING_MACHINE_ARN');
const VALIDATION = requireJsonEnv('VALIDATION', (raw) => validationSchema.parse(raw));
const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const WATCH_SECONDS = requirePositiveIntegerEnv('WATCH_TIMEOUT_SECONDS');
const workflows = new WorkflowClient();
const EXECUTIONS = `${MACHINE.replace(':stateMachine:', ':execution:')}:`;

const inputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.gte(0)), executionArn: z.string().check(z.minLength(1)) });

export interface RetrainingCheck {
  readonly attempt: number;
  readonly done: boolean;
  readonly failed: boolean;
  readonly timedOut: boolean;
  readonly pollSeconds: number;
  readonly retraining: {
    readonly executionArn: string;
    readonly name: string;
    readonly status: string;
    readonly validation: Validation;
    /** One sentence: how it ended (or that it still runs), and what its validation says. */
    readonly summary: string;
  };
}

/**
 * Waits on the retraining (bounded by retraining.watch): done when it SUCCEEDED and its output
 * says the retrained model passed validation (the field and value config names); failed when it
 * ended otherwise, or succeeded with a validation that did not pass; still running at the end of
 * the wait is given up on. Only executions of the configured workflow are read.
 */
export const handler = taskHandler(inputSchema, async ({ attempt, executionArn }): Promise<RetrainingCheck> => {
  if (!executionArn.startsWith(EXECUTIONS)) throw new TargetNotAllowed(`${executionArn} is not an execution of the configured retraining workflow ${MACHINE}`);
  const r = await workflows.result(executionArn);
  const next = attempt + 1;
  const ended = r.status !== 'RUNNING' && r.status !== 'PENDING_REDRIVE';
  const validation = r.status === 'SUCCEEDED' ? validationOf(r.output, VALIDATION)
    : { passed: false, value: null, reason: ended ? `it ended ${r.status}${r.error ? ` (${r.error}${r.cause ? `: ${r.cause}` : ''})` : ''}` : `it is ${r.status}` };
  const done = r.status === 'SUCCEEDED' && validation.passed;
  const failed = ended && !done;
  const timedOut = !done && !failed && next * POLL_SECONDS >= WATCH_SECONDS;
  const summary = r.status === 'SUCCEEDED'
    ? `the retraining ${r.name} SUCCEEDED and its validation ${validation.passed ? 'passed' : 'did not pass'}: ${validation.reason}`
    : timedOut ? `the retraining ${r.name} is still ${r.status} after the ${WATCH_SECONDS / 60} minutes waited (retraining.watch)` : `the retraining ${r.name}: ${validation.reason}`;
  return { attempt: next, done, failed, timedOut, pollSeconds: POLL_SECONDS, retraining: { executionArn, name: r.name, status: r.status, validation, summary } };
});
