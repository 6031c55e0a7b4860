import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { AliasClient, type AliasRouting } from '../../../lambdas/aws/lambda';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { InvalidInput } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { routesAs } from '../rollback-plan';
import { targetAliases } from '../target-aliases';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const assertAllowed = allowedTargets();
const aliasOf = targetAliases();
const aliases = new AliasClient();
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('ROLLBACK_ON_TIMEOUT'));

const callSchema = z.strictObject({
  FunctionName: z.string().check(z.minLength(1)),
  Name: z.string().check(z.minLength(1)),
  // Only a published version: a rollback never points an alias at $LATEST, whose code moves.
  FunctionVersion: z.string().check(z.regex(/^\d+$/, 'a published version number')),
  RoutingConfig: z.strictObject({ AdditionalVersionWeights: z.record(z.string(), z.number()).check(z.refine((w) => Object.keys(w).length === 0, 'a rollback clears the weights')) }),
  RevisionId: z.string().check(z.minLength(1)),
});
const inputSchema = z.extend(stepInputSchema, { call: callSchema, approval: approvalResultSchema });

const routingOf = (a: AliasRouting): AliasRouting => ({ functionVersion: a.functionVersion, additionalVersionWeights: { ...a.additionalVersionWeights } });

/**
 * Act (seed 003 §1 "Quick rollback"): UpdateAlias to the version the diagnosis chose, the canary's
 * weights cleared, with the RevisionId the diagnosis read, so an alias changed since (a deploy, a
 * human's rollback, during the approval wait too) is refused by Lambda (AliasChanged) and left as
 * it is. Only as approved: the ledger's approval must name exactly this call. The routing it
 * replaces is recorded in the ledger before the call, for the undo. A dry run plans the call and
 * asks nobody.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, call, approval, dryRun }): Promise<ActionResult<AliasRouting, AliasRouting>> => {
  await assertAllowed(incident.target);
  const { functionName, alias, key } = aliasOf(incident.target);
  if (call.FunctionName !== functionName || call.Name !== alias) throw new InvalidInput(`the rollback names ${call.FunctionName}:${call.Name}, not ${key}, the configured alias of the incident's function`);
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: incident.runbook, step: 'rollback', operation: 'lambda:UpdateAlias', target: key, parameters: call,
  }, { onTimeout, dryRun });
  const to: AliasRouting = { functionVersion: call.FunctionVersion, additionalVersionWeights: {} };
  return performAction(ledger, incident, execution, {
    step: 'rollback',
    operation: 'lambda:UpdateAlias',
    target: key,
    parameters: call,
    intended: to,
    readBefore: async () => routingOf(await aliases.read(functionName, alias)),
    mutate: async () => routingOf(await aliases.update(functionName, alias, to, call.RevisionId)),
    inEffect: (now) => (routesAs(now, to) ? to : undefined),
  }, { dryRun });
});
