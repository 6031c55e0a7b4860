/**
 * The reads s3-access-denied's diagnosis makes, read-only: the bucket's policy, Block Public
 * Access, default encryption and versioning (S3), the key policy of its KMS key (KMS) and IAM's
 * policy simulator. A not-found answer that is an answer (no bucket policy, no Block Public Access
 * configuration, a key or role that is gone) is returned as such; a bucket that is gone is
 * TargetNotFound; anything else is classified for the state machine's retries.
 */
import { GetBucketEncryptionCommand, GetBucketPolicyCommand, GetBucketVersioningCommand, GetPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { GetKeyPolicyCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { IAMClient, NoSuchEntityException, SimulatePrincipalPolicyCommand, type EvaluationResult } from '@aws-sdk/client-iam';
import { classifyAwsError, errorName, TargetNotFound } from '../../lambdas/shared/errors';
import { statementAt, type Evidence, type Simulation } from './verdict';

export class AccessReads {
  constructor(
    private readonly s3: S3Client = new S3Client({}),
    private readonly kms: KMSClient = new KMSClient({}),
    private readonly iam: IAMClient = new IAMClient({}),
  ) {}

  /** One S3 read: the bucket gone is TargetNotFound; `absent` names the error that means "none configured". */
  private async s3Read<T>(bucket: string, doing: string, read: () => Promise<T>, absent?: string): Promise<T | null> {
    try {
      return await read();
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
      this.s3Read(bucket, 'GetBucketPolicy', async () => (await this.s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null, 'NoSuchBucketPolicy'),
      this.s3Read(bucket, 'GetPublicAccessBlock', async () => (await this.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration ?? null, 'NoSuchPublicAccessBlockConfiguration'),
      this.s3Read(bucket, 'GetBucketEncryption', async () => (await this.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration, 'ServerSideEncryptionConfigurationNotFoundError'),
      this.s3Read(bucket, 'GetBucketVersioning', async () => (await this.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status),
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
      return (await this.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy ?? '{}';
    } catch (e: unknown) {
      if (e instanceof NotFoundException) return 'not found';
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
      do {
        const out = await this.iam.send(new SimulatePrincipalPolicyCommand({
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
      if (e instanceof NoSuchEntityException) return null;
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
