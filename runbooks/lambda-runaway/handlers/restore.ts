import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv, requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { FunctionConcurrencyClient } from '../../../lambdas/aws/lambda';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const assertAllowed = allowedTargets({ runbook: 'lambda-runaway', resource: 'lambda:function' });
const functions = new FunctionConcurrencyClient();
const reservedConcurrency = requirePositiveIntegerEnv('RESTORE_RESERVED_CONCURRENCY');
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('RESTORE_ON_TIMEOUT'));

const inputSchema = z.extend(stepInputSchema, {
  approval: approvalResultSchema,
});

/**
 * Restore after the stop (seed 003 §4 "set conservative concurrency limits"), only as approved:
 * the ledger's approval request must be approved (or, for a step marked safe, timed out) and must
 * name exactly this call, so what runs is what the approvers saw. The value replaced (0) is
 * recorded before the call.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, approval, dryRun }, context): Promise<ActionResult<number | null, number>> => {
  await assertAllowed(incident.target, context.invokedFunctionArn);
  const parameters = { FunctionName: incident.target, ReservedConcurrentExecutions: reservedConcurrency };
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: 'lambda-runaway', step: 'restore', operation: 'lambda:PutFunctionConcurrency', target: incident.target, parameters,
  }, { onTimeout, dryRun });
  return performAction(ledger, incident, execution, {
    step: 'restore',
    operation: 'lambda:PutFunctionConcurrency',
    target: incident.target,
    parameters,
    intended: reservedConcurrency,
    readBefore: async () => (await functions.read(incident.target)).reservedConcurrency,
    mutate: () => functions.put(incident.target, reservedConcurrency),
    inEffect: (reserved) => (reserved === reservedConcurrency ? reservedConcurrency : undefined),
  }, { dryRun });
});
