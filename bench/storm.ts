/**
 * Alarm storm: what the lambda-runaway state machine runs up to the action (admit, then the
 * emergency stop iff admitted), driven concurrently against the real handlers, with the ledger
 * on dynalite and Lambda on the drill sandbox.
 *
 *   duplicate  10,000 deliveries of one alarm transition (new EventBridge id and execution each)
 *   spread     1,000 events on 100 targets, 10 transitions per target, cooldown in force; in 3
 *              rounds on fresh targets (one round is about a second: one alone moved by a tenth
 *              from run to run), the median round reported
 *
 * Actions are the PutFunctionConcurrency calls the sandbox received: 1 and 100 are the only
 * correct answers. Around each scenario the same dynalite takes plain conditional puts from a pool
 * of the same size (one key for the duplicates, 100 keys for the spread): the ledger's own rate,
 * which admission is compared with. Each scenario admits every event first (the admission rate),
 * then runs the admitted incidents' stops, timed on their own; the whole (admission and stops) is
 * reported too. Calls are counted where they arrive: dynalite's requests by operation, and the SSM
 * calls in the sandbox's log; CPU is each process's own count (the bench's, the ledger's).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { ConditionalCheckFailedException, CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import {
  AGENT_FUNCTIONS, SANDBOX_ACCOUNT_ID, SANDBOX_CREDENTIALS, SANDBOX_REGION,
  sandboxEndpointEnv, seedAccountState, startSandbox, type Sandbox,
} from '../drill/sandbox';
import { AUTOMATION_ON, policyParameterName, RUNBOOK_ON, switchParameterNames } from '../lambdas/domain/switches';
import { LEDGER_PARTITION_KEY, LEDGER_SORT_KEY } from '../lambdas/shared/ledger-table';
import { percentile, round } from './stats';
import { takeEmfLines } from '../drill/metrics-tap';
import { METRICS_ENVIRONMENT_VARIABLE } from '../lambdas/domain/metrics';

const RUNBOOK = 'lambda-runaway';
const LEDGER_TABLE = 'runbook-autopilot-bench-ledger';
const RAW_TABLE = 'runbook-autopilot-bench-raw';
const COOLDOWN_MINUTES = 60;
export const POOL = 32;
const DUPLICATES = 10_000;
const SPREAD_TARGETS = 100;
const TRANSITIONS_PER_TARGET = 10;
const SPREAD_ROUNDS = 3;
const RAW_PUTS = 3_000;
const PARAMETER_PREFIX = '/runbook-autopilot/bench';
const SWITCHES = switchParameterNames(PARAMETER_PREFIX, [RUNBOOK]);
const BENCH_FUNCTIONS = Array.from({ length: SPREAD_TARGETS * SPREAD_ROUNDS }, (_, i) => `bench-fn-${String(i).padStart(3, '0')}`);
/** Each spread round's own targets: a target stopped in one round is cooling down in the next. */
const ROUND_TARGETS = Array.from({ length: SPREAD_ROUNDS }, (_, r) => BENCH_FUNCTIONS.slice(r * SPREAD_TARGETS, (r + 1) * SPREAD_TARGETS));

type AlarmEvent = {
  id: string;
  resources: string[];
  detail: {
    alarmName: string;
    state: { timestamp: string };
    configuration: { description: string; metrics: { metricStat: { metric: { dimensions: { FunctionName: string } } } }[] };
  };
};
type Handler = (event: unknown, context: Context) => Promise<unknown>;
interface AdmitOut { decision: string; reason: string; incident: unknown }

const TEMPLATE = JSON.parse(readFileSync(path.join(__dirname, '..', 'events', 'lambda-runaway.alarm.json'), 'utf8')) as AlarmEvent;
const DUPLICATE_TARGET = TEMPLATE.detail.configuration.metrics[0]!.metricStat.metric.dimensions.FunctionName;

const executionArn = () => `arn:aws:states:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:execution:runbook-autopilot-bench-${RUNBOOK}:${randomUUID()}`;

/** The recorded event, re-addressed: EventBridge gives every delivery a fresh id. */
function alarmEvent(functionName: string, stateTimestamp: string): AlarmEvent {
  const event = structuredClone(TEMPLATE);
  event.id = randomUUID();
  if (functionName !== DUPLICATE_TARGET) {
    const alarmName = `${functionName}-concurrency`;
    event.detail.alarmName = alarmName;
    event.resources = [`arn:aws:cloudwatch:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:alarm:${alarmName}`];
    event.detail.configuration.description = event.detail.configuration.description.replaceAll(DUPLICATE_TARGET, functionName);
    event.detail.configuration.metrics[0]!.metricStat.metric.dimensions.FunctionName = functionName;
  }
  event.detail.state.timestamp = stateTimestamp;
  return event;
}

let requestSeq = 0;
function context(functionName: string): Context {
  return {
    functionName, functionVersion: '$LATEST', memoryLimitInMB: '256',
    invokedFunctionArn: `arn:aws:lambda:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:function:${functionName}`,
    awsRequestId: `bench-${++requestSeq}`, logGroupName: `/aws/lambda/${functionName}`, logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30_000,
    done: () => undefined, fail: () => undefined, succeed: () => undefined,
  };
}

/** What the ledger process had received (requests by operation) and spent (CPU) at one moment. */
interface LedgerSnapshot { calls: Map<string, number>; cpuUs: number }

/** The ledger: dynalite in a process of its own, counting the requests it receives by operation. */
async function ledgerProcess(): Promise<{ endpoint: string; counts(): Promise<LedgerSnapshot>; close(): Promise<void> }> {
  const child = fork(path.join(__dirname, 'ledger-process.js'), [], { execPath: process.execPath, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(key: string) => new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the ledger process ended (${String(code)})`));
    const onMessage = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m[key] as T);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  const port = await next<number>('port');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: async () => {
      const counted = next<{ calls: Record<string, number>; cpuUs: number }>('counts');
      child.send('counts');
      const { calls, cpuUs } = await counted;
      return { calls: new Map(Object.entries(calls)), cpuUs };
    },
    close: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.disconnect();
    }),
  };
}

/**
 * The handlers print their metrics as in Lambda, one EMF line per metric set on stdout; here they
 * are counted and kept off the bench's output, which would otherwise hold one per event.
 */
function countMetricLines(): { count(): number; stop(): void } {
  let lines = 0;
  const stop = takeEmfLines((emf) => {
    lines += emf.length;
  });
  return { count: () => lines, stop };
}

/** Calls by operation made between two snapshots. */
const since = (now: Map<string, number>, before: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...now].map(([op, n]) => [op, n - (before.get(op) ?? 0)] as const).filter(([, n]) => n > 0));

type Ledger = Awaited<ReturnType<typeof ledgerProcess>>;

/** Work timed by the wall clock, with the CPU both processes spent on it and the ledger calls it made. */
interface Measured<T> { out: T; wallMs: number; benchCpuMs: number; ledgerCpuMs: number; ledgerCalls: Record<string, number> }

async function measured<T>(ledger: Ledger, work: () => Promise<T>): Promise<Measured<T>> {
  const before = await ledger.counts();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const out = await work();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const after = await ledger.counts();
  return { out, wallMs, benchCpuMs: (cpu.user + cpu.system) / 1000, ledgerCpuMs: (after.cpuUs - before.cpuUs) / 1000, ledgerCalls: since(after.calls, before.calls) };
}

/** Runs `work` over the items with POOL of them in flight. */
async function pooled<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: POOL }, worker));
}

/**
 * The ledger's raw conditional-write rate: `count` PutItems with attribute_not_exists(pk) over
 * `keys` keys, POOL in flight, from a plain client (no handler, no document marshalling). After
 * the first write of a key the rest are refused, as duplicates are.
 */
async function rawConditionalPuts(db: DynamoDBClient, ledger: Ledger, keys: number, count: number): Promise<Measured<void>> {
  const run = randomUUID().slice(0, 8);
  return measured(ledger, () => pooled(Array.from({ length: count }, (_, i) => i), async (i) => {
    try {
      await db.send(new PutItemCommand({
        TableName: RAW_TABLE,
        Item: { pk: { S: `RAW#${run}#${i % keys}` }, sk: { S: 'META' }, incidentId: { S: `inc-${i}` }, at: { N: String(Date.now()) } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }));
}

interface Admitted { incident: unknown; execution: { id: string } }
interface Admissions { decisions: Record<string, number>; admitMs: number[]; admitted: Admitted[] }

/** Every event through admit, as its own Step Functions execution (a fresh execution ARN). */
async function admitAll(events: readonly AlarmEvent[], admit: Handler): Promise<Admissions> {
  const decisions: Record<string, number> = {};
  const admitMs: number[] = [];
  const admitted: Admitted[] = [];
  await pooled(events, async (event) => {
    const execution = { id: executionArn() };
    const t0 = process.hrtime.bigint();
    const out = (await admit({ runbook: RUNBOOK, event, execution }, context('runbook-autopilot-bench-admit'))) as AdmitOut;
    admitMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    decisions[out.decision] = (decisions[out.decision] ?? 0) + 1;
    if (out.decision === 'admit') admitted.push({ incident: out.incident, execution });
  });
  return { decisions, admitMs, admitted };
}

/** The emergency stop of each admitted incident, in its own execution: what the state machine runs next. */
async function stopAll(admitted: readonly Admitted[], stop: Handler): Promise<string[]> {
  const errors: string[] = [];
  await pooled(admitted, async (a) => {
    try {
      await stop(a, context('runbook-autopilot-bench-stop'));
    } catch (e: unknown) {
      errors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    }
  });
  return errors;
}

/** PutFunctionConcurrency calls the sandbox received, per function. */
function actionsByTarget(sandbox: Sandbox, targets: readonly string[]): Map<string, number> {
  const wanted = new Set(targets);
  const counts = new Map<string, number>();
  for (const call of sandbox.calls) {
    if (call.service !== 'lambda' || call.operation !== 'PutFunctionConcurrency' || !call.mutating) continue;
    const target = String(call.input.FunctionName);
    if (wanted.has(target)) counts.set(target, (counts.get(target) ?? 0) + 1);
  }
  return counts;
}

/** CPU milliseconds each process spent per event (or per raw put). */
export interface CpuPerEvent { bench: number; ledger: number }

export interface ScenarioFigures {
  events: number;
  actions: number;
  /** Admission: every event through admit, per second (the stops not included). */
  eventsPerSecond: number;
  /** The same dynalite's plain conditional puts per second, same pool, same number of keys (mean of before and after). */
  ledgerPutsPerSecond: number;
  ratio: number;
  admitP50Ms: number;
  admitP99Ms: number;
  /** Admission's ledger (dynalite) and SSM calls per event, counted where they arrived. */
  callsPerEvent: number;
  ledgerCalls: Record<string, number>;
  ssmCalls: number;
  decisions: Record<string, number>;
  cpuMsPerEvent: CpuPerEvent;
  rawCpuMsPerPut: CpuPerEvent;
  /** The whole: admission and the admitted incidents' emergency stops (their ledger and Lambda calls). */
  withStops: { eventsPerSecond: number; ratio: number; callsPerEvent: number; stopLedgerCalls: Record<string, number> };
}

export interface StormFigures {
  duplicate: ScenarioFigures;
  /** The median round (by ratio), with every round's admission ratio. */
  spread: ScenarioFigures & { targets: number; roundRatios: number[] };
  /** Both scenarios' admission together, as the JSON line reports them. */
  eventsPerSecond: number;
  ledgerPutsPerSecond: number;
  ratio: number;
  /** Both scenarios, admission and stops. */
  withStopsEventsPerSecond: number;
  withStopsRatio: number;
  callsPerDuplicate: number;
  admitP50Ms: number;
  admitP99Ms: number;
  problems: string[];
}

export async function runStorm(): Promise<StormFigures> {
  const sandbox = await startSandbox(seedAccountState((state) => {
    const shape = state.lambda.functions[AGENT_FUNCTIONS[0]!]!;
    for (const name of BENCH_FUNCTIONS) {
      state.lambda.functions[name] = { ...structuredClone(shape), reservedConcurrency: null, description: `bench ${name}` };
    }
    // Reserving 0 consumes nothing; the limit only has to leave the unreserved minimum.
    state.lambda.concurrentExecutionsLimit = 100_000;
    // The switches as the stack creates them: on. Admit holds everything when they are missing.
    const parameter = (value: string) => ({ type: 'String' as const, value, version: 1, lastModified: new Date().toISOString(), history: [] });
    state.ssm.parameters[SWITCHES.automation] = parameter(AUTOMATION_ON);
    for (const name of Object.values(SWITCHES.runbooks)) state.ssm.parameters[name] = parameter(RUNBOOK_ON);
    // The hourly cap is set above the storm's 100 targets: this measures dedupe and cooldowns.
    const policy = { enabled: true, cooldownMinutes: COOLDOWN_MINUTES, targets: [DUPLICATE_TARGET, ...BENCH_FUNCTIONS], maxRemediationsPerHour: 1000 };
    state.ssm.parameters[policyParameterName(PARAMETER_PREFIX, RUNBOOK)] = parameter(JSON.stringify(policy));
  }));
  const dynamo = await ledgerProcess();
  const metricLines = countMetricLines();
  const db = new DynamoDBClient({ endpoint: dynamo.endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
  try {
    for (const table of [LEDGER_TABLE, RAW_TABLE]) {
      await db.send(new CreateTableCommand({
        TableName: table, BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: LEDGER_PARTITION_KEY, AttributeType: 'S' }, { AttributeName: LEDGER_SORT_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: LEDGER_PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: LEDGER_SORT_KEY, KeyType: 'RANGE' }],
      }));
    }

    const targets = [DUPLICATE_TARGET, ...BENCH_FUNCTIONS];
    // Handlers read their environment at cold start, so it is set before they are imported.
    Object.assign(process.env, sandboxEndpointEnv(sandbox.url, { dynamodb: dynamo.endpoint }), {
      LEDGER_TABLE,
      PARAMETER_PREFIX,
      ALLOWED_TARGETS: JSON.stringify(targets),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      [METRICS_ENVIRONMENT_VARIABLE]: 'bench',
    });
    const admit = (await import('../lambdas/admit/handler')).handler as Handler;
    const stop = (await import('../runbooks/lambda-runaway/handlers/stop')).handler as Handler;
    // Warm both clients (connection, credentials) as a warm container has them.
    await rawConditionalPuts(db, dynamo, 1, POOL * 4);

    const duplicateEvents = Array.from({ length: DUPLICATES }, () => alarmEvent(DUPLICATE_TARGET, TEMPLATE.detail.state.timestamp));
    // A flapping alarm's transitions arrive together, so a target's 10 are adjacent in the
    // stream: several race for the same cooldown row at once.
    const base = Date.parse(TEMPLATE.detail.state.timestamp.replace(/\+0000$/, 'Z'));
    const spreadEvents = (roundTargets: readonly string[]) => roundTargets.flatMap((fn) => Array.from({ length: TRANSITIONS_PER_TARGET }, (_, k) =>
      alarmEvent(fn, new Date(base + k * 60_000).toISOString().replace(/Z$/, '+0000'))));

    const measure = async (events: AlarmEvent[], keys: number) => {
      const rawBefore = await rawConditionalPuts(db, dynamo, keys, RAW_PUTS);
      const ssmBefore = sandbox.calls.filter((c) => c.service === 'ssm').length;
      const linesBefore = metricLines.count();
      const admission = await measured(dynamo, () => admitAll(events, admit));
      const admissionMetricLines = metricLines.count() - linesBefore;
      const ssmCalls = sandbox.calls.filter((c) => c.service === 'ssm').length - ssmBefore;
      const stops = await measured(dynamo, () => stopAll(admission.out.admitted, stop));
      const rawAfter = await rawConditionalPuts(db, dynamo, keys, RAW_PUTS);
      return { events: events.length, admission, admissionMetricLines, stops, ssmCalls, raw: [rawBefore, rawAfter] };
    };
    const duplicate = await measure(duplicateEvents, 1);
    const rounds = [];
    for (const roundTargets of ROUND_TARGETS) rounds.push(await measure(spreadEvents(roundTargets), SPREAD_TARGETS));

    const duplicateActions = actionsByTarget(sandbox, [DUPLICATE_TARGET]);
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

    const callsOf = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
    const rawRate = (m: Awaited<ReturnType<typeof measure>>) => m.raw.reduce((a, r) => a + RAW_PUTS / (r.wallMs / 1000), 0) / m.raw.length;
    const figures = (m: Awaited<ReturnType<typeof measure>>, actions: number): ScenarioFigures => {
      const sorted = [...m.admission.out.admitMs].sort((a, b) => a - b);
      const raw = rawRate(m);
      const eventsPerSecond = m.events / (m.admission.wallMs / 1000);
      const wholePerSecond = m.events / ((m.admission.wallMs + m.stops.wallMs) / 1000);
      const rawPuts = RAW_PUTS * m.raw.length;
      return {
        events: m.events, actions, eventsPerSecond: round(eventsPerSecond, 0), ledgerPutsPerSecond: round(raw, 0),
        ratio: round(eventsPerSecond / raw, 2), admitP50Ms: round(percentile(sorted, 50)), admitP99Ms: round(percentile(sorted, 99)),
        callsPerEvent: round((callsOf(m.admission.ledgerCalls) + m.ssmCalls) / m.events, 3), ledgerCalls: m.admission.ledgerCalls,
        ssmCalls: m.ssmCalls, decisions: m.admission.out.decisions,
        cpuMsPerEvent: { bench: round(m.admission.benchCpuMs / m.events, 3), ledger: round(m.admission.ledgerCpuMs / m.events, 3) },
        rawCpuMsPerPut: {
          bench: round(m.raw.reduce((a, r) => a + r.benchCpuMs, 0) / rawPuts, 3),
          ledger: round(m.raw.reduce((a, r) => a + r.ledgerCpuMs, 0) / rawPuts, 3),
        },
        withStops: {
          eventsPerSecond: round(wholePerSecond, 0), ratio: round(wholePerSecond / raw, 2),
          callsPerEvent: round((callsOf(m.admission.ledgerCalls) + callsOf(m.stops.ledgerCalls) + m.ssmCalls) / m.events, 3),
          stopLedgerCalls: m.stops.ledgerCalls,
        },
      };
    };
    const dup = figures(duplicate, sum(duplicateActions));

    const problems: string[] = [];
    if (dup.actions !== 1) problems.push(`duplicate: ${dup.actions} actions, expected 1`);
    const roundFigures = rounds.map((m, r) => {
      const name = `spread round ${r + 1}`;
      const actions = actionsByTarget(sandbox, ROUND_TARGETS[r]!);
      const f = figures(m, sum(actions));
      if (f.actions !== SPREAD_TARGETS) problems.push(`${name}: ${f.actions} actions, expected ${SPREAD_TARGETS}`);
      const twice = [...actions].filter(([, n]) => n !== 1).map(([t, n]) => `${t} x${n}`);
      if (twice.length > 0) {
        problems.push(`${name}: ${twice.length} targets not stopped exactly once: ${twice.slice(0, 10).join(', ')}${twice.length > 10 ? ', ...' : ''}`);
      }
      return f;
    });
    const middle = roundFigures.map((f, r) => [f.ratio, r] as const).sort((a, b) => a[0] - b[0])[Math.floor(SPREAD_ROUNDS / 2)]![1];
    const spr = roundFigures[middle]!;
    const spread = rounds[middle]!;
    const notStopped = targets.filter((t) => sandbox.state.lambda.functions[t]?.reservedConcurrency !== 0);
    if (notStopped.length > 0) problems.push(`reserved concurrency not 0 on ${notStopped.join(', ')}`);
    for (const [name, s] of [['duplicate', duplicate], ...rounds.map((m, r) => [`spread round ${r + 1}`, m] as const)] as const) {
      const errors = s.stops.out;
      if (errors.length > 0) problems.push(`${name}: ${errors.length} stop errors, first: ${errors[0]}`);
      // Admit counts every decision: one metric line per event.
      if (s.admissionMetricLines !== s.events) problems.push(`${name}: ${s.admissionMetricLines} metric lines from admit for ${s.events} events, expected one each`);
    }

    const all = [...duplicate.admission.out.admitMs, ...spread.admission.out.admitMs].sort((a, b) => a - b);
    const events = dup.events + spr.events;
    const wallS = (duplicate.admission.wallMs + spread.admission.wallMs) / 1000;
    const wholeWallS = wallS + (duplicate.stops.wallMs + spread.stops.wallMs) / 1000;
    // The ledger's rate over the same mix: each scenario's events at its own raw rate.
    const rawWallS = dup.events / rawRate(duplicate) + spr.events / rawRate(spread);
    return {
      duplicate: dup,
      spread: { ...spr, targets: SPREAD_TARGETS, roundRatios: roundFigures.map((f) => f.ratio) },
      eventsPerSecond: round(events / wallS, 0),
      ledgerPutsPerSecond: round(events / rawWallS, 0),
      ratio: round(rawWallS / wallS, 2),
      withStopsEventsPerSecond: round(events / wholeWallS, 0),
      withStopsRatio: round(rawWallS / wholeWallS, 2),
      callsPerDuplicate: dup.callsPerEvent,
      admitP50Ms: round(percentile(all, 50)),
      admitP99Ms: round(percentile(all, 99)),
      problems,
    };
  } finally {
    metricLines.stop();
    db.destroy();
    await sandbox.close();
    await dynamo.close();
  }
}
