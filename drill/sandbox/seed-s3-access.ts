import type { AccountState } from './state';

/**
 * Seed 003 §3 "S3 Access Issues": the agents' artifacts bucket is SSE-KMS encrypted, versioned,
 * blocks public access, and its policy denies a put that names no encryption (sid
 * DenyUnencrypted) and any request not over TLS. The agent roles' inline policies
 * (cabruca-segmentation-prod-<agent>-agent-policy, as the seed's `aws iam get-role-policy` names
 * them) let them read and write the bucket and use its key, except the engineer agent's, which may
 * put under outputs/ only: it has no s3:PutObject on uploads/*. The key policy delegates to IAM
 * (the account root) and lets the agent roles use the key.
 */
export const ARTIFACTS_BUCKET = 'cabruca-segmentation-prod-agent-artifacts';
export const ENGINEER_ROLE = 'cabruca-segmentation-prod-engineer-agent-role';
export const ARTIFACTS_KEY_ID = '3f0c2a9e-5b1d-4c7e-9a8f-6d2e4b1c0a97';
export const DENY_UNENCRYPTED_SID = 'DenyUnencrypted';
const AGENTS = ['manager', 'engineer', 'qa'] as const;

/** Pretty-printed, as `aws s3api put-bucket-policy --policy file://...` leaves it: the simulator answers positions in it. */
const text = (doc: unknown) => JSON.stringify(doc, null, 2);

export function seedS3Access(state: AccountState): void {
  const { accountId, region } = state;
  const bucketArn = `arn:aws:s3:::${ARTIFACTS_BUCKET}`;
  const keyArn = `arn:aws:kms:${region}:${accountId}:key/${ARTIFACTS_KEY_ID}`;
  const roleArn = (agent: string) => `arn:aws:iam::${accountId}:role/cabruca-segmentation-prod-${agent}-agent-role`;
  const s3 = (state.s3 ??= { buckets: {} });
  s3.buckets[ARTIFACTS_BUCKET] = {
    owner: accountId, lambdaNotifications: [], versioning: 'Enabled',
    encryption: { kmsKeyArn: keyArn, bucketKeyEnabled: true },
    publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
    policy: text({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: DENY_UNENCRYPTED_SID, Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `${bucketArn}/*`,
          Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } },
        },
        {
          Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [bucketArn, `${bucketArn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    }),
  };
  state.kms = {
    keys: {
      ...state.kms?.keys,
      [keyArn]: {
        policy: text({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'EnableIAMUserPermissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
            {
              Sid: 'AllowAgentsUseOfTheKey', Effect: 'Allow', Principal: { AWS: AGENTS.map(roleArn) },
              Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Resource: '*',
            },
          ],
        }),
      },
    },
  };
  const roles = (state.iam ??= { roles: {} }).roles;
  for (const agent of AGENTS) {
    const putUnder = agent === 'engineer' ? [`${bucketArn}/outputs/*`] : [`${bucketArn}/*`];
    roles[`cabruca-segmentation-prod-${agent}-agent-role`] = {
      arn: roleArn(agent),
      policies: {
        [`cabruca-segmentation-prod-${agent}-agent-policy`]: text({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'ReadArtifacts', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [bucketArn, `${bucketArn}/*`] },
            { Sid: 'WriteArtifacts', Effect: 'Allow', Action: 's3:PutObject', Resource: putUnder },
            { Sid: 'UseArtifactsKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn },
          ],
        }),
      },
    };
  }
}
