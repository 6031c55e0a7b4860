import { approversAt, autoApprovedBecause, autoApprovedOutcome, deadlineSeconds, ineligibility, nextLevel, tally, type ApprovalPolicy, type Decision } from '../../../lambdas/domain/approval';

const policy: ApprovalPolicy = {
  requiredApprovals: 2, deadlineMinutes: { P1: 15, P2: 30, P3: 120, P4: 1440 },
  approvers: [{ name: 'alice', level: 'L1' }, { name: 'bob', level: 'L1' }, { name: 'dave', level: 'L2' }, { name: 'erin', level: 'L3' }],
};
const d = (approver: string, decision: Decision['decision']): Decision => ({ approver, decision, at: '2026-11-23T00:00:00Z', level: 'L1' });

test('each escalation level widens the pool: L2 still reaches L1', () => {
  expect(approversAt(policy, 'L1')).toEqual(['alice', 'bob']);
  expect(approversAt(policy, 'L2')).toEqual(['alice', 'bob', 'dave']);
  expect(approversAt(policy, 'L3')).toEqual(['alice', 'bob', 'dave', 'erin']);
  expect([nextLevel('L1'), nextLevel('L2'), nextLevel('L3')]).toEqual(['L2', 'L3', null]);
});

test('seed 003 response times are the deadlines', () => {
  expect(['P1', 'P2', 'P3', 'P4'].map((s) => deadlineSeconds(policy, s as 'P1'))).toEqual([900, 1800, 7200, 86400]);
});

test('distinct approvers reach the quorum; one rejection rejects', () => {
  expect(tally([d('alice', 'approved')], 2)).toBe('open');
  expect(tally([d('alice', 'approved'), d('alice', 'approved')], 2)).toBe('open');
  expect(tally([d('alice', 'approved'), d('bob', 'approved')], 2)).toBe('approved');
  expect(tally([d('alice', 'approved'), d('bob', 'approved'), d('dave', 'rejected')], 2)).toBe('rejected');
  expect(tally([], 0)).toBe('approved');
});

test('the starter of a run and non-approvers may not decide', () => {
  expect(ineligibility('alice', ['alice', 'bob'], 'alice')).toContain('started this run');
  expect(ineligibility('mallory', ['alice', 'bob'], null)).toContain('not an approver');
  expect(ineligibility('bob', ['alice', 'bob'], 'alice')).toBeNull();
});

test('an auto-approval is recorded with why nobody was asked, and read back from that record alone', () => {
  expect(autoApprovedOutcome('the revert asks nobody')).toBe('auto-approved: the revert asks nobody');
  expect(autoApprovedBecause(autoApprovedOutcome('the revert asks nobody'))).toBe('the revert asks nobody');
  // A bare "auto-approved" names no reason: the environment's policy, the default.
  expect(autoApprovedBecause('auto-approved')).toBe('this environment needs no approver');
  expect(autoApprovedBecause('alice approved')).toBeUndefined();
  expect(autoApprovedBecause(undefined)).toBeUndefined();
});
