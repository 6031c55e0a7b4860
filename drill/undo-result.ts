import type { Outcome } from '../lambdas/domain/message';
import { sameValue, stepOf, UNDO_STEP_PREFIX } from '../lambdas/domain/undo-plan';
import type { Ledger } from '../lambdas/shared/ledger';
import { MODULES } from '../lib/catalog';
import type { DrillChange } from '../runbooks/module';
import type { ExecutionRecord, Invocation } from './executor';
import type { ApprovalNote, AuditCheck, DrillAction, UndoResource, UndoResult } from './records';
import type { DrillResult } from './result';
import { timelineWithApprovals } from './timeline';

export type { UndoResource, UndoResult } from './records';

interface BuildUndoInput {
  readonly result: DrillResult;
  readonly execution: ExecutionRecord | null;
  readonly afterUndo: Record<string, unknown>;
  readonly audits: readonly AuditCheck[];
  readonly ledger: Ledger;
  /** The drill's approval notes (requests, scanner fetches, decisions): the undo's join its timeline. */
  readonly approvalNotes?: readonly ApprovalNote[];
}

/**
 * The fields each mutating call of a runbook changes (its drill.changes); the rest of the resource is
 * not the runbook's to compare. Per runbook: one operation may change different things (ecs:UpdateService
 * forces a new deployment in one runbook and sets a desired count in another).
 */
const CHANGES: ReadonlyMap<string, ReadonlyMap<string, DrillChange>> = new Map(MODULES.map((m) => [m.name, new Map(Object.entries(m.drill.changes))]));

const isNotify = (i: Invocation) => i.functionName.endsWith('-Notify');
const isPlan = (i: Invocation) => i.functionName.endsWith('-UndoPlan');

export async function buildUndoResult(b: BuildUndoInput): Promise<UndoResult> {
  const { result, execution } = b;
  const rows = result.incidentId ? await b.ledger.listActions(result.incidentId) : [];
  const undoRows = rows.filter((r) => stepOf(r.actionKey).startsWith(UNDO_STEP_PREFIX) && (!execution || r.executionArn === execution.executionArn));
  const actions = undoRows.map((row): DrillAction => {
    const calls = b.audits.filter((a) => a.operation === row.operation && (a.target === row.target || a.target === ''));
    return { operation: row.operation, target: row.target, before: row.before, after: row.after ?? null, status: row.status, auditedBeforeCall: calls.length > 0 && calls.every((a) => a.intentRecorded) };
  });
  const plan = execution?.invocations.find((i) => isPlan(i) && i.output !== undefined)?.output as { notReversible?: UndoResult['notReversible']; requestedBy?: string } | undefined;
  const notReversible = (plan?.notReversible ?? []).map(({ operation, target, why }) => ({ operation, target, why }));
  const notices = execution?.invocations.filter((i) => isNotify(i) && i.output).map((i) => i.output as { outcome: Outcome; reason: string }) ?? [];
  const last = notices[notices.length - 1];
  const outcome: Outcome = !execution ? 'skipped' : last?.outcome ?? 'failed';
  const reason = !execution ? 'the input started no incident: nothing to undo'
    : last?.reason ?? (execution.error ? `${execution.error.Error}: ${execution.error.Cause}` : 'the undo ended without an outcome');

  const operationsByTarget = new Map<string, Set<string>>();
  for (const row of rows.filter((r) => !stepOf(r.actionKey).startsWith(UNDO_STEP_PREFIX) && r.status !== 'planned')) {
    operationsByTarget.set(row.target, new Set([...(operationsByTarget.get(row.target) ?? []), row.operation]));
  }
  const changes = CHANGES.get(result.runbook ?? '') ?? new Map<string, DrillChange>();
  const resources = Object.keys(result.resources.before).map((name): UndoResource => {
    const ops = [...(operationsByTarget.get(name) ?? [])];
    const fields = [...new Set(ops.flatMap((op) => changes.get(op)?.fields ?? []))];
    const start = result.resources.before[name];
    const afterRunbook = result.resources.after[name];
    const afterUndo = findByName(b.afterUndo, name);
    if (ops.length === 0) return { name, fields: [], start, afterRunbook, afterUndo, equalsStart: sameValue(start, afterUndo), note: 'the runbook made no change to it' };
    const [s, r, u] = [pick(start, fields), pick(afterRunbook, fields), pick(afterUndo, fields)];
    const note = ops.map((op) => changes.get(op)?.note).find((n) => n !== undefined);
    // A change with no inverse (no field the undo puts back: a kill-switch POST) is not compared: its note says what a person does.
    if (fields.length === 0) return { name, fields, start, afterRunbook, afterUndo, equalsStart: null, ...(note ? { note } : {}) };
    return { name, fields, start: s, afterRunbook: r, afterUndo: u, equalsStart: sameValue(s, u), ...(note ? { note } : {}) };
  });
  const comparable = resources.filter((r) => r.equalsStart !== null);
  const changed = comparable.filter((r) => r.fields.length > 0);
  const restored = comparable.every((r) => r.equalsStart) && (changed.length > 0 || resources.every((r) => r.equalsStart !== null));
  return { outcome, reason, executionArn: execution?.executionArn ?? null, requestedBy: plan?.requestedBy ?? null, actions, notReversible, resources, restored, timeline: execution ? timelineWithApprovals(execution, b.approvalNotes ?? []) : [] };
}

function pick(value: unknown, fields: readonly string[]): unknown {
  if (!value || typeof value !== 'object') return value ?? null;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(fields.map((f) => [f, record[f] ?? null]));
}

/** A resource by name, wherever the snapshot keeps it (as the runbook result picks them). */
function findByName(snapshot: Record<string, unknown>, name: string, depth = 0): unknown {
  if (name in snapshot) return snapshot[name];
  if (depth >= 3) return undefined;
  for (const value of Object.values(snapshot)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const found = findByName(value as Record<string, unknown>, name, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
