import type { AwsCallReceived } from '../../drill/drill';
import { ARTIFACTS_BUCKET, DENY_UNENCRYPTED_SID, ENGINEER_ROLE } from '../../drill/sandbox';
import { runDrill, scenario } from './run-drill';

const EVENT = 'events/s3-access-denied.event.json';
const ALARM = 'events/samples/s3-access-denied.alarm.json';
const callsOf = (r: unknown) => (r as { calls: AwsCallReceived[] }).calls;
const of = (calls: readonly AwsCallReceived[], service: string, operation: string) => calls.filter((c) => c.service === service && c.operation === operation);
const pageOf = (calls: readonly AwsCallReceived[]) => of(calls, 'sns', 'Publish').filter((c) => String(c.input.TopicArn).endsWith('-critical')).map((c) => String(c.input.Message)).join('\n');
/** The runbook's own reads; anything else it called (besides admit's switches, the page and the report) would be a change. */
const READS = ['GetBucketPolicy', 'GetPublicAccessBlock', 'GetBucketEncryption', 'GetBucketVersioning', 'GetKeyPolicy', 'SimulatePrincipalPolicy', 'GetParameters', 'Publish', 'PutObject'];
const changes = (calls: readonly AwsCallReceived[]) => calls.filter((c) => !READS.includes(c.operation) && c.service !== 'dynamodb');

test("the recorded CloudTrail event and the 4xxErrors alarm, in one drill: the event's put is denied by DenyUnencrypted, the alarm finds the engineer role without PutObject on uploads/; each pages once, changing nothing", async () => {
  const { code, results: [event, alarm] } = await runDrill(['--event', EVENT, '--event', ALARM, '--json', '--calls']);
  expect(code).toBe(0);

  expect(event).toMatchObject({ runbook: 's3-access-denied', outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }] });
  expect(event!.reason).toContain(`S3 access denied on ${ARTIFACTS_BUCKET}: s3:PutObject on arn:aws:s3:::${ARTIFACTS_BUCKET}/uploads/segmentation-run-4812/mask.png by the role ${ENGINEER_ROLE} is denied by the bucket policy's explicit Deny sid ${DENY_UNENCRYPTED_SID}: the request had no x-amz-server-side-encryption.`);
  expect(event!.reason).toContain('PROPOSAL, not applied');
  const calls = callsOf(event);
  // The event's principal, action and object, with the bucket policy as the resource policy and no encryption context (the request had none).
  const [sim, ...more] = of(calls, 'iam', 'SimulatePrincipalPolicy');
  expect(more).toEqual([]);
  expect(sim!.input).toMatchObject({
    PolicySourceArn: `arn:aws:iam::111122223333:role/${ENGINEER_ROLE}`, ActionNames: { member: { 1: 's3:PutObject' } },
    ResourceArns: { member: { 1: `arn:aws:s3:::${ARTIFACTS_BUCKET}/uploads/segmentation-run-4812/mask.png` } }, ResourcePolicy: expect.stringContaining(DENY_UNENCRYPTED_SID),
  });
  expect(sim!.input.ContextEntries).toBeUndefined();
  expect(of(calls, 'kms', 'GetKeyPolicy')).toHaveLength(1);
  expect(pageOf(calls)).toContain('versioning: Enabled');
  expect(changes(calls)).toEqual([]);
  // The bucket, the roles and the key it read are reported before and after: as they were.
  const resources = (event as unknown as { resources: { before: Record<string, unknown>; after: Record<string, unknown> } }).resources;
  expect(Object.keys(resources.before)).toEqual(expect.arrayContaining([ARTIFACTS_BUCKET, ENGINEER_ROLE, expect.stringMatching(/:key\//)]));
  expect(resources.before[ARTIFACTS_BUCKET]).toMatchObject({ policy: expect.stringMatching(/^DenyUnencrypted, DenyInsecureTransport \[sha256:[0-9a-f]{8}\]$/), versioning: 'Enabled' });
  expect(resources.after).toEqual(resources.before);

  expect(alarm).toMatchObject({ runbook: 's3-access-denied', outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }] });
  expect(alarm!.reason).toContain(`S3 access denied on ${ARTIFACTS_BUCKET}: the role ${ENGINEER_ROLE} has no Allow for s3:PutObject on arn:aws:s3:::${ARTIFACTS_BUCKET}/uploads/*.`);
  expect(alarm!.reason).toContain(`"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::${ARTIFACTS_BUCKET}/uploads/*"`);
  // The alarm names no one: each configured role on each configured prefix, as a client naming the bucket's encryption.
  const sims = of(callsOf(alarm), 'iam', 'SimulatePrincipalPolicy');
  const onBucket = sims.filter((c) => JSON.stringify(c.input.ResourceArns).includes(':s3:::'));
  expect(onBucket).toHaveLength(3 * 2);
  expect(onBucket.every((c) => JSON.stringify(c.input.ContextEntries).includes('aws:kms'))).toBe(true);
  // The key: once per role, with the key policy as the resource policy.
  const onKey = sims.filter((c) => JSON.stringify(c.input.ResourceArns).includes(':kms:'));
  expect(onKey.map((c) => c.input.PolicySourceArn)).toEqual(['manager', 'engineer', 'qa'].map((a) => `arn:aws:iam::111122223333:role/cabruca-segmentation-prod-${a}-agent-role`));
  expect(onKey.every((c) => String(c.input.ResourcePolicy).includes('AllowAgentsUseOfTheKey'))).toBe(true);
  expect(changes(callsOf(alarm))).toEqual([]);
});

test('nothing in these policies refuses the put: the page says so and points at SCPs and VPC endpoint policies', async () => {
  const { results: [r] } = await runDrill(['--scenario', scenario('s3-access-denied-not-explained'), '--event', EVENT, '--json']);
  expect(r).toMatchObject({
    outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }],
    reason: `S3 access denied on ${ARTIFACTS_BUCKET}: not explained by these policies: look at SCPs and VPC endpoint policies, which this role cannot read.`,
  });
});
