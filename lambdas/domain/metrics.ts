/**
 * What the autopilot measures of itself: one CloudWatch namespace, dimensions runbook and
 * environment (and reason, for suppressions). Handlers emit them (lambdas/shared/metrics.ts); the
 * stack's dashboard graphs them by these same names.
 */
export const METRICS_NAMESPACE = 'RunbookAutopilot';

/** The environment variable that names the environment (dev, staging, prod, drill): the `environment` dimension. */
export const METRICS_ENVIRONMENT_VARIABLE = 'AUTOPILOT_ENVIRONMENT';

export const METRIC = {
  /** admit let an incident through. */
  admitted: 'IncidentsAdmitted',
  /** admit stopped an incident; dimension `reason` (SUPPRESSION_REASONS). */
  suppressed: 'IncidentsSuppressed',
  /** A mutating call a runbook made and the target accepted (performAction). */
  actionsTaken: 'ActionsTaken',
  /** A mutating call refused, or left without an answer (its row `failed` or `unknown`). */
  actionsFailed: 'ActionsFailed',
  /** An undo's restore made and accepted. */
  actionsUndone: 'ActionsUndone',
  /** An approval gate asked its first level. */
  approvalsRequested: 'ApprovalsRequested',
  /** A request closed approved (by quorum, or at once where no approver is needed). */
  approvalsApproved: 'ApprovalsApproved',
  approvalsRejected: 'ApprovalsRejected',
  /** A gate whose last level let the deadline pass. */
  approvalsExpired: 'ApprovalsExpired',
  /** Milliseconds from the alarm (the incident's firedAt) to the first mitigating call that took effect. */
  timeToMitigate: 'TimeToMitigate',
  /** Milliseconds from the alarm to the incident closed remediated (verified). */
  timeToVerified: 'TimeToVerified',
  /** An incident's report could not be written (the report step, or the execution-failure notifier, gave up on it). */
  reportsNotWritten: 'IncidentReportsNotWritten',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Why admit stopped an incident, as the `reason` dimension says it. */
export const SUPPRESSION_REASONS = ['duplicate', 'cooldown', 'flapping', 'cap', 'paused', 'unconfigured', 'rejected-input'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** Milliseconds from an ISO time to another; undefined when either does not parse or the order is backwards. */
export function millisBetween(from: string, to: string): number | undefined {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
