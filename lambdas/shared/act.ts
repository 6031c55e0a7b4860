import { classifyAwsError, mayHaveTakenEffect } from './errors';
import { generationKey, generationOf, isUnsettled, type ActionRecord, type Ledger } from './ledger';
import { logger } from './logger';
import { count } from './metrics';
import { METRIC } from '../domain/metrics';
import type { Incident } from './task-input';

export interface ActionSpec<B, A, O = B> {
  /** The runbook step making the call ("stop", "switch", "restore"): one action per step. */
  readonly step: string;
  /** AWS operation, as "service:Operation". */
  readonly operation: string;
  /** The resource the call changes (name or ARN). */
  readonly target: string;
  /** The call's exact parameters, as the API takes them: what a dry run plans. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The value the call is meant to set: a dry run's planned `after`, recorded with the row of intent. */
  readonly intended: A;
  /** Reads the value the call will replace; recorded before the call. */
  readonly readBefore: () => Promise<B>;
  /**
   * Makes the call; returns the value it set. Reached only when the target does not show the change
   * in effect. `before` is the value recorded for the ledger (the first attempt's read: what an undo
   * puts back); `current` is the target as read just before this call: the same read on a first
   * attempt, read again on a retry or a redrive of the row. A check of whether the call is still
   * wanted (not lowering what someone raised since, not overwriting a deploy made since) reads
   * `current`: between attempts the target may have changed hands.
   */
  readonly mutate: (before: B, current: B) => Promise<A>;
  /** Reads the target now, to tell whether the change is in effect. @default readBefore */
  readonly observe?: () => Promise<O>;
  /**
   * The `after` the change left, when `observed` shows it in effect; undefined when it is not.
   * Asked after a lost answer (the row is `unknown`), and before another execution's finished call
   * is replayed instead of made.
   */
  readonly inEffect: (observed: O, before: B) => A | undefined;
  /**
   * A change of several calls (one delete per task): whether part of it is in effect though not all
   * (inEffect said no). Such a row stays `unknown`, never `failed`, until the rest is done. @default never
   */
  readonly partlyInEffect?: (observed: O, before: B) => boolean;
  /** An undo's restore: the ledger key of the action it puts back, recorded in its row. */
  readonly undoes?: string;
}

export interface ActionResult<B, A> {
  readonly operation: string;
  readonly target: string;
  readonly before: B;
  readonly after: A;
  /** True when no call was made now: the ledger (or a re-read of the target) showed the change already made. */
  readonly replayed: boolean;
  /** True in a dry run: nothing was called; `after` is what the call would set. */
  readonly planned: boolean;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** The execution making the call: its ARN, and which run of it (0, then one more per redrive). */
export interface ExecutionRef {
  readonly id: string;
  readonly redriveCount?: number;
}

export interface ActionOptions {
  /** Plan instead of act: read, record the exact call as planned, make no change. */
  readonly dryRun?: boolean;
}

/**
 * Audit before act: writes the row of intent (with the value it replaces) before the mutating
 * call and completes it after. The action key makes a Retry, redrive or re-run of the same step
 * find its row, and what the row says decides:
 * - `intent` or `unknown` (an answer lost, a ledger write lost): the target is read again first and
 *   the row settled, succeeded with the `after` found or failed; then as below.
 * - `succeeded` (or `planned`) by this execution: replayed, no call.
 * - `succeeded` by another execution (a re-run of the incident): replayed only while the target
 *   still shows the change in effect; otherwise (undone, or changed since) a new row `<key>#2` is
 *   a new chance to act.
 * - `failed`: nothing of it took effect; the target is read (it may have been fixed by hand since,
 *   or held the value already): in effect, no call, and a new row `<key>#n` records what was read
 *   (succeeded, no attempt) while the refused row stays failed, so the step's result is always its
 *   newest row's; otherwise retried with the value recorded the first time.
 * A dry run never calls `mutate`, whatever the row says: it reads, and records a plan.
 * A call that may have taken effect but gave no answer leaves the row `unknown`, never `failed`.
 *
 * A redriven run (`execution.redriveCount` > 0) first takes its incident back (failed -> admitted,
 * once per run); taken over by another execution or being undone, it acts on nothing. A bare
 * execution ARN (the undo, whose own claim arbitrates it) takes nothing back.
 */
export async function performAction<B, A, O = B>(
  ledger: Ledger,
  incident: Incident,
  execution: string | ExecutionRef,
  spec: ActionSpec<B, A, O>,
  options: ActionOptions = {},
): Promise<ActionResult<B, A>> {
  const { id: executionArn, redriveCount = 0 } = typeof execution === 'string' ? { id: execution } : execution;
  if (redriveCount > 0) {
    const { resumed } = await ledger.resumeIncident(incident.id, executionArn, redriveCount);
    if (resumed) logger.info('Redriven run took its incident back before acting', { incidentId: incident.id, redriveCount });
  }
  const baseKey = `${spec.step}#${spec.operation}#${spec.target}`;
  const dryRun = options.dryRun === true;
  const result = (before: B, after: A, replayed: boolean, planned: boolean): ActionResult<B, A> => ({
    operation: spec.operation, target: spec.target, before, after, replayed, planned, parameters: spec.parameters,
  });
  const replay = (row: ActionRecord) => result(row.before as B, row.after as A, true, row.status === 'planned');
  const read = () => readOrClassify(spec.observe ?? (spec.readBefore as unknown as () => Promise<O>), `reading ${spec.target} to tell whether ${spec.operation} is in effect`);

  /**
   * Settles a row whose outcome is unknown from what the target holds now: in effect (succeeded), or
   * not at all (failed). Part of a multi-call change in effect leaves it unknown (`partly`): what is
   * left may be done, but the row never says nothing happened.
   */
  const reconcile = async (row: ActionRecord): Promise<{ row: ActionRecord; partly: boolean; observed: O }> => {
    const observed = await read();
    const after = spec.inEffect(observed, row.before as B);
    if (after === undefined && spec.partlyInEffect?.(observed, row.before as B)) {
      logger.info('Unsettled action partly in effect: the rest may be done', { actionKey: row.actionKey });
      return { row, partly: true, observed };
    }
    const settled = await ledger.settleAction(incident.id, row.actionKey, after !== undefined
      ? { inEffect: true, after }
      : { inEffect: false, reason: `reconciled: ${spec.operation} on ${spec.target} is not in effect (read again after ${row.error ?? 'the attempt ended without a record'})` });
    logger.info('Unsettled action reconciled by reading the target again', { actionKey: row.actionKey, status: settled.status });
    return { row: settled, partly: false, observed };
  };

  const readBefore = () => readOrClassify(spec.readBefore, `reading ${spec.target} before ${spec.operation}`);
  /** The fields every row of the key carries, for its generation. */
  const rowOf = (generation: number, before: B) => ({
    incidentId: incident.id, actionKey: generationKey(baseKey, generation), runbook: incident.runbook, operation: spec.operation, target: spec.target,
    executionArn, before, parameters: spec.parameters, intended: spec.intended,
    ...(generation > 1 ? { generation } : {}), ...(spec.undoes ? { undoes: spec.undoes } : {}),
  });

  /** A first row (or the next generation): read before, then plan or write the row of intent and call. */
  const fresh = async (generation: number): Promise<ActionResult<B, A>> => {
    const before = await readBefore();
    const row = rowOf(generation, before);
    const key = row.actionKey;
    if (dryRun) {
      await ledger.recordPlan({ ...row, after: spec.intended });
      logger.info('Dry run: action planned, not made', { actionKey: key, parameters: spec.parameters });
      return result(before, spec.intended, false, true);
    }
    const intent = await ledger.recordIntent(row);
    // Lost a race with a concurrent attempt: its row stands, and this attempt goes on from it.
    if (!intent.created) return decide(intent.existing, true);
    return call(key, before);
  };

  /** What the newest row of the key says to do. */
  const decide = async (found: ActionRecord, raced = false): Promise<ActionResult<B, A>> => {
    let row = found;
    let reconciled = false;
    let partly = false;
    /** The target as this attempt read it to settle the row, if it did. */
    let observed: O | undefined;
    if (isUnsettled(row.status) && !(raced && row.executionArn === executionArn && row.status === 'intent')) {
      ({ row, partly, observed } = await reconcile(row));
      reconciled = true;
    }
    const ours = row.executionArn === executionArn;
    if (row.status === 'planned') {
      if (ours || dryRun) return replay(row);
      return fresh(generationOf(row) + 1);
    }
    if (row.status === 'succeeded') {
      if (ours || reconciled) return replay(row);
      // Another execution's change: it stands for this call only while it is still in effect.
      if (spec.inEffect(await read(), row.before as B) !== undefined) return replay(row);
      logger.info('An earlier execution\'s change is no longer in effect: acting again', { actionKey: row.actionKey, by: row.executionArn });
      return fresh(generationOf(row) + 1);
    }
    if (dryRun) return fresh(generationOf(row) + 1);
    if (row.status === 'failed' && !reconciled) {
      // Refused before; the target may have been fixed since (by hand, between the failure and a
      // redrive): read it, and act only if it still needs the change. The row stays failed: the call was not this run's.
      observed = await read();
      const after = spec.inEffect(observed, row.before as B);
      if (after !== undefined) return foundInEffect(generationOf(row) + 1, after);
    }
    // failed, partly done, or an overlapping attempt's row of intent: retried with the value recorded the
    // first time, while the call's own checks see the target as it is now (read before the row is
    // touched; the read that settled the row is that read, where the step reads the target one way).
    const current = spec.observe === undefined && observed !== undefined ? (observed as unknown as B) : await readBefore();
    const retry = await ledger.retryIntent(incident.id, row.actionKey);
    if (!retry.retried) {
      logger.info('Action finished by a concurrent attempt; not repeating it', { actionKey: row.actionKey, status: retry.existing.status });
      return replay(retry.existing);
    }
    return call(row.actionKey, row.before as B, partly, current);
  };

  /**
   * A refused row's target found with the change in effect: no call; a new row of the key records
   * it (succeeded, no attempt, `before` as read now), so the ledger's newest row says what the step
   * reports. The refused row stays failed: the change was not its call's, and an undo restores
   * the value read now, not the one the refused row replaced.
   */
  const foundInEffect = async (generation: number, after: A): Promise<ActionResult<B, A>> => {
    const before = await readBefore();
    const recorded = await ledger.recordFoundInEffect({ ...rowOf(generation, before), after });
    if (!recorded.created) return decide(recorded.existing, true);
    logger.info('The change is in effect, though this action\'s call was refused: not made; recorded as found', { actionKey: recorded.row.actionKey, before, after });
    return replay(recorded.row);
  };

  /**
   * Makes the call. `partly`: part of the change is in effect already, so no error makes the row
   * `failed`. `current`: the target as read just before (on a first attempt, `before` itself).
   */
  const call = async (key: string, before: B, partly = false, current: B = before): Promise<ActionResult<B, A>> => {
    let after: A;
    try {
      after = await spec.mutate(before, current);
    } catch (e: unknown) {
      const error = classifyAwsError(e, `${spec.operation} on ${spec.target}`);
      const message = `${error.name}: ${error.message}`;
      // Counted once the call has ended, whatever the ledger write does next: the call is the fact.
      count(METRIC.actionsFailed, { runbook: incident.runbook, executionArn, incidentId: incident.id });
      if (partly || mayHaveTakenEffect(error)) {
        await ledger.markUnknown(incident.id, key, message);
        logger.warn('Call ended without an answer that says whether it took effect: row left unknown', { actionKey: key, error: message });
        throw error;
      }
      // Refused: nothing of it took effect (a retry was preceded by a read of the target, so an
      // earlier attempt's change would have been found there, not met as a refusal).
      await ledger.failAction(incident.id, key, message);
      throw error;
    }
    count(spec.undoes ? METRIC.actionsUndone : METRIC.actionsTaken, { runbook: incident.runbook, executionArn, incidentId: incident.id });
    await ledger.completeAction(incident.id, key, after);
    logger.info('Action done', { actionKey: key, before, after });
    return result(before, after, false, false);
  };

  const latest = await ledger.latestAction(incident.id, baseKey);
  return latest ? decide(latest) : fresh(1);
}

async function readOrClassify<T>(read: () => Promise<T>, doing: string): Promise<T> {
  try {
    return await read();
  } catch (e: unknown) {
    throw classifyAwsError(e, doing);
  }
}
