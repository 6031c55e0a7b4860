import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AwsCallReceived } from '../../drill/drill';
import { RETRAINING_MACHINE, TRADING_SWITCH } from '../../drill/sandbox';
import { runDrill, scenario, scenarioDrill } from './run-drill';

const EVENT = 'events/model-drift.alarm.json';
const NOTICE = 'events/samples/model-drift-notice.alarm.json';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'model-drift-'));
const NIGHTLY = `${RETRAINING_MACHINE.replace(':stateMachine:', ':execution:')}:nightly-2026-12-06`;

function scenarioFile(name: string, body: Record<string, unknown>): string {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(body));
  return file;
}
const callsOf = (r: unknown) => (r as { calls: AwsCallReceived[] }).calls;
const of = (calls: readonly AwsCallReceived[], service: string, operation: string) => calls.filter((c) => c.service === service && c.operation === operation);
const switchWrites = (calls: readonly AwsCallReceived[]) => of(calls, 'ssm', 'PutParameter').filter((c) => c.input.Name === TRADING_SWITCH).map((c) => c.input.Value);

test('significant drift: trading paused (its value recorded first), the retraining started once under the incident\'s name, trading resumed only after its validation passed', async () => {
  const { code, results: [r] } = await runDrill(['model-drift', '--json', '--calls']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'model-drift', outcome: 'remediated', reason: expect.stringContaining('validation.status is "PASSED"') });
  const retraining = `${RETRAINING_MACHINE.replace(':stateMachine:', ':execution:')}:model-drift-${r!.incidentId}`;
  expect(r!.actions).toEqual([
    expect.objectContaining({ operation: 'ssm:PutParameter', target: TRADING_SWITCH, before: 'false', after: 'true', status: 'succeeded', auditedBeforeCall: true }),
    expect.objectContaining({ operation: 'states:StartExecution', target: retraining, before: { status: null }, after: { status: 'RUNNING' }, status: 'succeeded', auditedBeforeCall: true }),
    expect.objectContaining({ operation: 'ssm:PutParameter', target: TRADING_SWITCH, before: 'true', after: 'false', status: 'succeeded', auditedBeforeCall: true }),
  ]);
  const calls = callsOf(r);
  expect(of(calls, 'states', 'StartExecution').map((c) => c.input.name)).toEqual([`model-drift-${r!.incidentId}`]);
  // The resume comes after the read that found the retraining SUCCEEDED, never before.
  const reads = calls.map((c, i) => [c, i] as const).filter(([c]) => c.operation === 'DescribeExecution' && c.input.executionArn === retraining);
  const resumeAt = calls.findIndex((c) => c.operation === 'PutParameter' && c.input.Value === 'false');
  expect(reads.length).toBeGreaterThanOrEqual(3);
  expect(resumeAt).toBeGreaterThan(reads.at(-1)![1]);
  expect(r!.approvalRequests.map((q) => q.step)).toEqual(['resume']);
  expect(r!.resources.after[retraining]).toMatchObject({ status: 'SUCCEEDED' });
  expect(r!.resources.after[TRADING_SWITCH]).toMatchObject({ value: 'false' });
});

test('the same alarm transition delivered twice (EventBridge retried it, another event id): a duplicate, one pause and one retraining', async () => {
  const again = path.join(tmp, 'again.alarm.json');
  fs.writeFileSync(again, JSON.stringify({ ...(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', EVENT), 'utf8')) as object), id: '0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b' }));
  const { results } = await runDrill(['--event', EVENT, '--event', again, '--json', '--calls']);
  expect(results.map((x) => x.outcome)).toEqual(['remediated', 'skipped']);
  expect(results[1]!.reason).toMatch(/^duplicate/);
  const calls = results.flatMap(callsOf);
  expect(of(calls, 'states', 'StartExecution')).toHaveLength(1);
  expect(switchWrites(calls)).toEqual(['true', 'false']);
});

test('drift detected (the 0.1 alarm, PSI at 0.14): assessed and notified on the info topic, nothing paused or started', async () => {
  const moderate = scenarioFile('moderate', {
    description: "momentum-v3's PSI at 0.14: above the drift level, under the significant one",
    patch: { cloudwatch: { metrics: { 'momentum-v3 PSI': { values: [0.04, 0.05, 0.07, 0.09, 0.14] } } } },
  });
  const { results: [r] } = await runDrill(['--scenario', moderate, '--event', NOTICE, '--json', '--calls']);
  expect(r).toMatchObject({
    runbook: 'model-drift', outcome: 'skipped', notifications: [{ outcome: 'skipped', topic: 'info' }],
    reason: expect.stringMatching(/^drift detected \(Medium\): alarm tradai-prod-momentum-v3-psi-drift alarms at PSI > 0\.1, the drift level .*PSI of momentum-v3 is 0\.14/),
  });
  expect(r!.actions).toEqual([]);
  expect(of(callsOf(r), 'ssm', 'PutParameter')).toEqual([]);
  expect(of(callsOf(r), 'states', 'StartExecution')).toEqual([]);
});

test('open positions reported: escalated (seed 004 "Position Stuck"), trading not paused, nothing started', async () => {
  const { results: [r] } = await scenarioDrill('model-drift', 'trading-positions-open');
  expect(r).toMatchObject({ outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }], reason: expect.stringContaining('2 open position(s)') });
  expect(r!.actions).toEqual([]);
  expect(switchWrites(callsOf(r))).toEqual([]);
  expect(of(callsOf(r), 'states', 'StartExecution')).toEqual([]);
});

test('a retraining already running: paused, no second retraining started, the running one watched, resumed after its validation', async () => {
  const { results: [r] } = await scenarioDrill('model-drift', 'retraining-already-running');
  expect(r).toMatchObject({ outcome: 'remediated', reason: expect.stringContaining('a retraining was already running (nightly-2026-12-06') });
  expect(of(callsOf(r), 'states', 'StartExecution')).toEqual([]);
  expect(switchWrites(callsOf(r))).toEqual(['true', 'false']);
  expect(r!.actions.map((a) => a.operation)).toEqual(['ssm:PutParameter', 'ssm:PutParameter']);
  // Watched to its end: the reads that found it RUNNING, then SUCCEEDED with its validation passed.
  expect(of(callsOf(r), 'states', 'DescribeExecution').filter((c) => c.input.executionArn === NIGHTLY)).toHaveLength(2);
  expect(r!.reason).toContain('the retraining nightly-2026-12-06 SUCCEEDED and its validation passed');
});

test('the retrained model fails validation: trading stays paused and the run escalates; the undo puts the switch back', async () => {
  const { results: [r] } = await runDrill(['model-drift', '--scenario', scenario('retrained-model-fails-validation'), '--then-undo', '--json']);
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('trading stays paused: the retraining') });
  expect(r!.reason).toContain('validation.status is "FAILED", not "PASSED"');
  expect(r!.approvalRequests).toEqual([]);
  expect(r!.resources.after[TRADING_SWITCH]).toMatchObject({ value: 'true' });
  expect(r!.undo).toMatchObject({ outcome: 'remediated', restored: true });
  expect(r!.undo!.resources.find((x) => x.name === TRADING_SWITCH)).toMatchObject({ start: { value: 'false' }, afterUndo: { value: 'false' } });
});

test('prod: two distinct approvers resume trading; one alone is not enough and trading stays paused', async () => {
  const [two, one] = await Promise.all([
    runDrill(['model-drift', '--env', 'prod', '--approve', 'alice,bob', '--json']),
    runDrill(['model-drift', '--env', 'prod', '--approve', 'alice', '--json']),
  ]);
  expect(two.results[0]).toMatchObject({ outcome: 'remediated' });
  expect(two.results[0]!.resources.after[TRADING_SWITCH]).toMatchObject({ value: 'false' });
  expect(one.results[0]).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('trading stays paused: the resume was') });
  expect(one.results[0]!.resources.after[TRADING_SWITCH]).toMatchObject({ value: 'true' });
});

test('the start of the retraining failing after its Retry, then redriven from that state: one retraining, trading paused once and resumed', async () => {
  const { results: [r] } = await runDrill(['model-drift', '--fault', 'states:StartExecution=server-errorx20', '--then-redrive', '--json', '--calls']);
  expect(r!.runs.map((x) => [x.status, x.from, x.failedAt ?? null])).toEqual([['FAILED', null, 'Start retraining'], ['SUCCEEDED', 'Start retraining', null]]);
  expect(r).toMatchObject({ outcome: 'remediated' });
  const applied = r!.runs.flatMap((x) => x.calls.filter((c) => c.applied).map((c) => {
    const input = c.input as { Value?: string; name?: string };
    return `${c.operation} ${input.Value ?? input.name ?? ''}`;
  }));
  expect(applied).toEqual(['ssm:PutParameter true', `states:StartExecution model-drift-${r!.incidentId}`, 'ssm:PutParameter false']);
});

test('drift notices are not remediations: three earlier in the window (each ended skipped, nothing changed) do not hold the significant drift as flapping', async () => {
  const notice = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', NOTICE), 'utf8')) as { id: string; time: string; detail: { state: { timestamp: string } } };
  const earlier = [1, 2, 3].map((n) => {
    const file = path.join(tmp, `notice-${n}.alarm.json`);
    const at = `2026-12-06T0${n}:05:09`;
    fs.writeFileSync(file, JSON.stringify({ ...notice, id: `${notice.id.slice(0, -1)}${n}`, time: `${at}Z`, detail: { ...notice.detail, state: { ...notice.detail.state, timestamp: `${at}.118+0000` } } }));
    return file;
  });
  const { results } = await runDrill([...earlier.flatMap((f) => ['--event', f]), '--event', EVENT, '--json']);
  expect(results.map((x) => x.outcome)).toEqual(['skipped', 'skipped', 'skipped', 'remediated']);
  expect(results.slice(0, 3).map((x) => x.incidentId)).toEqual([...new Set(results.slice(0, 3).map((x) => x.incidentId))]);
  expect(results[3]!.actions.map((a) => a.operation)).toContain('states:StartExecution');
});
