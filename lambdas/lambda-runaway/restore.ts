import * as z from 'zod';
import { approvalResultSchema, assertApproved } from '../approval/assert-approved';
import { ApprovalStore } from '../approval/store';
import { performAction, type ActionResult } from '../shared/act';
import { requireEnv, requirePositiveIntegerEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { Ledger } from '../shared/ledger';
import { allowedTargets } from '../shared/targets';
import { stepInputSchema } from '../shared/task-input';
import { FunctionConcurrencyClient } from './function-concurrency';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const assertAllowed = allowedTargets('lambda-runaway');
const functions = new FunctionConcurrencyClient();
const reservedConcurrency = requirePositiveIntegerEnv('RESTORE_RESERVED_CONCURRENCY');
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('RESTORE_ON_TIMEOUT'));

const inputSchema = stepInputSchema.extend({
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
  }, { onTimeout });
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
