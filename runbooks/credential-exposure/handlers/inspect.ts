import { AccessKeyClient, type AccessKeyStatus } from '../../../lambdas/aws/iam-access-keys';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { exposedKeyOf } from '../exposed-key';

const keys = new AccessKeyClient();

/** Diagnose / verify: the exposed key's status. An unknown user or key is TargetNotFound: nothing changes. */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<{ userName: string; accessKeyId: string; status: AccessKeyStatus }> => {
  const { userName, accessKeyId } = exposedKeyOf(incident);
  return { userName, accessKeyId, status: await keys.status(userName, accessKeyId) };
});
