/**
 * Undo planning: turns an incident's ledger action rows into the exact calls that put back what
 * the runbook replaced. Pure: no AWS here. Each restore is read from the row's recorded `before`
 * (the value the runbook replaced), never from a value carried elsewhere.
 */
import { sameValue } from './canonical';
import { asIfInEffect, inverseOf, type Inverse, type RecordedAction, type RestoreKind } from './reversible';

export { canonical, sameValue } from './canonical';
export type { ItemAtKey, RecordedItems } from './recorded-items';
export type { RecordedAction, RestoreKind } from './reversible';

/** One restore call: the inverse of a finished action. */
export interface RestoreStep extends Inverse {
  /** The ledger key of the action being undone. */
  readonly sourceKey: string;
  /** The runbook step of that action ("stop", "switch"); the undo's own step is `undo-<step>`. */
  readonly sourceStep: string;
  readonly step: string;
  /**
   * The newer changes to the same resource (their source keys), undone before this one: if any of
   * them was left (someone changed the resource since), this one is left too, whatever the value.
   */
  readonly newer: readonly string[];
  /**
   * True for the oldest change to the resource: its `restoreTo` is the resource as it was before
   * the runbook, so a resource already holding it needs nothing. A newer change's `restoreTo` is
   * only an intermediate value, which someone may have set again: that is a change since.
   */
  readonly restoresStart: boolean;
}

/** An action the plan does not restore, and why (listed, never silently dropped). */
export interface LeftAlone {
  readonly sourceKey: string;
  readonly operation: string;
  readonly target: string;
  readonly why: string;
}

export interface UndoPlan {
  /** Newest action first: undone in the reverse order they were made. */
  readonly restores: readonly RestoreStep[];
  /** Finished changes that have no earlier value to put back. */
  readonly notReversible: readonly LeftAlone[];
  /** Rows that need no restore: plans, failed calls, changes already reverted or undone. */
  readonly skipped: readonly LeftAlone[];
}

/** Rows whose outcome the ledger does not know (an answer lost): planned as if they took effect; the restore reads first. */
const unsettled = (a: RecordedAction) => a.status === 'unknown' || a.status === 'intent';

export const UNDO_STEP_PREFIX = 'undo-';

/** The step part of a ledger action key (`<step>#<operation>#<target>`). */
export const stepOf = (actionKey: string): string => actionKey.split('#')[0] ?? '';

const isUndoRow = (a: RecordedAction) => stepOf(a.actionKey).startsWith(UNDO_STEP_PREFIX);

/**
 * The undo step of a source row (`<step>#<operation>#<target>[#<n>]`): `undo-<step>`, and
 * `undo-<step>-<n>` for a later row of the same key (a re-run that acted again), so each change
 * has its own undo row.
 */
export function undoStepFor(sourceKey: string): string {
  const [step = '', , , generation] = sourceKey.split('#');
  return `${UNDO_STEP_PREFIX}${step}${generation ? `-${generation}` : ''}`;
}

/**
 * The undo plan of an incident. Finished changes are restored, and so are changes whose outcome is
 * unknown (an answer lost, a row left at intent after its execution ended): planned as if they took
 * effect, and the restore reads the resource first and settles the row (undo/restore.ts). A change
 * already put back inside its own runbook (a later action on the same target whose before/after
 * mirror it, like the guardrail's timed restore) is reverted by neither, and one already undone is
 * not undone twice. An unfinished undo row (failed, or cut off) is planned again: its restore is
 * keyed like the first attempt, so it resumes rather than repeats. Callers leave out (or refuse)
 * rows of intent whose call may still be in flight.
 */
export function planUndo(actions: readonly RecordedAction[]): UndoPlan {
  const undoRows = actions.filter(isUndoRow);
  const originals = actions.filter((a) => !isUndoRow(a));
  const restores: Omit<RestoreStep, 'newer' | 'restoresStart'>[] = [];
  const notReversible: LeftAlone[] = [];
  const skipped: LeftAlone[] = [];
  const leave = (list: LeftAlone[], a: RecordedAction, why: string) => list.push({ sourceKey: a.actionKey, operation: a.operation, target: a.target, why });

  const finished = originals.filter((a) => a.status === 'succeeded');
  const revertedBy = new Map<string, string>();
  finished.forEach((a, i) => {
    // Only a change with a known inverse can be put back; a redeploy followed by a redeploy is two rollouts.
    if (revertedBy.has(a.actionKey) || 'why' in inverseOf(a)) return;
    const revert = finished.slice(i + 1).find((b) => !revertedBy.has(b.actionKey) && b.operation === a.operation && b.target === a.target
      && sameValue(b.before, a.after) && sameValue(b.after, a.before));
    if (revert) {
      revertedBy.set(a.actionKey, revert.actionKey);
      revertedBy.set(revert.actionKey, a.actionKey);
    }
  });

  for (const a of [...originals].reverse()) {
    if (a.status === 'planned') { leave(skipped, a, 'dry run: the call was planned, never made'); continue; }
    const open = unsettled(a);
    if (a.status !== 'succeeded' && !open) { leave(skipped, a, `the call did not finish (${a.status}): there is no change of record to put back`); continue; }
    const pair = revertedBy.get(a.actionKey);
    if (pair) { leave(skipped, a, `already put back within the runbook (${stepOf(a.actionKey)} and ${stepOf(pair)} cancel out)`); continue; }
    const change = open ? asIfInEffect(a) : a;
    if (!change) { leave(skipped, a, `its outcome is unknown (${a.status}) and its row does not say what it meant to set`); continue; }
    const inverse = inverseOf(change);
    if ('why' in inverse) { leave(notReversible, a, open ? `${inverse.why} (its outcome is unknown: ${a.status})` : inverse.why); continue; }
    const sourceStep = stepOf(a.actionKey);
    const step = undoStepFor(a.actionKey);
    const done = undoRows.find((u) => u.status === 'succeeded' && (u.undoes !== undefined ? u.undoes === a.actionKey : stepOf(u.actionKey) === step && u.target === a.target));
    if (done) { leave(skipped, a, `already undone by ${done.executionArn}`); continue; }
    restores.push({ sourceKey: a.actionKey, sourceStep, step, ...inverse });
  }
  // Per resource, newest first: each restore waits on the newer ones, and only the oldest may find the resource already back.
  const sameResource = (x: { kind: RestoreKind; target: string }, y: { kind: RestoreKind; target: string }) => x.kind === y.kind && x.target === y.target;
  const ordered = restores.map((r, i) => ({
    ...r,
    newer: restores.slice(0, i).filter((n) => sameResource(n, r)).map((n) => n.sourceKey),
    restoresStart: !restores.slice(i + 1).some((o) => sameResource(o, r)),
  }));
  return { restores: ordered, notReversible, skipped };
}
