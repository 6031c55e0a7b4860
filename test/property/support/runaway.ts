import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AGENT_FUNCTIONS, sandboxEndpointEnv, seedAccountState, startSandbox, TOPIC_ARNS,
  type FaultSpec, type LambdaFunctionState, type Sandbox, type SandboxCall,
} from '../../../drill/sandbox';
import type { AdmitResult } from '../../../lambdas/admit/handler';
import { AUTOMATION_ON, RUNBOOK_ON, policyParameterName, switchParameterNames } from '../../../lambdas/domain/switches';
import type { ActionResult } from '../../../lambdas/shared/act';
import type { ActionRecord, IncidentRecord } from '../../../lambdas/shared/ledger';
import type { Incident } from '../../../lambdas/shared/task-input';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';
import { lambdaContext } from '../../support/fixtures';
import { startForwarder, type Forwarder } from './forwarder';
import { withoutSdkBackoff } from '../../../drill/sdk-backoff';

/**
 * Drives the lambda-runaway runbook's real handlers (admit, stop, notify) over generated streams
 * of CloudWatch alarm events, as its state machine would, against the drill sandbox (Lambda, SSM,
 * SNS) and a real local DynamoDB ledger. Each run gets a fresh sandbox and a fresh ledger table.
 */

export const RUNBOOK = 'lambda-runaway';
export const PUT_OPERATION = 'lambda:PutFunctionConcurrency';
/** The table name the handlers are given; the forwarder sends it to the current run's table. */
const LEDGER_TABLE = 'runbook-autopilot-property-ledger';
/** Functions the runbook may stop (its policy parameter and ALLOWED_TARGETS). */
export const CONFIGURED = ['runaway-prop-fn-0', 'runaway-prop-fn-1', 'runaway-prop-fn-2', 'runaway-prop-fn-3', 'runaway-prop-fn-4'];
/** A function that exists in the account but is not configured: admit must reject it. */
export const UNLISTED = 'runaway-prop-fn-unlisted';
export const FUNCTIONS = [...CONFIGURED, UNLISTED];
/** Long enough that no generated stream outlives it. */
export const LONG_COOLDOWN_MINUTES = 24 * 60;
/** Two environments' parameters: a long cooldown, and none (admitNone). */
const PREFIX = { long: '/runbook-autopilot/property', none: '/runbook-autopilot/property-no-cooldown' } as const;

const ROOT = path.join(__dirname, '..', '..', '..');
const TEMPLATE = JSON.parse(fs.readFileSync(path.join(ROOT, 'events', 'lambda-runaway.alarm.json'), 'utf8')) as AlarmEventShape;

interface AlarmEventShape {
  id: string;
  time: string;
  resources: string[];
  detail: {
    alarmName: string;
    state: { value: string; reason?: string; timestamp: string };
    configuration: { metrics: { metricStat: { metric: { name: string; dimensions: Record<string, string> } }; returnData?: boolean }[] };
  };
}

// ---------------------------------------------------------------------------------------------
// The state machine's Retry on the stop step, read from the definition that deploys.

interface RetrierShape { ErrorEquals: string[]; MaxAttempts?: number }
const ASL = JSON.parse(fs.readFileSync(path.join(ROOT, 'statemachines', 'lambda-runaway.asl.json'), 'utf8')) as {
  States: Record<string, { Type: string; Parameters?: { FunctionName?: string }; Retry?: RetrierShape[] }>;
};
const STOP_STATE = Object.values(ASL.States).find((s) => s.Type === 'Task' && s.Parameters?.FunctionName === '${StopFunctionArn}');
if (!STOP_STATE?.Retry?.[0]) throw new Error('lambda-runaway.asl.json has no stop task with a Retry');
/** Errors the stop step's first retrier retries. */
export const STOP_RETRYABLE: ReadonlySet<string> = new Set(STOP_STATE.Retry[0].ErrorEquals);
/** Invocations of the stop step per execution: the first one plus the retrier's MaxAttempts (default 3). */
export const STOP_MAX_INVOCATIONS = 1 + (STOP_STATE.Retry[0].MaxAttempts ?? 3);

// ---------------------------------------------------------------------------------------------
// Handlers, imported once after their environment points at the forwarders.

type Invoke<T> = (event: unknown, context: Context) => Promise<T>;
export type StopResult = ActionResult<number | null, number>;

export interface Harness {
  readonly dynamo: LocalDynamo;
  readonly db: DynamoDBDocumentClient;
  /** Admit with a cooldown of LONG_COOLDOWN_MINUTES. */
  readonly admitLong: Invoke<AdmitResult>;
  /** Admit of an environment without a cooldown (a separate cold start). */
  readonly admitNone: Invoke<AdmitResult>;
  readonly stop: Invoke<StopResult>;
  readonly notify: Invoke<unknown>;
  readonly services: Forwarder;
  readonly ledgerEndpoint: Forwarder;
  close(): Promise<void>;
}

// Flapping protection and the hourly cap are set out of reach: these properties are about one
// call per transition and per cooldown, and the rails have their own tests (test/unit/admit).
const policy = (cooldownMinutes: number) =>
  JSON.stringify({ enabled: true, cooldownMinutes, targets: CONFIGURED, flapping: { maxRemediations: 100, windowMinutes: 60 }, maxRemediationsPerHour: 10_000 });
const POLICY_OF = { long: policy(LONG_COOLDOWN_MINUTES), none: policy(0) } as const;

export async function startHarness(): Promise<Harness> {
  const dynamo = await startDynalite();
  const services = await startForwarder();
  const ledgerEndpoint = await startForwarder();
  // AWS_MAX_ATTEMPTS=1: the SDK does not retry on its own, so an injected fault reaches the
  // handler at once and retries are the state machine's (simulated below), not the SDK's backoff.
  // A throttled mutation keeps its three attempts, without the back-off between them (as in the drill).
  withoutSdkBackoff();
  Object.assign(process.env, sandboxEndpointEnv(services.url, { dynamodb: ledgerEndpoint.url }), {
    LEDGER_TABLE,
    PARAMETER_PREFIX: PREFIX.long,
    ALLOWED_TARGETS: JSON.stringify(CONFIGURED),
    CRITICAL_TOPIC_ARN: TOPIC_ARNS.critical,
    INFO_TOPIC_ARN: TOPIC_ARNS.info,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_MAX_ATTEMPTS: '1',
    // Each run gets a new ledger table under the same warm admit; a container's memory of cooldown
    // holds (lambdas/admit/cooldown-memory.ts, its own tests in test/unit/admit/claims.test.ts)
    // would outlive the table it learned them from, which no warm Lambda sees.
    COOLDOWN_MEMORY_SECONDS: '0',
  });
  const admitLong = (await import('../../../lambdas/admit/handler')).handler as unknown as Invoke<AdmitResult>;
  const stop = (await import('../../../runbooks/lambda-runaway/handlers/stop')).handler as unknown as Invoke<StopResult>;
  const notify = (await import('../../../lambdas/notify/handler')).handler as unknown as Invoke<unknown>;
  process.env.PARAMETER_PREFIX = PREFIX.none;
  let admitNone: Invoke<AdmitResult> | undefined;
  await jest.isolateModulesAsync(async () => {
    admitNone = (await import('../../../lambdas/admit/handler')).handler as unknown as Invoke<AdmitResult>;
  });
  process.env.PARAMETER_PREFIX = PREFIX.long;
  if (!admitNone) throw new Error('admit did not load');
  return {
    dynamo, db: DynamoDBDocumentClient.from(dynamo.client), admitLong, admitNone, stop, notify, services, ledgerEndpoint,
    async close() {
      await services.close();
      await ledgerEndpoint.close();
      await dynamo.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Generated streams.

export type AlarmState = 'ALARM' | 'OK';
/**
 * The stop step run a second time for the same execution: 'after' the first finished (a Retry
 * after a lost response, a redrive), or 'overlapping' (the invocation retried while the first is
 * still running: its read of the function is answered only once the first invocation is done).
 */
export type Replay = 'none' | 'after' | 'overlapping';
export interface AlarmSpec { readonly name: string; readonly arn: string; readonly target: string; readonly metric: 'ConcurrentExecutions' | 'Invocations' }
export interface Transition { readonly alarm: AlarmSpec; readonly state: AlarmState; readonly timestamp: string; readonly key: string }
export interface Delivery {
  readonly index: number;
  readonly transition: Transition;
  readonly replay: Replay;
  /** Injected into the sandbox as this delivery starts. */
  readonly fault: FaultSpec | null;
}
export interface Stream {
  /** Reserved concurrency of each function when the stream starts. */
  readonly initial: Readonly<Record<string, number | null>>;
  /** Deliveries in groups: the groups run one after another, a group's deliveries concurrently. */
  readonly groups: readonly (readonly Delivery[])[];
}

const BASE_MS = Date.UTC(2026, 10, 3, 3, 0, 0, 522);
/** CloudWatch's state timestamp format: 2026-11-03T03:12:41.522+0000. */
const cloudWatchTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

export function streamArbitrary(options: { faults: boolean; maxDeliveries: number; replays: readonly Replay[] }): fc.Arbitrary<Stream> {
  const fault: fc.Arbitrary<FaultSpec | null> = options.faults
    ? fc.option(
      fc.record({ error: fc.constantFrom('throttling' as const, 'server-error' as const), times: fc.integer({ min: 1, max: 7 }) })
        .map(({ error, times }): FaultSpec => ({ service: 'lambda', operation: 'PutFunctionConcurrency', error, times })),
      { nil: null, freq: 2 },
    )
    : fc.constant(null);
  return fc.record({
    reserved: fc.array(fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }), { minLength: FUNCTIONS.length, maxLength: FUNCTIONS.length }),
    // Mostly configured targets; the unlisted function now and then.
    alarms: fc.array(
      fc.record({ target: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...CONFIGURED) }, { weight: 1, arbitrary: fc.constant(UNLISTED) }), invocations: fc.boolean() }),
      { minLength: 1, maxLength: 4 },
    ),
    // Flapping: several transitions of one alarm, ALARM and OK, minutes apart.
    transitions: fc.array(
      fc.record({
        alarm: fc.nat(),
        minute: fc.integer({ min: 0, max: 180 }),
        state: fc.oneof({ weight: 3, arbitrary: fc.constant<AlarmState>('ALARM') }, { weight: 1, arbitrary: fc.constant<AlarmState>('OK') }),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    // Duplicates (the same transition picked again) and any order: EventBridge delivers at least once, unordered.
    deliveries: fc.array(
      fc.record({ transition: fc.nat(), replay: fc.constantFrom(...options.replays), newGroup: fc.boolean(), fault }),
      { minLength: 1, maxLength: options.maxDeliveries },
    ),
  }).map(({ reserved, alarms, transitions, deliveries }) => {
    const specs: AlarmSpec[] = alarms.map((a, i) => {
      const name = `runaway-prop-alarm-${i}`;
      return { name, arn: `arn:aws:cloudwatch:sa-east-1:111122223333:alarm:${name}`, target: a.target, metric: a.invocations ? 'Invocations' : 'ConcurrentExecutions' };
    });
    // One state per alarm and timestamp.
    const byKey = new Map<string, Transition>();
    for (const t of transitions) {
      const alarm = specs[t.alarm % specs.length] as AlarmSpec;
      const timestamp = cloudWatchTime(BASE_MS + t.minute * 60_000 + (t.alarm % specs.length) * 1000);
      const key = `${alarm.arn}|${timestamp}`;
      if (!byKey.has(key)) byKey.set(key, { alarm, state: t.state, timestamp, key });
    }
    const unique = [...byKey.values()];
    const groups: Delivery[][] = [];
    deliveries.forEach((d, index) => {
      const delivery: Delivery = { index, transition: unique[d.transition % unique.length] as Transition, replay: d.replay, fault: d.fault };
      const last = groups[groups.length - 1];
      if (last === undefined || d.newGroup) groups.push([delivery]);
      else last.push(delivery);
    });
    return { initial: Object.fromEntries(FUNCTIONS.map((f, i) => [f, reserved[i] ?? null])), groups };
  });
}

/** The EventBridge event for a transition: the recorded event with its identity changed. */
export function alarmEvent(transition: Transition, eventId: string): AlarmEventShape {
  const event = structuredClone(TEMPLATE);
  event.id = eventId;
  event.time = transition.timestamp.slice(0, 19) + 'Z';
  event.resources = [transition.alarm.arn];
  event.detail.alarmName = transition.alarm.name;
  event.detail.state.value = transition.state;
  event.detail.state.timestamp = transition.timestamp;
  const metric = event.detail.configuration.metrics[0];
  if (!metric) throw new Error('the recorded event has no metric');
  metric.metricStat.metric.name = transition.alarm.metric;
  metric.metricStat.metric.dimensions = { FunctionName: transition.alarm.target };
  metric.returnData = true;
  return event;
}

// ---------------------------------------------------------------------------------------------
// One run: a fresh sandbox and ledger table, and what the sandbox saw.

/** A PutFunctionConcurrency as it reached the sandbox, with the ledger's intent rows for its target at that moment. */
export interface AuditedCall {
  readonly call: SandboxCall;
  readonly target: string;
  readonly intents: readonly ActionRecord[];
}

export interface LedgerScan {
  readonly incidents: IncidentRecord[];
  readonly actions: ActionRecord[];
  readonly cooldowns: { target: string; incidentId: string; untilMs: number }[];
}

/** Orders two overlapping invocations of the stop step around their reads of the function. */
interface ReadGate {
  reads: number;
  readonly firstReading: Deferred;
  readonly secondReading: Deferred;
  readonly firstDone: Deferred;
}

interface Deferred { readonly promise: Promise<void>; resolve(): void }
function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

export interface Run {
  readonly sandbox: Sandbox;
  /** Gates on the target's GetFunction calls, for an overlapping replay of the stop step. */
  readonly gates: Map<string, ReadGate>;
  readonly table: string;
  readonly initial: Readonly<Record<string, number | null>>;
  readonly audited: AuditedCall[];
  scan(): Promise<LedgerScan>;
  /** PutFunctionConcurrency calls the sandbox received, in arrival order. */
  puts(): SandboxCall[];
  close(): Promise<void>;
}

let runs = 0;
const FUNCTION_SHAPE = seedAccountState().lambda.functions[AGENT_FUNCTIONS[3] as string] as LambdaFunctionState;

async function scanTable(db: DynamoDBDocumentClient, table: string): Promise<LedgerScan> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  const strip = <T>({ pk: _pk, sk: _sk, ...rest }: Record<string, unknown>) => rest as T;
  const pk = (i: Record<string, unknown>) => String(i.pk);
  const sk = (i: Record<string, unknown>) => String(i.sk);
  return {
    incidents: items.filter((i) => pk(i).startsWith('INCIDENT#') && sk(i) === 'META').map((i) => strip<IncidentRecord>(i)),
    actions: items.filter((i) => pk(i).startsWith('INCIDENT#') && sk(i).startsWith('ACTION#')).map((i) => strip<ActionRecord>(i)),
    // A target's row holds its cooldown once an incident took it (and its history).
    cooldowns: items.filter((i) => pk(i).startsWith('HISTORY#') && i.heldBy !== undefined).map((i) => ({
      target: String(i.target), incidentId: String(i.heldBy), untilMs: Number(i.untilMs),
    })),
  };
}

export async function openRun(h: Harness, initial: Readonly<Record<string, number | null>>): Promise<Run> {
  const table = `runbook-autopilot-property-ledger-${++runs}`;
  await h.dynamo.createLedgerTable(table);
  h.ledgerEndpoint.route(h.dynamo.endpoint, { from: LEDGER_TABLE, to: table });
  const audited: AuditedCall[] = [];
  const gates = new Map<string, ReadGate>();
  const state = seedAccountState((seeded) => {
    for (const [name, reservedConcurrency] of Object.entries(initial)) {
      seeded.lambda.functions[name] = { ...structuredClone(FUNCTION_SHAPE), reservedConcurrency };
    }
    const parameter = (value: string) => ({ type: 'String' as const, value, version: 1, lastModified: new Date(BASE_MS).toISOString(), history: [] });
    for (const env of ['long', 'none'] as const) {
      const switches = switchParameterNames(PREFIX[env], [RUNBOOK]);
      seeded.ssm.parameters[switches.automation] = parameter(AUTOMATION_ON);
      for (const name of Object.values(switches.runbooks)) seeded.ssm.parameters[name] = parameter(RUNBOOK_ON);
      seeded.ssm.parameters[policyParameterName(PREFIX[env], RUNBOOK)] = parameter(POLICY_OF[env]);
    }
  });
  const sandbox = await startSandbox(state, {
    // Awaited before the call is applied: the ledger as it is when the call reaches "AWS".
    onCall: async (call) => {
      const gate = call.service === 'lambda' && call.operation === 'GetFunction' ? gates.get(String(call.input.FunctionName)) : undefined;
      if (gate) {
        gate.reads += 1;
        // The first invocation reads, and waits until the second has read too; the second's read
        // is answered once the first invocation has finished.
        if (gate.reads === 1) {
          gate.firstReading.resolve();
          await gate.secondReading.promise;
        } else if (gate.reads === 2) {
          gate.secondReading.resolve();
          await gate.firstDone.promise;
        }
        return;
      }
      if (call.service !== 'lambda' || call.operation !== 'PutFunctionConcurrency') return;
      const target = String(call.input.FunctionName);
      const { actions } = await scanTable(h.db, table);
      audited.push({ call, target, intents: actions.filter((a) => a.status === 'intent' && a.operation === PUT_OPERATION && a.target === target) });
    },
  });
  h.services.route(sandbox.url);
  return {
    sandbox, table, initial, audited, gates,
    scan: () => scanTable(h.db, table),
    puts: () => sandbox.calls.filter((c) => c.service === 'lambda' && c.operation === 'PutFunctionConcurrency'),
    close: () => sandbox.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// One execution of the state machine, reduced to the steps that decide and act.

export type StopOutcome =
  | { readonly ok: true; readonly result: StopResult; readonly invocations: number }
  | { readonly ok: false; readonly error: string; readonly invocations: number };

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly transition: Transition;
  readonly decision: AdmitResult['decision'];
  readonly incident: Incident | null;
  readonly stop?: StopOutcome;
  /** The stop step run again for the same execution; for 'overlapping', whether its read was held until the first was done. */
  readonly replay?: { readonly mode: Replay; readonly result?: StopResult; readonly error?: string; readonly overlapped?: boolean };
}

const context = lambdaContext;
export const executionArn = (name: string) => `arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-${RUNBOOK}:${name}`;
const eventId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const errorName = (e: unknown) => (e instanceof Error ? e.name : String(e));

/** The stop step with the state machine's Retry: retryable errors are retried, up to the retrier's attempts. */
export async function stopWithRetry(h: Harness, input: { incident: Incident; execution: { id: string } }): Promise<StopOutcome> {
  for (let invocations = 1; ; invocations++) {
    try {
      return { ok: true, result: await h.stop(input, context), invocations };
    } catch (e: unknown) {
      const name = errorName(e);
      if (!STOP_RETRYABLE.has(name) || invocations >= STOP_MAX_INVOCATIONS) return { ok: false, error: name, invocations };
    }
  }
}

/**
 * Admit; on 'admit' the stop step (with Retry), optionally the stop step again, then notify with
 * the outcome (which closes the incident in the ledger); a duplicate ends without a word.
 */
export async function execute(
  h: Harness, admit: Invoke<AdmitResult>, run: Run,
  delivery: { transition: Transition; eventNumber: number; execution: string; replay: Replay; fault: FaultSpec | null },
): Promise<ExecutionRecord> {
  if (delivery.fault) run.sandbox.injectFault(delivery.fault);
  const exec = delivery.execution;
  const admission = await admit({ runbook: RUNBOOK, event: alarmEvent(delivery.transition, eventId(delivery.eventNumber)), execution: { id: exec } }, context);
  const base = { executionArn: exec, transition: delivery.transition, decision: admission.decision, incident: admission.incident };
  const notify = (outcome: string, reason: string, error?: string) => h.notify({
    runbook: RUNBOOK, outcome, reason, incident: admission.incident, execution: { id: exec },
    ...(error ? { error: { Error: error, Cause: error } } : {}),
  }, context);

  if (admission.decision === 'duplicate') return base;
  if (admission.decision !== 'admit') {
    await notify(admission.decision === 'reject' ? 'rejected' : 'skipped', admission.reason);
    return base;
  }
  const incident = admission.incident;
  if (!incident) throw new Error('admit admitted without an incident');
  // As the state machine passes it: the incident, the execution and admit's dryRun (when it has one).
  const dryRun = (admission as { dryRun?: unknown }).dryRun;
  const stepInput = { incident, execution: { id: exec }, ...(typeof dryRun === 'boolean' ? { dryRun } : {}) };
  const again = async (): Promise<{ result?: StopResult; error?: string }> => {
    try {
      return { result: await h.stop(stepInput, context) };
    } catch (e: unknown) {
      return { error: errorName(e) };
    }
  };
  let stop: StopOutcome;
  let replay: ExecutionRecord['replay'];
  if (delivery.replay === 'overlapping') {
    const gate: ReadGate = { reads: 0, firstReading: deferred(), secondReading: deferred(), firstDone: deferred() };
    if (run.gates.has(incident.target)) throw new Error(`two overlapping replays on ${incident.target}`);
    run.gates.set(incident.target, gate);
    try {
      const first = stopWithRetry(h, stepInput);
      await Promise.race([gate.firstReading.promise, first]);
      // Started while the first invocation is running; if it never reads, the first is let go when it ends.
      const second = again().finally(() => gate.secondReading.resolve());
      stop = await first.finally(() => gate.firstDone.resolve());
      replay = { mode: 'overlapping', ...await second, overlapped: gate.reads >= 2 };
    } finally {
      run.gates.delete(incident.target);
    }
  } else {
    stop = await stopWithRetry(h, stepInput);
    if (stop.ok && delivery.replay === 'after') replay = { mode: 'after', ...await again() };
  }
  if (stop.ok) await notify('remediated', 'emergency stop: reserved concurrency set to 0');
  else await notify('failed', 'a step failed and was not retried', stop.error);
  return { ...base, stop, ...(replay ? { replay } : {}) };
}

/** Delivers the stream: groups in order, each group's deliveries concurrently. */
export async function deliver(h: Harness, admit: Invoke<AdmitResult>, run: Run, stream: Stream): Promise<ExecutionRecord[]> {
  const records: ExecutionRecord[] = [];
  for (const group of stream.groups) {
    records.push(...await Promise.all(group.map((d) => execute(h, admit, run, {
      transition: d.transition, eventNumber: d.index, execution: executionArn(`delivery-${d.index}`), replay: d.replay, fault: d.fault,
    }))));
  }
  return records;
}

export const isAlarmOnConfigured = (t: Transition) => t.state === 'ALARM' && CONFIGURED.includes(t.alarm.target);
