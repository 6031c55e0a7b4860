import { show } from '../lambdas/domain/message';
import { duration } from '../lambdas/domain/report-text';
import { elide, hanging, pad, paint, WIDTH, type Colour, type Paint } from './layout';
import type { TimelineEntry } from './records';
import type { DrillResult } from './result';
import type { UndoResult } from './undo-result';

/** The state column: the longest state name, up to this. */
const STATE_WIDTH = 34;
/** A timeline entry's detail takes at most this many lines. */
const DETAIL_LINES = 3;

const OUTCOME_COLOUR: Readonly<Record<string, Colour>> = { remediated: 'green', skipped: 'dim', escalated: 'yellow', rejected: 'yellow', failed: 'red' };

/** Timeline rows: elapsed, a mark for what happened, the state (elided to its column), the detail wrapped under its column. */
function timelineRows(timeline: readonly TimelineEntry[]): string[] {
  const width = Math.min(STATE_WIDTH, Math.max(10, ...timeline.map((t) => t.state.length)));
  return timeline.flatMap((t) => {
    const mark = t.event === 'done' ? ' ' : t.event === 'retried' ? '↻' : t.event === 'caught' || t.event === 'failed' ? '!'
      : t.event === 'heard' ? '»' : t.event === 'redriven' ? '↺' : '✉';
    return hanging(`  ${pad(`+${t.elapsedMs} ms`, 9)} ${mark} ${pad(elide(t.state, width), width)}  `, t.detail, DETAIL_LINES);
  });
}

/** The readable timeline of one input: every state, what it did, before -> after, elapsed ms; 120 columns. */
export function renderResult(r: DrillResult, options: { colour?: boolean; position?: string } = {}): string {
  const c: Paint = paint(options.colour ?? false);
  const lines = [elide(`▶ ${options.position ? `${options.position} ` : ''}${r.input}  →  ${r.runbook ?? '(no runbook)'}`, WIDTH)];
  lines.push(...timelineRows(r.timeline));
  const verdict = hanging(`  ${r.outcome.toUpperCase()}: `, r.reason);
  lines.push(verdict[0]!.replace(r.outcome.toUpperCase(), c(r.outcome.toUpperCase(), OUTCOME_COLOUR[r.outcome] ?? 'bold')), ...verdict.slice(1));
  for (const run of r.runs.length > 1 || r.runs.some((x) => x.status === 'FAILED') ? r.runs : []) {
    const from = run.from === null ? 'from the start' : `redrive ${run.redriveCount}, from "${run.from}"`;
    lines.push(...hanging('  run     ', `${from}: ${run.status === 'FAILED' ? `FAILED at "${run.failedAt ?? '?'}"` : 'SUCCEEDED'}; ${run.calls.length} mutating call(s)`));
    for (const call of run.calls) lines.push(...hanging('          ', `${call.operation} ${show(call.input)}${call.applied ? '' : ' (refused or lost, not applied)'}`, 2));
  }
  if (r.redriveRefused) lines.push(...hanging('  redrive refused: ', r.redriveRefused));
  for (const a of r.actions) {
    if (a.planned) {
      lines.push(...hanging('  plan    ', `${a.operation} ${show(a.parameters)} (would replace ${show(a.before)}; not called)`, DETAIL_LINES));
      continue;
    }
    const audit = a.foundInEffect ? 'found in effect after its own call was refused: no call made'
      : a.auditedBeforeCall === null ? 'made by an earlier run of the incident' : `ledger row of intent ${a.auditedBeforeCall ? 'written before the call' : 'MISSING at the call'}`;
    lines.push(...hanging('  action  ', `${a.operation} ${a.target}: ${show(a.before)} -> ${show(a.after)} [${a.status}; ${audit}]`, DETAIL_LINES));
  }
  for (const a of r.approvals) lines.push(...hanging('  approval ', `${a.level} ${a.approver}: ${a.decision} at ${a.at}${a.comment ? ` (${a.comment})` : ''}`));
  if (r.incidentId) lines.push(`  ledger  incident ${r.incidentId}, ${r.ledger.length} action row(s)`);
  if (r.report) lines.push(...hanging('  report  ', r.report.written ? (r.report.key ?? '') : `not written: ${r.report.reason ?? ''}`, DETAIL_LINES));
  for (const name of Object.keys(r.resources.after)) {
    const before = show(r.resources.before[name]);
    const after = show(r.resources.after[name]);
    lines.push(...hanging('  resource ', `${name}: ${before === after ? `${after} (unchanged)` : `${before} -> ${after}`}`, DETAIL_LINES));
  }
  if (r.metrics.length > 0) lines.push(...hanging('  metrics ', describeMetrics(r.metrics, r.triggerAgeMs)));
  if (r.undo) lines.push(...renderUndo(r.undo));
  return lines.join('\n');
}

/** A replay older than this is told apart from the run in the durations measured from the trigger. */
const REPLAYED_AFTER_MS = 60_000;

/**
 * The metrics a run emitted, summed by name (a suppression by its reason, a duration as each value):
 * "IncidentsAdmitted 1, ActionsTaken 2, TimeToMitigate 812 ms". The durations count from the
 * trigger's time; for a recorded event replayed later (`triggerAgeMs`), each says how much of it is
 * the replay and how much the run: "TimeToMitigate 2950425053 ms = 34 d 3 h before the run + 61 ms in it".
 */
export function describeMetrics(metrics: DrillResult['metrics'], triggerAgeMs?: number): string {
  const counted = new Map<string, number>();
  const timed: string[] = [];
  for (const m of metrics) {
    const replayed = triggerAgeMs !== undefined && triggerAgeMs >= REPLAYED_AFTER_MS && m.value >= triggerAgeMs;
    if (m.unit === 'Milliseconds') timed.push(`${m.name} ${m.value} ms${replayed ? ` = ${duration(triggerAgeMs)} before the run + ${m.value - triggerAgeMs} ms in it` : ''}`);
    else {
      const key = m.dimensions.reason ? `${m.name}(${m.dimensions.reason})` : m.name;
      counted.set(key, (counted.get(key) ?? 0) + m.value);
    }
  }
  return [...[...counted].map(([name, n]) => `${name} ${n}`), ...timed].join(', ');
}

export function renderSummary(results: readonly DrillResult[], options: { colour?: boolean } = {}): string {
  const c: Paint = paint(options.colour ?? false);
  const lines = ['', 'Summary'];
  for (const r of results) lines.push(elide(`  ${c(pad(r.outcome, 10), OUTCOME_COLOUR[r.outcome] ?? 'bold')} ${pad(r.runbook ?? '-', 24)} ${r.input}`, WIDTH + (options.colour ? 9 : 0)));
  return lines.join('\n');
}

/** The undo of an input's incident (--then-undo, or started by the runbook): its timeline, its restores, and each touched resource start -> runbook -> undo. */
function renderUndo(u: UndoResult): string[] {
  const lines = [`  undo${u.requestedBy ? ` (requested by ${u.requestedBy})` : ''}`];
  lines.push(...timelineRows(u.timeline));
  lines.push(...hanging(`  UNDO ${u.outcome.toUpperCase()}: `, u.reason));
  for (const a of u.actions) {
    lines.push(...hanging('  restore ', `${a.operation} ${a.target}: ${show(a.before)} -> ${show(a.after)} [${a.status}; ledger row of intent ${a.auditedBeforeCall ? 'written before the call' : 'MISSING at the call'}]`, DETAIL_LINES));
  }
  for (const res of u.resources) {
    const compared = res.equalsStart === null ? 'not compared' : res.equalsStart ? 'equals the starting state' : 'DIFFERS from the starting state';
    const verdict = res.note ? `${compared} (${res.note})` : compared;
    const fields = res.fields.length ? ` [${res.fields.join(', ')}]` : '';
    // One compared field reads best as its bare value ("none -> 0 -> none").
    const field = res.fields.length === 1 ? res.fields[0]! : undefined;
    const value = (v: unknown) => show(field && v && typeof v === 'object' ? (v as Record<string, unknown>)[field] : v);
    lines.push(...hanging('  resource ', `${res.name}${fields}: start ${value(res.start)} -> runbook ${value(res.afterRunbook)} -> undo ${value(res.afterUndo)}: ${verdict}`, DETAIL_LINES + 1));
  }
  lines.push(u.restored ? '  RESTORED: every reversible touched resource equals its starting state' : '  NOT RESTORED: see the resources above');
  return lines;
}
