import { z } from 'zod';
import { ApprovalStore } from '../approval/store';
import { performAction, type ActionResult } from '../shared/act';
import { requireEnv, requirePositiveIntegerEnv } from '../shared/env';
import { ChangeRejected } from '../shared/errors';
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
const onTimeout = requireEnv('RESTORE_ON_TIMEOUT');

const inputSchema = stepInputSchema.extend({
  approval: z.object({ decision: z.string(), requestId: z.string().optional(), requestIds: z.array(z.string()).optional() }),
});

/**
 * Restore after the stop (seed 003 §4 "set conservative concurrency limits"), only as approved:
 * the ledger's approval request must be approved (or, for a step marked safe, timed out) and must
 * name exactly this call, so what runs is what the approvers saw. The value replaced (0) is
 * recorded before the call.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, approval, dryRun }, context): Promise<ActionResult<number | null, number>> => {
  await assertAllowed(incident.target, context.invokedFunctionArn);
  const requestId = approval.requestId ?? approval.requestIds?.[approval.requestIds.length - 1];
  const request = requestId ? await approvals.get(requestId) : undefined;
  const settled = request?.status === 'approved' || (request?.status === 'timed-out' && onTimeout === 'proceed' && approval.decision === 'timed-out');
  const params = request?.gate.parameters;
  if (!request || !settled || request.incidentId !== incident.id || request.gate.operation !== 'lambda:PutFunctionConcurrency'
    || request.gate.target !== incident.target || params?.FunctionName !== incident.target || params.ReservedConcurrentExecutions !== reservedConcurrency) {
    throw new ChangeRejected(`No approval in the ledger covers restoring ${incident.target} to ${reservedConcurrency} (request ${requestId ?? 'none'}: ${request?.status ?? 'missing'})`);
  }
  return performAction(ledger, incident, execution.id, {
    step: 'restore',
    operation: 'lambda:PutFunctionConcurrency',
    target: incident.target,
    parameters: { FunctionName: incident.target, ReservedConcurrentExecutions: reservedConcurrency },
    intended: reservedConcurrency,
    readBefore: async () => (await functions.read(incident.target)).reservedConcurrency,
    mutate: () => functions.put(incident.target, reservedConcurrency),
    inEffect: (reserved) => (reserved === reservedConcurrency ? reservedConcurrency : undefined),
  }, { dryRun });
});
