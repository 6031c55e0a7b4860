import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import type { FunctionSettings } from '../../../lambdas/aws/lambda';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv, requireJsonEnv } from '../../../lambdas/shared/env';
import { ChangeRejected, TargetNotAllowed } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { FunctionLimits } from '../function-limits';
import { sourceLimit, timeoutPoliciesSchema } from '../timeout-plan';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const assertAllowed = allowedTargets();
const POLICIES = requireJsonEnv('TIMEOUT_POLICIES', (raw) => timeoutPoliciesSchema.parse(raw));
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('RAISE_ON_TIMEOUT'));
const limits = new FunctionLimits();

const inputSchema = z.extend(stepInputSchema, { approval: approvalResultSchema });

type Timeout = Pick<FunctionSettings, 'Timeout'>;

/**
 * Act (seed 004 "Lambda Timeouts: increase timeout"), as approved: sets the timeout to the
 * configured target (baseline plus one step, capped by the ceiling), an absolute value, so a retry
 * or a re-fired alarm cannot ratchet it. The timeout it replaces is recorded before the call. Just
 * before the call it checks again that the timeout is still below the target and that the target
 * stays below every SQS source's visibility timeout: either changed since the diagnosis is refused.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, approval, dryRun }, context): Promise<ActionResult<Timeout, Timeout>> => {
  await assertAllowed(incident.target, context.invokedFunctionArn);
  const policy = POLICIES[incident.target];
  if (!policy) throw new TargetNotAllowed(`${incident.target} has no timeout policy in this function's configuration`);
  const to = policy.targetSeconds;
  const parameters = { FunctionName: incident.target, Timeout: to };
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: 'lambda-timeouts', step: 'raise', operation: 'lambda:UpdateFunctionConfiguration', target: incident.target, parameters,
  }, { onTimeout, dryRun });
  return performAction(ledger, incident, execution, {
    step: 'raise',
    operation: 'lambda:UpdateFunctionConfiguration',
    target: incident.target,
    parameters,
    intended: { Timeout: to },
    readBefore: async () => ({ Timeout: (await limits.configuration(incident.target)).settings.Timeout }),
    mutate: async (_before, now) => {
      if (now.Timeout >= to) throw new ChangeRejected(`the timeout of ${incident.target} is ${now.Timeout} s since the diagnosis, at or above the ${to} s approved: it is neither lowered nor raised`);
      const limit = sourceLimit(await limits.queueLimits(incident.target), to);
      if (limit) throw new ChangeRejected(limit);
      await limits.functions.update(incident.target, { Timeout: to });
      return { Timeout: to };
    },
    inEffect: (observed) => (observed.Timeout === to ? { Timeout: to } : undefined),
  }, { dryRun });
});
