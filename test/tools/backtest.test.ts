/**
 * The backtest of the sandbox's two seeded weeks (drill/sandbox/seed-alarm-history.ts) with
 * config/prod.json: every figure of the report against the history as seeded, derived here by hand
 * from the story the seed tells and the prod config (cooldowns, flapping 3 in 360 min, cap 20 an
 * hour, the targets). Read-only: the sandbox's calls are checked to be reads, and only the ones the
 * router and admit need.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withRunbookTags } from '../../drill/account-setup';
import { startDynalite } from '../support/dynalite';
import { withAdmissionParameters } from '../../drill/account-setup';
import { ALLOW_TAG, SANDBOX_ACCOUNT_ID, SANDBOX_CREDENTIALS, SANDBOX_REGION, sandboxEndpointEnv, seedAccountState, startSandbox, type Sandbox } from '../../drill/sandbox';
import { lambdaContext } from '../../drill/handlers';
import { literalArns, sharedHandlers } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { LOCAL_NOW, renderBacktest, runBacktest, type BacktestReport, type ReplayResult } from '../../tools/backtest';
import { admittedTransitions, suppressedTransitions } from '../../tools/backtest/plan';
import { loadIsolated } from '../support/isolated-handlers';

const SINCE_14D = new Date(LOCAL_NOW.getTime() - 14 * 86_400_000).toISOString();
const FN = (role: string) => `cabruca-segmentation-prod-${role}-agent`;
const TABLE = (name: string) => `cabruca-segmentation-prod-agent-${name}`;
const SERVICE = (name: string) => `alphaswarm-cluster-prod/${name}`;
const none = { cooldown: 0, flapping: 0, capped: 0, paused: 0, duplicate: 0, reject: 0, error: 0 };

let sandbox: Sandbox;
let report: BacktestReport;
const replays: { config: EnvironmentConfig; replayed: ReplayResult }[] = [];
let tmp: string;
beforeAll(async () => {
  sandbox = await startSandbox(seedAccountState(withRunbookTags, { now: LOCAL_NOW }), { now: () => LOCAL_NOW });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backtest-'));
  // The same history under another config: lambda-runaway without a cooldown, capped at 6 an hour, and functions tagged
  // runbook-autopilot:allow=true allowlisted (the seed's annotator agent is).
  const tight = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'config', 'prod.json'), 'utf8')) as { runbooks: Record<string, Record<string, unknown>> };
  Object.assign(tight.runbooks['lambda-runaway']!, { cooldownMinutes: 0, maxRemediationsPerHour: 6, targetTags: { [ALLOW_TAG.key]: ALLOW_TAG.value } });
  fs.writeFileSync(path.join(tmp, 'tight.json'), JSON.stringify(tight));
  report = await runBacktest(
    { local: true, since: '14d', config: path.join(tmp, 'tight.json') },
    {
      loadHandler: loadIsolated, access: { region: SANDBOX_REGION, endpoint: sandbox.url, credentials: SANDBOX_CREDENTIALS },
      onReplay: (config, replayed) => replays.push({ config, replayed }),
    },
  );
});
afterAll(async () => {
  await sandbox.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('reads history, alarm configurations and the tags the router reads: reads only, every page', () => {
  expect(sandbox.calls.every((c) => !c.mutating && c.error === undefined)).toBe(true);
  // 128 StateUpdates at 100 a page; one DescribeAlarms; the tags of each alarm that went to ALARM with no metric rule routing
  // it; the tags of the one function the other config's allowlist would read (the annotator agent, not a configured target).
  const read = { 'cloudwatch:DescribeAlarmHistory': 2, 'cloudwatch:DescribeAlarms': 1, 'cloudwatch:ListTagsForResource': 12, 'lambda:ListTags': 1 };
  expect(report.read.calls).toEqual(read);
  expect(sandbox.calls.map((c) => `${c.service}:${c.operation}`).sort()).toEqual(Object.entries(read).flatMap(([call, n]) => Array<string>(n).fill(call)).sort());
  expect(sandbox.calls.find((c) => c.operation === 'ListTags')?.input).toEqual({ Resource: `arn:aws:lambda:sa-east-1:111122223333:function:${FN('annotator')}` });
  expect(sandbox.calls.filter((c) => c.operation === 'ListTagsForResource').map((c) => String(c.input.ResourceARN).split(':').pop()).sort()).toEqual([
    'alphaswarm-admin-frontend-prod-degraded', 'alphaswarm-admin-frontend-prod-unhealthy-targets', 'alphaswarm-prod-alb-target-5xx', 'alphaswarm-prod-celery-depth',
    'alphaswarm-prod-nat-a-status-check', 'alphaswarm-prod-unauthorized-api-calls', `${FN('annotator')}-concurrency`, 'cabruca-segmentation-prod-partner-api-prod-p99-latency', `${FN('researcher')}-throttles`, 'tradai-prod-signal-ingest-duration',
    'tradai-prod-signal-ingest-errors', 'tradai-prod-strategy-heartbeat-stale',
  ]);
  expect(report.window).toMatchObject({ from: SINCE_14D, to: LOCAL_NOW.toISOString(), beyondRetention: false });
  expect(report.notes).toEqual([]);
});

test('every transition to ALARM of the seeded history is counted once: routed to a runbook or in the coverage gap', () => {
  const seeded = (sandbox.state.cloudwatch.history ?? []).filter((i) => i.historyItemType === 'StateUpdate' && i.timestamp >= SINCE_14D);
  const toAlarm = seeded.filter((i) => (JSON.parse(i.historyData) as { newState: { stateValue: string } }).newState.stateValue === 'ALARM');

  expect(report.read).toMatchObject({ stateChanges: seeded.length, alarms: new Set(seeded.map((i) => i.alarmName)).size });
  expect(report.totals).toEqual({ toAlarm: toAlarm.length, routed: 65, unrouted: 17, seen: 65, admitted: 36, held: { ...none, cooldown: 24, flapping: 2, reject: 3 } });
  expect(report.totals.routed + report.totals.unrouted).toBe(toAlarm.length);
});

test('per runbook and target: what admit would have admitted, and what each rule held', () => {
  const rows = report.runbooks.flatMap((r) => r.targets.map((t) => [r.runbook, t.target, t.seen, t.admitted, Object.fromEntries(Object.entries(t.held).filter(([, n]) => n > 0))]));
  expect(rows).toEqual([
    // Day 7, five times in four hours: 06:12 admitted, 06:32 inside its 60 min cooldown, 07:31 and 08:40 admitted, 09:45 the
    // fourth in 360 min (flapping). The storm: admitted once, then 3 inside the cooldown. Now: admitted.
    ['lambda-runaway', FN('researcher'), 10, 5, { cooldown: 4, flapping: 1 }],
    ['lambda-runaway', FN('engineer'), 5, 2, { cooldown: 3 }],
    ['lambda-runaway', FN('manager'), 5, 2, { cooldown: 3 }],
    ['lambda-runaway', FN('qa'), 4, 2, { cooldown: 2 }],
    // Its alarm is INSUFFICIENT_DATA now, not ALARM: the storm only.
    ['lambda-runaway', FN('data_processor'), 3, 1, { cooldown: 2 }],
    // Day 9, ALARM every 12 min from 14:00: admitted at 14:00, 14:36, 15:12 (30 min cooldown), 15:48 flapping; now: admitted.
    ['dynamodb-throttling', TABLE('tasks'), 11, 4, { cooldown: 6, flapping: 1 }],
    ['dynamodb-throttling', TABLE('state'), 2, 2, {}],
    // Day 8 and now: the frontend's alarm (metric rule) admitted, the team's composite over it (tag router) 0.5 s later in its cooldown.
    ['ecs-service-recovery', SERVICE('alphaswarm-admin-frontend-prod'), 4, 2, { cooldown: 2 }],
    ['ecs-service-recovery', SERVICE('alphaswarm-admin-prod'), 2, 2, {}],
    // Now: the strategy service's heartbeat alarm (tag router, its target by tag), the one transition it made.
    ['ecs-service-recovery', 'tradai-cluster-prod/tradai-prod-strategy-service', 1, 1, {}],
    // Day 12 and now: the queue's alarm (tag router, its target by tag) admitted, the memory alarm on the same service in its cooldown.
    ['scale-out', SERVICE('alphaswarm-worker-prod'), 4, 2, { cooldown: 2 }],
    ['lambda-errors-rollback', FN('manager'), 2, 2, {}],
    ['lambda-errors-rollback', FN('engineer'), 1, 1, {}],
    // Tagged for lambda-timeouts by its team, but prod configures another function and no tag allowlist.
    ['lambda-timeouts', 'tradai-prod-signal-ingest', 3, 0, { reject: 3 }],
    // Now, the seed's two PSI alarms of the model (drift and significant drift) in ALARM: both admitted (model-drift keeps no cooldown).
    ['model-drift', 'momentum-v3', 2, 2, {}],
    // Now, the team's CrashLoop and Position Stuck alarms in ALARM: each pages (page-on-call routes them by name).
    ['page-on-call', 'alphaswarm-prod-core-crashloop', 1, 1, {}],
    ['page-on-call', 'tradai-prod-position-stuck', 1, 1, {}],
    // Now, the qa agent's AgentOps init failures alarm in ALARM (its function has no AGENTOPS_API_KEY).
    ['agentops-key', 'cabruca-segmentation-prod-qa-agent', 1, 1, {}],
    // Now, the Cabruca API's p99 alarm in ALARM (its tasks table throttles).
    ['api-latency', 'app/cabruca-segmentation-prod-api/7c1d2e3f4a5b6c7d', 1, 1, {}],
    // Now, the API's JWKS failures alarm in ALARM (Auth0's JWKS answers 503).
    ['auth-degraded-mode', SERVICE('alphaswarm-api-prod'), 1, 1, {}],
    // Now, the database's connections alarm in ALARM (its strategy service's tasks leak connections).
    ['database-recovery', 'tradai-prod-db', 1, 1, {}],
  ]);
});

test('each admitted incident at its own time: a hold starts where the clock stood at the admission', () => {
  // The re-fire at 06:32 is held by the 06:12 admission's 60 min cooldown, which ends at 07:12:41.522: the clock stood at 06:12:41.522.
  const refire = replays[0]!.replayed.deliveries.find((d) => d.at === '2026-11-12T06:32:41.522Z');
  expect(refire?.result).toMatchObject({ decision: 'cooldown', reason: expect.stringMatching(/ by inc-[0-9a-f]{16}; cooling down until 2026-11-12T07:12:41\.522Z$/) });
  const researcher = report.incidents.filter((i) => i.target === FN('researcher')).map((i) => i.at);
  expect(researcher).toEqual(['2026-11-12T06:12:41.522Z', '2026-11-12T07:31:41.522Z', '2026-11-12T08:40:41.522Z', '2026-11-16T18:30:00.120Z', '2026-11-18T11:59:00.000Z']);
  expect(report.incidents.find((i) => i.runbook === 'scale-out')).toMatchObject({ via: 'tag router', alarmName: 'alphaswarm-prod-celery-depth', target: SERVICE('alphaswarm-worker-prod') });
  expect(report.runbooks.map((r) => [r.runbook, r.plannedAction?.call])).toEqual([
    ['lambda-runaway', 'lambda:PutFunctionConcurrency'], ['dynamodb-throttling', 'dynamodb:UpdateTable'], ['ecs-service-recovery', 'ecs:UpdateService'],
    ['scale-out', 'application-autoscaling:RegisterScalableTarget'], ['lambda-errors-rollback', 'lambda:UpdateAlias'], ['lambda-timeouts', 'lambda:UpdateFunctionConfiguration'],
    // api-latency only reads and pages, page-on-call only pages: no call would have changed anything.
    ['model-drift', 'ssm:PutParameter'], ['page-on-call', undefined], ['agentops-key', 'lambda:UpdateFunctionConfiguration'], ['api-latency', undefined], ['auth-degraded-mode', 'ecs:RegisterTaskDefinition'],
    ['database-recovery', 'ecs:UpdateService'],
  ]);
});

test('the approvals prod would have asked: who, when, and the escalation if nobody answers', () => {
  const first = report.incidents[0]!;
  expect(first).toMatchObject({ at: '2026-11-12T06:12:41.522Z', runbook: 'lambda-runaway', dryRun: false });
  // prod: 2 distinct approvers, P2 (30 min a level) for the restore; L2 and L3 reach the levels below too.
  expect(first.approvals).toEqual([{
    gate: 'lambda-runaway/restore', severity: 'P2', requiredApprovals: 2, afterLastLevel: 'abort',
    levels: [
      { level: 'L1', approvers: ['oncall-primary', 'oncall-secondary', 'devops-lead'], askedAt: '2026-11-12T06:12:41.522Z', deadline: '2026-11-12T06:42:41.522Z' },
      { level: 'L2', approvers: ['oncall-primary', 'oncall-secondary', 'devops-lead', 'engineering-lead'], askedAt: '2026-11-12T06:42:41.522Z', deadline: '2026-11-12T07:12:41.522Z' },
      { level: 'L3', approvers: ['oncall-primary', 'oncall-secondary', 'devops-lead', 'engineering-lead', 'cto'], askedAt: '2026-11-12T07:12:41.522Z', deadline: '2026-11-12T07:42:41.522Z' },
    ],
  }]);
  const markdown = renderBacktest(report);
  // 06:12, 07:31 and 08:40 UTC on day 7 are 03:12, 04:31 and 05:40 in Sao Paulo (UTC-3).
  expect(markdown).toContain('| `lambda-runaway/restore` | P2 | 2 | 12 | 3 | L1 oncall-primary, oncall-secondary, devops-lead; L2 +engineering-lead after 30 min; L3 +cto after 60 min; abort after 90 min |');
  expect(markdown).toContain('- Thu 12 Nov 03:12 `lambda-runaway/restore` on cabruca-segmentation-prod-researcher-agent: oncall-primary, oncall-secondary, devops-lead');
});

test('the busiest hour is the storm: 40 state changes in two minutes', () => {
  // 20 to ALARM, 18 of them routed (the annotator is not configured in prod): five targets admitted once, the rest in their cooldowns.
  expect(report.busiestHour).toEqual({ hour: '2026-11-16T18', stateChanges: 40, toAlarm: 20, admitted: 5, held: { ...none, cooldown: 13 } });
});

test('alarms that fired with no runbook, largest first, with why', () => {
  const why = {
    unrouted: 'no rule of an enabled runbook matches its metric and target, and it carries no runbook-autopilot:runbook tag',
    deleted: 'the alarm was deleted since: its configuration and tags can no longer be read, so it is not replayed',
  };
  expect(report.coverageGap).toEqual([
    { alarmName: 'alphaswarm-prod-alb-target-5xx', transitions: 4, reason: why.unrouted },
    { alarmName: `${FN('annotator')}-concurrency`, transitions: 3, reason: why.unrouted },
    { alarmName: 'alphaswarm-prod-legacy-api-latency', transitions: 2, reason: why.deleted },
    { alarmName: `${FN('researcher')}-throttles`, transitions: 2, reason: why.unrouted },
    { alarmName: 'tradai-prod-signal-ingest-errors', transitions: 2, reason: why.unrouted },
    { alarmName: 'alphaswarm-admin-frontend-prod-unhealthy-targets', transitions: 1, reason: why.unrouted },
    // The NAT instance's status-check alarm and the unauthorized-calls alarm: prod routes neither to page-on-call (no names to write yet).
    { alarmName: 'alphaswarm-prod-nat-a-status-check', transitions: 1, reason: why.unrouted },
    { alarmName: 'alphaswarm-prod-unauthorized-api-calls', transitions: 1, reason: why.unrouted },
    // The REST API stage the drill's config routes to api-latency, which prod's does not name.
    { alarmName: 'cabruca-segmentation-prod-partner-api-prod-p99-latency', transitions: 1, reason: why.unrouted },
  ]);
});

test('Step Functions: each execution the states its ASL takes for the admission decision', () => {
  // Receive event, Admit, Admitted?, then its end (a notification or the rail's escalation) and the report step; 'Already handled' writes no report.
  expect(['cooldown', 'flapping', 'capped', 'paused', 'duplicate', 'reject'].map((d) => suppressedTransitions('lambda-runaway', d))).toEqual([5, 5, 5, 5, 4, 5]);
  // Acting, approved at L1, verified at the first check, restored:
  const acting = ['Receive event', 'Admit: dedupe, allowlist, switches, cooldown', 'Admitted?', 'Read function concurrency', 'Already stopped?',
    'Stop function: reserved concurrency 0', 'Planned only?', 'Verify function stopped', 'Stopped?', 'Start verifying the alarm', 'Check alarm state',
    'Alarm back to OK?', 'Find what invokes the function', 'Prepare restore approval', 'Dry run?', 'Ask to restore: wait for approvers', 'Restore approved?',
    'Restore function: conservative reserved concurrency', 'Verify function restored', 'Restored?', 'Notify remediated', 'Write the incident report'];
  expect(admittedTransitions('lambda-runaway', false)).toBe(acting.length);
  // A dry run: the stop is planned, nothing verified, the plan notified.
  expect(admittedTransitions('lambda-runaway', true)).toBe(['Receive event', 'Admit: dedupe, allowlist, switches, cooldown', 'Admitted?', 'Read function concurrency',
    'Already stopped?', 'Stop function: reserved concurrency 0', 'Planned only?', 'Verify: planned, not verified', 'Notify plan (dry run)', 'Write the incident report'].length);

  const runaway = report.runbooks.find((r) => r.runbook === 'lambda-runaway')!;
  expect(runaway.stepFunctions).toEqual({ executions: 27, transitions: 12 * acting.length + 15 * 5, usd: Number(((12 * acting.length + 15 * 5) * 0.025 / 1000).toFixed(6)) });
  expect(report.stepFunctions.executions).toBe(65);
  expect(report.stepFunctions.transitions).toBe(report.runbooks.reduce((n, r) => n + r.stepFunctions.transitions, 0));
});

test('another config over the same history: lambda-runaway with no cooldown, capped at 6 an hour, tagged functions allowlisted', () => {
  const runaway = report.comparison?.runbooks.find((r) => r.runbook === 'lambda-runaway');
  // Day 7: 06:12, 06:32, 07:31 admitted, then flapping twice (3 in 360 min). The storm's hour, now with the annotator's 2:
  // the first round of six admitted, the other 14 capped. Now: 5 (the annotator's too), all admitted.
  expect(runaway?.other).toEqual({ seen: 30, admitted: 14, held: { ...none, flapping: 2, capped: 14 } });
  expect(runaway?.base).toEqual({ seen: 27, admitted: 12, held: { ...none, cooldown: 14, flapping: 1 } });
  expect(report.comparison?.runbooks.filter((r) => r.runbook !== 'lambda-runaway').every((r) => JSON.stringify(r.base) === JSON.stringify(r.other))).toBe(true);
  expect(report.comparison?.report.coverageGap.map((g) => g.alarmName)).not.toContain(`${FN('annotator')}-concurrency`);
  expect(report.comparison?.report.totals).toMatchObject({ toAlarm: 82, routed: 68, unrouted: 14 });
  expect(renderBacktest(report)).toContain(`## Compared with ${path.join(tmp, 'tight.json')}`);
});

test('the backtest decides as the live admit does: the same deliveries, in time order, each at its time', async () => {
  const { config, replayed } = replays[1]!;
  const decisions = replayed.deliveries.map((d) => d.result.decision);
  // Every rule the history reaches under this config, and an admission by tag.
  expect(new Set(decisions)).toEqual(new Set(['admit', 'cooldown', 'flapping', 'capped', 'reject']));
  expect(replayed.deliveries.some((d) => d.result.reason === 'new alarm transition on a target allowlisted by tag')).toBe(true);

  // The live admit: configured as the stack configures it, its own ledger, the account's switches as the stack creates them,
  // the functions' tags read from the account; Jest's clock (Date only) set to each delivery's time.
  const dynamo = await startDynalite();
  await dynamo.createLedgerTable('live-ledger');
  withAdmissionParameters(sandbox.state, config);
  const saved = { ...process.env };
  Object.assign(process.env, sandboxEndpointEnv(sandbox.url, { dynamodb: dynamo.endpoint }), { POWERTOOLS_LOG_LEVEL: 'SILENT' });
  jest.useFakeTimers({ now: LOCAL_NOW, doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  try {
    const def = sharedHandlers(config, literalArns('aws', SANDBOX_REGION, SANDBOX_ACCOUNT_ID)).admit;
    const arn = `arn:aws:lambda:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:function:live-admit`;
    const live = await loadIsolated(def, 'live-admit', arn, { ...def.environment, LEDGER_TABLE: 'live-ledger' });
    const inTimeOrder = [...replayed.deliveries].sort((a, b) => a.at.localeCompare(b.at));
    const answers: unknown[] = [];
    for (const d of inTimeOrder) {
      jest.setSystemTime(new Date(d.at));
      answers.push(await live.handler(d.input, lambdaContext(live)));
    }
    expect(answers).toEqual(inTimeOrder.map((d) => d.result));
  } finally {
    jest.useRealTimers();
    process.env = saved;
    await dynamo.close();
  }
});

test('the Markdown leads with the totals a person reads first', () => {
  const markdown = renderBacktest(report);
  expect(markdown.split('\n')[0]).toBe('# Backtest: what runbook-autopilot (prod) would have done');
  expect(markdown).toContain('**In short.** 82 transitions to ALARM; 65 reached a runbook (65 deliveries): 36 admitted, 29 held (cooldown 24, flapping 2, not allowlisted 3). 17 reached none (coverage gap, below).');
  expect(loadConfig('prod').approvals.timeZone).toBe('America/Sao_Paulo');
});
