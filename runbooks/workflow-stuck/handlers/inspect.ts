import { WorkflowClient, type ExecutionView } from '../../../lambdas/aws/sfn';
import { requireEnv, requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { executionOf, redriveSlots, stateMachineOf } from '../execution';
import { failurePoint, type FailurePoint, type HistoryEventView } from '../failure-point';
import { planRedrive, type RedrivePlan } from '../redrive-plan';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets();
const PAGE_SIZE = requirePositiveIntegerEnv('HISTORY_PAGE_SIZE');
const MAX_PAGES = requirePositiveIntegerEnv('HISTORY_MAX_PAGES');
const MAX_REDRIVES = requirePositiveIntegerEnv('MAX_REDRIVES');
const workflows = new WorkflowClient();

export interface WorkflowDiagnosis {
  readonly execution: ExecutionView;
  /** Where it failed; null when it is not failed any more. */
  readonly failure: FailurePoint | null;
  readonly redrivesSoFar: number;
  readonly maxRedrives: number;
  readonly plan: RedrivePlan;
  /** One line for the notification. */
  readonly summary: string;
}

/**
 * Diagnose (seed 004 "Workflow Stuck/Failed: check Step Functions history"): the execution
 * (DescribeExecution: status, redrive status and its reason), its state machine's tags (this
 * system's own are refused), its history newest first without execution data, page by page down to
 * the state that failed with its error and cause, and this runbook's redrives of it so far.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<WorkflowDiagnosis> => {
  await assertAllowed(incident.target);
  const executionArn = executionOf(incident);
  const execution = await workflows.describe(executionArn);
  const tags = await workflows.tags(execution.stateMachineArn || stateMachineOf(executionArn));
  const failure = await readFailure(executionArn);
  const redrivesSoFar = (await ledger.slotsTaken(redriveSlots(executionArn))).length;
  const plan = planRedrive({ ...execution, executionArn, tags, redrivesSoFar, maxRedrives: MAX_REDRIVES });
  const where = failure ? `failed at ${failure.state ?? 'an unnamed state'} (${failure.failedBy}${failure.error ? `: ${failure.error}` : ''}${failure.cause ? ` — ${failure.cause}` : ''})` : `${execution.status} now`;
  return { execution, failure, redrivesSoFar, maxRedrives: MAX_REDRIVES, plan, summary: `${execution.name} ${where}; ${plan.reason}` };
});

/** The history newest first, a page at a time, until the failure point is found or the pages allowed are read. */
async function readFailure(executionArn: string): Promise<FailurePoint | null> {
  const events: HistoryEventView[] = [];
  let nextToken: string | undefined;
  for (let page = 1; ; page++) {
    const out = await workflows.historyPage(executionArn, PAGE_SIZE, nextToken);
    events.push(...(out.events as unknown as readonly HistoryEventView[]));
    nextToken = out.nextToken;
    const point = failurePoint(events, nextToken === undefined || page >= MAX_PAGES);
    if (point === 'not-failed') return null;
    if (point !== 'need-more') return point;
  }
}
