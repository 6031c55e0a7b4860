import { recordedEvent, runDrill, scenario, scenarioDrill } from './run-drill';

const ALIAS = 'cabruca-segmentation-prod-manager-agent:live';
const on = (functionVersion: string, additionalVersionWeights: Record<string, number> = {}) => ({ functionVersion, additionalVersionWeights });

test('errors on alias live (version 7): rolled back to 6 with the RevisionId, ledger row first, alarm back to OK; the undo puts 7 back', async () => {
  const { code, results: [r] } = await runDrill(['--event', recordedEvent('lambda-errors-rollback'), '--then-undo', '--json', '--calls']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'lambda-errors-rollback', outcome: 'remediated', reason: expect.stringContaining('rolling back to version 6') });
  expect(r!.actions).toEqual([{ operation: 'lambda:UpdateAlias', target: ALIAS, before: on('7'), after: on('6'), status: 'succeeded', auditedBeforeCall: true }]);
  expect(r!.resources.after[ALIAS]).toEqual(on('6'));
  expect(r!.undo).toMatchObject({ outcome: 'remediated', restored: true });
  expect(r!.undo!.resources.find((x) => x.name === ALIAS)).toMatchObject({ afterUndo: on('7'), equalsStart: true });
});

test('prod: two distinct approvers roll it back; one approver alone is not enough, and the alias stays', async () => {
  const [two, one] = await Promise.all([
    runDrill(['lambda-errors-rollback', '--env', 'prod', '--approve', 'alice,bob', '--json']),
    runDrill(['lambda-errors-rollback', '--env', 'prod', '--approve', 'alice', '--json']),
  ]);
  expect(two.results[0]).toMatchObject({ outcome: 'remediated' });
  expect(two.results[0]!.approvals.filter((a) => a.decision === 'approved').map((a) => a.approver).sort()).toEqual(['alice', 'bob']);
  expect(one.results[0]).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('keeps serving the version that errs') });
  expect(one.results[0]!.actions).toEqual([]);
});

test('a dry run plans the exact UpdateAlias, asks nobody and leaves the alias on 7', async () => {
  const { results: [r] } = await runDrill(['lambda-errors-rollback', '--env', 'prod', '--dry-run', '--json']);
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/^dry run/) });
  expect(r!.approvalRequests).toEqual([]);
  expect(r!.actions).toEqual([expect.objectContaining({ operation: 'lambda:UpdateAlias', target: ALIAS, before: on('7'), after: on('6'), status: 'planned' })]);
  expect(r!.resources.after[ALIAS]).toEqual(on('7'));
});

test('scenarios: a canary is cleared back to its primary; no older version, a missing alias and errors that persist each end said and defined', async () => {
  const [canary, oldest, missing, persist] = await Promise.all(['manager-alias-canary', 'manager-alias-no-older-version', 'manager-alias-missing', 'manager-errors-persist']
    .map((s) => scenarioDrill('lambda-errors-rollback', s).then((d) => d.results[0]!)));
  expect(canary).toMatchObject({ outcome: 'remediated' });
  expect(canary!.actions).toEqual([expect.objectContaining({ before: on('6', { 7: 0.1 }), after: on('6'), status: 'succeeded' })]);

  expect(oldest).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('no published version older than 1') });
  expect(oldest!.actions).toEqual([]);
  expect(missing).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('alias does not exist') });
  expect(missing!.actions).toEqual([]);

  // The rollback happened, but the alarm did not clear: escalated, and the undo remains a human's choice.
  expect(persist).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('still in ALARM') });
  expect(persist!.resources.after[ALIAS]).toEqual(on('6'));
});

test('a second alarm after the rollback does not roll back further: the alias is on the version the ledger says an earlier rollback chose', async () => {
  const { results } = await runDrill(['--scenario', scenario('manager-errors-refire'), '--event', 'events/lambda-errors-rollback.alarm.json', '--event', 'events/samples/lambda-errors-rollback-refired.alarm.json', '--json']);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'escalated']);
  expect(results[1]!.reason).toContain('which an earlier rollback chose as the previous good version');
  expect(results[1]!.actions).toEqual([]);
});

test('a rollback refused for good fails the execution at that step; a redrive makes it once, with the RevisionId read at diagnosis', async () => {
  const { results: [r] } = await runDrill(['lambda-errors-rollback', '--fault', 'lambda:UpdateAlias=access-deniedx500', '--then-redrive', '--json']);
  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.runs.map((run) => run.status)).toEqual(['FAILED', 'SUCCEEDED']);
  expect(r!.actions).toEqual([expect.objectContaining({ target: ALIAS, before: on('7'), after: on('6'), status: 'succeeded' })]);
  expect(r!.resources.after[ALIAS]).toEqual(on('6'));
});
