import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { SecureParameterClient, type ParameterVersion } from '../../../lambdas/aws/secure-parameter';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { ChangeRejected } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { configuredSecrets, leakedSecretOf, newSecretValue } from '../leaked-secret';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const secrets = configuredSecrets();
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('ROTATE_ON_TIMEOUT'));
const parameters = new SecureParameterClient();

const inputSchema = z.extend(stepInputSchema, { approval: approvalResultSchema });

/** What a rotation's ledger row and result hold of the parameter: its type and version, never a value. */
export type RotationResult = ActionResult<ParameterVersion, ParameterVersion>;

/**
 * Seed 000 "Rotate Cloudflare origin secret", as approved: a new value of 32 random bytes (hex)
 * written as a new SecureString version with the parameter's configured key, after the row of intent
 * records the version it replaces. The value exists only here: the row, the result and the call
 * log hold the versions. A version after the leaked one is the rotation in effect (a lost answer
 * or a re-run finds it and writes no second one); the leaked version no longer current at the
 * call (rotated by hand meanwhile) refuses the call.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, approval, dryRun }): Promise<RotationResult> => {
  const secret = leakedSecretOf(incident, secrets);
  const call = { Name: secret.parameter, Type: 'SecureString', KeyId: secret.keyId, Overwrite: true };
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: incident.runbook, step: 'rotate', operation: 'ssm:PutParameter', target: secret.parameter,
    parameters: { ...call, Redeploys: secret.services },
  }, { onTimeout, dryRun });
  const rotated = (version: number): ParameterVersion => ({ type: 'SecureString', version });
  return performAction(ledger, incident, execution, {
    step: 'rotate',
    operation: 'ssm:PutParameter',
    target: secret.parameter,
    // The value is not a parameter anyone may see: the row says what was written, not with what.
    parameters: { ...call, Value: '(32 random bytes, hex: never recorded)' },
    intended: rotated(secret.leakedVersion + 1),
    readBefore: () => parameters.version(secret.parameter),
    mutate: async (_before, now) => {
      if (now.version !== secret.leakedVersion) throw new ChangeRejected(`${secret.parameter} is at version ${now.version}, not the leaked version ${secret.leakedVersion}: not rotated again`);
      return rotated(await parameters.writeVersion(secret.parameter, newSecretValue(), secret.keyId));
    },
    inEffect: (now) => (now.version > secret.leakedVersion ? rotated(now.version) : undefined),
  }, { dryRun });
});
