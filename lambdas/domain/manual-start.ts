import * as z from '../shared/zod';

/**
 * A manual start: a person starts a runbook on one target (`autopilot start`), and the run goes
 * through the same admit as an alarm's: allowlist, switches, cooldown, safety rails, one incident
 * in the ledger. Its input is an event of this app's own. `startedBy` sits at the top of it, where
 * the approval request reads who started a manual run (nobody approves their own change, seed
 * 002), as the undo's input has it. A runbook started by alarms can be started by hand: its steps
 * read the target and verify by an alarm, which the start names. A runbook started by a service
 * event can be when its module says what the start must name besides the target (its
 * `manualStart`: an IAM user's access key id, say), which the event would have named; a
 * runbook started by a budget alert acts on what the alert says, and cannot be.
 */
export const MANUAL_START_SOURCE = 'runbook-autopilot';
export const MANUAL_START_DETAIL_TYPE = 'Manual Start';

/** As config names approvers (lib/config/schema.ts): the person who starts a run is refused as its approver by that name. */
export const PERSON_NAME = /^[a-z][a-z0-9._-]{0,62}$/;
/** One manual start: the execution is named after it, so sending the same start again starts nothing twice. */
export const MANUAL_REQUEST_ID = /^man-[0-9a-f]{16}$/;

export const manualStartEventSchema = z.object({
  source: z.literal(MANUAL_START_SOURCE),
  'detail-type': z.literal(MANUAL_START_DETAIL_TYPE),
  /** When the person asked (ISO 8601): the incident's firedAt. */
  time: z.iso.datetime(),
  startedBy: z.string().check(z.regex(PERSON_NAME, 'a lower-case user name, as config names approvers')),
  detail: z.object({
    /** The runbook the person meant: a start sent to another runbook's state machine is rejected. */
    runbook: z.string().check(z.minLength(1)),
    target: z.string().check(z.minLength(1), z.maxLength(512)),
    /** The alarm whose return to OK verifies the run (a runbook started by alarms). */
    alarmName: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
    /** What the run acts on besides its target, where the runbook's start names it (an access key id). */
    occurrence: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
    reason: z.string().check(z.minLength(1), z.maxLength(500)),
    requestId: z.string().check(z.regex(MANUAL_REQUEST_ID, 'man-<16 hex digits>')),
  }),
});
export type ManualStartEvent = z.infer<typeof manualStartEventSchema>;

export interface ManualStart {
  readonly runbook: string;
  readonly target: string;
  readonly alarmName?: string;
  readonly occurrence?: string;
  readonly reason: string;
  readonly startedBy: string;
  readonly requestId: string;
  readonly time: Date;
}

/** The state machine input of a manual start. */
export function manualStartEvent(s: ManualStart): ManualStartEvent {
  return {
    source: MANUAL_START_SOURCE, 'detail-type': MANUAL_START_DETAIL_TYPE, time: s.time.toISOString(), startedBy: s.startedBy,
    detail: {
      runbook: s.runbook, target: s.target, ...(s.alarmName !== undefined ? { alarmName: s.alarmName } : {}),
      ...(s.occurrence !== undefined ? { occurrence: s.occurrence } : {}), reason: s.reason, requestId: s.requestId,
    },
  };
}

/** Whether an input says it is a manual start (well-formed or not: the schema says that). */
export function isManualStart(event: unknown): event is { source: string; 'detail-type': string; detail?: { runbook?: unknown } } {
  const head = typeof event === 'object' && event !== null ? event as { source?: unknown; 'detail-type'?: unknown } : {};
  return head.source === MANUAL_START_SOURCE && head['detail-type'] === MANUAL_START_DETAIL_TYPE;
}
