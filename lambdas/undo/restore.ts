import { isDeepStrictEqual } from 'node:util';
import * as z from '../shared/zod';
import { approvalResultSchema, assertApproved, type GatedCall } from '../approval/assert-approved';
import { ApprovalStore, type Gate } from '../approval/store';
import { RESTORE_KINDS, RESTORE_OPERATIONS, reversibleOfKind } from '../domain/reversible';
import type { RestoreStep } from '../domain/undo-plan';
import { performAction } from '../shared/act';
import { requireEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { isUnsettled, Ledger } from '../shared/ledger';
import { logger } from '../shared/logger';
import { allowedUndoTargets } from '../shared/targets';
import { executionSchema, incidentSchema } from '../shared/task-input';
import { newerLeftAlone } from './newer-changes';
import { holds, ITEM_KINDS, UndoResources } from './resources';
import { restoreItems } from './restore-items';
import type { RestoreOutcome } from './restore-outcome';

export type { RestoreOutcome } from './restore-outcome';

const ledgerTable = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(ledgerTable);
const approvals = new ApprovalStore(ledgerTable);
const onTimeout = z.enum(['abort', 'proceed']).parse(process.env.UNDO_ON_TIMEOUT ?? 'abort');
const assertAllowed = allowedUndoTargets();
const resources = new UndoResources();

const restoreSchema = z.object({
  sourceKey: z.string().check(z.minLength(1)),
  sourceStep: z.string().check(z.minLength(1)),
  step: z.string().check(z.regex(/^undo-[a-z0-9-]+$/, 'an undo step (undo-<step>)')),
  kind: z.enum(RESTORE_KINDS),
  operation: z.enum(RESTORE_OPERATIONS),
  target: z.string().check(z.minLength(1)),
  parameters: z.record(z.string(), z.unknown()),
  expected: z.unknown(),
  restoreTo: z.unknown(),
  // Plans made before these existed: no newer change to wait on, and the resource may already be back.
  newer: z._default(z.array(z.string()), []),
  restoresStart: z._default(z.boolean(), true),
});
const inputSchema = z.object({ incident: incidentSchema, execution: executionSchema, restore: restoreSchema, approval: z.optional(approvalResultSchema) });

/** As JSON carries it between the states (absent and undefined alike). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

/** The undo's gate approves the whole plan (`parameters.restores`): it covers each restore of it, exactly. */
const inPlan = (approved: Gate, call: GatedCall): boolean =>
  Array.isArray(approved.parameters.restores) && approved.parameters.restores.some((planned) => isDeepStrictEqual(asJson(planned), asJson(call.parameters)));

/**
 * Compare and restore one change, newest first, only as the undo's approval covers it
 * (assertApproved): the resource must still hold what the runbook set (checked before anything
 * else), and every newer change to it must have been undone; then the
 * recorded value is put back through performAction (its own ledger row, keyed `undo-<step>`, so a
 * second undo or a redrive finds it done). A resource someone changed since is left as it is, and
 * so are its older changes: the undo stops there and escalates. Only the oldest change may find the
 * resource already back at its recorded value (nothing to do). A change whose outcome the ledger
 * does not know (answer lost) is settled first from what the resource holds.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, restore, approval }, context): Promise<RestoreOutcome> => {
  const step = restore as RestoreStep;
  // Only what the undo's approval request names, as approved (or timed out on a gate marked proceed).
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: incident.runbook, step: 'undo', operation: step.operation, target: step.target, parameters: restore,
  }, { onTimeout, covers: inPlan });
  // Named, or carrying the incident's runbook's tags now (re-read): refused before any read or change.
  await assertAllowed(incident.runbook, step.target, reversibleOfKind(step.kind)?.tagResource, context.invokedFunctionArn);
  if (ITEM_KINDS.has(step.kind)) return restoreItems(ledger, resources, incident, execution.id, step);
  const key = `${step.step}#${step.operation}#${step.target}`;
  const base = { sourceKey: step.sourceKey, operation: step.operation, target: step.target, expected: step.expected, restoredTo: step.restoreTo };
  const begun = await ledger.latestAction(incident.id, key);
  if (begun?.status === 'succeeded') {
    return { ...base, outcome: 'restored', reason: `restored by ${begun.executionArn}`, found: begun.before, replayed: true };
  }
  const found = await resources.read(step.kind, step.target, step.parameters);
  const atExpected = holds(step.kind, found, step.expected);
  const atRecorded = holds(step.kind, found, step.restoreTo);
  const leave = (reason: string) => {
    logger.warn('Not restoring: the resource changed since the runbook', { target: step.target, expected: step.expected, found });
    return { ...base, outcome: 'changed-since' as const, reason, found, replayed: false };
  };
  const changedSince = () => leave(`${step.target} was changed since the runbook set it: expected ${describe(step.expected)}, found ${describe(found)}; left as it is`);
  if (!begun) {
    const left = await newerLeftAlone(ledger, incident.id, step);
    if (left) return leave(`${step.target}: ${left}, so its earlier change is left as it is too (found ${describe(found)})`);
    const source = await ledger.getAction(incident.id, step.sourceKey);
    if (source && isUnsettled(source.status)) {
      // The runbook's answer was lost: what the resource holds says whether its change took effect.
      if (!atExpected && !atRecorded) return changedSince();
      await ledger.settleAction(incident.id, step.sourceKey, atExpected
        ? { inEffect: true, after: step.expected }
        : { inEffect: false, reason: `reconciled by the undo: ${source.operation} on ${step.target} is not in effect (found ${describe(found)})` });
      if (!atExpected) return { ...base, outcome: 'unchanged', reason: `the runbook's ${source.operation} did not take effect (its answer was lost; read again): nothing to restore`, found, replayed: false };
    }
    if (!atExpected) {
      if (step.restoresStart && atRecorded) return { ...base, outcome: 'unchanged', reason: 'already holds the recorded value: nothing to restore', found, replayed: false };
      return changedSince();
    }
  } else if (!atExpected && !atRecorded) {
    // An unfinished attempt of this undo may have put the value back already: that is ours, not a human's change.
    return changedSince();
  }
  const action = await performAction(ledger, incident, execution.id, {
    step: step.step,
    operation: step.operation,
    target: step.target,
    parameters: step.parameters,
    intended: step.restoreTo,
    undoes: step.sourceKey,
    readBefore: async () => found,
    mutate: () => resources.restore(step),
    observe: () => resources.read(step.kind, step.target, step.parameters),
    inEffect: (now) => (holds(step.kind, now, step.restoreTo) ? step.restoreTo : undefined),
  });
  return { ...base, outcome: 'restored', reason: action.replayed ? 'restored by an earlier attempt' : 'restored', found, replayed: action.replayed };
});

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value !== 'object') return String(value);
  const { tableStatus: _status, ...rest } = value as Record<string, unknown>;
  return JSON.stringify(rest);
}
