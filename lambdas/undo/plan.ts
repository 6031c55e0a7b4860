import * as z from '../shared/zod';
import { planUndo, stepOf, UNDO_STEP_PREFIX, type LeftAlone, type RestoreStep } from '../domain/undo-plan';
import { requireEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { Ledger, mayUndoAgain, type ActionRecord, type IncidentRecord } from '../shared/ledger';
import { logger } from '../shared/logger';
import { executionSchema, type Incident } from '../shared/task-input';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));

/** The execution input: `{ "incidentId": "...", "requestedBy": "..." }`, checked here, not by zod, so a bad id is a reason, not a failure. */
const inputSchema = z.object({ request: z.record(z.string(), z.unknown()), execution: executionSchema });

const INCIDENT_ID = /^inc-[0-9a-f]{16}$/;

export interface UndoAdmission {
  readonly decision: 'undo' | 'reject';
  readonly reason: string;
  /** The incident being undone (null when there is none to undo). */
  readonly incident: Incident | null;
  readonly requestedBy: string;
  readonly restores: readonly RestoreStep[];
  readonly notReversible: readonly LeftAlone[];
  readonly skipped: readonly LeftAlone[];
}

const reject = (reason: string, requestedBy: string, incident: Incident | null = null, left: Pick<UndoAdmission, 'notReversible' | 'skipped'> = { notReversible: [], skipped: [] }): UndoAdmission =>
  ({ decision: 'reject', reason, incident, requestedBy, restores: [], ...left });

/** The incident as the later steps (and notify) take it; the undo is named as its source. */
function asIncident(record: IncidentRecord, requestedBy: string): Incident {
  return {
    id: record.incidentId, runbook: record.runbook, target: record.target, summary: `undo of: ${record.summary}`,
    firedAt: record.firedAt, source: { name: `undo requested by ${requestedBy}` },
  };
}

/**
 * Whether a row of intent's call may still be in flight: its incident runs, or the attempt began
 * after the incident's last outcome (the guardrail's timed restore runs after its notification).
 * An older one ended without a record (its execution ended, the ledger write was lost): its
 * outcome is unknown, and the restore reads the resource before anything else. Rows of an earlier
 * undo never are: undos of an incident run one at a time (claimUndo).
 */
function mayBeInFlight(row: ActionRecord, record: IncidentRecord): boolean {
  if (row.status !== 'intent' || stepOf(row.actionKey).startsWith(UNDO_STEP_PREFIX)) return false;
  return record.status === 'admitted' || (row.attemptedAt ?? row.startedAt) > record.updatedAt;
}

/**
 * Admit and plan an undo: the incident must exist, have finished, have something to restore and
 * not have been undone already; then the undo is claimed in the incident's ledger record, once.
 * Anything else is a one-line reason and changes nothing.
 */
export const handler = taskHandler(inputSchema, async ({ request, execution }): Promise<UndoAdmission> => {
  const requestedBy = typeof request.requestedBy === 'string' && request.requestedBy.trim() !== '' ? request.requestedBy.trim().slice(0, 128) : 'unknown';
  const incidentId = request.incidentId;
  if (typeof incidentId !== 'string' || !INCIDENT_ID.test(incidentId)) {
    return reject(`not an incident id: ${JSON.stringify(incidentId ?? null)} (expected inc-<16 hex digits>, as in the notification and the ledger)`, requestedBy);
  }
  logger.appendKeys({ incidentId, requestedBy });
  const record = await ledger.getIncident(incidentId);
  if (!record) return reject(`unknown incident ${incidentId}: the ledger has no record of it`, requestedBy);
  const incident = asIncident(record, requestedBy);
  const actions = await ledger.listActions(incidentId);
  if (record.status === 'admitted' || actions.some((a) => mayBeInFlight(a, record))) {
    return reject(`incident ${incidentId} is still running (${record.executionArn}); undo it once it has finished`, requestedBy, incident);
  }
  if (!mayUndoAgain(record) && record.undoExecutionArn !== execution.id) {
    return reject(`incident ${incidentId} was already undone by ${record.undoExecutionArn ?? 'another execution'} (${record.undoStatus})`, requestedBy, incident);
  }
  const plan = planUndo(actions);
  if (plan.restores.length === 0) {
    const why = [...new Set([...plan.notReversible, ...plan.skipped].map((l) => `${l.operation} on ${l.target}: ${l.why}`))].join('; ');
    return reject(`nothing to undo for incident ${incidentId}${why ? `: ${why}` : ': it changed nothing'}`, requestedBy, incident, plan);
  }
  const claim = await ledger.claimUndo(incidentId, execution.id, requestedBy);
  if (!claim.claimed) {
    return reject(`incident ${incidentId} was already undone by ${claim.existing?.undoExecutionArn ?? 'another execution'} (${claim.existing?.undoStatus ?? 'unknown'})`, requestedBy, incident);
  }
  const reason = `${plan.restores.length} change(s) to restore${plan.notReversible.length ? `, ${plan.notReversible.length} not reversible` : ''}`;
  return { decision: 'undo', reason, incident, requestedBy, ...plan };
});
