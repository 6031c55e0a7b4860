/** Where a report is kept, and what a run's facts keep: pure functions. */
import { dayOf, NUMBERED_NAMES, reportKey, targetSlug } from '../../../lambdas/domain/report-key';
import { bounded, factsFromState, MAX_VALUE_CHARS } from '../../../lambdas/domain/report-facts';

const incident = { incidentId: 'inc-0123456789abcdef', runbook: 'workflow-stuck', target: 'fn', firedAt: '2026-11-03T23:30:00.000-0300' };

test('the day is the trigger\'s, in UTC; a time that does not parse keeps its own date part', () => {
  expect(dayOf('2026-11-03T23:30:00.000-0300')).toBe('2026-11-04');
  expect(dayOf('2026-11-03T03:12:41.522+0000')).toBe('2026-11-03');
  expect(dayOf('2026-11-03 at night')).toBe('2026-11-03');
  expect(dayOf('yesterday')).toBe('undated');
});

test('a target as a file name: an ARN by its resource, anything else but letters, digits, dots, dashes and underscores as one dash', () => {
  expect(targetSlug('alphaswarm-cluster-prod/alphaswarm-admin-prod')).toBe('alphaswarm-cluster-prod-alphaswarm-admin-prod');
  expect(targetSlug('arn:aws:states:sa-east-1:111122223333:execution:tradai-prod-backtest-workflow:backtest-2026-12-01'))
    .toBe('execution-tradai-prod-backtest-workflow-backtest-2026-12-01');
  expect(targetSlug('/alphaswarm/prod/llm_model_preference')).toBe('alphaswarm-prod-llm_model_preference');
  expect(targetSlug('fn:live')).toBe('fn-live');
  expect(targetSlug('../../etc')).toBe('etc');
  expect(targetSlug('x'.repeat(300))).toHaveLength(100);
  expect(targetSlug('///')).toBe('target');
});

test('the first name has no number, the next ones -2, -3; past the numbered names, the incident\'s own id', () => {
  expect(reportKey(incident, 1)).toBe('incidents/2026-11-04-workflow-stuck-fn.md');
  expect(reportKey(incident, 2)).toBe('incidents/2026-11-04-workflow-stuck-fn-2.md');
  expect(reportKey(incident, NUMBERED_NAMES)).toBe(`incidents/2026-11-04-workflow-stuck-fn-${NUMBERED_NAMES}.md`);
  expect(reportKey(incident, NUMBERED_NAMES + 1)).toBe('incidents/2026-11-04-workflow-stuck-fn-inc-0123456789abcdef.md');
});

describe("a run's facts", () => {
  const state = {
    event: { source: 'aws.cloudwatch' },
    admission: { decision: 'admit', reason: 'new alarm transition', switches: { automation: 'enabled', runbook: 'enabled' }, dryRun: false, incident: { id: 'inc-1', source: { name: 'a' } } },
    diagnosis: { reservedConcurrency: null },
    action: { operation: 'lambda:PutFunctionConcurrency', target: 'fn', before: null, after: 0 },
    restoreApproval: { level: 'L1', timeoutSeconds: 1800 },
    evidenceError: { Error: 'AwsThrottled', Cause: 'x' },
    verify: { status: 'verified', reason: 'ok' },
    result: { outcome: 'remediated', reason: 'done', topic: 'info' },
  };

  test('with the machine\'s map of what writes each field: only those fields, by the state that writes them', () => {
    const facts = factsFromState(state, { id: 'arn:exec', redriveCount: 2 }, { steps: { diagnosis: 'Read function concurrency', verify: 'Check alarm state', missing: 'Never ran' } });
    expect(facts).toEqual({
      executionArn: 'arn:exec', redriveCount: 2, trigger: { source: 'aws.cloudwatch' }, incident: { id: 'inc-1', source: { name: 'a' } },
      admission: { decision: 'admit', reason: 'new alarm transition', switches: { automation: 'enabled', runbook: 'enabled' }, dryRun: false },
      findings: [{ state: 'Read function concurrency', at: 'diagnosis', value: { reservedConcurrency: null } }],
      verification: { status: 'verified', reason: 'ok' }, notified: { outcome: 'remediated', reason: 'done', topic: 'info' },
    });
  });

  test('without it (a failed run read back from its history): every field but the spine\'s, errors, approval bookkeeping and mutating results, by path', () => {
    const facts = factsFromState(state, { id: 'arn:exec' }, { failedAt: 'Stop function' });
    expect(facts.findings).toEqual([{ state: '$.diagnosis', at: 'diagnosis', value: { reservedConcurrency: null } }]);
    expect(facts).toMatchObject({ redriveCount: 0, failedAt: 'Stop function' });
  });

  test('a large value is kept as its size and first characters: a ledger item holds 400 KB at most', () => {
    const big = { tasks: Array.from({ length: 2000 }, (_, i) => ({ id: `task-${i}`, status: 'pending' })) };
    const kept = bounded(big) as { elided: string; preview: string };
    expect(kept.elided).toMatch(/^\d+ characters of JSON; the execution's history holds it whole$/);
    expect(kept.preview).toBe(JSON.stringify(big).slice(0, 2000));
    expect(JSON.stringify(bounded({ small: true }))).toBe('{"small":true}');
    expect(JSON.stringify(factsFromState({ event: big }, { id: 'x' })).length).toBeLessThan(MAX_VALUE_CHARS);
  });
});

describe('a runbook that verifies by a check it polls (verifiedBy): the check, read as the verification', () => {
  const steps = { diagnosis: 'Read function configuration', check: 'Check update status' };
  const verificationOf = (check: Record<string, unknown>, data: Record<string, unknown> = {}) =>
    factsFromState({ diagnosis: {}, check, ...data }, { id: 'arn:exec' }, { steps, verifiedBy: 'check' }).verification;

  test('done: verified, by the check, with its reason or how many checks it took', () => {
    expect(verificationOf({ attempt: 2, done: true, failed: false, timedOut: false, reason: 'Timeout 60 applied' }))
      .toMatchObject({ status: 'verified', by: 'Check update status', reason: 'Timeout 60 applied' });
    expect(verificationOf({ attempt: 2, done: true, failed: false, timedOut: false })).toMatchObject({ status: 'verified', reason: 'done after 2 check(s)' });
  });

  test('failed or timed out: not verified; still polling: pending', () => {
    expect(verificationOf({ attempt: 3, done: false, failed: true, timedOut: false })).toMatchObject({ status: 'not-verified', reason: 'failed after 3 check(s)' });
    expect(verificationOf({ attempt: 9, done: false, timedOut: true })).toMatchObject({ status: 'not-verified', reason: 'timed out after 9 check(s)' });
    expect(verificationOf({ attempt: 1, done: false, failed: false, timedOut: false })).toMatchObject({ status: 'pending', reason: 'not concluded after 1 check(s)' });
  });

  test("an alarm's verification ($.verify) comes first; a run that never reached the check has none; without verifiedBy a check is only a finding", () => {
    expect(verificationOf({ attempt: 1, done: true }, { verify: { status: 'not-verified', reason: 'alarm still in ALARM' } })).toEqual({ status: 'not-verified', reason: 'alarm still in ALARM' });
    expect(factsFromState({ diagnosis: {} }, { id: 'arn:exec' }, { steps, verifiedBy: 'check' }).verification).toBeNull();
    expect(factsFromState({ check: { attempt: 1, done: true } }, { id: 'arn:exec' }, { steps }).verification).toBeNull();
  });
});
