/**
 * The fault matrix: every AWS call each registered runbook's handlers make (admit, the runbook's
 * own handlers, notify, and for a budget runbook the budget adapter), in the order a run reaches
 * them, as its module's drill.calls lists them, and the drill runs that cover each (runbook, call, kind).
 *
 * A `--fault` fails the next N calls of an operation, whoever makes them, so a call made at
 * several points of a run (lambda:GetFunction in diagnose, before the stop and in verify) is
 * failed where the run first reaches it.
 */
import { RUNBOOKS as REGISTERED, RUNBOOK_NAMES, type RunbookName } from '../../runbooks/registry';
import { drillCalls, SPINE_CALLS, type DrillCall } from '../../runbooks/module';

/** FAULT_MATRIX_RUNBOOKS=a,b runs the matrix for those runbooks only (while working on one); unset, every registered one. */
const only = process.env.FAULT_MATRIX_RUNBOOKS?.split(',').map((n) => n.trim()).filter(Boolean);
for (const name of only ?? []) if (!(RUNBOOK_NAMES as readonly string[]).includes(name)) throw new Error(`FAULT_MATRIX_RUNBOOKS: ${name} is not a registered runbook`);
export const RUNBOOKS: readonly RunbookName[] = only ? RUNBOOK_NAMES.filter((n) => only.includes(n)) : RUNBOOK_NAMES;
export type Runbook = RunbookName;

export const KINDS = ['throttling', 'access-denied', 'not-found', 'server-error', 'timeout'] as const;
export type Kind = (typeof KINDS)[number];

/** Kinds the SDK and the state machines retry: a short burst of them must not change the outcome. */
export const RETRIED_KINDS = ['throttling', 'server-error', 'timeout'] as const satisfies readonly Kind[];

/** "service:Operation", as --fault names it. */
export type Call = string;

/** Its own calls (drill.calls), then the spine's (the report step's), as its run reaches them. */
const declared = (runbook: Runbook): readonly DrillCall[] => drillCalls(runbook_(runbook));
const runbook_ = (name: Runbook) => RUNBOOKS_BY_NAME.get(name)!;
const RUNBOOKS_BY_NAME = new Map(REGISTERED.map((m) => [m.name as Runbook, m]));

/** Each runbook's AWS calls, in the order its recorded event reaches them (its module's drill.calls). */
export const CALLS: Readonly<Record<Runbook, readonly Call[]>> = Object.fromEntries(RUNBOOKS.map((r) => [r, declared(r).map((c) => c.call)])) as unknown as Record<Runbook, readonly Call[]>;

/** The state that makes a call where the run first reaches it (a trigger function's call has none). */
export const STATE_OF: Readonly<Record<Runbook, Partial<Record<Call, string>>>> = Object.fromEntries(RUNBOOKS.map((r) => [
  r, Object.fromEntries(declared(r).flatMap((c) => (c.state ? [[c.call, c.state]] : []))),
])) as unknown as Record<Runbook, Partial<Record<Call, string>>>;

/** What the modules say of a call (the contract suite checks two runbooks never say different things). */
const facts = (pick: (c: DrillCall) => boolean): ReadonlySet<Call> => new Set(RUNBOOKS.flatMap((r) => declared(r).filter(pick).map((c) => c.call)));

/**
 * Where the execution fails when that is not the state that first makes the call, as each module
 * says (its calls' failsAt): the guardrail's notification of the switch is caught and the restore's
 * fails; an independent part's call is caught, paged with the other parts, and attempted again by
 * the state that fails the execution.
 */
export const FAILS_AT: Readonly<Partial<Record<Runbook, Partial<Record<Call, string>>>>> = Object.fromEntries(
  RUNBOOKS.map((r) => [r, Object.fromEntries(declared(r).flatMap((c) => (c.failsAt ? [[c.call, c.failsAt]] : [])))]),
);

/**
 * An independent part's call (its module's failsAt) failing for good stops that part only: the
 * changes of the other parts (their mutating calls, each with a failsAt of its own) are still made.
 */
export function otherPartsChanges(runbook: Runbook, call: Call): Call[] {
  const part = declared(runbook).find((c) => c.call === call)?.failsAt;
  if (!part) return [];
  return declared(runbook).filter((c) => c.mutates && c.failsAt !== undefined && c.failsAt !== part).map((c) => c.call);
}

/** The spine's report write: when it fails for good the incident ends as it would have, its report counted as not written. */
export const REPORT_CALLS: ReadonlySet<Call> = new Set(SPINE_CALLS.map((c) => c.call));

/**
 * The ledger's own DynamoDB calls, made by every runbook's handlers: admit claims the incident
 * and the cooldown, the acting steps write and complete their rows, notify lists them and closes
 * the incident. The drill's `dynamodb:<Operation>` faults reach them as they reach the tables.
 */
export const LEDGER_CALLS = ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query'] as const;
export type LedgerCall = (typeof LEDGER_CALLS)[number];

/**
 * The ledger calls a runbook's recorded event does not lead its run to make (in the drill's
 * environment): failed for good, they leave the run ending as a clean one does. The matrix holds
 * this both ways: a run that does make the call fails. Admit reads no ledger item on the admitted
 * path (the cooldown's write answers with the target's history), so GetItem is made only where a
 * run reads an item by its key later (an approval request read back, an action's row).
 */
const LEDGER_CALLS_NOT_MADE: Readonly<Partial<Record<Runbook, readonly LedgerCall[]>>> = {
  'ecs-service-recovery': ['dynamodb:GetItem'],
  'llm-budget-guardrail': ['dynamodb:GetItem'],
  'api-latency': ['dynamodb:GetItem'],
  's3-access-denied': ['dynamodb:GetItem'],
  'credential-exposure': ['dynamodb:GetItem'],
  'agentcore-halt': ['dynamodb:GetItem'],
};
export const makesLedgerCall = (runbook: Runbook, call: LedgerCall): boolean => !(LEDGER_CALLS_NOT_MADE[runbook] ?? []).includes(call);

/**
 * How each call fails for good: access denied and not found each take a path of their own (no
 * retry; a missing target escalates), while the three retried kinds share one (the SDK's attempts,
 * the state machine's Retry, then the step fails at that state). So each call fails for good with
 * access denied, with not found, and with one retried kind, in turn across the calls (each retried
 * kind fails a third of the calls for good); the bursts fail every call with each retried kind,
 * which is where the kinds' retries differ (a mutation's 5xx or timeout is not sent again by the SDK).
 */
export const PERSISTENT_PASSES = ['retried', 'access-denied', 'not-found'] as const;
export type PersistentPass = (typeof PERSISTENT_PASSES)[number];

/** The runbooks' calls in one order (the ledger's are taken in their own). */
const RUNBOOK_CALLS: readonly Call[] = [...new Set(RUNBOOKS.flatMap((r) => CALLS[r]))].sort();

/** The kind a call fails with for good in a pass: the retried pass takes the retried kinds in turn. */
export function persistentKind(pass: PersistentPass, call: Call): Kind {
  if (pass !== 'retried') return pass;
  const ledgerAt = (LEDGER_CALLS as readonly Call[]).indexOf(call);
  const at = ledgerAt >= 0 ? ledgerAt : RUNBOOK_CALLS.indexOf(call);
  if (at < 0) throw new Error(`${call} is not a call of the fault plan`);
  return RETRIED_KINDS[at % RETRIED_KINDS.length]!;
}

/** Far more failures than any run can consume (every runbook at once in a ledger run, an independent part attempted twice): the call never succeeds. */
export const PERSISTENT = 5000;
/** More failures than the SDK's three attempts, so the state machine's Retry must act too. */
export const BURST = 4;

/**
 * Calls failed together in one persistent run. Faults are global to a run, so each group holds at
 * most one call on the path of each runbook (the one it reaches is the call under test); a call
 * several runbooks make is failed for all of them. Each call joins the first group where no
 * runbook that makes it has a call yet.
 */
export const PERSISTENT_GROUPS: readonly (readonly Call[])[] = (() => {
  const groups: { calls: Call[]; runbooks: Set<Runbook> }[] = [];
  const makers = (call: Call) => RUNBOOKS.filter((r) => CALLS[r].includes(call));
  for (const call of [...new Set(RUNBOOKS.flatMap((r) => CALLS[r]))]) {
    const by = makers(call);
    let group = groups.find((g) => by.every((r) => !g.runbooks.has(r)));
    if (!group) groups.push((group = { calls: [], runbooks: new Set() }));
    group.calls.push(call);
    for (const r of by) group.runbooks.add(r);
  }
  return groups.map((g) => g.calls);
})();

export interface Cell {
  readonly runbook: Runbook;
  readonly call: Call;
}

/** The runbooks a group's run replays, each with the call under test: the first failed call on its path. */
export function cellsOf(group: readonly Call[]): Cell[] {
  return RUNBOOKS.flatMap((runbook) => {
    const call = CALLS[runbook].find((c) => group.includes(c));
    return call ? [{ runbook, call }] : [];
  });
}

/** The calls that change something: the SDK sends them again only when throttled (lambdas/shared/mutation-client.ts). */
const MUTATIONS: ReadonlySet<Call> = facts((c) => c.mutates === true);

/**
 * A burst that outlasts the SDK's own retries of the call. A mutation's 5xx or timeout may follow
 * a call that took effect, so the SDK does not send it again: each is one retry of the state
 * machine (which reads the target first), and the step's own read, failed in the same burst, takes
 * one more; three leave the step its last attempt.
 */
export const burstOf = (call: Call, kind: Kind): number => (MUTATIONS.has(call) && kind !== 'throttling' ? BURST - 1 : BURST);

export const faultArgs = (calls: readonly Call[], kind: Kind, times: (call: Call, kind: Kind) => number): string[] =>
  calls.flatMap((call) => ['--fault', `${call}=${kind}x${times(call, kind)}`]);

export type Outcome = 'remediated' | 'skipped' | 'escalated' | 'failed';

/** Its remediation pages the critical topic: a notify state of outcome remediated says topic critical (a leaked key deactivated still needs a human). */
const remediationPages = (runbook: Runbook): boolean => Object.values(runbook_(runbook).stateMachine.definition.States).some((s) => {
  const payload = (s as { Parameters?: { Payload?: { outcome?: unknown; topic?: unknown } } }).Parameters?.Payload;
  return payload?.outcome === 'remediated' && payload.topic === 'critical';
});

/** How a clean run of its recorded event ends: remediated (info, or critical where its remediation pages), or paged (critical) for a runbook that only reads and pages (drill.ends). */
export const cleanEnd = (runbook: Runbook): { readonly outcome: Outcome; readonly topic: 'critical' | 'info' } =>
  (runbook_(runbook).drill.ends === 'escalated' ? { outcome: 'escalated', topic: 'critical' } : { outcome: 'remediated', topic: remediationPages(runbook) ? 'critical' : 'info' });

/**
 * Reads for the notification only (a module's bestEffort calls): when they fail for good the
 * runbook goes on and notifies with "evidence unavailable". Per runbook: one runbook's evidence
 * (lambda-runaway's event source mappings) may be another's safety check (lambda-timeouts' SQS limit).
 */
export const bestEffort = (runbook: Runbook, call: Call): boolean => declared(runbook).some((c) => c.call === call && c.bestEffort === true);
/** Calls whose not-found answer is an empty answer (a function with no policy: no S3 invoker). */
const NOT_FOUND_IS_NOTHING: ReadonlySet<Call> = facts((c) => c.notFound === 'nothing');
/** Calls whose not-found answer is not about the target (Cost Explorer's DataUnavailableException). */
const NOT_FOUND_IS_FAILURE: ReadonlySet<Call> = facts((c) => c.notFound === 'failed');

/** A not-found that is an answer the runbook reads on (a function with no policy, a principal that does not exist), as its module says. */
export const notFoundIsAnswer = (call: Call): boolean => NOT_FOUND_IS_NOTHING.has(call);

/** A best-effort read that fails for good is reported, except a not-found that is an empty answer. */
export const reportsUnavailable = (runbook: Runbook, call: Call, kind: Kind): boolean => bestEffort(runbook, call) && !(kind === 'not-found' && NOT_FOUND_IS_NOTHING.has(call));

/** Calls AWS never answers with a not-found error. */
const NEVER_NOT_FOUND: ReadonlySet<Call> = new Set(['cloudwatch:DescribeAlarms', 'ssm:GetParameters']);

export interface Expected {
  readonly outcome: Outcome;
  /** The topic of the last notification; null when none can be sent. */
  readonly topic: 'critical' | 'info' | null;
  /** The last notification comes from the execution-failure rule, not from a state of the runbook. */
  readonly viaRule: boolean;
  /** The execution fails at the state making the call (where a redrive starts again), rather than a state deciding the ending. */
  readonly failsAtState: boolean;
}

/**
 * What a run ends as when the call never succeeds.
 * - A step failing after its retries (throttling, 5xx, timeouts, access denied; a call that never
 *   answers not found, such as DescribeAlarms, so an injected one is unexpected; a not-found
 *   its module says is not about the target) fails the execution at
 *   that state: the execution-failure rule's notifier marks the incident failed and escalates to
 *   the critical topic, naming the state a redrive retries.
 * - The notification itself failing: the execution fails at the notify state, and the rule's
 *   notifier cannot publish either: nothing is sent.
 * - The budget adapter failing: no execution starts; after Lambda's retries the notification
 *   goes to the adapter's dead-letter queue. A runbook's own StartExecution (a state makes it)
 *   fails its state as any other call does.
 * - The report write failing (after the last notification): the run ends as it would have, and
 *   the report is counted as not written.
 * - A call of an independent part (an emergency stop's gateway, proxy, kill switch): the part is
 *   recorded as not done and the other parts are attempted; a not-found is escalated as above, any
 *   other failure is paged with the other parts and then fails the execution where the part is
 *   attempted again (its module's failsAt).
 * - Not found means the target is gone: a decided ending, escalated by the runbook itself, except
 *   a call whose module says its not-found is not about the target (Cost Explorer's
 *   DataUnavailableException). A missing switch holds the runbook (switches fail closed): the drill's own tests.
 */
export function expectedPersistent(runbook: Runbook, call: Call, kind: Kind): Expected {
  const decided = (outcome: Outcome, topic: 'critical' | 'info'): Expected => ({ outcome, topic, viaRule: false, failsAtState: false });
  const failed: Expected = { outcome: 'failed', topic: 'critical', viaRule: true, failsAtState: true };
  if (bestEffort(runbook, call) || REPORT_CALLS.has(call)) return decided(cleanEnd(runbook).outcome, cleanEnd(runbook).topic);
  if (call === 'sns:Publish') return { outcome: 'failed', topic: null, viaRule: false, failsAtState: true };
  // A trigger function's start (the budget adapter's: no state makes it): no execution, so nobody hears it.
  if (call === 'states:StartExecution' && STATE_OF[runbook][call] === undefined) return { outcome: 'failed', topic: null, viaRule: false, failsAtState: false };
  if (kind === 'not-found') {
    // A not-found that is an answer (no policy, no such principal): the runbook reads on and ends as a clean run does.
    if (NOT_FOUND_IS_NOTHING.has(call)) return decided(cleanEnd(runbook).outcome, cleanEnd(runbook).topic);
    // Calls that never answer not found (GetParameters lists a missing name instead), so an injected one is unexpected.
    if (NOT_FOUND_IS_FAILURE.has(call) || NEVER_NOT_FOUND.has(call)) return failed;
    return decided('escalated', 'critical');
  }
  return failed;
}

