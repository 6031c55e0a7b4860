/**
 * Alarm storm: what the lambda-runaway state machine runs up to the action (admit, then the
 * emergency stop iff admitted), driven concurrently against the real handlers, with the ledger
 * on dynalite and Lambda on the drill sandbox.
 *
 *   duplicate  10,000 deliveries of one alarm transition (new EventBridge id and execution each)
 *   spread     1,000 events on 100 targets, 10 transitions per target, cooldown in force
 *
 * Actions are the PutFunctionConcurrency calls the sandbox received: 1 and 100 are the only
 * correct answers. Around each scenario the same dynalite takes plain conditional puts from a pool
 * of the same size (one key for the duplicates, 100 keys for the spread): the ledger's own rate,
 * which admission is compared with. Calls are counted where they arrive: dynalite's requests by
 * operation, and the SSM calls in the sandbox's log.
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
import { tapMetrics } from '../drill/metrics-tap';
import { METRICS_ENVIRONMENT_VARIABLE } from '../lambdas/domain/metrics';

const RUNBOOK = 'lambda-runaway';
const LEDGER_TABLE = 'runbook-autopilot-bench-ledger';
const RAW_TABLE = 'runbook-autopilot-bench-raw';
const COOLDOWN_MINUTES = 60;
export const POOL = 32;
const DUPLICATES = 10_000;
const SPREAD_TARGETS = 100;
const TRANSITIONS_PER_TARGET = 10;
const RAW_PUTS = 3_000;
const PARAMETER_PREFIX = '/runbook-autopilot/bench';
const SWITCHES = switchParameterNames(PARAMETER_PREFIX, [RUNBOOK]);
const BENCH_FUNCTIONS = Array.from({ length: SPREAD_TARGETS }, (_, i) => `bench-fn-${String(i).padStart(3, '0')}`);

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

/** The ledger: dynalite in a process of its own, counting the requests it receives by operation. */
async function ledgerProcess(): Promise<{ endpoint: string; counts(): Promise<Map<string, number>>; close(): Promise<void> }> {
  const child = fork(path.join(__dirname, 'ledger-process.js'), [], { execPath: process.execPath, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>(key: string) => new Promise<T>((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      child.off('message', onMessage);
      resolve(m[key] as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`the ledger process ended (${String(code)})`)));
  });
  const port = await next<number>('port');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: async () => {
      const counted = next<Record<string, number>>('counts');
      child.send('counts');
      return new Map(Object.entries(await counted));
    },
    close: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.disconnect();
    }),
  };
}

/** Calls by operation made between two snapshots. */
const since = (now: Map<string, number>, before: Map<string, number>): Record<string, number> =>
  Object.fromEntries([...now].map(([op, n]) => [op, n - (before.get(op) ?? 0)] as const).filter(([, n]) => n > 0));

/**
 * The ledger's raw conditional-write rate: `count` PutItems with attribute_not_exists(pk) over
 * `keys` keys, POOL in flight, from a plain client (no handler, no document marshalling). After
 * the first write of a key the rest are refused, as duplicates are.
 */
async function rawConditionalPuts(db: DynamoDBClient, keys: number, count: number): Promise<number> {
  const run = randomUUID().slice(0, 8);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        await db.send(new PutItemCommand({
          TableName: RAW_TABLE,
          Item: { pk: { S: `RAW#${run}#${i % keys}` }, sk: { S: 'META' }, incidentId: { S: `inc-${i}` }, at: { N: String(Date.now()) } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }));
      } catch (e: unknown) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      }
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: POOL }, worker));
  return count / (Number(process.hrtime.bigint() - t0) / 1e9);
}

interface ScenarioResult {
  name: string;
  events: number;
  wallMs: number;
  decisions: Record<string, number>;
  stopErrors: string[];
  admitMs: number[];
}

async function runScenario(name: string, events: AlarmEvent[], admit: Handler, stop: Handler): Promise<ScenarioResult> {
  const decisions: Record<string, number> = {};
  const stopErrors: string[] = [];
  const admitMs: number[] = [];
  let next = 0;
  // Each worker plays one Step Functions execution at a time: admit, then the stop iff admitted.
  const worker = async () => {
    while (next < events.length) {
      const event = events[next++]!;
      const execution = { id: executionArn() };
      const t0 = process.hrtime.bigint();
      const out = (await admit({ runbook: RUNBOOK, event, execution }, context('runbook-autopilot-bench-admit'))) as AdmitOut;
      admitMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      decisions[out.decision] = (decisions[out.decision] ?? 0) + 1;
      if (out.decision !== 'admit') continue;
      try {
        await stop({ incident: out.incident, execution }, context('runbook-autopilot-bench-stop'));
      } catch (e: unknown) {
        stopErrors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      }
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: POOL }, worker));
  return { name, events: events.length, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, decisions, stopErrors, admitMs };
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

export interface ScenarioFigures {
  events: number;
  actions: number;
  eventsPerSecond: number;
  /** The same dynalite's plain conditional puts per second, same pool, same number of keys (mean of before and after). */
  ledgerPutsPerSecond: number;
  ratio: number;
  admitP50Ms: number;
  admitP99Ms: number;
  /** Ledger (dynalite) and SSM calls per event, counted where they arrived; the emergency stop's ledger calls included. */
  callsPerEvent: number;
  ledgerCalls: Record<string, number>;
  ssmCalls: number;
  decisions: Record<string, number>;
}

export interface StormFigures {
  duplicate: ScenarioFigures;
  spread: ScenarioFigures & { targets: number };
  /** Both scenarios together, as the JSON line reports them. */
  eventsPerSecond: number;
  ledgerPutsPerSecond: number;
  ratio: number;
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
  // The handlers print their metrics (one EMF line per decision) as in Lambda; the lines are taken
  // off the bench's output, which would otherwise hold one per event.
  const metrics = tapMetrics();
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
    await rawConditionalPuts(db, 1, POOL * 4);

    const duplicateEvents = Array.from({ length: DUPLICATES }, () => alarmEvent(DUPLICATE_TARGET, TEMPLATE.detail.state.timestamp));
    // A flapping alarm's transitions arrive together, so a target's 10 are adjacent in the
    // stream: several race for the same cooldown row at once.
    const base = Date.parse(TEMPLATE.detail.state.timestamp.replace(/\+0000$/, 'Z'));
    const spreadEvents = BENCH_FUNCTIONS.flatMap((fn) => Array.from({ length: TRANSITIONS_PER_TARGET }, (_, k) =>
      alarmEvent(fn, new Date(base + k * 60_000).toISOString().replace(/Z$/, '+0000'))));

    const measure = async (scenario: string, events: AlarmEvent[], keys: number) => {
      const rawBefore = await rawConditionalPuts(db, keys, RAW_PUTS);
      const ledgerBefore = await dynamo.counts();
      const ssmBefore = sandbox.calls.filter((c) => c.service === 'ssm').length;
      const result = await runScenario(scenario, events, admit, stop);
      const ledgerCalls = since(await dynamo.counts(), ledgerBefore);
      const ssmCalls = sandbox.calls.filter((c) => c.service === 'ssm').length - ssmBefore;
      const rawAfter = await rawConditionalPuts(db, keys, RAW_PUTS);
      return { result, ledgerCalls, ssmCalls, raw: (rawBefore + rawAfter) / 2 };
    };
    const duplicate = await measure('duplicate', duplicateEvents, 1);
    const spread = await measure('spread', spreadEvents, SPREAD_TARGETS);

    const duplicateActions = actionsByTarget(sandbox, [DUPLICATE_TARGET]);
    const spreadActions = actionsByTarget(sandbox, BENCH_FUNCTIONS);
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

    const figures = (m: Awaited<ReturnType<typeof measure>>, actions: number): ScenarioFigures => {
      const sorted = [...m.result.admitMs].sort((a, b) => a - b);
      const eventsPerSecond = m.result.events / (m.result.wallMs / 1000);
      const calls = Object.values(m.ledgerCalls).reduce((a, b) => a + b, 0) + m.ssmCalls;
      return {
        events: m.result.events, actions, eventsPerSecond: round(eventsPerSecond, 0), ledgerPutsPerSecond: round(m.raw, 0),
        ratio: round(eventsPerSecond / m.raw, 2), admitP50Ms: round(percentile(sorted, 50)), admitP99Ms: round(percentile(sorted, 99)),
        callsPerEvent: round(calls / m.result.events, 3), ledgerCalls: m.ledgerCalls, ssmCalls: m.ssmCalls, decisions: m.result.decisions,
      };
    };
    const dup = figures(duplicate, sum(duplicateActions));
    const spr = figures(spread, sum(spreadActions));

    const problems: string[] = [];
    if (dup.actions !== 1) problems.push(`duplicate: ${dup.actions} actions, expected 1`);
    if (spr.actions !== SPREAD_TARGETS) problems.push(`spread: ${spr.actions} actions, expected ${SPREAD_TARGETS}`);
    const twice = [...spreadActions].filter(([, n]) => n !== 1).map(([t, n]) => `${t} x${n}`);
    if (twice.length > 0) {
      problems.push(`spread: ${twice.length} targets not stopped exactly once: ${twice.slice(0, 10).join(', ')}${twice.length > 10 ? ', ...' : ''}`);
    }
    const notStopped = targets.filter((t) => sandbox.state.lambda.functions[t]?.reservedConcurrency !== 0);
    if (notStopped.length > 0) problems.push(`reserved concurrency not 0 on ${notStopped.join(', ')}`);
    for (const s of [duplicate.result, spread.result]) {
      if (s.stopErrors.length > 0) problems.push(`${s.name}: ${s.stopErrors.length} stop errors, first: ${s.stopErrors[0]}`);
    }

    const all = [...duplicate.result.admitMs, ...spread.result.admitMs].sort((a, b) => a - b);
    const events = dup.events + spr.events;
    const wallS = (duplicate.result.wallMs + spread.result.wallMs) / 1000;
    // The ledger's rate over the same mix: each scenario's events at its own raw rate.
    const rawWallS = dup.events / duplicate.raw + spr.events / spread.raw;
    return {
      duplicate: dup,
      spread: { ...spr, targets: SPREAD_TARGETS },
      eventsPerSecond: round(events / wallS, 0),
      ledgerPutsPerSecond: round(events / rawWallS, 0),
      ratio: round(rawWallS / wallS, 2),
      callsPerDuplicate: dup.callsPerEvent,
      admitP50Ms: round(percentile(all, 50)),
      admitP99Ms: round(percentile(all, 99)),
      problems,
    };
  } finally {
    metrics.stop();
    db.destroy();
    await sandbox.close();
    await dynamo.close();
  }
}
