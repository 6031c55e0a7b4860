/**
 * Loops that wait for the world to catch up: verify-or-escalate after acting (the alarm that
 * fired back to OK, or a runbook's own check), and poll-until-done (a table ACTIVE, a backup
 * AVAILABLE, a rollout complete). Each is a Pass that starts at attempt 0, a check, a Choice, and
 * a Wait that loops back; the handler decides how long to wait and when to give up.
 */
import type { Catcher, ChoiceRule, Fields, States } from '../asl';
import type { Spine } from './tasks';

interface LoopNames {
  readonly start: string;
  readonly check: string;
  readonly decide: string;
  readonly wait: string;
}

export interface VerifyLoop {
  readonly names: LoopNames;
  readonly comments: { readonly start: string; readonly check: string; readonly decide: string };
  /** The step whose effect is verified (its ledger record). */
  readonly action: string;
  /** What the check reports besides its status, reason and timing. */
  readonly reports: readonly string[];
  readonly verified: string;
  readonly notVerified: string;
}

/** Verify or escalate: the verify handler's status is verified, not-verified, or pending (wait and check again). */
export function verifyLoop(spine: Spine, v: VerifyLoop): States {
  return {
    [v.names.start]: { Type: 'Pass', Comment: v.comments.start, Result: { attempt: 0 }, ResultPath: '$.verify', Next: v.names.check },
    [v.names.check]: spine.invoke('VerifyFunctionArn', {
      comment: v.comments.check,
      payload: { 'attempt.$': '$.verify.attempt', 'action.$': v.action },
      result: ['status', 'attempt', 'waitSeconds', 'elapsedSeconds', 'reason', ...v.reports], at: '$.verify', next: v.names.decide,
    }),
    [v.names.decide]: {
      Type: 'Choice', Comment: v.comments.decide,
      Choices: [
        { Variable: '$.verify.status', StringEquals: 'verified', Next: v.verified },
        { Variable: '$.verify.status', StringEquals: 'not-verified', Next: v.notVerified },
      ],
      Default: v.names.wait,
    },
    [v.names.wait]: { Type: 'Wait', SecondsPath: '$.verify.waitSeconds', Next: v.names.check },
  };
}

/** Verify or escalate for an alarm-started runbook: the alarm that fired, back to OK after `$.action`. */
export function verifyAlarm(spine: Spine, o: { readonly verified: string }): States {
  return {
    ...verifyLoop(spine, {
      names: { start: 'Start verifying the alarm', check: 'Check alarm state', decide: 'Alarm back to OK?', wait: 'Wait for the alarm to evaluate' },
      comments: {
        start: 'Verify or escalate: wait for the alarm that fired to evaluate with the fix in place, then read it.',
        check: 'DescribeAlarms on the alarm that fired (metric or composite); attempt 0 only returns the configured wait.',
        decide: '$.verify.status: verified, not-verified (an undo branch can be inserted here) or pending.',
      },
      action: '$.action', reports: ['alarm'], verified: o.verified, notVerified: 'Escalate: alarm did not clear',
    }),
    'Escalate: alarm did not clear': spine.escalate('$.verify.reason', { evidence: '$.verify' }),
  };
}

export interface PollUntilDone {
  readonly names: LoopNames;
  readonly fn: string;
  /** Where the check keeps its result (and its attempt). */
  readonly at: string;
  readonly payload?: Fields;
  /** What the check reports besides attempt, done, timedOut and pollSeconds. */
  readonly reports: readonly string[];
  /** The check also reports `failed`: given up on like a timeout. */
  readonly canFail?: boolean;
  readonly decideComment?: string;
  readonly catch?: readonly Catcher[];
  readonly done: string;
  /** Where a check that timed out (or failed) goes. */
  readonly givenUp: string;
}

/** Check, and wait `pollSeconds` and check again, until the check says done, timed out (or failed). */
export function pollUntilDone(spine: Spine, p: PollUntilDone): States {
  const flag = (name: string) => ({ Variable: `${p.at}.${name}`, BooleanEquals: true });
  const givenUp: ChoiceRule = p.canFail ? { Or: [flag('failed'), flag('timedOut')], Next: p.givenUp } : { ...flag('timedOut'), Next: p.givenUp };
  return {
    [p.names.start]: { Type: 'Pass', Result: { attempt: 0 }, ResultPath: p.at, Next: p.names.check },
    [p.names.check]: spine.invoke(p.fn, {
      payload: { 'attempt.$': `${p.at}.attempt`, ...p.payload },
      result: ['attempt', 'done', ...(p.canFail ? ['failed'] : []), 'timedOut', 'pollSeconds', ...p.reports],
      at: p.at, ...(p.catch ? { catch: p.catch } : {}), next: p.names.decide,
    }),
    [p.names.decide]: {
      Type: 'Choice', ...(p.decideComment ? { Comment: p.decideComment } : {}),
      Choices: [{ ...flag('done'), Next: p.done }, givenUp],
      Default: p.names.wait,
    },
    [p.names.wait]: { Type: 'Wait', SecondsPath: `${p.at}.pollSeconds`, Next: p.names.check },
  };
}
