/**
 * The approval gate of a human-gated step (seed 004): ask the approvers of level L1 and wait for
 * the task token; no decision by the deadline re-sends the request to L2, then L3; after L3 the
 * request is closed as timed out. A rejection is parsed from SendTaskFailure's Cause. The gated
 * step runs only on `approved`, or on a timeout where the gate's onTimeout says proceed.
 */
import type { ChoiceRule, Fields, States } from '../asl';
import { NOT_ASKED } from '../../../lambdas/domain/approval';
import { EXECUTION, INCIDENT, LAMBDA_INVOKE_WAIT_FOR_TOKEN, field, type Spine } from './tasks';

/** The dry-run and escalation states' names, when a machine has one gate (a second gate names its own). */
const ESCALATION_NAMES = {
  dryRun: 'Dry run?', notAsked: 'Dry run: no approval asked',
  recordRejection: 'Record rejection', escalate: 'Escalate approval?', resendL2: 'Re-send to L2', resendL3: 'Re-send to L3', timedOut: 'Approval timed out',
} as const;

export interface ApprovalGate {
  readonly names: {
    readonly prepare: string; readonly ask: string; readonly rejected: string; readonly approved: string;
  } & Partial<Record<keyof typeof ESCALATION_NAMES, string>>;
  /** The gate's step, as the approval handlers and the ledger name it (e.g. "restore"). */
  readonly step: string;
  /** Where the gate keeps its level and deadline, e.g. "$.restoreApproval". */
  readonly at: string;
  /** The substitution holding the deadline per level, in seconds. */
  readonly deadline: string;
  readonly prepare: { readonly comment: string; readonly parameters?: Fields };
  readonly ask: {
    readonly comment: string;
    /** What started the run, shown to the approvers. @default "$.event" */
    readonly event?: string | Fields;
    /** The exact call asked for, and its evidence, besides the step. */
    readonly gate: Fields;
  };
  /** @default the deadline passed after L3: close the request; onTimeout says abort or proceed */
  readonly timedOutComment?: string;
  readonly approvedComment: string;
  /** Rules tried before the approval's, e.g. for an approval that never happened. */
  readonly before?: readonly ChoiceRule[];
  readonly whenApproved: string;
  readonly otherwise: string;
  /**
   * A dry run (`$.admission.dryRun`) asks nobody: the gate hands `{ decision: 'not-asked' }` to the
   * gated step, which plans its call and makes none. Off only for a machine without a dry run (the undo).
   * @default true
   */
  readonly dryRunAsksNobody?: boolean;
}

export function approvalGate(spine: Spine, g: ApprovalGate): States {
  const names = { ...ESCALATION_NAMES, ...g.names };
  const dryRun = g.dryRunAsksNobody ?? true;
  const level = `${g.at}.level`;
  const decision = '$.approval.decision';
  const parsed = (f: string) => [`${f}.$`, `$.approval.parsed.${f}`];
  return {
    [names.prepare]: {
      Type: 'Pass', Comment: g.prepare.comment,
      Parameters: { level: 'L1', 'timeoutSeconds.$': `States.StringToJson('\${${g.deadline}}')`, ...g.prepare.parameters },
      ResultPath: g.at, Next: dryRun ? names.dryRun : names.ask,
    },
    ...(dryRun ? {
      [names.dryRun]: {
        Type: 'Choice', Comment: 'A dry run plans the exact call and asks nobody.',
        Choices: [{ Variable: '$.admission.dryRun', BooleanEquals: true, Next: names.notAsked }],
        Default: names.ask,
      },
      [names.notAsked]: { Type: 'Pass', Result: { decision: NOT_ASKED }, ResultPath: '$.approval', Next: g.whenApproved },
    } : {}),
    [names.ask]: {
      ...spine.task('ApprovalRequestFunctionArn', {
        comment: g.ask.comment,
        payload: {
          mode: 'request', 'taskToken.$': '$$.Task.Token', ...INCIDENT, ...EXECUTION, ...field('event', g.ask.event ?? '$.event'),
          'level.$': level, gate: { step: g.step, ...g.ask.gate },
        },
        at: '$.approval',
        catch: [
          { ErrorEquals: ['ApprovalRejected'], ResultPath: '$.approvalError', Next: names.rejected },
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.approvalError', Next: names.escalate },
        ],
        next: names.approved,
      }),
      Resource: LAMBDA_INVOKE_WAIT_FOR_TOKEN,
      TimeoutSecondsPath: `${g.at}.timeoutSeconds`,
    },
    [names.rejected]: {
      Type: 'Pass', Comment: "SendTaskFailure's Cause carries the decisions as JSON: parse it, then keep it at $.approval as an approval's result is.",
      Parameters: { 'parsed.$': 'States.StringToJson($.approvalError.Cause)' }, ResultPath: '$.approval', Next: names.recordRejection,
    },
    [names.recordRejection]: {
      Type: 'Pass',
      Parameters: Object.fromEntries(['decision', 'requestId', 'level', 'requiredApprovals', 'autoApproved', 'approvals'].map(parsed)),
      ResultPath: '$.approval', Next: names.approved,
    },
    [names.escalate]: {
      Type: 'Choice', Comment: 'Seed 004: no decision by the deadline re-sends the request one level up (L1 -> L2 -> L3), with a new deadline.',
      Choices: [{ Variable: level, StringEquals: 'L1', Next: names.resendL2 }, { Variable: level, StringEquals: 'L2', Next: names.resendL3 }],
      Default: names.timedOut,
    },
    [names.resendL2]: { Type: 'Pass', Result: 'L2', ResultPath: level, Next: names.ask },
    [names.resendL3]: { Type: 'Pass', Result: 'L3', ResultPath: level, Next: names.ask },
    [names.timedOut]: spine.task('ApprovalRequestFunctionArn', {
      comment: g.timedOutComment ?? "The last level let the deadline pass: close the request in the ledger; the gate's onTimeout says abort (default) or proceed.",
      payload: { mode: 'expire', ...INCIDENT, ...EXECUTION, gate: { step: g.step }, 'level.$': level },
      result: ['decision', 'level', 'onTimeout', 'requestIds'], at: '$.approval', next: names.approved,
    }),
    [names.approved]: {
      Type: 'Choice', Comment: g.approvedComment,
      Choices: [
        ...(g.before ?? []),
        { Variable: decision, StringEquals: 'approved', Next: g.whenApproved },
        {
          And: [
            { Variable: decision, StringEquals: 'timed-out' },
            { Variable: '$.approval.onTimeout', IsPresent: true },
            { Variable: '$.approval.onTimeout', StringEquals: 'proceed' },
          ],
          Next: g.whenApproved,
        },
      ],
      Default: g.otherwise,
    },
  };
}
