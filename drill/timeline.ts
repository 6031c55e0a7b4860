/** An execution's timeline as the drill shows it: each state, what it did, retries and catches, approval notes in place. */
import { show } from '../lambdas/domain/message';
import type { EventLog, ExecutionRecord, Invocation } from './executor';
import type { ApprovalNote, TimelineEntry } from './records';

/**
 * A run's timeline with the drill's approval notes for it (requests, scanner fetches, decisions) in
 * place; elapsed from `since` (the execution's first run).
 */
export function timelineWithApprovals(execution: ExecutionRecord, notes: readonly ApprovalNote[], since = execution.startedAt): TimelineEntry[] {
  const approvals = notes.filter((n) => n.executionArn === execution.executionArn && n.at >= execution.startedAt && n.at <= execution.endedAt)
    .map((n): TimelineEntry => ({ elapsedMs: n.at - since, state: n.state, event: n.event, detail: n.detail }));
  return [...approvals, ...timeline(execution, since)].sort((x, y) => x.elapsedMs - y.elapsedMs);
}

export function timeline(execution: ExecutionRecord, since = execution.startedAt): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const byState = new Map<string, Invocation[]>();
  for (const inv of execution.invocations) byState.set(inv.state, [...(byState.get(inv.state) ?? []), inv]);
  const consumed = new Map<string, number>();
  const events = execution.events as EventLog[];
  events.forEach((event, index) => {
    const state = 'state' in event ? event.state.name : '';
    const elapsedMs = event.timestamp - since;
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
  if ('written' in out && 'key' in out) return out.written ? `report written: ${String(out.key)}` : `report not written: ${String(out.reason)}`;
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
  return fieldsInWords(out);
}

/** A step's output as `field=value` pairs, nested objects in braces; lists counted, not spelled out (`--json` has them whole). */
function fieldsInWords(out: Record<string, unknown>, depth = 0): string {
  return Object.entries(out).map(([key, value]) => {
    if (Array.isArray(value)) return `${key}=[${value.length}]`;
    if (value !== null && typeof value === 'object') {
      return depth < 1 ? `${key}={${fieldsInWords(value as Record<string, unknown>, depth + 1)}}` : `${key}={${Object.keys(value).length} fields}`;
    }
    return `${key}=${show(value)}`;
  }).join(' ');
}
