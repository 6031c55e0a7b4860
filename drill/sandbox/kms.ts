import { AwsError } from './aws-error';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';

/**
 * KMS (JSON 1.1): GetKeyPolicy of a seeded key, by key ARN or key id, as a bucket's SSE-KMS key
 * is read. A key has one policy, "default". No aliases, grants or cryptographic operations.
 */

function getKeyPolicy(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input);
  const keyId = fields.string('KeyId');
  const policyName = fields.optString('PolicyName') ?? 'default';
  const entry = Object.entries(state.kms?.keys ?? {}).find(([arn]) => arn === keyId || arn.endsWith(`:key/${keyId}`));
  if (entry === undefined) throw new AwsError('NotFoundException', 400, `Key '${keyId}' does not exist`);
  if (policyName !== 'default') throw new AwsError('NotFoundException', 400, `Policy '${policyName}' does not exist on key ${entry[0]}`);
  return { Policy: entry[1].policy, PolicyName: 'default' };
}

export const kmsModel: ServiceModel = {
  protocol: 'awsJson1_1',
  target: 'TrentService',
  operations: {
    GetKeyPolicy: { mutating: false, run: getKeyPolicy },
  },
};
