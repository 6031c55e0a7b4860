import type { Outcome } from '../lambdas/domain/message';
import { show } from '../lambdas/domain/message';
import type { ActionRecord, Ledger } from '../lambdas/shared/ledger';
import { stepOf, UNDO_STEP_PREFIX } from '../lambdas/domain/undo-plan';
import type { ApprovalStore } from '../lambdas/approval/store';
import type { ApprovalNote, AuditCheck } from './drill';
import type { EventLog, ExecutionRecord, Invocation } from './executor';
import type { DrillInput } from './inputs';
import type { UndoResult } from './undo-result';

export interface DrillAction {
  readonly operation: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly status: string;
  /** The ledger held this action's row of intent when the call reached AWS (null: no call in this input: a plan, or a row an earlier run made). */
  readonly auditedBeforeCall: boolean | null;
  /** A dry run's plan: the exact call, not made. */
  readonly planned?: true;
  readonly parameters?: unknown;
}

export interface TimelineEntry {
  readonly elapsedMs: number;
  readonly state: string;
  readonly event: 'done' | 'retried' | 'caught' | 'failed' | ApprovalNote['event'];
  readonly detail: string;
}

/** What one input did, end to end: the drill's --json line. */
export interface DrillResult {
  readonly input: string;
  readonly runbook: string | null;
  readonly outcome: Outcome;
  readonly reason: string;
  readonly incidentId: string | null;
  readonly executionArn: string | null;
  readonly actions: readonly DrillAction[];
  readonly ledger: readonly ActionRecord[];
  readonly notifications: readonly { outcome: string; topic: string }[];
  readonly timeline: readonly TimelineEntry[];
  readonly resources: { readonly before: Record<string, unknown>; readonly after: Record<string, unknown> };
  /** With --then-undo: the undo of this input's incident, and the touched resources after it. */
  readonly undo?: UndoResult;
  /** Every decision on the incident's gated steps, from the ledger, oldest first. */
  readonly approvals: readonly { approver: string; decision: string; at: string; level: string; comment?: string }[];
  /** The incident's approval requests (one per escalation level asked), from the ledger. */
  readonly approvalRequests: readonly { requestId: string; step: string; level: string; status: string; outcome?: string }[];
}

interface BuildInput {
  readonly input: DrillInput;
  /** `failure`: the trigger function failed every attempt, so no execution could start. */
  readonly routing: { runbook: string | null; rejection?: string; failure?: string };
  readonly executions: readonly ExecutionRecord[];
  readonly before: Record<string, unknown>;
  readonly after: Record<string, unknown>;
  readonly audits: readonly AuditCheck[];
  readonly ledger: Ledger;
  readonly approvals?: ApprovalStore;
  readonly approvalNotes?: readonly ApprovalNote[];
}

const isNotify = (i: Invocation) => i.functionName.endsWith('-Notify');
const isAdmit = (i: Invocation) => i.functionName.endsWith('-Admit');

export async function buildResult(b: BuildInput): Promise<DrillResult> {
  const execution = b.executions[0];
  if (!execution) {
    return {
      input: b.input.label, runbook: b.routing.runbook, outcome: b.routing.failure ? 'failed' : b.routing.runbook ? 'skipped' : 'rejected',
      reason: b.routing.failure ?? b.routing.rejection ?? 'nothing ran', incidentId: null, executionArn: null, actions: [], ledger: [],
      notifications: [], timeline: [], resources: { before: {}, after: {} }, approvals: [], approvalRequests: [],
    };
  }
  // A retried admit fails before it answers: the decision is the attempt that returned one.
  const admitted = execution.invocations.find((i) => isAdmit(i) && i.output !== undefined)?.output as { decision?: string; reason?: string; incident?: { id: string; target: string } | null } | undefined;
  const notices = execution.invocations.filter((i) => isNotify(i) && i.output).map((i) => i.output as { outcome: Outcome; reason: string; topic: string });
  const last = notices[notices.length - 1];
  let outcome: Outcome;
  let reason: string;
  if (last) {
    ({ outcome, reason } = last);
  } else if (admitted?.decision === 'duplicate') {
    outcome = 'skipped';
    reason = `duplicate: ${admitted.reason ?? ''}`;
  } else {
    outcome = 'failed';
    reason = execution.error ? `${execution.error.Error}: ${execution.error.Cause}` : 'the execution ended without an outcome';
  }
  const incidentId = admitted?.incident?.id ?? null;
  // The runbook's rows (an undo of the incident reports its own).
  const ledgerRows = incidentId && admitted?.decision !== 'duplicate'
    ? (await b.ledger.listActions(incidentId)).filter((row) => !stepOf(row.actionKey).startsWith(UNDO_STEP_PREFIX)) : [];
  const actions = ledgerRows.map((row): DrillAction => {
    const base = { operation: row.operation, target: row.target, before: row.before, after: row.after ?? null, status: row.status };
    if (row.status === 'planned') return { ...base, auditedBeforeCall: null, planned: true, parameters: row.parameters };
    const calls = b.audits.filter((a) => a.operation === row.operation && sameTarget(a.target, row.target));
    // A row an earlier execution of the incident made (a re-run replays it) had its call in another input.
    if (calls.length === 0 && row.executionArn !== execution.executionArn) return { ...base, auditedBeforeCall: null };
    return { ...base, auditedBeforeCall: calls.length > 0 && calls.every((a) => a.intentRecorded) };
  });
  const approvalRequests: DrillResult['approvalRequests'][number][] = [];
  const approvals: DrillResult['approvals'][number][] = [];
  if (incidentId && b.approvals && admitted?.decision !== 'duplicate') {
    for (const r of await b.approvals.forIncident(incidentId)) {
      const full = await b.approvals.get(r.requestId);
      approvalRequests.push({ requestId: r.requestId, step: r.step, level: r.level, status: full?.status ?? r.status, ...(full?.outcome ? { outcome: full.outcome } : {}) });
      if (full?.outcome?.startsWith('auto-approved')) approvals.push({ approver: '(policy)', decision: 'auto-approved', at: full.createdAt, level: full.level });
      for (const d of await b.approvals.decisions(r.requestId)) approvals.push({ approver: d.approver, decision: d.decision, at: d.at, level: d.level, ...(d.comment ? { comment: d.comment } : {}) });
    }
  }
  const touched = new Set<string>([...(admitted?.incident ? [admitted.incident.target] : []), ...ledgerRows.map((r) => r.target)]);
  return {
    input: b.input.label,
    runbook: execution.stateMachineName,
    outcome, reason, incidentId,
    executionArn: execution.executionArn,
    actions,
    ledger: ledgerRows,
    notifications: notices.map((n) => ({ outcome: n.outcome, topic: n.topic })),
    timeline: timelineWithApprovals(execution, b.approvalNotes ?? []),
    resources: { before: pick(b.before, touched), after: pick(b.after, touched) },
    approvals, approvalRequests,
  };
}

function sameTarget(a: string, b: string): boolean {
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

/** The resources an incident touched, by name, wherever the snapshot keeps them. */
function pick(snapshot: Record<string, unknown>, names: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const visit = (node: Record<string, unknown>, depth: number) => {
    for (const [key, value] of Object.entries(node)) {
      if (names.has(key)) out[key] = value;
      else if (depth < 3 && value && typeof value === 'object' && !Array.isArray(value)) visit(value as Record<string, unknown>, depth + 1);
    }
  };
  visit(snapshot, 0);
  return out;
}

/** The execution's timeline with the drill's approval notes for it (requests, scanner fetches, decisions) in place. */
export function timelineWithApprovals(execution: ExecutionRecord, notes: readonly ApprovalNote[]): TimelineEntry[] {
  const approvals = notes.filter((n) => n.executionArn === execution.executionArn)
    .map((n): TimelineEntry => ({ elapsedMs: n.at - execution.startedAt, state: n.state, event: n.event, detail: n.detail }));
  return [...approvals, ...timeline(execution)].sort((x, y) => x.elapsedMs - y.elapsedMs);
}

export function timeline(execution: ExecutionRecord): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const byState = new Map<string, Invocation[]>();
  for (const inv of execution.invocations) byState.set(inv.state, [...(byState.get(inv.state) ?? []), inv]);
  const consumed = new Map<string, number>();
  const events = execution.events as EventLog[];
  events.forEach((event, index) => {
    const state = 'state' in event ? event.state.name : '';
    const elapsedMs = event.timestamp - execution.startedAt;
    if (event.type === 'StateExited') {
      const n = consumed.get(state) ?? 0;
      const invocations = byState.get(state) ?? [];
      const inv = invocations.filter((i) => i.output !== undefined)[n];
      if (inv) consumed.set(state, n + 1);
      const next = events.slice(index + 1).find((e) => e.type === 'StateEntered');
      const branch = event.state.type === 'Choice' && next && 'state' in next ? `→ ${next.state.name}` : '';
      entries.push({ elapsedMs, state, event: 'done', detail: inv ? describe(inv) : branch });
    } else if (event.type === 'StateRetried') {
      const failed = (byState.get(state) ?? []).filter((i) => i.error);
      const err = failed[event.retry.attempt - 1]?.error;
      entries.push({ elapsedMs, state, event: 'retried', detail: `attempt ${event.retry.attempt} after ${err ? `${err.name}: ${err.message}` : 'an error'}` });
    } else if (event.type === 'StateCaught') {
      const failed = (byState.get(state) ?? []).filter((i) => i.error);
      const err = failed[failed.length - 1]?.error;
      entries.push({ elapsedMs, state, event: 'caught', detail: err ? `${err.name}: ${err.message}` : 'error caught' });
    } else if (event.type === 'StateFailed') {
      entries.push({ elapsedMs, state, event: 'failed', detail: `${event.Error}: ${String(event.Cause)}` });
    }
  });
  return entries;
}

function describe(inv: Invocation): string {
  const out = inv.output as Record<string, unknown> | null;
  if (!out || typeof out !== 'object') return show(out);
  if ('decision' in out && 'reason' in out) {
    const sw = out.switches as { automation: string | null; runbook: string | null } | null | undefined;
    return `${String(out.decision)}: ${String(out.reason)}${sw ? ` [switches: automation ${sw.automation ?? 'missing'}, runbook ${sw.runbook ?? 'missing'}]` : ''}`;
  }
  if ('operation' in out && 'before' in out) {
    return `${String(out.operation)} ${String(out.target)}: ${show(out.before)} -> ${show(out.after)}${out.planned ? ' (planned; not called)' : out.replayed ? ' (already done; not repeated)' : ''}`;
  }
  if ('outcome' in out && 'topic' in out) return `${String(out.outcome)} -> ${String(out.topic)} topic`;
  if ('restoredTo' in out) {
    return `${String(out.operation)} ${String(out.target)}: ${show(out.found)} -> ${show(out.outcome === 'changed-since' ? out.found : out.restoredTo)} (${out.reason === out.outcome ? String(out.outcome) : `${String(out.outcome)}: ${String(out.reason)}`})${out.replayed ? ' (already done; not repeated)' : ''}`;
  }
  if ('allRestored' in out) return String(out.reason);
  if ('ExecutionArn' in out) return `started ${String(out.ExecutionArn)}`;
  if ('status' in out && 'elapsedSeconds' in out) {
    // A verify step: what it found (the alarm's state) and what it concluded.
    const alarm = out.alarm as { name?: string; state?: string | null } | undefined;
    return `verify ${String(out.status)}${alarm?.state ? ` [alarm ${alarm.state}]` : ''}: ${String(out.reason)}`;
  }
  const text = show(out);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
