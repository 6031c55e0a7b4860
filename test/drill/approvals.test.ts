import { runDrill } from './run-drill';

const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const stopped = { [FUNCTION]: { reservedConcurrency: 0, timeout: 300, environment: expect.any(String) } };
const restored = { [FUNCTION]: { reservedConcurrency: 5, timeout: 300, environment: expect.any(String) } };

test('prod, 4-eyes: stopped at once, restored to 5 only after two distinct approvers click Approve on their own pages', async () => {
  const { code, results: [r] } = await runDrill(['lambda-runaway', '--env', 'prod', '--approve', 'alice,bob', '--json']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ outcome: 'remediated', reason: expect.stringContaining('restored to a conservative 5') });
  expect(r!.actions.map((a) => [a.before, a.after, a.status, a.auditedBeforeCall])).toEqual([[null, 0, 'succeeded', true], [0, 5, 'succeeded', true]]);
  expect(r!.resources.after).toEqual(restored);
  expect(r!.approvals.map((a) => [a.approver, a.decision, a.level])).toEqual([['alice', 'approved', 'L1'], ['bob', 'approved', 'L1']]);
  expect(r!.approvalRequests).toEqual([expect.objectContaining({ level: 'L1', status: 'approved', outcome: 'alice approved, bob approved' })]);
  // The stop came before anyone was asked; the scanner's GET and HEAD decided nothing.
  const states = r!.timeline.map((t) => `${t.event}:${t.state}`);
  expect(states.indexOf('done:Stop function: reserved concurrency 0')).toBeLessThan(states.findIndex((s) => s.startsWith('requested:')));
  expect(r!.timeline).toContainEqual(expect.objectContaining({ event: 'scanned', detail: expect.stringContaining('nothing decided, the request is still open') }));
  const decided = r!.timeline.filter((t) => t.event === 'decided').map((t) => t.detail);
  expect(decided).toEqual([expect.stringContaining('1 of 2 distinct approvals so far'), expect.stringContaining('Quorum reached (2 of 2)')]);
});

test('prod: one approval is not enough; nobody else answers, every level times out, the function stays stopped and it escalates', async () => {
  const { results: [r] } = await runDrill(['lambda-runaway', '--env', 'prod', '--approve', 'alice', '--json']);
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('stays stopped') });
  expect(r!.resources.after).toEqual(stopped);
  expect(r!.actions).toHaveLength(1);
  expect(r!.approvalRequests.map((q) => [q.level, q.status])).toEqual([['L1', 'timed-out'], ['L2', 'timed-out'], ['L3', 'timed-out']]);
  expect(r!.approvals.map((a) => [a.approver, a.level])).toEqual([['alice', 'L1'], ['alice', 'L2'], ['alice', 'L3']]);
  expect(r!.notifications).toEqual([{ outcome: 'escalated', topic: 'critical' }]);
});

test('a rejection rejects: the function stays stopped, the decisions are in the ledger, and it escalates', async () => {
  const { results: [r] } = await runDrill(['lambda-runaway', '--env', 'prod', '--approve', 'alice', '--reject', 'carol', '--json']);
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('the restore was rejected') });
  expect(r!.resources.after).toEqual(stopped);
  expect(r!.approvals.map((a) => [a.approver, a.decision])).toEqual([['alice', 'approved'], ['carol', 'rejected']]);
  expect(r!.approvalRequests).toEqual([expect.objectContaining({ level: 'L1', status: 'rejected' })]);
  expect(r!.notifications).toEqual([{ outcome: 'escalated', topic: 'critical' }]);
});

test('timeout escalates L1 -> L2 -> L3 (each asked with a new deadline), then aborts: stopped, escalated', async () => {
  const { results: [r] } = await runDrill(['lambda-runaway', '--env', 'prod', '--no-answer', '--json']);
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('the restore was timed-out') });
  expect(r!.resources.after).toEqual(stopped);
  expect(r!.approvals).toEqual([]);
  expect(r!.approvalRequests.map((q) => q.level)).toEqual(['L1', 'L2', 'L3']);
  expect(r!.approvalRequests.every((q) => q.status === 'timed-out')).toBe(true);
  const asked = r!.timeline.filter((t) => t.event === 'requested').map((t) => t.detail);
  expect(asked[0]).toContain('alice, bob, carol;');
  expect(asked[1]).toMatch(/escalated to L2 .* alice, bob, carol, dave;/);
  expect(asked[2]).toMatch(/escalated to L3 .* alice, bob, carol, dave, erin;/);
});

test('escalation keeps the quorum reachable: L1 lets the deadline pass, then alice and dave (L2) approve', async () => {
  const { results: [r] } = await runDrill(['lambda-runaway', '--env', 'prod', '--approve', 'alice,dave', '--json']);
  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.approvalRequests.map((q) => [q.level, q.status])).toEqual([['L1', 'timed-out'], ['L2', 'approved']]);
  expect(r!.resources.after).toEqual(restored);
});

test('staging needs one approver; dev needs none (approved at once, recorded as such)', async () => {
  const staging = (await runDrill(['lambda-runaway', '--env', 'staging', '--approve', 'bob', '--json'])).results[0]!;
  expect(staging).toMatchObject({ outcome: 'remediated' });
  expect(staging.approvals.map((a) => [a.approver, a.decision])).toEqual([['bob', 'approved']]);
  const dev = (await runDrill(['lambda-runaway', '--env', 'dev', '--json'])).results[0]!;
  expect(dev).toMatchObject({ outcome: 'remediated' });
  expect(dev.approvals).toEqual([expect.objectContaining({ approver: '(policy)', decision: 'auto-approved' })]);
  expect(dev.resources.after).toEqual(restored);
});

test('bad approval flags are one-line errors and nothing runs', async () => {
  const unknown = await runDrill(['lambda-runaway', '--approve', 'mallory']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('mallory is not an approver of the drill environment');
  const both = await runDrill(['lambda-runaway', '--no-answer', '--approve', 'alice']);
  expect(both.code).toBe(2);
  const env = await runDrill(['lambda-runaway', '--env', 'qa']);
  expect(env.code).toBe(2);
  expect(env.stderr).toContain('--env qa: expected dev, staging or prod');
});
