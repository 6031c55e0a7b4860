import { SecureParameterClient } from '../../../lambdas/aws/secure-parameter';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { configuredSecrets, leakedSecretOf, rotationPlan, type RotationPlan } from '../leaked-secret';

const secrets = configuredSecrets();
const parameters = new SecureParameterClient();

export interface SecretDiagnosis {
  readonly parameter: string;
  readonly type: string;
  readonly version: number;
  readonly leakedVersion: number;
  /** The KMS key the new version is encrypted with. */
  readonly keyId: string;
  readonly services: readonly string[];
  readonly plan: RotationPlan;
}

/**
 * Diagnose / verify the secret path: the configured parameter's type and version (never its value:
 * read without decryption), against the version the start names as leaked, and the plan. An
 * unconfigured parameter is TargetNotAllowed, a missing one TargetNotFound: nothing changes.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<SecretDiagnosis> => {
  const secret = leakedSecretOf(incident, secrets);
  const read = await parameters.version(secret.parameter);
  return { parameter: secret.parameter, ...read, leakedVersion: secret.leakedVersion, keyId: secret.keyId, services: secret.services, plan: rotationPlan(secret.parameter, read, secret.leakedVersion) };
});
