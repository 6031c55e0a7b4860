import { findingOf, isConfiguredKey, prefixOf, statementAt, verdictOf, type Simulation } from '../../../runbooks/s3-access-denied/verdict';

const ROLE = 'arn:aws:iam::111122223333:role/cabruca-segmentation-prod-engineer-agent-role';
const OBJECT = 'arn:aws:s3:::artifacts/uploads/run-1/mask.png';
const DENY_UNENCRYPTED = { Sid: 'DenyUnencrypted', Effect: 'Deny' as const, Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } } };
const sim = (decision: Simulation['decision'], more: Partial<Simulation> = {}): Simulation => ({
  principal: ROLE, action: 's3:PutObject', resource: OBJECT, decision, matched: [], missingContext: [], ...more,
});
const denied = sim('explicitDeny', { matched: [{ policyId: 'ResourcePolicy', policyType: 'resource', statement: DENY_UNENCRYPTED }] });
const kms = (decision: Simulation['decision']) => sim(decision, { action: 'kms:GenerateDataKey', resource: 'arn:aws:kms:sa-east-1:111122223333:key/k' });

test("the bucket policy's explicit Deny on a put without the encryption header: named by sid, the missing header said, and no Allow proposed (none can pass a Deny)", () => {
  const f = findingOf(denied, [], { fromEvent: true });
  expect(f?.sentence).toBe(`s3:PutObject on ${OBJECT} by the role cabruca-segmentation-prod-engineer-agent-role is denied by the bucket policy's explicit Deny sid DenyUnencrypted: the request had no x-amz-server-side-encryption`);
  expect(f?.proposal).toContain('send s3:PutObject with x-amz-server-side-encryption');
  expect(f?.proposal).not.toContain('"Effect":"Allow"');
});

test('the same Deny when the request did send the header: its condition is named instead, and nothing is proposed', () => {
  const f = findingOf(denied, [], { fromEvent: true, sseHeader: 'AES256' });
  expect(f?.sentence).toMatch(/explicit Deny sid DenyUnencrypted \(its condition on s3:x-amz-server-side-encryption\)$/);
  expect(f?.proposal).toBeNull();
});

test('no Allow anywhere: the role and the call are named, and the Allow proposed is for the prefix, not the one object', () => {
  const v = verdictOf({ calls: [{ s3: sim('implicitDeny'), kms: [] }], request: { fromEvent: true } });
  expect(v.verdict).toBe(`the role cabruca-segmentation-prod-engineer-agent-role has no Allow for s3:PutObject on ${OBJECT}`);
  expect(v.proposal).toMatch(/^PROPOSAL, not applied/);
  expect(v.proposal).toContain('{"Sid":"AllowPutObject","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::artifacts/uploads/*"}');
});

test('the bucket lets it through but the key does not: the key policy is the verdict', () => {
  const v = verdictOf({ calls: [{ s3: sim('allowed'), kms: [kms('allowed'), kms('implicitDeny')] }], request: { fromEvent: true } });
  expect(v.verdict).toBe('the KMS key policy of arn:aws:kms:sa-east-1:111122223333:key/k does not let the role cabruca-segmentation-prod-engineer-agent-role use the key (kms:GenerateDataKey: no Allow)');
  expect(v.proposal).toContain('add to the key policy of arn:aws:kms:sa-east-1:111122223333:key/k');
});

test('every call allowed by these policies: not explained, pointing at what this role cannot read; nothing proposed', () => {
  const v = verdictOf({ calls: [{ s3: sim('allowed'), kms: [kms('allowed')] }], request: { fromEvent: true } });
  expect(v).toEqual({ verdict: 'not explained by these policies: look at SCPs and VPC endpoint policies, which this role cannot read', findings: [], proposal: null });
});

test('several refused calls: the first is the verdict, the rest are findings', () => {
  const v = verdictOf({ calls: [{ s3: sim('implicitDeny'), kms: [] }, { s3: denied, kms: [] }, { s3: sim('allowed'), kms: [] }], request: { fromEvent: false, sseHeader: 'aws:kms' } });
  expect(v.findings).toHaveLength(2);
  expect(v.verdict).toMatch(/has no Allow .* \(and 1 more: see findings\)$/);
});

test('a matched statement is found from the position IAM gives, whether its column counts from 0 or 1', () => {
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'First', Effect: 'Allow' }, DENY_UNENCRYPTED] }, null, 2);
  const line = policy.split('\n').findIndex((l) => l.includes('"Sid": "DenyUnencrypted"')) - 1;
  const column = policy.split('\n')[line]!.indexOf('{');
  expect(statementAt(policy, { Line: line + 1, Column: column + 1 })?.Sid).toBe('DenyUnencrypted');
  expect(statementAt(policy, { Line: line + 1, Column: column })?.Sid).toBe('DenyUnencrypted');
  expect(statementAt(policy, { Line: 999, Column: 1 })).toBeUndefined();
});

test('the prefix of an object ARN: its top-level folder, or the ARN itself where there is none', () => {
  expect(prefixOf('arn:aws:s3:::b/uploads/x/y.png')).toBe('arn:aws:s3:::b/uploads/*');
  expect(prefixOf('arn:aws:s3:::b/uploads/*')).toBe('arn:aws:s3:::b/uploads/*');
  expect(prefixOf('arn:aws:s3:::b/top.png')).toBe('arn:aws:s3:::b/top.png');
});

test("the bucket's key is the configured one whether GetBucketEncryption names it by ARN or by id; another key, or none configured, is not", () => {
  const KEY = 'arn:aws:kms:sa-east-1:111122223333:key/3f0c2a9e-5b1d-4c7e-9a8f-6d2e4b1c0a97';
  expect(isConfiguredKey(KEY, KEY)).toBe(true);
  expect(isConfiguredKey('3f0c2a9e-5b1d-4c7e-9a8f-6d2e4b1c0a97', KEY)).toBe(true);
  expect(isConfiguredKey('arn:aws:kms:sa-east-1:111122223333:key/00000000-0000-0000-0000-000000000000', KEY)).toBe(false);
  expect(isConfiguredKey('alias/artifacts', KEY)).toBe(false);
  expect(isConfiguredKey(KEY, undefined)).toBe(false);
});
