import { isDeepStrictEqual } from 'node:util';
import { UNDO_STEP_PREFIX } from '../domain/undo-plan';
import { performAction, type ActionResult, type ExecutionRef } from './act';
import { NothingToRestore } from './errors';
import type { Ledger } from './ledger';
import { logger } from './logger';
import type { Incident } from './task-input';

/** A runbook's own putting back of a change it made earlier in the same incident (a timed restore, a resume after approval). */
export interface RecordedRestore<V> {
  /** The step whose change is put back, as its ledger key names it ("switch", "pause"). */
  readonly changedBy: string;
  /** The step that puts it back ("restore", "resume"). */
  readonly step: string;
  readonly operation: string;
  readonly target: string;
  /** The target in words, for the reasons ("the model preference"). */
  readonly what: string;
  /** Whether a recorded value is one this restore can write. */
  isValue(value: unknown): value is V;
  read(): Promise<V>;
  write(value: V): Promise<V>;
  /** The exact call that writes it, as the ledger records it. */
  parameters(value: V): Readonly<Record<string, unknown>>;
  /** Before anything is read or written, with the value to put back: a gated restore checks its approval here. */
  beforeRestore?(original: V): Promise<void>;
}

export interface RestoreOutcome<V> {
  readonly restored: boolean;
  readonly reason: string;
  readonly action: ActionResult<V, V> | null;
}

/**
 * Writes back the value the earlier step recorded (its ledger row is the record; the state machine
 * carries no copy of it). Already put back by the undo: nothing to write. A value that is neither
 * what the change set nor (on a retried restore) the one being written back was set by someone
 * else since, and is theirs to keep: left as it is (`restored: false`). The write itself goes
 * through performAction: its row of intent first, and a retry settles from the target.
 */
export async function restoreRecorded<V>(ledger: Ledger, incident: Incident, execution: ExecutionRef, r: RecordedRestore<V>): Promise<RestoreOutcome<V>> {
  const changeKey = `${r.changedBy}#${r.operation}#${r.target}`;
  const changed = await ledger.latestAction(incident.id, changeKey);
  if (changed?.status !== 'succeeded' || !r.isValue(changed.before) || !r.isValue(changed.after)) {
    throw new NothingToRestore(`incident ${incident.id} has no finished ${r.changedBy} of ${r.target} in the ledger, so there is no recorded value of ${r.what} to put back`);
  }
  const original = changed.before;
  const setByChange = changed.after;
  await r.beforeRestore?.(original);
  // An operator may have undone the change already (npm run undo): the same record was put back.
  const undone = await ledger.latestAction(incident.id, `${UNDO_STEP_PREFIX}${changeKey}`);
  if (undone?.status === 'succeeded' && (undone.undoes ?? changed.actionKey) === changed.actionKey) {
    return { restored: true, reason: `already restored to the recorded value by the undo ${undone.executionArn}`, action: null };
  }

  const begun = await ledger.latestAction(incident.id, `${r.step}#${r.operation}#${r.target}`);
  let current: V | undefined;
  if (begun?.status !== 'succeeded') {
    current = await r.read();
    // An unfinished restore may already have written the original: that is ours, not someone else's.
    const ours = isDeepStrictEqual(current, setByChange) || (begun !== undefined && isDeepStrictEqual(current, original));
    if (!ours) {
      logger.warn(`Not putting back ${r.what}: changed since`, { target: r.target, current, setByChange, original });
      return { restored: false, reason: `${r.what} was changed to ${String(current)} after the ${r.changedBy}; left as it is`, action: null };
    }
  }
  const action = await performAction(ledger, incident, execution, {
    step: r.step,
    operation: r.operation,
    target: r.target,
    parameters: r.parameters(original),
    intended: original,
    readBefore: async () => current ?? r.read(),
    mutate: () => r.write(original),
    observe: () => r.read(),
    inEffect: (value) => (isDeepStrictEqual(value, original) ? value : undefined),
  });
  return { restored: true, reason: 'restored', action };
}
