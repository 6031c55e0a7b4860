import { show } from '../lambdas/domain/message';
import type { DrillResult } from './result';
import type { UndoResult } from './undo-result';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** The readable timeline of one input: every state, what it did, before -> after, elapsed ms. */
export function renderResult(r: DrillResult): string {
  const lines = [`▶ ${r.input}  →  ${r.runbook ?? '(no runbook)'}`];
  const width = Math.max(10, ...r.timeline.map((t) => t.state.length));
  for (const t of r.timeline) {
    const mark = t.event === 'done' ? ' ' : t.event === 'retried' ? '↻' : t.event === 'caught' || t.event === 'failed' ? '!'
      : t.event === 'heard' ? '»' : t.event === 'redriven' ? '↺' : '✉';
    lines.push(`  ${pad(`+${t.elapsedMs} ms`, 9)} ${mark} ${pad(t.state, width)}  ${t.detail}`);
  }
  lines.push(`  ${r.outcome.toUpperCase()}: ${r.reason}`);
  for (const run of r.runs.length > 1 || r.runs.some((x) => x.status === 'FAILED') ? r.runs : []) {
    const from = run.from === null ? 'from the start' : `redrive ${run.redriveCount}, from "${run.from}"`;
    lines.push(`  run     ${from}: ${run.status === 'FAILED' ? `FAILED at "${run.failedAt ?? '?'}"` : 'SUCCEEDED'}; ${run.calls.length} mutating call(s)`);
    for (const c of run.calls) lines.push(`          ${c.operation} ${show(c.input)}${c.applied ? '' : ' (refused or lost, not applied)'}`);
  }
  if (r.redriveRefused) lines.push(`  redrive refused: ${r.redriveRefused}`);
  for (const a of r.actions) {
    if (a.planned) {
      lines.push(`  plan    ${a.operation} ${show(a.parameters)} (would replace ${show(a.before)}; not called)`);
      continue;
    }
    const audit = a.foundInEffect ? 'found in effect after its own call was refused: no call made'
      : a.auditedBeforeCall === null ? 'made by an earlier run of the incident' : `ledger row of intent ${a.auditedBeforeCall ? 'written before the call' : 'MISSING at the call'}`;
    lines.push(`  action  ${a.operation} ${a.target}: ${show(a.before)} -> ${show(a.after)} [${a.status}; ${audit}]`);
  }
  for (const a of r.approvals) lines.push(`  ${pad('approval', 7)} ${a.level} ${a.approver}: ${a.decision} at ${a.at}${a.comment ? ` (${a.comment})` : ''}`);
  if (r.incidentId) lines.push(`  ledger  incident ${r.incidentId}, ${r.ledger.length} action row(s)`);
  for (const name of Object.keys(r.resources.after)) {
    const before = show(r.resources.before[name]);
    const after = show(r.resources.after[name]);
    lines.push(`  ${pad('resource', 7)} ${name}: ${before === after ? `${after} (unchanged)` : `${before} -> ${after}`}`);
  }
  if (r.undo) lines.push(...renderUndo(r.undo));
  return lines.join('\n');
}

export function renderSummary(results: readonly DrillResult[]): string {
  const lines = ['', 'Summary'];
  for (const r of results) lines.push(`  ${pad(r.outcome, 10)} ${pad(r.runbook ?? '-', 22)} ${r.input}`);
  return lines.join('\n');
}

/** The undo of an input's incident (--then-undo, or started by the runbook): its timeline, its restores, and each touched resource start -> runbook -> undo. */
function renderUndo(u: UndoResult): string[] {
  const lines = [`  undo${u.requestedBy ? ` (requested by ${u.requestedBy})` : ''}`];
  const width = Math.max(10, ...u.timeline.map((t) => t.state.length));
  for (const t of u.timeline) {
    const mark = t.event === 'done' ? ' ' : t.event === 'retried' ? '↻' : '!';
    lines.push(`  ${pad(`+${t.elapsedMs} ms`, 9)} ${mark} ${pad(t.state, width)}  ${t.detail}`);
  }
  lines.push(`  UNDO ${u.outcome.toUpperCase()}: ${u.reason}`);
  for (const a of u.actions) {
    lines.push(`  restore ${a.operation} ${a.target}: ${show(a.before)} -> ${show(a.after)} [${a.status}; ledger row of intent ${a.auditedBeforeCall ? 'written before the call' : 'MISSING at the call'}]`);
  }
  for (const res of u.resources) {
    const compared = res.equalsStart === null ? 'not compared' : res.equalsStart ? 'equals the starting state' : 'DIFFERS from the starting state';
    const verdict = res.note ? `${compared} (${res.note})` : compared;
    const fields = res.fields.length ? ` [${res.fields.join(', ')}]` : '';
    // One compared field reads best as its bare value ("none -> 0 -> none").
    const field = res.fields.length === 1 ? res.fields[0]! : undefined;
    const value = (v: unknown) => show(field && v && typeof v === 'object' ? (v as Record<string, unknown>)[field] : v);
    lines.push(`  ${pad('resource', 7)} ${res.name}${fields}: start ${value(res.start)} -> runbook ${value(res.afterRunbook)} -> undo ${value(res.afterUndo)}: ${verdict}`);
  }
  lines.push(`  ${u.restored ? 'RESTORED: every reversible touched resource equals its starting state' : 'NOT RESTORED: see the resources above'}`);
  return lines;
}
