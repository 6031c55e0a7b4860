import { AccessKeyClient } from '../../../lambdas/aws/iam-access-keys';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { exposedKeyOf, keyStatus } from '../exposed-key';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets();
const keys = new AccessKeyClient();

type Statuses = Record<string, string>;

/**
 * Containment (seed 004 "Credential Exposure: rotate immediately"): the exposed key is made
 * Inactive at once, never deleted, so the undo can make it Active again and its owner can see
 * which key it was. The status it had is recorded in the ledger before the call.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident, execution, dryRun }): Promise<ActionResult<Statuses, Statuses>> => {
  const { userName, accessKeyId } = exposedKeyOf(incident);
  await assertAllowed(userName);
  const inactive = keyStatus(accessKeyId, 'Inactive');
  return performAction(ledger, incident, execution, {
    step: 'deactivate',
    operation: 'iam:UpdateAccessKey',
    target: userName,
    parameters: { UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' },
    intended: inactive,
    readBefore: async () => keyStatus(accessKeyId, await keys.status(userName, accessKeyId)),
    mutate: async () => keyStatus(accessKeyId, await keys.setStatus(userName, accessKeyId, 'Inactive')),
    inEffect: (read) => (read[accessKeyId] === 'Inactive' ? inactive : undefined),
  }, { dryRun });
});
