import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { WorkflowClient } from '../../../lambdas/aws/sfn';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv, requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { ChangeRejected } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { executionOf, redriveSlots } from '../execution';
import { planRedrive, redriveToken } from '../redrive-plan';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const assertAllowed = allowedTargets();
const MAX_REDRIVES = requirePositiveIntegerEnv('MAX_REDRIVES');
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('REDRIVE_ON_TIMEOUT'));
const workflows = new WorkflowClient();
/** Step Functions may redrive an execution for 14 days after it closed: the count is kept a day longer. */
const SLOT_TTL_SECONDS = 15 * 86400;

const inputSchema = z.extend(stepInputSchema, { approval: approvalResultSchema, redriveCount: z.int().check(z.gte(0)) });

interface Run {
  readonly status: string;
  readonly redriveCount: number;
}

/**
 * Act, as approved: RedriveExecution of the failed execution, from the state that failed, with a
 * client token (a Retry of this step sends the same one, so Step Functions redrives once). Just
 * before the call it reads the execution and its state machine's tags again: this system's own, no
 * longer failed, not redrivable or at the per-execution cap is refused (ChangeRejected). The
 * execution's status and redrive count are recorded before the call. A redrive has no inverse.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, approval, redriveCount, dryRun }): Promise<ActionResult<Run, Run>> => {
  await assertAllowed(incident.target);
  const executionArn = executionOf(incident);
  const clientToken = redriveToken(incident.id, executionArn, redriveCount);
  const parameters = { executionArn, clientToken };
  // The approvers saw the execution and the run that failed (its redrive count); the token follows from them.
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: 'workflow-stuck', step: 'redrive', operation: 'states:RedriveExecution', target: executionArn,
    parameters: { executionArn, redriveCount },
  }, { onTimeout, dryRun });
  const read = async (): Promise<Run> => {
    const now = await workflows.describe(executionArn);
    return { status: now.status, redriveCount: now.redriveCount };
  };
  return performAction(ledger, incident, execution, {
    step: 'redrive',
    operation: 'states:RedriveExecution',
    target: executionArn,
    parameters,
    intended: { status: 'RUNNING', redriveCount: redriveCount + 1 },
    readBefore: read,
    mutate: async () => {
      const now = await workflows.describe(executionArn);
      const plan = planRedrive({
        ...now, executionArn, tags: await workflows.tags(now.stateMachineArn), maxRedrives: MAX_REDRIVES,
        redrivesSoFar: (await ledger.slotsTaken(redriveSlots(executionArn))).filter((id) => id !== incident.id).length,
      });
      if (plan.decision !== 'redrive') throw new ChangeRejected(`not redriven: ${plan.reason}`);
      // The read just above, not only the one before the call: the execution as it is now.
      if (now.redriveCount !== redriveCount) throw new ChangeRejected(`not redriven: the execution was redriven ${now.redriveCount - redriveCount} more time(s) since the diagnosis`);
      const slot = await ledger.claimSlot(redriveSlots(executionArn), incident.id, MAX_REDRIVES, SLOT_TTL_SECONDS);
      if (!slot.granted) throw new ChangeRejected(`not redriven: workflow-stuck's ${MAX_REDRIVES} redrive(s) of this execution are taken (redrive.maxPerExecution)`);
      await workflows.redrive(executionArn, clientToken);
      return { status: 'RUNNING', redriveCount: redriveCount + 1 };
    },
    // The redrive took effect once the execution's redrive count is past the one diagnosed.
    inEffect: (observed) => (observed.redriveCount > redriveCount ? { status: observed.status, redriveCount: observed.redriveCount } : undefined),
  }, { dryRun });
});
