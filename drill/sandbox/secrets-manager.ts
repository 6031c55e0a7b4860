import { AwsError } from './aws-error';
import { epochSeconds } from './common';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';

/**
 * Secrets Manager (JSON 1.1): GetSecretValue by name or ARN, as the approval handlers read the
 * link-signing key. Secrets are created by the drill (as the stack generates one); no rotation.
 */

const notFound = () => new AwsError('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret.", { messageField: 'Message' });

function getSecretValue(request: Input, { state }: ServiceContext): Output {
  const id = new Fields(request).string('SecretId');
  const secrets = state.secretsManager?.secrets ?? {};
  const entry = Object.entries(secrets).find(([name, s]) => name === id || s.arn === id);
  if (!entry) throw notFound();
  const [name, secret] = entry;
  return { ARN: secret.arn, Name: name, SecretString: secret.value, VersionId: secret.versionId, VersionStages: ['AWSCURRENT'], CreatedDate: epochSeconds(secret.createdAt) };
}

export const secretsManagerModel: ServiceModel = {
  protocol: 'awsJson1_1',
  target: 'secretsmanager',
  operations: {
    GetSecretValue: { mutating: false, run: getSecretValue },
  },
};
