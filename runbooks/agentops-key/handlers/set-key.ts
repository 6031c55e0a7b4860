import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { FunctionEnvironmentClient } from '../../../lambdas/aws/lambda-environment';
import { performAction } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { agentFunctions } from '../agent-functions';
import { KeySecret } from '../key-secret';
import { setKeyAction, type KeySet } from '../set-key-action';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const assertAllowed = allowedTargets();
const FUNCTIONS = agentFunctions();
const VARIABLE = requireEnv('KEY_VARIABLE');
const SECRET_ID = requireEnv('KEY_SECRET_ID');
const secret = new KeySecret(SECRET_ID, process.env.KEY_SECRET_FIELD || undefined);
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('SET_ON_TIMEOUT'));
const environments = new FunctionEnvironmentClient();

const inputSchema = z.extend(stepInputSchema, { approval: approvalResultSchema, functions: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)) });

/**
 * Act (seed 003 §5 "Update API key"), as approved: the key read from the configured secret is
 * merged into the environment of each function the diagnosis found without it, one ledger row per
 * function written before its call (lambdas/shared/act.ts), the environment recorded as digests
 * (set-key-action.ts). The approval covers exactly these functions, this variable and this secret.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, approval, functions, dryRun }, context): Promise<KeySet> => {
  await assertAllowed(incident.target, context.invokedFunctionArn);
  for (const f of functions) FUNCTIONS.assertConfigured(f);
  const parameters = { FunctionNames: functions, Variable: VARIABLE, SecretId: SECRET_ID };
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: 'agentops-key', step: 'set-key', operation: 'lambda:UpdateFunctionConfiguration', target: incident.target, parameters,
  }, { onTimeout, dryRun });
  const key = await secret.read();
  const results = [];
  for (const functionName of functions) {
    const now = await environments.read(functionName);
    results.push(await performAction(ledger, incident, execution, setKeyAction(environments, now, VARIABLE, key), { dryRun }));
  }
  const changed = results.filter((r) => !r.planned).map((r) => r.target);
  return {
    operation: 'lambda:UpdateFunctionConfiguration', target: incident.target, planned: dryRun === true,
    replayed: results.every((r) => r.replayed), parameters,
    before: Object.fromEntries(results.map((r) => [r.target, r.before])), after: Object.fromEntries(results.map((r) => [r.target, r.after])),
    functions: results.map((r) => ({ functionName: r.target, replayed: r.replayed, planned: r.planned })),
    changed, summary: `${VARIABLE} ${dryRun ? 'planned on' : 'set on'} ${results.map((r) => r.target).join(', ')} from the secret ${SECRET_ID}`,
  };
});
