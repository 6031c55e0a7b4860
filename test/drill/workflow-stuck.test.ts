import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AwsCallReceived } from '../../drill/drill';
import { WORKFLOW_EXECUTION } from '../../drill/sandbox';
import { runDrill, scenarioDrill } from './run-drill';

const EVENT = 'events/workflow-stuck.event.json';
const recorded = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', EVENT), 'utf8')) as { id: string; detail: Record<string, unknown> };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-stuck-'));

/** A file of the recorded event changed: another delivery, another run's failure, another execution. */
function eventFile(name: string, change: { id?: string; detail?: Record<string, unknown> }): string {
  const file = path.join(tmp, `${name}.event.json`);
  const detail = { ...recorded.detail, ...change.detail };
  fs.writeFileSync(file, JSON.stringify({ ...recorded, id: change.id ?? recorded.id, resources: [detail.executionArn], detail }));
  return file;
}
function scenarioFile(name: string, body: Record<string, unknown>): string {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(body));
  return file;
}
const of = (calls: readonly AwsCallReceived[], operation: string) => calls.filter((c) => c.service === 'states' && c.operation === operation);

test('the failed backtest: history read newest first without data, page by page down to the failed state; redriven once with a client token, ledger row first; the run succeeds', async () => {
  const { code, results: [r] } = await runDrill(['workflow-stuck', '--json', '--calls']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'workflow-stuck', outcome: 'remediated', reason: expect.stringContaining('failed at Run backtest (TaskFailed: Backtest.ExchangeTimeout') });
  expect(r!.actions).toEqual([expect.objectContaining({
    operation: 'states:RedriveExecution', target: WORKFLOW_EXECUTION, before: { status: 'FAILED', redriveCount: 0 }, after: { status: 'RUNNING', redriveCount: 1 },
    status: 'succeeded', auditedBeforeCall: true,
  })]);
  const calls = (r as unknown as { calls: AwsCallReceived[] }).calls;
  const pages = of(calls, 'GetExecutionHistory');
  expect(pages.length).toBeGreaterThan(1);
  for (const p of pages) expect(p.input).toMatchObject({ executionArn: WORKFLOW_EXECUTION, reverseOrder: true, includeExecutionData: false });
  const redrives = of(calls, 'RedriveExecution');
  expect(redrives).toHaveLength(1);
  expect(redrives[0]!.input.clientToken).toMatch(/^[0-9a-f]{64}$/);
  expect(r!.resources.after[WORKFLOW_EXECUTION]).toEqual({ name: 'backtest-2026-12-01', status: 'SUCCEEDED', redriveCount: 1 });
});

test('the same failure delivered again (EventBridge retried it, another event id): a duplicate, and still one redrive', async () => {
  const { results } = await runDrill(['--event', EVENT, '--event', eventFile('again', { id: '0d1e2f3a-4b5c-4d6e-8f7a-8b9c0d1e2f3a' }), '--json', '--calls']);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'skipped']);
  expect(results[1]!.reason).toMatch(/duplicate/);
  expect(results.flatMap((r) => of((r as unknown as { calls: AwsCallReceived[] }).calls, 'RedriveExecution'))).toHaveLength(1);
});

test('a redriven run that fails again is redriven again, up to the cap per execution; then a human decides, nothing redriven', async () => {
  const failsAgain = scenarioFile('fails-again', {
    description: 'the exchange API stays down: every redriven run of the backtest fails again at the same state',
    patch: { stepFunctions: { executions: { [WORKFLOW_EXECUTION]: { afterRedrive: { status: 'FAILED', state: 'Run backtest', error: 'Backtest.ExchangeTimeout', cause: 'still down' } } } } },
  });
  const { results } = await runDrill(['--scenario', failsAgain, '--event', EVENT,
    '--event', eventFile('refailed-1', { id: 'e-1', detail: { redriveCount: 1 } }), '--event', eventFile('refailed-2', { id: 'e-2', detail: { redriveCount: 2 } }), '--json']);
  expect(results.map((r) => r.outcome)).toEqual(['escalated', 'escalated', 'escalated']);
  expect(results[0]!.reason).toContain('redriven, and the run ended FAILED again');
  expect(results[1]!.reason).toContain('redriven, and the run ended FAILED again');
  expect(results[2]!.reason).toContain('not redriven (cap-reached)');
  expect(results.map((r) => r.actions.length)).toEqual([1, 1, 0]);
  expect(results[1]!.resources.after[WORKFLOW_EXECUTION]).toMatchObject({ status: 'FAILED', redriveCount: 2 });
});

test("past Step Functions' 14 days: not redrivable, escalated with the reason, nothing called", async () => {
  const { results: [r] } = await scenarioDrill('workflow-stuck', 'backtest-not-redrivable');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('not redrivable: Execution redrivable period exceeded') });
  expect(of((r as unknown as { calls: AwsCallReceived[] }).calls, 'RedriveExecution')).toEqual([]);
});

test("one of this system's own state machines, even named in config: refused, escalated, never redriven", async () => {
  const machine = 'runbook-autopilot-drill-lambda-runaway';
  const ownRun = `arn:aws:states:sa-east-1:111122223333:execution:${machine}:own-run`;
  const own = scenarioFile('own', {
    description: 'a lambda-runaway execution failed, and config wrongly names its state machine as a workflow to watch',
    config: { runbooks: { 'workflow-stuck': { targets: [{ stateMachineName: 'tradai-prod-backtest-workflow' }, { stateMachineName: machine }] } } },
    patch: { stepFunctions: { executions: { [ownRun]: {
      stateMachineArn: `arn:aws:states:sa-east-1:111122223333:stateMachine:${machine}`, name: 'own-run', input: '{}', status: 'FAILED',
      startDate: '2026-12-05T00:00:00.000Z', stopDate: '2026-12-05T00:01:00.000Z', redriveCount: 0,
      history: [{ id: 1, previousEventId: 0, timestamp: '2026-12-05T00:00:00.000Z', type: 'ExecutionStarted' }, { id: 2, previousEventId: 1, timestamp: '2026-12-05T00:01:00.000Z', type: 'ExecutionFailed', executionFailedEventDetails: { error: 'AwsUnavailable' } }],
    } } } },
  });
  const event = eventFile('own', { detail: { executionArn: ownRun, stateMachineArn: `arn:aws:states:sa-east-1:111122223333:stateMachine:${machine}`, name: 'own-run' } });
  const { results: [r] } = await runDrill(['--scenario', own, '--event', event, '--json', '--calls']);
  expect(r).toMatchObject({ runbook: 'workflow-stuck', outcome: 'escalated', reason: expect.stringContaining("one of runbook-autopilot's own") });
  expect(r!.actions).toEqual([]);
  expect(of((r as unknown as { calls: AwsCallReceived[] }).calls, 'RedriveExecution')).toEqual([]);
});

test('prod: two distinct approvers redrive it; one alone is not enough and it stays failed', async () => {
  const [two, one] = await Promise.all([
    runDrill(['workflow-stuck', '--env', 'prod', '--approve', 'alice,bob', '--json']),
    runDrill(['workflow-stuck', '--env', 'prod', '--approve', 'alice', '--json']),
  ]);
  expect(two.results[0]).toMatchObject({ outcome: 'remediated' });
  expect(two.results[0]!.approvals.filter((a) => a.decision === 'approved').map((a) => a.approver).sort()).toEqual(['alice', 'bob']);
  expect(one.results[0]).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('the execution stays failed') });
  expect(one.results[0]!.actions).toEqual([]);
});

const EXECUTION_TIME = 'events/samples/workflow-stuck-execution-time.alarm.json';
const LONG_RUN = 'arn:aws:states:sa-east-1:111122223333:execution:tradai-prod-backtest-workflow:backtest-2026-12-06';

test('the ExecutionTime alarm: the run still going 9 hours in is escalated with the state it waits in; it is neither stopped nor redriven', async () => {
  const { results: [r] } = await runDrill(['--event', EXECUTION_TIME, '--json', '--calls']);
  expect(r).toMatchObject({ runbook: 'workflow-stuck', outcome: 'escalated', reason: expect.stringContaining('backtest-2026-12-06 (started') });
  expect(r!.reason).toContain('540 min, now in "Load market data"');
  const calls = (r as unknown as { calls: AwsCallReceived[] }).calls.filter((c) => c.service === 'states');
  expect(of(calls, 'ListExecutions').map((c) => c.input)).toEqual([{ stateMachineArn: 'arn:aws:states:sa-east-1:111122223333:stateMachine:tradai-prod-backtest-workflow', maxResults: 100 }]);
  expect(of(calls, 'GetExecutionHistory').map((c) => c.input)).toEqual([expect.objectContaining({ executionArn: LONG_RUN, reverseOrder: true, includeExecutionData: false })]);
  expect(calls.filter((c) => !/^(List|Describe|Get)/.test(c.operation) && !/^SendTask/.test(c.operation))).toEqual([]);
  expect(r!.actions).toEqual([]);
});

test('the ExecutionTime alarm when the long run has closed since: told on the info topic, naming how long it ran', async () => {
  const closed = scenarioFile('long-run-closed', {
    description: 'the backtest of 2026-12-06 finished after 8 hours, before the alarm was read',
    patch: { stepFunctions: { executions: { [LONG_RUN]: { status: 'SUCCEEDED', startDate: '2026-12-06T01:00:00.000Z', stopDate: '2026-12-06T09:00:00.000Z' } } } },
  });
  const { results: [r] } = await runDrill(['--scenario', closed, '--event', EXECUTION_TIME, '--json']);
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('backtest-2026-12-06 ran 480 min and ended SUCCEEDED') });
  expect(r!.notifications).toEqual([expect.objectContaining({ topic: 'info' })]);
});
