import * as z from '../../../lambdas/shared/zod';
import { WorkflowClient } from '../../../lambdas/aws/sfn';
import { requireJsonEnv, requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { TargetNotAllowed } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import type { HistoryEventView } from '../failure-point';
import { currentState, longRunning, longRunningVerdict, type ExecutionAge } from '../long-running';

const assertAllowed = allowedTargets();
/** Per state machine name: its ARN and the limit (its ExecutionTime alarm's threshold, in minutes). */
const LIMITS = requireJsonEnv('EXECUTION_LIMITS', (raw) => z.record(z.string(), z.object({
  stateMachineArn: z.string().check(z.minLength(1)), minutes: z.int().check(z.positive()),
})).parse(raw));
const PAGE_SIZE = requirePositiveIntegerEnv('HISTORY_PAGE_SIZE');
/** The running executions whose current state is read (one history page each), longest first. */
const STATES_READ = 3;
const workflows = new WorkflowClient();

export interface LongRunningDiagnosis {
  readonly stateMachineArn: string;
  readonly limitMinutes: number;
  readonly runningLong: readonly ExecutionAge[];
  readonly ranLong: readonly ExecutionAge[];
  readonly escalate: boolean;
  readonly summary: string;
}

/**
 * Diagnose (seed 004 "Workflow Stuck/Failed: check Step Functions history", started by the
 * ExecutionTime alarm): the state machine's recent executions (ListExecutions, newest first, one
 * page), those past the limit, and for the longest still running the state each is in now (its
 * history newest first, without execution data). Reads only: a running execution is not redriven,
 * and none is stopped.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<LongRunningDiagnosis> => {
  await assertAllowed(incident.target);
  const limit = LIMITS[incident.target];
  if (limit === undefined) throw new TargetNotAllowed(`${incident.target} has no maxExecutionMinutes in config: its running executions are not watched`);
  const { stateMachineArn, minutes: limitMinutes } = limit;
  const found = longRunning(await workflows.recent(stateMachineArn, PAGE_SIZE), limitMinutes, new Date());
  const withState = await Promise.all(found.runningLong.slice(0, STATES_READ).map(async (a) => {
    const page = await workflows.historyPage(a.executionArn, PAGE_SIZE);
    return { ...a, state: currentState(page.events as unknown as readonly HistoryEventView[]) };
  }));
  const runningLong = [...withState, ...found.runningLong.slice(STATES_READ)];
  const verdict = longRunningVerdict(incident.target, limitMinutes, { ...found, runningLong });
  return { stateMachineArn, limitMinutes, runningLong, ranLong: found.ranLong, ...verdict };
});
