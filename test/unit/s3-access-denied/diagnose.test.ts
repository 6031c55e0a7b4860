import { GetBucketEncryptionCommand, GetBucketPolicyCommand, GetBucketVersioningCommand, GetPublicAccessBlockCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { IAMClient, NoSuchEntityException, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import type { S3AccessDiagnosis } from '../../../runbooks/s3-access-denied/handlers/diagnose';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const s3 = mockClient(S3Client);
const kms = mockClient(KMSClient);
const iam = mockClient(IAMClient);
const BUCKET = 'artifacts';
const KEY = 'arn:aws:kms:sa-east-1:111122223333:key/3f0c2a9e-5b1d-4c7e-9a8f-6d2e4b1c0a97';
const ENGINEER = 'arn:aws:iam::111122223333:role/engineer-agent-role';
const QA = 'arn:aws:iam::111122223333:role/qa-agent-role';
let handler: (event: unknown, context: typeof lambdaContext) => Promise<S3AccessDiagnosis>;

beforeAll(async () => {
  process.env.BUCKET_POLICIES = JSON.stringify({ [BUCKET]: { roles: [ENGINEER, QA], actions: ['s3:PutObject'], prefixes: ['uploads/'], kmsKeyArn: KEY } });
  handler = (await import('../../../runbooks/s3-access-denied/handlers/diagnose')).handler as unknown as typeof handler;
});

/** A bucket with no policy, no Block Public Access, SSE-KMS with `key`, never versioned. */
function bucket(key: string) {
  s3.reset();
  kms.reset();
  iam.reset();
  const absent = (code: string) => new S3ServiceException({ name: code, $fault: 'client', $metadata: { httpStatusCode: 404 }, message: code });
  s3.on(GetBucketPolicyCommand).rejects(absent('NoSuchBucketPolicy'));
  s3.on(GetPublicAccessBlockCommand).rejects(absent('NoSuchPublicAccessBlockConfiguration'));
  s3.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key } }] } });
  s3.on(GetBucketVersioningCommand).resolves({});
  kms.on(GetKeyPolicyCommand).resolves({ Policy: '{"Statement":[]}' });
  iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[]; ResourceArns: string[] }) => ({
    EvaluationResults: input.ActionNames.map((a) => ({ EvalActionName: a, EvalResourceName: input.ResourceArns[0], EvalDecision: 'allowed' })),
  }));
}

const event = (principal: string) => ({
  incident: incident({
    runbook: 's3-access-denied', target: BUCKET,
    source: { name: 'AWS API Call via CloudTrail', arn: `arn:aws:s3:::${BUCKET}/uploads/a.png`, apiCall: { action: 's3:PutObject', principal, errorCode: 'AccessDenied', parameters: { bucketName: BUCKET, key: 'uploads/a.png' } } },
  }),
  execution: { id: EXECUTION_ARN },
});
const alarm = () => ({ incident: incident({ runbook: 's3-access-denied', target: BUCKET, source: { name: 'artifacts-4xx-errors' } }), execution: { id: EXECUTION_ARN } });

test("an alarm: each configured role on each prefix, as a request naming the bucket's encryption, with no bucket policy; the key simulated once per role", async () => {
  bucket(KEY);
  const d = await handler(alarm(), lambdaContext);
  const sims = iam.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);
  expect(sims.filter((i) => i.ResourceArns?.[0]?.startsWith('arn:aws:s3:::'))).toEqual([ENGINEER, QA].map((PolicySourceArn) => ({
    PolicySourceArn, ActionNames: ['s3:PutObject'], ResourceArns: [`arn:aws:s3:::${BUCKET}/uploads/*`],
    ContextEntries: [{ ContextKeyName: 's3:x-amz-server-side-encryption', ContextKeyValues: ['aws:kms'], ContextKeyType: 'string' }],
  })));
  expect(sims.filter((i) => i.ResourceArns?.[0] === KEY)).toEqual([ENGINEER, QA].map((PolicySourceArn) => ({
    PolicySourceArn, ActionNames: ['kms:GenerateDataKey'], ResourceArns: [KEY], ResourcePolicy: '{"Statement":[]}',
  })));
  expect(kms.commandCalls(GetKeyPolicyCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: KEY, PolicyName: 'default' }]);
  // Each of the bucket's reads names the alarmed bucket, once.
  for (const read of [GetBucketPolicyCommand, GetPublicAccessBlockCommand, GetBucketEncryptionCommand, GetBucketVersioningCommand]) {
    expect(s3.commandCalls(read).map((c) => c.args[0].input)).toEqual([{ Bucket: BUCKET }]);
  }
  expect(d.verdict).toBe('not explained by these policies: look at SCPs and VPC endpoint policies, which this role cannot read');
  expect(d.evidence).toEqual(expect.arrayContaining(['bucket policy: none (NoSuchBucketPolicy)', 'Block Public Access: none configured on the bucket', 'versioning: never enabled']));
});

test('an event naming a principal that is not a configured role: not simulated (the runbook may not), and said', async () => {
  bucket(KEY);
  const d = await handler(event('arn:aws:iam::111122223333:role/someone-else'), lambdaContext);
  expect(iam.commandCalls(SimulatePrincipalPolicyCommand)).toEqual([]);
  expect(d.verdict).toBe(`the principal arn:aws:iam::111122223333:role/someone-else is not a configured role of ${BUCKET}: its policies were not simulated (add it to the target's roles)`);
});

test("a bucket whose key is not the configured one: its policy is not read, and the page says so", async () => {
  bucket('arn:aws:kms:sa-east-1:111122223333:key/00000000-0000-0000-0000-000000000000');
  const d = await handler(event(ENGINEER), lambdaContext);
  expect(kms.commandCalls(GetKeyPolicyCommand)).toEqual([]);
  expect(d.findings).toEqual([expect.stringMatching(/^the bucket's default KMS key .*00000000-0000-0000-0000-000000000000 is not the target's kmsKeyArn: its policy was not read/)]);
});

test('a role IAM does not know is the verdict, not a failure', async () => {
  bucket(KEY);
  iam.on(SimulatePrincipalPolicyCommand).rejects(new NoSuchEntityException({ $metadata: { httpStatusCode: 404 }, message: 'The role with name engineer-agent-role cannot be found.' }));
  const d = await handler(event(ENGINEER), lambdaContext);
  expect(d.verdict).toBe(`the principal ${ENGINEER} does not exist (IAM answers NoSuchEntity)`);
});
