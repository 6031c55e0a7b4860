import { show } from '../lambdas/domain/message';
import type { DrillResult } from './result';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** The readable timeline of one input: every state, what it did, before -> after, elapsed ms. */
export function renderResult(r: DrillResult): string {
  const lines = [`▶ ${r.input}  →  ${r.runbook ?? '(no runbook)'}`];
  const width = Math.max(10, ...r.timeline.map((t) => t.state.length));
  for (const t of r.timeline) {
    const mark = t.event === 'done' ? ' ' : t.event === 'retried' ? '↻' : t.event === 'caught' || t.event === 'failed' ? '!' : '✉';
    lines.push(`  ${pad(`+${t.elapsedMs} ms`, 9)} ${mark} ${pad(t.state, width)}  ${t.detail}`);
  }
  lines.push(`  ${r.outcome.toUpperCase()}: ${r.reason}`);
  for (const a of r.actions) {
    if (a.planned) {
      lines.push(`  plan    ${a.operation} ${show(a.parameters)} (would replace ${show(a.before)}; not called)`);
      continue;
    }
    lines.push(`  action  ${a.operation} ${a.target}: ${show(a.before)} -> ${show(a.after)} [${a.status}; ledger row of intent ${a.auditedBeforeCall ? 'written before the call' : 'MISSING at the call'}]`);
  }
  for (const a of r.approvals) lines.push(`  ${pad('approval', 7)} ${a.level} ${a.approver}: ${a.decision} at ${a.at}${a.comment ? ` (${a.comment})` : ''}`);
  if (r.incidentId) lines.push(`  ledger  incident ${r.incidentId}, ${r.ledger.length} action row(s)`);
  for (const name of Object.keys(r.resources.after)) {
    const before = show(r.resources.before[name]);
    const after = show(r.resources.after[name]);
    lines.push(`  ${pad('resource', 7)} ${name}: ${before === after ? `${after} (unchanged)` : `${before} -> ${after}`}`);
  }
  return lines.join('\n');
}

export function renderSummary(results: readonly DrillResult[]): string {
  const lines = ['', 'Summary'];
  for (const r of results) lines.push(`  ${pad(r.outcome, 10)} ${pad(r.runbook ?? '-', 22)} ${r.input}`);
  return lines.join('\n');
}
