/**
 * Independent parts: steps a machine attempts each whatever happened to the ones before (an
 * emergency stop halts every part that can halt). Each part's outcome is recorded in the
 * execution's data, `{ part, done, outcome, planned?, error?, again? }` at its own path; a failure
 * of a part is caught into its record and the run goes on to the next part (catch, record, carry
 * on). After the last part one Choice tells whether every part is done, and a notification given
 * the records (notify's `parts`) names each part and its outcome, with each failure's error. A
 * failure recorded `again` (one a retry may mend) is attempted once more after that notification
 * by a state that does not catch it (attemptAgain): the execution fails there, as a step failing
 * after its Retry does, and a redrive retries it.
 */
import type { Catcher, ChoiceState, Fields, PassState, States } from '../asl';
import { field, type Spine } from './tasks';

export interface Part {
  /** Where its record is kept, e.g. "$.halt.gateway". */
  readonly at: string;
  /** The part as a person reads it in the notification, e.g. "gateway". */
  readonly part: string;
}

/** Where the records are kept, created empty before the first part. */
export function startParts(o: { readonly name: string; readonly at: string; readonly comment: string; readonly next: string }): States {
  return { [o.name]: { Type: 'Pass', Comment: o.comment, Result: {}, ResultPath: o.at, Next: o.next } };
}

/**
 * The part's outcome as its step answered it (done, or not: a refusal the step reported rather than
 * raised): `outcome` in words, a path or an intrinsic; `planned`, the path of its step's dry-run flag;
 * `also`, more fields of the record.
 */
export function recordPart(p: Part, o: {
  readonly done: boolean; readonly outcome: string; readonly planned?: string; readonly also?: Fields; readonly comment?: string; readonly next: string;
}): PassState {
  return {
    Type: 'Pass', ...(o.comment ? { Comment: o.comment } : {}),
    Parameters: { part: p.part, done: o.done, ...field('outcome', o.outcome), ...(o.planned ? { 'planned.$': o.planned } : {}), ...o.also },
    ResultPath: p.at, Next: o.next,
  };
}

/**
 * Catch, record, carry on: a catcher of `errors` (the error at $.error) into a Pass, `name`, that
 * records the part not done with the error and goes on to `next`, the next part.
 */
export function carryOn(spine: Spine, p: Part, o: {
  readonly name: string; readonly errors: readonly string[]; readonly outcome: string; readonly comment?: string; readonly next: string;
  /** More fields of the record (what a later state reads: e.g. that the part is to be tried again). */
  readonly also?: Fields;
}): { readonly catch: Catcher; readonly states: States } {
  const record = recordPart(p, { done: false, outcome: o.outcome, also: { 'error.$': '$.error', ...o.also }, ...(o.comment ? { comment: o.comment } : {}), next: o.next });
  return { catch: spine.catches(o.errors, o.name), states: { [o.name]: record } };
}

/** After the parts: every one done (or planned, in a dry run) goes to `every`, any other to `notEvery`. */
export function everyPartDone(parts: readonly Part[], o: { readonly comment: string; readonly every: string; readonly notEvery: string }): ChoiceState {
  return {
    Type: 'Choice', Comment: o.comment,
    Choices: [{ And: parts.map((p) => ({ Variable: `${p.at}.done`, BooleanEquals: true })), Next: o.every }],
    Default: o.notEvery,
  };
}

/**
 * After the page: each part whose failure a retry may mend (its record says `again`: not a decided
 * failure such as not found or refused) is attempted once more, in order, by its own state, which
 * catches only the decided failures: anything else fails the execution there, so the
 * execution-failure rule pages and a redrive retries exactly that step. `choice` names each part's
 * Choice; its state goes on to the next part's Choice (the last, to `then`).
 */
export function attemptAgain(o: {
  readonly name: string; readonly comment: string;
  readonly parts: readonly { readonly part: Part; readonly choice: string; readonly state: string }[];
  readonly then: string; readonly none: string;
}): States {
  const again = (p: Part) => ({ Variable: `${p.at}.again`, IsPresent: true });
  const first = o.parts[0];
  if (!first) throw new Error(`${o.name}: no part to attempt again`);
  return {
    [o.name]: { Type: 'Choice', Comment: o.comment, Choices: [{ Or: o.parts.map((p) => again(p.part)), Next: first.choice }], Default: o.none },
    ...Object.fromEntries(o.parts.map((p, i) => [p.choice, {
      Type: 'Choice', Comment: `The ${p.part.part} did not halt for a reason a retry may mend: attempted again.`,
      Choices: [{ ...again(p.part), Next: p.state }], Default: o.parts[i + 1]?.choice ?? o.then,
    } satisfies ChoiceState])),
  };
}
