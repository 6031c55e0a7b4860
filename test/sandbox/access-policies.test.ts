/**
 * The sandbox's access reads for seed 003 §3, through the real SDK clients: S3's bucket policy,
 * Block Public Access, encryption and versioning reads with their not-found shapes, KMS
 * GetKeyPolicy, and IAM's policy simulator evaluating in IAM's order.
 */
import { GetBucketEncryptionCommand, GetBucketPolicyCommand, GetBucketVersioningCommand, GetPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { IAMClient, SimulatePrincipalPolicyCommand, type SimulatePrincipalPolicyCommandInput } from '@aws-sdk/client-iam';
import { ARTIFACTS_BUCKET, ARTIFACTS_KEY_ID, ENGINEER_ROLE, SANDBOX_ACCOUNT_ID, type AccountState } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const BARE = 'bare-bucket';
const sandbox = useSandbox((state: AccountState) => {
  state.s3!.buckets[BARE] = { owner: SANDBOX_ACCOUNT_ID, lambdaNotifications: [] };
});
const s3 = () => new S3Client({ ...clientConfig(sandbox()), forcePathStyle: true });
const role = (name: string) => `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/${name}`;
const OBJECT = (key: string) => `arn:aws:s3:::${ARTIFACTS_BUCKET}/${key}`;
const simulate = (input: Partial<SimulatePrincipalPolicyCommandInput>) => new IAMClient(clientConfig(sandbox())).send(new SimulatePrincipalPolicyCommand({
  PolicySourceArn: role(ENGINEER_ROLE), ActionNames: ['s3:PutObject'], ResourceArns: [OBJECT('outputs/a.png')], ...input,
}));
const bucketPolicy = () => sandbox().state.s3!.buckets[ARTIFACTS_BUCKET]!.policy!;
const sse = (value: string) => ({ ContextEntries: [{ ContextKeyName: 's3:x-amz-server-side-encryption', ContextKeyValues: [value], ContextKeyType: 'string' as const }] });

test("the artifacts bucket's reads: its policy as put, Block Public Access, SSE-KMS with its key, versioning", async () => {
  expect((await s3().send(new GetBucketPolicyCommand({ Bucket: ARTIFACTS_BUCKET }))).Policy).toBe(bucketPolicy());
  expect((await s3().send(new GetPublicAccessBlockCommand({ Bucket: ARTIFACTS_BUCKET }))).PublicAccessBlockConfiguration).toEqual({
    BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true,
  });
  const rule = (await s3().send(new GetBucketEncryptionCommand({ Bucket: ARTIFACTS_BUCKET }))).ServerSideEncryptionConfiguration?.Rules?.[0];
  expect(rule).toEqual({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.stringContaining(ARTIFACTS_KEY_ID) }, BucketKeyEnabled: true });
  expect((await s3().send(new GetBucketVersioningCommand({ Bucket: ARTIFACTS_BUCKET }))).Status).toBe('Enabled');
});

test('a bucket with none of them: NoSuchBucketPolicy and NoSuchPublicAccessBlockConfiguration (404), SSE-S3, no versioning status', async () => {
  expect(await rejectionOf(s3().send(new GetBucketPolicyCommand({ Bucket: BARE })))).toMatchObject({ name: 'NoSuchBucketPolicy', $metadata: { httpStatusCode: 404 } });
  expect(await rejectionOf(s3().send(new GetPublicAccessBlockCommand({ Bucket: BARE })))).toMatchObject({ name: 'NoSuchPublicAccessBlockConfiguration', $metadata: { httpStatusCode: 404 } });
  expect((await s3().send(new GetBucketEncryptionCommand({ Bucket: BARE }))).ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
  expect((await s3().send(new GetBucketVersioningCommand({ Bucket: BARE }))).Status).toBeUndefined();
  expect(await rejectionOf(s3().send(new GetBucketPolicyCommand({ Bucket: 'no-such-bucket' })))).toMatchObject({ name: 'NoSuchBucket' });
});

test('a key policy by key id; an unknown key is NotFoundException', async () => {
  const kms = new KMSClient(clientConfig(sandbox()));
  expect(JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: ARTIFACTS_KEY_ID, PolicyName: 'default' }))).Policy!).Statement).toHaveLength(2);
  expect(await rejectionOf(kms.send(new GetKeyPolicyCommand({ KeyId: '00000000-0000-0000-0000-000000000000', PolicyName: 'default' })))).toMatchObject({ name: 'NotFoundException' });
});

test("IAM's order: the bucket policy's explicit Deny wins over the role's Allow, and is answered at the statement's position", async () => {
  const out = await simulate({ ResourcePolicy: bucketPolicy() });
  const r = out.EvaluationResults![0]!;
  expect(r).toMatchObject({ EvalActionName: 's3:PutObject', EvalResourceName: OBJECT('outputs/a.png'), EvalDecision: 'explicitDeny', MissingContextValues: expect.arrayContaining(['s3:x-amz-server-side-encryption']) });
  const [deny] = r.MatchedStatements!;
  expect(deny).toMatchObject({ SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'resource' });
  const line = bucketPolicy().split('\n')[deny!.StartPosition!.Line! - 1]!;
  expect(line[deny!.StartPosition!.Column! - 1]).toBe('{');
  expect(bucketPolicy().split('\n')[deny!.StartPosition!.Line!]).toContain('"Sid": "DenyUnencrypted"');
});

test('with the encryption header the Deny does not apply: the role allows outputs/, and has no Allow for uploads/ (implicit deny)', async () => {
  const out = await simulate({ ResourcePolicy: bucketPolicy(), ResourceArns: [OBJECT('outputs/a.png'), OBJECT('uploads/a.png')], ...sse('aws:kms') });
  expect(out.EvaluationResults!.map((r) => [r.EvalResourceName, r.EvalDecision])).toEqual([[OBJECT('outputs/a.png'), 'allowed'], [OBJECT('uploads/a.png'), 'implicitDeny']]);
  expect(out.EvaluationResults![0]!.MatchedStatements).toEqual([expect.objectContaining({ SourcePolicyId: 'cabruca-segmentation-prod-engineer-agent-policy', SourcePolicyType: 'role' })]);
});

test("a resource policy's Allow for the role is enough on its own; one naming the account root is not (it delegates to the role's policies)", async () => {
  const allow = (principal: unknown) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 's3:PutObject', Resource: OBJECT('uploads/*') }] });
  const decide = async (principal: unknown) => (await simulate({ ResourceArns: [OBJECT('uploads/a.png')], ResourcePolicy: allow(principal) })).EvaluationResults![0]!.EvalDecision;
  expect(await decide({ AWS: role(ENGINEER_ROLE) })).toBe('allowed');
  expect(await decide({ AWS: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:root` })).toBe('implicitDeny');
});

test('an unknown role is NoSuchEntity (404); an operator the sandbox does not model is refused, not evaluated wrong', async () => {
  expect(await rejectionOf(simulate({ PolicySourceArn: role('nobody') }))).toMatchObject({ name: 'NoSuchEntityException', Code: 'NoSuchEntity', $metadata: { httpStatusCode: 404 } });
  const odd = JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } }] });
  expect(await rejectionOf(simulate({ ResourcePolicy: odd }))).toMatchObject({ name: 'InvalidInputException' });
});
