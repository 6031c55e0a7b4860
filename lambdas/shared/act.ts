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
): Promise<ActionResult<B, A>> {
  const actionKey = `${spec.step}#${spec.operation}#${spec.target}`;
  const existing = await ledger.getAction(incident.id, actionKey);
  if (existing?.status === 'succeeded') {
    logger.info('Action already done for this incident; not repeating it', { actionKey });
    return { operation: spec.operation, target: spec.target, before: existing.before as B, after: existing.after as A, replayed: true };
  }

  let before: B;
  if (existing) {
    before = existing.before as B;
    await ledger.retryIntent(incident.id, actionKey);
  } else {
    before = await readOrClassify(spec.readBefore, `reading ${spec.target} before ${spec.operation}`);
    const intent = await ledger.recordIntent({
      incidentId: incident.id, actionKey, runbook: incident.runbook, operation: spec.operation,
      target: spec.target, executionArn, before,
    });
    // Lost a race with a concurrent attempt: keep the first recorded `before`.
    if (!intent.created) before = intent.existing.before as B;
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
  return { operation: spec.operation, target: spec.target, before, after, replayed: false };
}

async function readOrClassify<T>(read: () => Promise<T>, doing: string): Promise<T> {
  try {
    return await read();
  } catch (e: unknown) {
    throw classifyAwsError(e, doing);
  }
}
