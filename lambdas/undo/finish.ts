import * as z from '../shared/zod';
import { describeCaughtError } from '../domain/message';
import type { ItemKey } from '../domain/item-keys';
import { RESTORE_KINDS, REVERSIBLE } from '../domain/reversible';
import type { RestoreStep } from '../domain/undo-plan';
import { requireEnv } from '../shared/env';
import { hasErrorName } from '../shared/errors';
import { taskHandler } from '../shared/handler';
import { Ledger } from '../shared/ledger';
import { logger } from '../shared/logger';
import { caughtErrorSchema, executionSchema, incidentSchema } from '../shared/task-input';
import { holds, ITEM_KINDS, UndoResources } from './resources';
import { checkItems, itemsNotBack } from './restore-items';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const resources = new UndoResources();

const restoreSchema = z.object({
  kind: z.enum(RESTORE_KINDS),
  operation: z.string(), target: z.string(), restoreTo: z.unknown(),
  // A `dynamodb-items` restore names the cleanup's ledger row its items are read from, and its call.
  sourceKey: z.optional(z.string()), step: z.optional(z.string()), parameters: z.optional(z.record(z.string(), z.unknown())),
});
const outcomeSchema = z.object({ target: z.string(), operation: z.optional(z.string()), outcome: z.enum(['restored', 'unchanged', 'changed-since']), reason: z.string() });
const inputSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('verify'), incident: incidentSchema, execution: executionSchema,
    restores: z.array(restoreSchema), results: z.array(outcomeSchema), notReversible: z.array(z.object({ operation: z.string(), target: z.string(), why: z.string() })),
  }),
  z.object({
    mode: z.literal('fail'), incident: z.nullable(incidentSchema), execution: executionSchema,
    error: z.optional(caughtErrorSchema),
  }),
  z.object({ mode: z.literal('not-approved'), incident: incidentSchema, execution: executionSchema, decision: z.string() }),
]);

/** What a restore call puts back: a table's items are restored apart from its capacity, so one left alone says nothing of the other. */
const aspectOf = (operation: string | undefined) => REVERSIBLE.find((r) => operation !== undefined && r.restoreOperations.includes(operation))?.kind ?? operation;
const sameResource = (a: { target: string; operation?: string }, b: { target: string; operation?: string }) =>
  a.target === b.target && aspectOf(a.operation) === aspectOf(b.operation);

export interface ResourceCheck {
  readonly target: string;
  readonly operation: string;
  readonly expected: unknown;
  readonly found: unknown;
  readonly restored: boolean;
}

export interface UndoVerification {
  readonly allRestored: boolean;
  readonly reason: string;
  readonly checks: readonly ResourceCheck[];
}

/** Records how the undo ended beside the incident; a claim that is not this execution's stays as it is. */
async function record(incidentId: string, executionArn: string, status: 'undone' | 'escalated' | 'failed' | 'not-approved', reason: string): Promise<void> {
  try {
    await ledger.finishUndo(incidentId, executionArn, status, reason);
  } catch (e: unknown) {
    if (!hasErrorName(e, 'ConditionalCheckFailedException')) throw e;
    logger.warn('The undo of this incident belongs to another execution; not updating it', { incidentId });
  }
}

/**
 * Verify an undo: re-read every resource a restore was planned for and check it holds the
 * recorded value; then record the undo's outcome beside the incident. `fail` records a failed
 * undo (so it may be run again) before the failure is escalated.
 */
export const handler = taskHandler(inputSchema, async (input): Promise<UndoVerification | { recorded: boolean }> => {
  if (input.mode === 'fail') {
    if (!input.incident) return { recorded: false };
    await record(input.incident.id, input.execution.id, 'failed', describeCaughtError(input.error) ?? 'a step of the undo failed');
    return { recorded: true };
  }
  if (input.mode === 'not-approved') {
    // Nothing was restored: the undo may be asked for again.
    await record(input.incident.id, input.execution.id, 'not-approved', `undo not approved (${input.decision}): nothing was restored`);
    return { recorded: true };
  }
  const { incident, execution, restores, results, notReversible } = input;
  const checks: ResourceCheck[] = [];
  // Restores run in plan order (newest change first), so a target changed twice (the stop, then
  // the approved restore) ends on its last restore's value: check that one per resource.
  const finalRestores = restores.filter((r, i) => !restores.slice(i + 1).some((later) => later.kind === r.kind && later.target === r.target));
  // The keys of an items check not read back as recorded: named in the reason, not carried in the check.
  const itemsNotRestored = new Map<ResourceCheck, ItemKey[]>();
  for (const r of finalRestores) {
    if (ITEM_KINDS.has(r.kind)) {
      const { notBack, ...check } = await checkItems(ledger, resources, incident.id, r as unknown as RestoreStep);
      const c = { target: r.target, operation: r.operation, ...check };
      itemsNotRestored.set(c, notBack);
      checks.push(c);
      continue;
    }
    const found = await resources.read(r.kind, r.target, r.parameters);
    checks.push({ target: r.target, operation: r.operation, expected: r.restoreTo, found, restored: holds(r.kind, found, r.restoreTo) });
  }
  // Per resource, the newest change found altered is the one to report (older ones on it were too).
  const leftAlone = results.filter((r, i) => r.outcome === 'changed-since'
    && !results.slice(0, i).some((newer) => sameResource(newer, r) && newer.outcome === 'changed-since')).map((r) => r.reason);
  const notBack = checks.filter((c) => !c.restored && !results.some((r) => sameResource(r, c) && r.outcome === 'changed-since'))
    .map((c) => (itemsNotRestored.has(c) ? itemsNotBack(c.target, itemsNotRestored.get(c)!)
      : `${c.target} does not hold the recorded value after the restore: expected ${JSON.stringify(c.expected)}, found ${JSON.stringify(c.found)}`));
  const problems = [...leftAlone, ...notBack];
  const allRestored = problems.length === 0;
  const tail = notReversible.length ? `; not reversible: ${notReversible.map((n) => `${n.operation} on ${n.target} (${n.why})`).join('; ')}` : '';
  // A change found not in effect (its answer was lost, and it had not applied) needed nothing put back.
  const needless = results.filter((r) => r.outcome === 'unchanged').map((r) => r.reason);
  const put = restores.length - needless.length;
  const reason = allRestored
    ? `undone: ${put} change(s) put back to the recorded value${needless.length ? `; ${needless.length} needed nothing (${[...new Set(needless)].join('; ')})` : ''}${tail}`
    : `not fully undone: ${problems.join('; ')}${tail}`;
  await record(incident.id, execution.id, allRestored ? 'undone' : 'escalated', reason);
  return { allRestored, reason, checks };
});
