/**
 * What each runbook's recorded event costs in the drill, which runs the deployed ASL files and
 * the real handlers against the sandbox account:
 *   firstActionMs  from the execution's start (the rule's StartExecution; for the budget
 *                  runbook, the adapter's) to the first mitigating call reaching the sandbox (a
 *                  mutating call that is not a notification or an execution start). The drill's
 *                  own work before an execution (its account snapshot for the report, parsing and
 *                  validating the ASL for each run) has no AWS counterpart and is left out;
 *                  every function is initialized before the event (its init is coldInit's).
 *   overhead       the executions' own time (first to last history event) less the simulated
 *                  waits (Wait states and Retry pauses, compressed by the drill) and the time a
 *                  gated step waits for people (from its request's answer to the step's end: the
 *                  scanner's fetches, the approvers' clicks, a deadline compressed to 50 ms): the
 *                  interpreter and the handlers, split as handler invocations and the rest
 *   transitions    states entered plus retries in the executions' history, as Step Functions
 *                  bills a Standard workflow, and the same for a second delivery of the event
 * Each sample is a fresh drill (sandbox, ledger, handler instances) in this process; the first
 * sample warms the process and is not counted. The drill's audit check of each mutating call (a
 * scan of the ledger) runs after the call is noted, so it adds to the overhead, not the first action.
 */
import * as path from 'node:path';
import { Drill } from '../drill/drill';
import { DrillExecutor, type EventLog, type ExecutionRecord } from '../drill/executor';
import { readInputFile, type DrillInput } from '../drill/inputs';
import { RUNBOOKS, type RegisteredRunbook, type RunbookName } from '../runbooks/registry';
import { median, round } from './stats';

/** Standard workflows: $0.025 per 1,000 state transitions. */
export const USD_PER_TRANSITION = 0.025 / 1000;
/** The drill's default compression (drill/drill.ts): every Wait state and Retry pause lasts this long. */
const TIME = { waitMs: 5, retryMs: 5 };
/** Calls that announce or start an execution rather than mitigate (a redrive of a failed execution mitigates). */
const NOT_MITIGATING = /^(sns:|events:|states:StartExecution$)/;

export interface RunbookFigures {
  runbook: RunbookName;
  outcome: string;
  firstActionMs: number;
  firstActionCall: string;
  overheadMs: number;
  handlersMs: number;
  interpreterMs: number;
  executions: number;
  transitions: number;
  usdPerIncident: number;
  duplicate: { executions: number; transitions: number; usd: number };
  /** Transitions recorded while an approval (a .waitForTaskToken state) was waiting: Standard bills none for the wait. */
  approvalWaitTransitions: number | null;
}

/** Every execution the drill runs, as it finishes (the executor is the drill's own; it is only observed). */
const finished: ExecutionRecord[] = [];
const run = DrillExecutor.prototype.run;
DrillExecutor.prototype.run = async function observed(this: DrillExecutor, ...args: Parameters<typeof run>) {
  const record = await run.apply(this, args);
  finished.push(record);
  return record;
};

type StateEvent = Extract<EventLog, { state: unknown }>;
const isState = (e: EventLog): e is StateEvent => 'state' in e;

function transitions(records: readonly ExecutionRecord[]): number {
  return records.reduce((n, r) => n + r.events.filter((e) => e.type === 'StateEntered' || e.type === 'StateRetried').length, 0);
}

/**
 * How long the gated steps waited for people: a request (a .waitForTaskToken task: its payload
 * carries the token) answers at once, then its state ends when a decision or the deadline comes.
 * In AWS that wait is the approvers', not the engine's, and Standard bills no transition for it.
 */
export function peopleWaitMs(r: ExecutionRecord): number {
  return r.invocations.filter((i) => typeof (i.payload as { taskToken?: unknown } | null)?.taskToken === 'string').reduce((ms, i) => {
    const ended = r.events.filter((e) => isState(e) && e.state.name === i.state && e.type !== 'StateEntered' && e.timestamp >= i.endedMs);
    return ended.length === 0 ? ms : ms + Math.min(...ended.map((e) => e.timestamp)) - i.endedMs;
  }, 0);
}

function timing(records: readonly ExecutionRecord[]): { overheadMs: number; handlersMs: number } {
  let overheadMs = 0;
  let handlersMs = 0;
  for (const r of records) {
    const times = r.events.map((e) => e.timestamp);
    const waits = r.events.filter((e) => isState(e) && e.type === 'StateEntered' && e.state.type === 'Wait').length * TIME.waitMs
      + r.events.filter((e) => e.type === 'StateRetried').length * TIME.retryMs + peopleWaitMs(r);
    overheadMs += Math.max(...times) - Math.min(...times) - waits;
    handlersMs += r.invocations.reduce((ms, i) => ms + (i.endedMs - i.startedMs), 0);
  }
  return { overheadMs, handlersMs };
}

/** Transitions recorded between a .waitForTaskToken state's entry and its exit, in the same execution. */
function approvalWaitTransitions(records: readonly ExecutionRecord[]): number | null {
  let waited = false;
  let count = 0;
  for (const r of records) {
    const gates = new Set(r.invocations.filter((i) => i.state.toLowerCase().includes('approv')).map((i) => i.state));
    let open: string | null = null;
    for (const e of r.events) {
      if (!isState(e)) continue;
      if (open === null && e.type === 'StateEntered' && gates.has(e.state.name)) {
        open = e.state.name;
        waited = true;
      } else if (open !== null && e.state.name === open && e.type !== 'StateEntered') {
        open = null;
      } else if (open !== null && (e.type === 'StateEntered' || e.type === 'StateRetried')) count += 1;
    }
  }
  return waited ? count : null;
}

/** A second delivery of the same event: EventBridge gives it a new id; SNS the same message. */
function redelivery(input: DrillInput): DrillInput {
  return input.kind === 'eventbridge' ? { ...input, event: { ...input.event, id: `${String(input.event.id)}-again` } } : input;
}

async function sample(runbook: RegisteredRunbook): Promise<RunbookFigures> {
  const input = readInputFile(path.join(__dirname, '..', runbook.drill.event));
  const drill = await Drill.start({ time: TIME, initAtStart: true });
  const mutating: { at: number; call: string }[] = [];
  // The drill checks every mutating call's audit row before the sandbox applies it: note when each arrives.
  const audited = drill as unknown as { checkAudit(operation: string, target: string): Promise<void> };
  const check = audited.checkAudit.bind(drill);
  audited.checkAudit = async (operation, target) => {
    mutating.push({ at: Date.now(), call: operation });
    return check(operation, target);
  };
  try {
    finished.length = 0;
    const result = await drill.handle(input);
    const first = mutating.find((m) => !NOT_MITIGATING.test(m.call));
    const records = [...finished];
    const entered = Math.min(...records.map((r) => r.startedAt));
    finished.length = 0;
    await drill.handle(redelivery(input));
    const again = [...finished];
    const { overheadMs, handlersMs } = timing(records);
    const count = transitions(records);
    const againCount = transitions(again);
    return {
      runbook: runbook.name, outcome: result.outcome,
      firstActionMs: first ? first.at - entered : NaN, firstActionCall: first?.call ?? '(none)',
      overheadMs, handlersMs, interpreterMs: overheadMs - handlersMs,
      executions: records.length, transitions: count, usdPerIncident: count * USD_PER_TRANSITION,
      duplicate: { executions: again.length, transitions: againCount, usd: againCount * USD_PER_TRANSITION },
      approvalWaitTransitions: approvalWaitTransitions(records),
    };
  } finally {
    await drill.close();
  }
}

/** Medians over `samples` fresh drills per runbook, after one that warms the process. */
export async function drillFigures(samples: number): Promise<RunbookFigures[]> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  await sample(RUNBOOKS[0]);
  const out: RunbookFigures[] = [];
  for (const runbook of RUNBOOKS) {
    const runs: RunbookFigures[] = [];
    for (let i = 0; i < samples; i++) runs.push(await sample(runbook));
    const m = (pick: (f: RunbookFigures) => number, digits = 1) => round(median(runs.map(pick)), digits);
    const last = runs[runs.length - 1]!;
    out.push({
      ...last,
      firstActionMs: m((f) => f.firstActionMs), overheadMs: m((f) => f.overheadMs), handlersMs: m((f) => f.handlersMs), interpreterMs: m((f) => f.interpreterMs),
      usdPerIncident: round(last.usdPerIncident, 6), duplicate: { ...last.duplicate, usd: round(last.duplicate.usd, 6) },
    });
  }
  return out;
}
