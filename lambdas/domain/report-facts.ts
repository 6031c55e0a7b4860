/**
 * What an execution holds that the ledger's rows do not: the event that started it, admit's
 * decision and the switches it read, what each read of the runbook found (the last value of each
 * field of the execution's data, named by the state that wrote it), the verification, and the
 * notification that closed it. The report step records them beside the incident
 * (`INCIDENT#<id> / FACTS#<execution>`), so the report, and any rewrite of it (after an undo, from a
 * command line), is built from the ledger alone. Pure: no AWS here.
 */

/** One field of the execution's data a runbook step wrote, as it was when the execution ended. */
export interface Finding {
  /** The state (or states, " / "-joined) that write it, or `$.<field>` where the machine did not say. */
  readonly state: string;
  /** The field of the execution's data: `diagnosis` for `$.diagnosis`. */
  readonly at: string;
  readonly value: unknown;
}

export interface AdmissionFacts {
  readonly decision: string;
  readonly reason: string;
  readonly switches: { readonly automation: string | null; readonly runbook: string | null } | null;
  readonly dryRun: boolean;
}

export interface ExecutionFacts {
  readonly executionArn: string;
  /** Which run of the execution: 0, then one more per redrive. */
  readonly redriveCount: number;
  /** The event that started the execution, as delivered (bounded: see MAX_VALUE_CHARS). */
  readonly trigger: unknown;
  /** The incident as admit read it from the event: its source (the alarm's reason, with its values) and a budget alert's amounts. */
  readonly incident: Readonly<Record<string, unknown>> | null;
  readonly admission: AdmissionFacts | null;
  readonly findings: readonly Finding[];
  /** The verify step's last answer (`$.verify`): status, reason, and what it read; or the runbook's polled check read as one (pollVerification). */
  readonly verification: Readonly<Record<string, unknown>> | null;
  /** The notification that ended the run (`$.result`). */
  readonly notified: { readonly outcome: string; readonly reason: string; readonly topic: string } | null;
  /** A failed run: the state it failed at (recorded from that state's input by the execution-failure notifier). */
  readonly failedAt?: string;
}

/** The execution's fields the spine owns: not a runbook's reads (the report shows them in their own sections). */
const SPINE_FIELDS = new Set(['event', 'admission', 'result', 'verify', 'report']);
/** A finding, or the trigger, larger than this (as JSON) is kept as a preview: the ledger's items hold 400 KB at most. */
export const MAX_VALUE_CHARS = 16_000;
const PREVIEW_CHARS = 2_000;

/** A value as the ledger keeps it: whole, or, when large, how large and its first characters. */
export function bounded(value: unknown, max = MAX_VALUE_CHARS): unknown {
  const json = JSON.stringify(value) ?? 'null';
  if (json.length <= max) return value;
  return { elided: `${json.length} characters of JSON; the execution's history holds it whole`, preview: json.slice(0, PREVIEW_CHARS) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A field a mutating step wrote: the ledger's row of its call says more (the report's actions). */
const isActionResult = (v: unknown): boolean => isObject(v) && 'operation' in v && 'before' in v;
/** Errors a Catch kept, and the approval gate's own bookkeeping (the ledger's approval rows say more). */
const isBookkeeping = (field: string): boolean => /error$/i.test(field) || /approval/i.test(field);

function admissionOf(v: unknown): AdmissionFacts | null {
  if (!isObject(v) || typeof v.decision !== 'string') return null;
  const sw = isObject(v.switches) ? { automation: text(v.switches.automation) ?? null, runbook: text(v.switches.runbook) ?? null } : null;
  return { decision: v.decision, reason: text(v.reason) ?? '', switches: sw, dryRun: v.dryRun === true };
}

function notifiedOf(v: unknown): ExecutionFacts['notified'] {
  if (!isObject(v) || typeof v.outcome !== 'string') return null;
  return { outcome: v.outcome, reason: text(v.reason) ?? '', topic: text(v.topic) ?? '' };
}

/**
 * A check the runbook polls until its change has taken effect (the spine's pollUntilDone: `done`,
 * `failed`, `timedOut`, `attempt`, and a `reason` where the check gives one), read as the run's
 * verification: verified once done, not verified once it failed or timed out, else pending.
 */
function pollVerification(check: Readonly<Record<string, unknown>>, by: string): Record<string, unknown> {
  const status = check.done === true && check.failed !== true ? 'verified' : check.failed === true || check.timedOut === true ? 'not-verified' : 'pending';
  const how = status === 'verified' ? 'done' : check.failed === true ? 'failed' : check.timedOut === true ? 'timed out' : 'not concluded';
  const checks = typeof check.attempt === 'number' ? ` after ${check.attempt} check(s)` : '';
  return { ...(bounded(check) as Record<string, unknown>), status, by, reason: typeof check.reason === 'string' ? check.reason : `${how}${checks}` };
}

/** What the state machine says of its data (the report step's payload), or of a failed run. */
export interface RunFacts {
  /**
   * Per field, the states that write it: only those fields are findings. Without it (a failed run,
   * read back from its history) every field but the spine's, the approval gate's, errors and the
   * mutating steps' results is one, named by its path.
   */
  readonly steps?: Readonly<Record<string, string>> | undefined;
  /** The state a failed run failed at. */
  readonly failedAt?: string | undefined;
  /** The field of a runbook that verifies its change by a check it polls rather than by an alarm (`$.verify`). */
  readonly verifiedBy?: string | undefined;
}

/** The facts of one run from the execution's data (`$`). */
export function factsFromState(
  state: unknown, execution: { readonly id: string; readonly redriveCount?: number | undefined },
  { steps, failedAt, verifiedBy }: RunFacts = {},
): ExecutionFacts {
  const data = isObject(state) ? state : {};
  const admission = isObject(data.admission) ? data.admission : {};
  const fields = steps
    ? Object.keys(steps).filter((f) => !SPINE_FIELDS.has(f) && f in data)
    : Object.keys(data).filter((f) => !SPINE_FIELDS.has(f) && !isBookkeeping(f) && !isActionResult(data[f]));
  return {
    executionArn: execution.id,
    redriveCount: execution.redriveCount ?? 0,
    trigger: 'event' in data ? bounded(data.event) : null,
    incident: isObject(admission.incident) ? admission.incident : null,
    admission: admissionOf(data.admission),
    findings: fields.map((f) => ({ state: steps?.[f] ?? `$.${f}`, at: f, value: bounded(data[f]) })),
    verification: isObject(data.verify) ? (bounded(data.verify) as Record<string, unknown>)
      : verifiedBy && isObject(data[verifiedBy]) ? pollVerification(data[verifiedBy], steps?.[verifiedBy] ?? `$.${verifiedBy}`) : null,
    notified: notifiedOf(data.result),
    ...(failedAt ? { failedAt } : {}),
  };
}
