/**
 * Human-gated steps, as pure rules: who may decide at each escalation level, how long they have,
 * and when a request is decided. No AWS calls here; the approval handlers apply these rules.
 */

/** The decision a dry run's approval gate hands the gated step: nobody was asked (it plans its call and makes none). */
export const NOT_ASKED = 'not-asked';

export const LEVELS = ['L1', 'L2', 'L3'] as const;
export type Level = (typeof LEVELS)[number];
export type Severity = 'P1' | 'P2' | 'P3' | 'P4';

export interface Approver {
  readonly name: string;
  readonly level: Level;
}

/** The environment's approval policy (config `approvals`), as the handlers receive it. */
export interface ApprovalPolicy {
  readonly requiredApprovals: number;
  readonly approvers: readonly Approver[];
  readonly deadlineMinutes: Readonly<Record<Severity, number>>;
}

/** One gated step's settings (config), keyed `<runbook>/<step>`. */
export interface GateSettings {
  readonly severity: Severity;
  readonly onTimeout: 'abort' | 'proceed';
  readonly requiredApprovals: number;
  /**
   * The step asks for an acknowledgement, not a decision (a page a person takes on): the first
   * eligible person who acknowledges closes it; nothing is approved or rejected, and it is never
   * automatic. Silence escalates it like any request.
   */
  readonly acknowledge?: true;
  /** Why a gate asks nobody whatever the environment's policy (an undo that restores a hard rule): recorded with its auto-approval. */
  readonly noApproverBecause?: string;
}

/** What a person's decision can be, and each is also the verdict that closes a request. */
export const DECISION_VALUES = ['approved', 'rejected', 'acknowledged'] as const;
export type DecisionValue = (typeof DECISION_VALUES)[number];

export interface Decision {
  readonly approver: string;
  readonly decision: DecisionValue;
  readonly at: string;
  readonly comment?: string;
  readonly level: Level;
}

/** What the gated step's Task returns (`$.approval`): the decision and every vote behind it. */
export interface ApprovalOutcome {
  readonly decision: DecisionValue;
  readonly requestId: string;
  readonly level: Level;
  readonly requiredApprovals: number;
  /** True when the policy needs no approver (dev): approved at once, and recorded so. */
  readonly autoApproved: boolean;
  readonly approvals: readonly Decision[];
}

/** Why nobody was asked where no gate says otherwise: the environment's policy needs no approver (dev). */
export const NO_APPROVER_IN_ENVIRONMENT = 'this environment needs no approver';

/** The outcome a request approved at once is recorded with: "auto-approved: <why nobody was asked>". */
export function autoApprovedOutcome(because: string): string {
  return `auto-approved: ${because}`;
}

/** Why a request was approved at once, from its recorded outcome; undefined for any other outcome. */
export function autoApprovedBecause(outcome: string | undefined): string | undefined {
  const match = /^auto-approved(?:: (.*))?$/s.exec(outcome ?? '');
  return match ? match[1] ?? NO_APPROVER_IN_ENVIRONMENT : undefined;
}

/** The error name the gated step fails with on a rejection: the state machine catches it by name. */
export const APPROVAL_REJECTED = 'ApprovalRejected';

/**
 * Seed 004's escalation path, widened at each level: a request re-sent to L2 still reaches L1, so
 * a 4-eyes quorum stays reachable when the next level has a single person.
 */
export function approversAt(policy: ApprovalPolicy, level: Level): string[] {
  const rank = LEVELS.indexOf(level);
  return policy.approvers.filter((a) => LEVELS.indexOf(a.level) <= rank).map((a) => a.name);
}

export function nextLevel(level: Level): Level | null {
  return LEVELS[LEVELS.indexOf(level) + 1] ?? null;
}

/** Seed 003's response time for the severity: the deadline at each escalation level. */
export function deadlineSeconds(policy: ApprovalPolicy, severity: Severity): number {
  return Math.max(1, policy.deadlineMinutes[severity] * 60);
}

/** Why an approver may not decide on a request, or null when they may. */
export function ineligibility(approver: string, eligible: readonly string[], startedBy: string | null): string | null {
  if (startedBy !== null && approver === startedBy) return `${approver} started this run; another person must decide on it`;
  if (!eligible.includes(approver)) return `${approver} is not an approver of this request`;
  return null;
}

/** An acknowledgement request is closed by its first acknowledgement. */
export function acknowledged(decisions: readonly Decision[]): 'acknowledged' | 'open' {
  return decisions.some((d) => d.decision === 'acknowledged') ? 'acknowledged' : 'open';
}

/**
 * One rejection rejects; otherwise the request is approved once enough distinct approvers said so.
 * Decisions are per approver (one row each), so counting names counts people.
 */
export function tally(decisions: readonly Decision[], required: number): 'approved' | 'rejected' | 'open' {
  if (decisions.some((d) => d.decision === 'rejected')) return 'rejected';
  const approvers = new Set(decisions.filter((d) => d.decision === 'approved').map((d) => d.approver));
  return approvers.size >= required ? 'approved' : 'open';
}
