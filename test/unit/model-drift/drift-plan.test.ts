import {
  classifyAlarm, planDrift, positionsOf, retrainingName, validationOf, type AlarmFacts, type DriftFacts, type PsiPolicy,
} from '../../../runbooks/model-drift/drift-plan';

const POLICY: PsiPolicy = { drift: { psi: 0.1, severity: 'Medium' }, significant: { psi: 0.25, severity: 'High' }, periodSeconds: 3600 };
const MODEL = 'momentum-v3';
const alarm = (over: Partial<AlarmFacts> = {}): AlarmFacts => ({
  name: 'psi-alarm', namespace: 'TradAI/Models', metricName: 'PSI', dimensions: { Model: MODEL }, threshold: 0.25, comparison: 'GreaterThanThreshold', state: 'ALARM', ...over,
});
const NOW = new Date('2026-12-06T03:07:00Z');

describe('classifyAlarm: by what the alarm compares, never by its name', () => {
  test.each([
    ['at the significant level', { threshold: 0.25 }, 'significant'],
    ['above it', { threshold: 0.4, comparison: 'GreaterThanOrEqualToThreshold' }, 'significant'],
    ['named significant, but alarming at the drift level', { name: 'tradai-prod-momentum-v3-psi-significant', threshold: 0.1 }, 'drift'],
    ['named drift, but alarming at the significant level', { name: 'tradai-prod-momentum-v3-psi-drift', threshold: 0.3 }, 'significant'],
    ['just under the significant level', { threshold: 0.2499 }, 'drift'],
    ['under the drift level', { threshold: 0.05 }, 'below-drift'],
    ['on falling PSI', { comparison: 'LessThanThreshold' }, 'not-psi'],
    ["on another model's PSI", { dimensions: { Model: 'mean-reversion-v1' } }, 'not-psi'],
    ['on another metric', { metricName: 'Sharpe' }, 'not-psi'],
    ['without a threshold (an anomaly band)', { threshold: null }, 'not-psi'],
  ])('%s', (_what, over, expected) => {
    expect(classifyAlarm(alarm(over), MODEL, POLICY).class).toBe(expected);
  });
});

describe('positionsOf', () => {
  test('a fresh 0 is none open; a fresh positive count is open; an old or missing datapoint cannot tell', () => {
    expect(positionsOf({ value: 0, at: '2026-12-06T03:06:00Z' }, NOW, 5)).toEqual({ kind: 'none', at: '2026-12-06T03:06:00Z' });
    expect(positionsOf({ value: 2, at: '2026-12-06T03:06:00Z' }, NOW, 5)).toEqual({ kind: 'open', count: 2, at: '2026-12-06T03:06:00Z' });
    expect(positionsOf({ value: 0, at: '2026-12-06T03:01:59Z' }, NOW, 5)).toEqual({ kind: 'unknown', lastAt: '2026-12-06T03:01:59Z' });
    expect(positionsOf(null, NOW, 5)).toEqual({ kind: 'unknown', lastAt: null });
  });
});

describe('planDrift', () => {
  const facts = (over: Partial<DriftFacts> = {}): DriftFacts => ({
    model: MODEL, alarm: alarm(), policy: POLICY, psi: { value: 0.31, at: '2026-12-06T03:00:00Z' }, switchValue: 'false', pausedValue: 'true',
    pausedByThisIncident: false, positions: { kind: 'none', at: '2026-12-06T03:06:00Z' }, runningRetrainings: [], ...over,
  });

  test('significant drift, still in ALARM, trading running, nothing open: pause', () => {
    expect(planDrift(facts())).toMatchObject({ decision: 'pause', alarmClass: 'significant', reason: expect.stringContaining('PSI of momentum-v3 is 0.31') });
  });

  test('drift notifies, whatever else holds: a human considers a pause', () => {
    const plan = planDrift(facts({ alarm: alarm({ threshold: 0.1 }), positions: { kind: 'open', count: 3, at: 'x' }, switchValue: 'true' }));
    expect(plan).toMatchObject({ decision: 'notify-drift', reason: expect.stringMatching(/^drift detected \(Medium\)/) });
  });

  test.each([
    ['an alarm under the drift level', { alarm: alarm({ threshold: 0.05 }) }, 'not-acted-on'],
    ['an alarm not on this model', { alarm: alarm({ dimensions: { Model: 'other' } }) }, 'not-acted-on'],
    ['a significant alarm back to OK since it fired', { alarm: alarm({ state: 'OK' }) }, 'not-in-alarm'],
    ['trading paused by someone else', { switchValue: 'true' }, 'already-paused'],
    ['a position open', { positions: { kind: 'open' as const, count: 2, at: 'x' } }, 'positions-open'],
    ['positions that cannot be told', { positions: { kind: 'unknown' as const, lastAt: null } }, 'positions-unknown'],
  ])('%s: %s', (_what, over, decision) => {
    expect(planDrift(facts(over)).decision).toBe(decision);
  });

  test('paused by this incident (a re-run of it): goes on from its own pause', () => {
    expect(planDrift(facts({ switchValue: 'true', pausedByThisIncident: true })).decision).toBe('pause');
  });

  test('trading paused by someone else is left to them, even with a position open: their pause is not this run\'s to lift', () => {
    const plan = planDrift(facts({ switchValue: 'true', positions: { kind: 'open', count: 1, at: 'x' }, runningRetrainings: [{ name: 'nightly', executionArn: 'arn' }] }));
    expect(plan).toMatchObject({ decision: 'already-paused', reason: expect.stringContaining('a retraining is running (nightly)') });
  });
});

describe('validationOf', () => {
  const rule = { outputField: 'validation.status', passedValue: 'PASSED' };
  test.each([
    ['the field holds the passed value', '{"validation":{"status":"PASSED"}}', true, 'validation.status is "PASSED"'],
    ['another value', '{"validation":{"status":"FAILED"}}', false, 'validation.status is "FAILED", not "PASSED"'],
    ['a value of another type', '{"validation":{"status":true}}', false, 'validation.status is true, not "PASSED"'],
    ['no such field', '{"validation":{}}', false, 'the retraining output has no validation.status'],
    ['a field under a list', '{"validation":[{"status":"PASSED"}]}', false, 'the retraining output has no validation.status'],
    ['output that is not JSON', 'PASSED', false, 'the retraining output is not JSON'],
    ['no output', null, false, 'the retraining returned no output'],
  ])('%s', (_what, output, passed, reason) => {
    expect(validationOf(output, rule)).toMatchObject({ passed, reason });
  });
});

test("a retraining is named after its incident: Step Functions' 80 characters, its own alphabet", () => {
  expect(retrainingName('inc-0123456789abcdef')).toBe('model-drift-inc-0123456789abcdef');
  expect(retrainingName('inc-0123456789abcdef')).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
});
