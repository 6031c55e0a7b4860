import { isDeepStrictEqual } from 'node:util';
import * as z from 'zod';
import { approvalResultSchema, assertApproved, type GatedCall } from '../approval/assert-approved';
import { ApprovalStore, type Gate } from '../approval/store';
import type { RestoreStep } from '../domain/undo-plan';
import { performAction } from '../shared/act';
import { requireEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { Ledger } from '../shared/ledger';
import { logger } from '../shared/logger';
import { allowedUndoTargets } from '../shared/targets';
import { executionSchema, incidentSchema } from '../shared/task-input';
import { holds, UndoResources } from './resources';
import { restoreItems, type ItemsRestored } from './restore-items';

const ledgerTable = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(ledgerTable);
const approvals = new ApprovalStore(ledgerTable);
const onTimeout = z.enum(['abort', 'proceed']).parse(process.env.UNDO_ON_TIMEOUT ?? 'abort');
const assertAllowed = allowedUndoTargets();
const resources = new UndoResources();

const restoreSchema = z.object({
  sourceKey: z.string().min(1),
  sourceStep: z.string().min(1),
  step: z.string().regex(/^undo-[a-z0-9-]+$/, 'an undo step (undo-<step>)'),
  kind: z.enum(['lambda-reserved-concurrency', 'dynamodb-capacity', 'ssm-parameter', 'dynamodb-items']),
  operation: z.enum(['lambda:DeleteFunctionConcurrency', 'lambda:PutFunctionConcurrency', 'dynamodb:UpdateTable', 'ssm:PutParameter', 'dynamodb:PutItem']),
  target: z.string().min(1),
  parameters: z.record(z.string(), z.unknown()),
  expected: z.unknown(),
  restoreTo: z.unknown(),
});
const inputSchema = z.object({ incident: incidentSchema, execution: executionSchema, restore: restoreSchema, approval: approvalResultSchema.optional() });

/** As JSON carries it between the states (absent and undefined alike). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

/** The undo's gate approves the whole plan (`parameters.restores`): it covers each restore of it, exactly. */
const inPlan = (approved: Gate, call: GatedCall): boolean =>
  Array.isArray(approved.parameters.restores) && approved.parameters.restores.some((planned) => isDeepStrictEqual(asJson(planned), asJson(call.parameters)));

export interface RestoreOutcome {
  readonly sourceKey: string;
  readonly operation: string;
  readonly target: string;
  /** `restored`: put back now (or by an earlier attempt); `unchanged`: it already held the recorded value; `changed-since`: left alone. */
  readonly outcome: 'restored' | 'unchanged' | 'changed-since';
  readonly reason: string;
  readonly expected: unknown;
  readonly found: unknown;
  readonly restoredTo: unknown;
  readonly replayed: boolean;
  /** A `dynamodb-items` restore: which keys were put back and which left as they are. */
  readonly items?: ItemsRestored;
}

/**
 * Compare and restore one change, only as the undo's approval covers it (assertApproved): the
 * resource must still hold what the runbook set; then the
 * recorded value is put back through performAction (its own ledger row, keyed `undo-<step>`, so a
 * second undo or a redrive finds it done). A resource someone changed since is left as it is.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, restore, approval }, context): Promise<RestoreOutcome> => {
  const step = restore as RestoreStep;
  // Only what the undo's approval request names, as approved (or timed out on a gate marked proceed).
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: incident.runbook, step: 'undo', operation: step.operation, target: step.target, parameters: restore,
  }, { onTimeout, covers: inPlan });
  // Named, or carrying the incident's runbook's tags now (re-read): refused before any read or change.
  await assertAllowed(incident.runbook, step.target, context.invokedFunctionArn);
  if (step.kind === 'dynamodb-items') return restoreItems(ledger, resources, incident, execution.id, step);
  const key = `${step.step}#${step.operation}#${step.target}`;
  const base = { sourceKey: step.sourceKey, operation: step.operation, target: step.target, expected: step.expected, restoredTo: step.restoreTo };
  const begun = await ledger.getAction(incident.id, key);
  if (begun?.status === 'succeeded') {
    return { ...base, outcome: 'restored', reason: `restored by ${begun.executionArn}`, found: begun.before, replayed: true };
  }
  const found = await resources.read(step.kind, step.target);
  const atRecorded = holds(step.kind, found, step.restoreTo);
  if (!begun && atRecorded) {
    return { ...base, outcome: 'unchanged', reason: 'already holds the recorded value: nothing to restore', found, replayed: false };
  }
  // An unfinished attempt of this undo may already have put the value back: that is ours, not a human's change.
  if (!holds(step.kind, found, step.expected) && !(begun && atRecorded)) {
    const reason = `${step.target} was changed since the runbook set it: expected ${describe(step.expected)}, found ${describe(found)}; left as it is`;
    logger.warn('Not restoring: the resource changed since the runbook', { target: step.target, expected: step.expected, found });
    return { ...base, outcome: 'changed-since', reason, found, replayed: false };
  }
  const action = await performAction(ledger, incident, execution.id, {
    step: step.step,
    operation: step.operation,
    target: step.target,
    parameters: step.parameters,
    intended: step.restoreTo,
    readBefore: async () => found,
    // A retry after a timeout may find the value already back (read above): the call is not made twice.
    mutate: async () => (begun && atRecorded ? step.restoreTo : resources.restore(step)),
  });
  return { ...base, outcome: 'restored', reason: action.replayed ? 'restored by an earlier attempt' : 'restored', found, replayed: action.replayed };
});

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value !== 'object') return String(value);
  const { tableStatus: _status, ...rest } = value as Record<string, unknown>;
  return JSON.stringify(rest);
}
