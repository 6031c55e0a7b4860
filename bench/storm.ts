/**
 * Alarm storm: what the lambda-runaway state machine runs up to the action (admit, then the
 * emergency stop iff admitted), driven concurrently against the real handlers, with the ledger
 * on dynalite and Lambda on the drill sandbox.
 *
 *   duplicate  10,000 deliveries of one alarm transition (new EventBridge id and execution each)
 *   spread     1,000 events on 100 targets, 10 transitions per target, cooldown in force
 *
 * Actions are the PutFunctionConcurrency calls the sandbox received: 1 and 100 are the only
 * correct answers. The figures are printed, never asserted in tests (shared, noisy machines);
 * the last line is one JSON object.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import {
  AGENT_FUNCTIONS, SANDBOX_ACCOUNT_ID, SANDBOX_CREDENTIALS, SANDBOX_REGION,
  sandboxEndpointEnv, seedAccountState, startDynamo, startSandbox, type Sandbox,
} from '../drill/sandbox';
import { AUTOMATION_ON, RUNBOOK_ON, switchParameterNames } from '../lambdas/domain/switches';
import { LEDGER_PARTITION_KEY, LEDGER_SORT_KEY } from '../lambdas/shared/ledger-table';
import { runbookTriggers } from '../lib/catalog';

const RUNBOOK = 'lambda-runaway';
const LEDGER_TABLE = 'runbook-autopilot-bench-ledger';
const COOLDOWN_MINUTES = 60;
const POOL = 32;
const DUPLICATES = 10_000;
const SPREAD_TARGETS = 100;
const TRANSITIONS_PER_TARGET = 10;
const SWITCHES = switchParameterNames('/runbook-autopilot/bench', [RUNBOOK]);
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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

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

async function main(): Promise<number> {
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
  }));
  const dynamo = await startDynamo();
  try {
    const db = new DynamoDBClient({ endpoint: dynamo.endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS });
    await db.send(new CreateTableCommand({
      TableName: LEDGER_TABLE, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: LEDGER_PARTITION_KEY, AttributeType: 'S' }, { AttributeName: LEDGER_SORT_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: LEDGER_PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: LEDGER_SORT_KEY, KeyType: 'RANGE' }],
    }));
    db.destroy();

    const targets = [DUPLICATE_TARGET, ...BENCH_FUNCTIONS];
    // Handlers read their environment at cold start, so it is set before they are imported.
    Object.assign(process.env, sandboxEndpointEnv(sandbox.url, { dynamodb: dynamo.endpoint }), {
      LEDGER_TABLE,
      // The hourly cap is set above the storm's 100 targets: this measures dedupe and cooldowns.
      RUNBOOK_POLICIES: JSON.stringify({ [RUNBOOK]: { enabled: true, cooldownMinutes: COOLDOWN_MINUTES, targets, maxRemediationsPerHour: 1000 } }),
      SWITCH_PARAMETERS: JSON.stringify(SWITCHES),
      RUNBOOK_TRIGGERS: JSON.stringify(runbookTriggers()),
      ALLOWED_TARGETS: JSON.stringify(targets),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const admit = (await import('../lambdas/admit/handler')).handler as Handler;
    const stop = (await import('../runbooks/lambda-runaway/handlers/stop')).handler as Handler;

    const duplicateEvents = Array.from({ length: DUPLICATES }, () => alarmEvent(DUPLICATE_TARGET, TEMPLATE.detail.state.timestamp));
    // A flapping alarm's transitions arrive together, so a target's 10 are adjacent in the
    // stream: several race for the same cooldown row at once.
    const base = Date.parse(TEMPLATE.detail.state.timestamp.replace(/\+0000$/, 'Z'));
    const spreadEvents = BENCH_FUNCTIONS.flatMap((fn) => Array.from({ length: TRANSITIONS_PER_TARGET }, (_, k) =>
      alarmEvent(fn, new Date(base + k * 60_000).toISOString().replace(/Z$/, '+0000'))));

    const duplicate = await runScenario('duplicate', duplicateEvents, admit, stop);
    const spread = await runScenario('spread', spreadEvents, admit, stop);

    const duplicateActions = actionsByTarget(sandbox, [DUPLICATE_TARGET]);
    const spreadActions = actionsByTarget(sandbox, BENCH_FUNCTIONS);
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const actions = { duplicate: sum(duplicateActions), spread: sum(spreadActions) };

    const all = [...duplicate.admitMs, ...spread.admitMs].sort((a, b) => a - b);
    const totalEvents = duplicate.events + spread.events;
    const totalWallMs = duplicate.wallMs + spread.wallMs;
    for (const [s, count] of [[duplicate, actions.duplicate], [spread, actions.spread]] as const) {
      const sorted = [...s.admitMs].sort((a, b) => a - b);
      const decided = Object.entries(s.decisions).map(([k, v]) => `${k} ${v}`).join(', ');
      console.log(`${s.name.padEnd(9)} events ${s.events}, actions ${count}, ${round(s.events / (s.wallMs / 1000), 0)} events/s `
        + `(${round(s.wallMs / 1000, 2)} s), admit p50 ${round(percentile(sorted, 50))} ms p99 ${round(percentile(sorted, 99))} ms; ${decided}`);
    }
    console.log(`overall   events ${totalEvents} in ${round(totalWallMs / 1000, 2)} s of delivery (both scenarios, setup excluded), `
      + `${round(totalEvents / (totalWallMs / 1000), 0)} events/s, admit p50 ${round(percentile(all, 50))} ms p99 ${round(percentile(all, 99))} ms, pool ${POOL}`);

    const problems: string[] = [];
    if (actions.duplicate !== 1) problems.push(`duplicate: ${actions.duplicate} actions, expected 1`);
    if (actions.spread !== SPREAD_TARGETS) problems.push(`spread: ${actions.spread} actions, expected ${SPREAD_TARGETS}`);
    const twice = [...spreadActions].filter(([, n]) => n !== 1).map(([t, n]) => `${t} x${n}`);
    if (twice.length > 0) {
      problems.push(`spread: ${twice.length} targets not stopped exactly once: ${twice.slice(0, 10).join(', ')}${twice.length > 10 ? ', ...' : ''}`);
    }
    const notStopped = targets.filter((t) => sandbox.state.lambda.functions[t]?.reservedConcurrency !== 0);
    if (notStopped.length > 0) problems.push(`reserved concurrency not 0 on ${notStopped.join(', ')}`);
    for (const s of [duplicate, spread]) {
      if (s.stopErrors.length > 0) problems.push(`${s.name}: ${s.stopErrors.length} stop errors, first: ${s.stopErrors[0]}`);
    }
    for (const problem of problems) console.log(`UNEXPECTED ${problem}`);

    console.log(JSON.stringify({
      storm: {
        duplicate: { events: duplicate.events, actions: actions.duplicate },
        spread: { events: spread.events, targets: SPREAD_TARGETS, actions: actions.spread },
        eventsPerSecond: round(totalEvents / (totalWallMs / 1000), 0),
        admitP50Ms: round(percentile(all, 50)),
        admitP99Ms: round(percentile(all, 99)),
      },
    }));
    return problems.length > 0 ? 1 : 0;
  } finally {
    await sandbox.close();
    await dynamo.close();
  }
}

main().then(
  (code) => { process.exitCode = code; },
  (e: unknown) => { console.error(e); process.exitCode = 1; },
);
