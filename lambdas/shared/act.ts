import { classifyAwsError } from './errors';
import type { Ledger } from './ledger';
import { logger } from './logger';
import type { Incident } from './task-input';

export interface ActionSpec<B, A> {
  /** The runbook step making the call ("stop", "switch", "restore"): one action per step. */
  readonly step: string;
  /** AWS operation, as "service:Operation". */
  readonly operation: string;
  /** The resource the call changes (name or ARN). */
  readonly target: string;
  /** The call's exact parameters, as the API takes them: what a dry run plans. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The value the call is meant to set: a dry run's planned `after`. */
  readonly intended: A;
  /** Reads the value the call will replace; recorded before the call. */
  readonly readBefore: () => Promise<B>;
  /** Makes the call; returns the value it set. Must be safe to repeat (Retry, redrive). */
  readonly mutate: (before: B) => Promise<A>;
}

export interface ActionResult<B, A> {
  readonly operation: string;
  readonly target: string;
  readonly before: B;
  readonly after: A;
  /** True when the ledger already held this action as done, so no call was made. */
  readonly replayed: boolean;
  /** True in a dry run: nothing was called; `after` is what the call would set. */
  readonly planned: boolean;
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface ActionOptions {
  /** Plan instead of act: read, record the exact call as planned, make no change. */
  readonly dryRun?: boolean;
}

/**
 * Audit before act: writes the row of intent (with the value it replaces) before the mutating
 * call and completes it after. The action key makes a Retry or redrive of the same step find
 * its own row: a finished action is not repeated, an unfinished one is retried with the value
 * recorded the first time, so `before` is always the state before the runbook touched it.
 */
export async function performAction<B, A>(
  ledger: Ledger,
  incident: Incident,
  executionArn: string,
  spec: ActionSpec<B, A>,
  options: ActionOptions = {},
): Promise<ActionResult<B, A>> {
  const actionKey = `${spec.step}#${spec.operation}#${spec.target}`;
  const result = (before: B, after: A, replayed: boolean, planned: boolean): ActionResult<B, A> => ({
    operation: spec.operation, target: spec.target, before, after, replayed, planned, parameters: spec.parameters,
  });
  const existing = await ledger.getAction(incident.id, actionKey);
  if (existing?.status === 'succeeded' || existing?.status === 'planned') {
    logger.info('Action already recorded for this incident; not repeating it', { actionKey, status: existing.status });
    return result(existing.before as B, existing.after as A, true, existing.status === 'planned');
  }

  if (options.dryRun && !existing) {
    const before = await readOrClassify(spec.readBefore, `reading ${spec.target} before ${spec.operation}`);
    await ledger.recordPlan({
      incidentId: incident.id, actionKey, runbook: incident.runbook, operation: spec.operation,
      target: spec.target, executionArn, before, after: spec.intended, parameters: spec.parameters,
    });
    logger.info('Dry run: action planned, not made', { actionKey, parameters: spec.parameters });
    return result(before, spec.intended, false, true);
  }

  let before: B;
  let retrying = existing !== undefined;
  if (existing) {
    before = existing.before as B;
  } else {
    before = await readOrClassify(spec.readBefore, `reading ${spec.target} before ${spec.operation}`);
    const intent = await ledger.recordIntent({
      incidentId: incident.id, actionKey, runbook: incident.runbook, operation: spec.operation,
      target: spec.target, executionArn, before, parameters: spec.parameters,
    });
    // Lost a race with a concurrent attempt: keep the first recorded `before`, and go on as a retry of it.
    if (!intent.created) {
      before = intent.existing.before as B;
      retrying = true;
    }
  }
  if (retrying) {
    // A concurrent attempt (an overlapping Retry of the same step) may have finished it meanwhile.
    const retry = await ledger.retryIntent(incident.id, actionKey);
    if (!retry.retried) {
      logger.info('Action finished by a concurrent attempt; not repeating it', { actionKey, status: retry.existing.status });
      return result(retry.existing.before as B, retry.existing.after as A, true, retry.existing.status === 'planned');
    }
  }

  let after: A;
  try {
    after = await spec.mutate(before);
  } catch (e: unknown) {
    const error = classifyAwsError(e, `${spec.operation} on ${spec.target}`);
    await ledger.failAction(incident.id, actionKey, `${error.name}: ${error.message}`);
    throw error;
  }
  await ledger.completeAction(incident.id, actionKey, after);
  logger.info('Action done', { actionKey, before, after });
  return result(before, after, false, false);
}

async function readOrClassify<T>(read: () => Promise<T>, doing: string): Promise<T> {
  try {
    return await read();
  } catch (e: unknown) {
    throw classifyAwsError(e, doing);
  }
}
