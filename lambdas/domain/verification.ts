/**
 * Verify or escalate (pure): after a runbook acted, it waits, then checks up to `checks` times
 * whether the alarm that fired returned to OK (or, with no alarm, whether the resource reached the
 * wanted state). The step's `status` is what the state machine branches on: `pending` waits
 * `waitSeconds` and checks again, `verified` notifies remediated, `not-verified` escalates.
 */

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface VerifyPolicy {
  readonly waitSeconds: number;
  readonly pollSeconds: number;
  readonly checks: number;
  /** What INSUFFICIENT_DATA means once the fix is in (see lib/config/schema.ts). */
  readonly insufficientData: 'cleared' | 'not-cleared';
}

export type VerifyStatus = 'pending' | 'verified' | 'not-verified';

/** The change verification is about, as the acting step returned it. */
export interface ActionSummary {
  readonly operation?: string | undefined;
  readonly target?: string | undefined;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface AlarmReading {
  readonly name: string;
  readonly type: 'MetricAlarm' | 'CompositeAlarm';
  readonly state: AlarmStateValue;
  readonly reason: string;
}

export interface VerifyStep {
  readonly status: VerifyStatus;
  /** The next check's number (1 = the first check after the initial wait). */
  readonly attempt: number;
  /** How long to wait before the next check (pending only; 0 otherwise). */
  readonly waitSeconds: number;
  /** Time since the action, by the configured wait and polls, when this check was made. */
  readonly elapsedSeconds: number;
  readonly reason: string;
}

const show = (value: unknown): string => (value === null || value === undefined ? 'none' : typeof value === 'string' ? value : JSON.stringify(value));

/** "PutFunctionConcurrency on f (none -> 0)", or "the action" when the step returned nothing. */
export function describeAction(action: ActionSummary | null | undefined): string {
  if (!action?.operation) return 'the action';
  const target = action.target ? ` on ${action.target}` : '';
  return `${action.operation}${target} (${show(action.before)} -> ${show(action.after)})`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round((seconds / 60) * 10) / 10;
  return `${minutes} min`;
}

/** Before the first check: wait for the alarm to evaluate a period with the fix in place. */
export function firstVerifyStep(policy: VerifyPolicy, what: string): VerifyStep {
  return {
    status: 'pending', attempt: 1, waitSeconds: policy.waitSeconds, elapsedSeconds: 0,
    reason: `waiting ${formatDuration(policy.waitSeconds)} before checking ${what}`,
  };
}

const elapsedAt = (policy: VerifyPolicy, attempt: number) => policy.waitSeconds + (attempt - 1) * policy.pollSeconds;

/**
 * One check of a resource-state condition: `ok` ends verified, otherwise another check follows
 * until `checks` are used up, and the last one ends not verified with `notOk` as the reason.
 */
export function checkStep(policy: VerifyPolicy, attempt: number, ok: boolean, reasons: { ok: string; notOk: string; pending: string }): VerifyStep {
  const elapsedSeconds = elapsedAt(policy, attempt);
  const after = ` ${formatDuration(elapsedSeconds)} after`;
  if (ok) return { status: 'verified', attempt, waitSeconds: 0, elapsedSeconds, reason: reasons.ok.replace('{after}', after) };
  if (attempt < policy.checks) {
    return { status: 'pending', attempt: attempt + 1, waitSeconds: policy.pollSeconds, elapsedSeconds, reason: reasons.pending.replace('{after}', after) };
  }
  return { status: 'not-verified', attempt, waitSeconds: 0, elapsedSeconds, reason: reasons.notOk.replace('{after}', after) };
}

/**
 * One DescribeAlarms check of the alarm that fired. OK is verified. INSUFFICIENT_DATA is verified
 * only where the policy says a silent metric means the fix worked; otherwise it is treated as
 * not yet OK. An alarm that no longer exists cannot confirm anything: not verified at once.
 */
export function alarmStep(policy: VerifyPolicy, attempt: number, alarmName: string, reading: AlarmReading | null, action: ActionSummary | null | undefined): VerifyStep {
  const what = describeAction(action);
  if (reading === null) {
    const elapsedSeconds = elapsedAt(policy, attempt);
    return { status: 'not-verified', attempt, waitSeconds: 0, elapsedSeconds, reason: `alarm ${alarmName} no longer exists, so ${what} cannot be verified` };
  }
  const cleared = reading.state === 'OK' || (reading.state === 'INSUFFICIENT_DATA' && policy.insufficientData === 'cleared');
  const silent = reading.state === 'INSUFFICIENT_DATA';
  return checkStep(policy, attempt, cleared, {
    ok: silent
      ? `alarm ${alarmName} has no data{after} ${what}: its metric goes silent once the fix works (ALARM -> INSUFFICIENT_DATA)`
      : `alarm ${alarmName} returned to OK{after} ${what} (ALARM -> OK)`,
    pending: `alarm ${alarmName} is ${reading.state}{after} ${what}; checking again`,
    notOk: silent
      ? `alarm ${alarmName} has no data{after} ${what} (ALARM -> INSUFFICIENT_DATA): the fix cannot be confirmed`
      : `alarm ${alarmName} still in ${reading.state}{after} ${what} (${reading.state === 'ALARM' ? 'ALARM -> ALARM' : `ALARM -> ${reading.state}`})`,
  });
}
