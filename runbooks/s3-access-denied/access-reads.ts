/**
 * The reads s3-access-denied's diagnosis makes, read-only: the bucket's policy, Block Public
 * Access, default encryption and versioning (S3), the key policy of its KMS key (KMS) and IAM's
 * policy simulator. A not-found answer that is an answer (no bucket policy, no Block Public Access
 * configuration, a key or role that is gone) is returned as such; a bucket that is gone is
 * TargetNotFound; anything else is classified for the state machine's retries.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { EvaluationResult, IAMClient } from '@aws-sdk/client-iam';
import { classifyAwsError, errorName, hasErrorName, TargetNotFound } from '../../lambdas/shared/errors';
import { LazyClient, type SdkOf } from '../../lambdas/shared/lazy-sdk';
import { iamSdk, kmsSdk, s3Sdk } from '../../lambdas/shared/sdk-modules';
import { statementAt, type Evidence, type Simulation } from './verdict';

// Each service's module is loaded at its first read (lambdas/shared/lazy-sdk.ts): KMS only for a
// bucket encrypted with a KMS key, IAM only when there is a principal to simulate.
type S3Sdk = SdkOf<typeof s3Sdk>;

export class AccessReads {
  private readonly s3: LazyClient<S3Sdk, S3Client>;
  private readonly kms: LazyClient<SdkOf<typeof kmsSdk>, KMSClient>;
  private readonly iam: LazyClient<SdkOf<typeof iamSdk>, IAMClient>;

  constructor(s3?: S3Client, kms?: KMSClient, iam?: IAMClient) {
    this.s3 = new LazyClient(s3Sdk, (m) => new m.S3Client({}), s3);
    this.kms = new LazyClient(kmsSdk, (m) => new m.KMSClient({}), kms);
    this.iam = new LazyClient(iamSdk, (m) => new m.IAMClient({}), iam);
  }

  /** One S3 read: the bucket gone is TargetNotFound; `absent` names the error that means "none configured". */
  private async s3Read<T>(bucket: string, doing: string, read: (m: S3Sdk, s3: S3Client) => Promise<T>, absent?: string): Promise<T | null> {
    try {
      const { m, client } = await this.s3.get();
      return await read(m, client);
    } catch (e: unknown) {
      const name = errorName(e);
      if (absent !== undefined && name === absent) return null;
      if (name === 'NoSuchBucket') throw new TargetNotFound(`bucket ${bucket} does not exist`);
      throw classifyAwsError(e, `s3:${doing} of ${bucket}`);
    }
  }

  /** What the bucket says of itself (no KMS read yet): four reads at once, so a retry of the step repeats them together. */
  async bucket(bucket: string): Promise<Omit<Evidence, 'keyPolicy'>> {
    const [policy, block, encryption, versioning] = await Promise.all([
      this.s3Read(bucket, 'GetBucketPolicy', async (m, s3) => (await s3.send(new m.GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null, 'NoSuchBucketPolicy'),
      this.s3Read(bucket, 'GetPublicAccessBlock', async (m, s3) => (await s3.send(new m.GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration ?? null, 'NoSuchPublicAccessBlockConfiguration'),
      this.s3Read(bucket, 'GetBucketEncryption', async (m, s3) => (await s3.send(new m.GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration, 'ServerSideEncryptionConfigurationNotFoundError'),
      this.s3Read(bucket, 'GetBucketVersioning', async (m, s3) => (await s3.send(new m.GetBucketVersioningCommand({ Bucket: bucket }))).Status),
    ]);
    const rule = encryption?.Rules?.[0];
    const byDefault = rule?.ApplyServerSideEncryptionByDefault;
    return {
      bucket,
      bucketPolicy: policy ?? null,
      publicAccessBlock: block === null ? null : Object.fromEntries(Object.entries(block).filter((kv): kv is [string, boolean] => typeof kv[1] === 'boolean')),
      // Since January 2023 every bucket has a default encryption: SSE-S3 when none was set.
      encryption: {
        algorithm: byDefault?.SSEAlgorithm ?? 'AES256',
        ...(byDefault?.KMSMasterKeyID ? { kmsKeyId: byDefault.KMSMasterKeyID } : {}),
        ...(rule?.BucketKeyEnabled !== undefined ? { bucketKeyEnabled: rule.BucketKeyEnabled } : {}),
      },
      versioning: versioning ?? 'never enabled',
    };
  }

  /** The key's policy ("default" is the only policy name a key has); "not found" when the key is gone. */
  async keyPolicy(keyId: string): Promise<string> {
    try {
      const { m, client } = await this.kms.get();
      return (await client.send(new m.GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy ?? '{}';
    } catch (e: unknown) {
      if (hasErrorName(e, 'NotFoundException')) return 'not found';
      throw classifyAwsError(e, `kms:GetKeyPolicy of ${keyId}`);
    }
  }

  /**
   * IAM's policy simulator for a principal's identity policies with a resource policy (the bucket's
   * or the key's), on the actions and one resource; context entries for the request's condition
   * keys. Null when the principal does not exist (NoSuchEntity).
   */
  async simulate(input: {
    principal: string; actions: readonly string[]; resource: string; resourcePolicy: string | null; context: Readonly<Record<string, string>>;
  }): Promise<Simulation[] | null> {
    let results: EvaluationResult[] = [];
    let marker: string | undefined;
    try {
      const { m, client: iam } = await this.iam.get();
      do {
        const out = await iam.send(new m.SimulatePrincipalPolicyCommand({
          PolicySourceArn: input.principal, ActionNames: [...input.actions], ResourceArns: [input.resource],
          ...(input.resourcePolicy !== null ? { ResourcePolicy: input.resourcePolicy } : {}),
          ...(Object.keys(input.context).length > 0
            ? { ContextEntries: Object.entries(input.context).map(([ContextKeyName, v]) => ({ ContextKeyName, ContextKeyValues: [v], ContextKeyType: 'string' as const })) }
            : {}),
          ...(marker ? { Marker: marker } : {}),
        }));
        results = [...results, ...(out.EvaluationResults ?? [])];
        marker = out.IsTruncated ? out.Marker : undefined;
      } while (marker);
    } catch (e: unknown) {
      if (hasErrorName(e, 'NoSuchEntityException')) return null;
      throw classifyAwsError(e, `iam:SimulatePrincipalPolicy for ${input.principal}`);
    }
    return results.map((r) => ({
      principal: input.principal,
      action: r.EvalActionName ?? '?',
      resource: r.EvalResourceName ?? input.resource,
      decision: r.EvalDecision === 'allowed' ? 'allowed' : r.EvalDecision === 'explicitDeny' ? 'explicitDeny' : 'implicitDeny',
      matched: (r.MatchedStatements ?? []).map((m) => {
        const statement = m.SourcePolicyType === 'resource' && input.resourcePolicy !== null && m.StartPosition?.Line !== undefined
          ? statementAt(input.resourcePolicy, { Line: m.StartPosition.Line, Column: m.StartPosition.Column ?? 0 })
          : undefined;
        return { policyId: m.SourcePolicyId ?? '?', policyType: m.SourcePolicyType ?? '?', ...(statement ? { statement } : {}) };
      }),
      missingContext: r.MissingContextValues ?? [],
    }));
  }
}
