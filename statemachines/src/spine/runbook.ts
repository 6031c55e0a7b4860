/**
 * A runbook's state machine around its own steps: the admit prologue (dedupe, allowlist,
 * switches, cooldown, safety rails) and the dry-run branch every mutating runbook takes after its
 * first action. A runbook ends in one of two ways: it decides to stop (held by a rail, rejected,
 * target gone, not verified) and notifies or escalates; or a step fails after its Retry and the
 * execution fails at that state, with its error and cause, where a redrive retries exactly that
 * step. The stack's execution-failure rule hears such a failure and escalates it
 * (lambdas/notify/execution-failed.ts).
 */
import { FAILURES_HEARD, type Definition, type States } from '../asl';
import { DefinitionError } from '../check';
import { withReport } from './report';
import { EXECUTION, type Spine } from './tasks';

/** Admit's state, where every run starts (its calls are the spine's: runbooks/module.ts ADMIT_CALLS). */
export const ADMIT = 'Admit: dedupe, allowlist, switches, cooldown';
/** A duplicate delivery: the incident is another execution's, and so is its report. */
const ALREADY_HANDLED = 'Already handled';

/** Joins parts in order; a state defined twice is an error, not a silent overwrite. */
export function assemble(machine: string, parts: readonly States[]): States {
  const states: Record<string, States[string]> = {};
  const twice = new Set<string>();
  for (const [name, state] of parts.flatMap((p) => Object.entries(p))) {
    if (name in states) twice.add(name);
    states[name] = state;
  }
  if (twice.size > 0) throw new DefinitionError([...twice].map((name) => `${machine}: "${name}" is defined twice`));
  return states;
}

export interface RunbookMachine {
  readonly comment: string;
  /** What starts the runbook, as the first state's comment. @default a CloudWatch alarm event */
  readonly trigger?: string;
  /** The runbook's first own state, once admitted. */
  readonly admitted: string;
  /** The runbook's own states and the spine parts it uses, in reading order. */
  readonly states: readonly States[];
  /**
   * A runbook with no alarm to verify by (no `$.verify`): the `$.<field>` of the check it polls
   * until its change has taken effect (pollUntilDone), which its report shows as the verification.
   */
  readonly verifiedBy?: string;
}

/**
 * A runbook: admit, then its own states, each ending through the report step. A step failing after
 * its Retry fails the execution there (the execution-failure notifier writes the report then).
 */
export function runbookMachine(spine: Spine, m: RunbookMachine): Definition {
  if (spine.failure !== undefined || spine.failed !== undefined) {
    throw new DefinitionError([`${spine.name}: a runbook catches no failure into a path of its own: its failed execution is escalated by the stack's execution-failure rule, and a redrive retries the failed step`]);
  }
  return {
    Comment: m.comment,
    StartAt: 'Receive event',
    States: withReport(spine, assemble(spine.name, [admitPrologue(spine, m.trigger ?? 'The CloudWatch alarm event, as EventBridge delivers it.', m.admitted), ...m.states]), {
      facts: true, without: [ALREADY_HANDLED], ...(m.verifiedBy ? { verifiedBy: m.verifiedBy } : {}),
    }),
    [FAILURES_HEARD]: "the stack's execution-failure rule (FAILED, TIMED_OUT, ABORTED) escalates, naming the state that failed",
  };
}

function admitPrologue(spine: Spine, trigger: string, admitted: string): States {
  const decision = '$.admission.decision';
  return {
    'Receive event': {
      Type: 'Pass', Comment: trigger,
      Parameters: { 'event.$': '$', admission: { incident: null, switches: null, dryRun: false } },
      Next: ADMIT,
    },
    [ADMIT]: spine.task('AdmitFunctionArn', {
      comment: 'Dedupe the alarm transition, enforce the allowlist, the kill switch and the runbook switch, and the cooldown.',
      payload: { runbook: spine.name, 'event.$': '$.event', ...EXECUTION },
      result: ['decision', 'reason', 'incident', 'switches', 'dryRun'], at: '$.admission', next: 'Admitted?',
    }),
    'Admitted?': {
      Type: 'Choice',
      Choices: [
        { Variable: decision, StringEquals: 'admit', Next: admitted },
        { Variable: decision, StringEquals: 'duplicate', Next: ALREADY_HANDLED },
        { Variable: decision, StringEquals: 'reject', Next: 'Notify rejected' },
        { Or: [{ Variable: decision, StringEquals: 'flapping' }, { Variable: decision, StringEquals: 'capped' }], Next: 'Escalate: held by a safety rail' },
      ],
      Default: 'Notify held: switched off or cooling down',
    },
    [ALREADY_HANDLED]: { Type: 'Succeed', Comment: 'The same alarm transition is (or was) handled by another execution; nothing to do.' },
    'Notify held: switched off or cooling down': spine.notify('skipped', '$.admission.reason'),
    'Notify rejected': spine.notify('rejected', '$.admission.reason'),
    'Escalate: held by a safety rail': spine.escalate('$.admission.reason'),
  };
}

/** After a mutating step: a dry run planned its call and made none, so it notifies the plan and verifies nothing. */
export function plannedOnly(spine: Spine, o: { readonly action: string; readonly otherwise: string }): States {
  return {
    'Planned only?': {
      Type: 'Choice', Comment: 'A dry run planned the call and made none.',
      Choices: [{ Variable: `${o.action}.planned`, BooleanEquals: true, Next: 'Verify: planned, not verified' }],
      Default: o.otherwise,
    },
    'Verify: planned, not verified': {
      Type: 'Pass', Comment: 'Nothing changed, so nothing is verified: the result says so rather than claiming success.',
      Result: { status: 'planned', reason: 'planned; not verified' }, ResultPath: '$.verify', Next: 'Notify plan (dry run)',
    },
    'Notify plan (dry run)': spine.notify('skipped', 'dry run: the exact calls are planned in the ledger; nothing was changed (planned; not verified)'),
  };
}
