import { isDeepStrictEqual } from 'node:util';
import type { DrillResult } from '../../drill/result';
import type { DrillRun } from '../drill/run-drill';

/** Settled rows: `unknown` is settled too (the call may have taken effect; the next touch of the target reads it). */
const TERMINAL = new Set(['succeeded', 'failed', 'planned', 'unknown']);
const OUTCOMES = new Set(['remediated', 'skipped', 'escalated', 'failed']);

/**
 * What must hold however a run ends: a defined outcome, no row of intent left behind, every
 * change audited before it was made, and nothing changed unless the ledger says it was.
 * Returns the broken rules, so a failing cell names all of them at once.
 */
export function brokenInvariants(r: DrillResult): string[] {
  const broken: string[] = [];
  if (!OUTCOMES.has(r.outcome)) broken.push(`outcome ${r.outcome} is not one of ${[...OUTCOMES].join(', ')}`);
  if (!r.reason) broken.push(`it ends ${r.outcome} without a reason`);
  for (const row of r.ledger) {
    if (!TERMINAL.has(row.status)) broken.push(`ledger row ${row.actionKey} left in status ${row.status}`);
    if (row.incidentId !== r.incidentId) broken.push(`ledger row ${row.actionKey} belongs to incident ${row.incidentId}, not ${String(r.incidentId)}`);
  }
  for (const a of r.actions) {
    if (a.status === 'succeeded' && a.auditedBeforeCall === false) broken.push(`${a.operation} on ${a.target} succeeded without its row of intent written first`);
  }
  // A run whose admit answered knows its incident, and reports the target it is about (the
  // budget guardrail's incident names the budget, which is not a resource of the account).
  if (r.incidentId === null && r.notifications.some((n) => n.outcome !== 'failed')) broken.push('the run went past admit but names no incident');
  if (r.incidentId !== null && r.runbook !== 'llm-budget-guardrail' && Object.keys(r.resources.before).length === 0) {
    broken.push(`the resources of incident ${r.incidentId} are not reported`);
  }
  // A run that failed at a state is heard through the execution-failure rule (or by nobody, when nothing can be
  // published); a run that ended as the runbook decided is not: the rule hears failures only.
  const last = r.runs[r.runs.length - 1];
  const ruleNotices = r.notifications.filter((n) => n.via === 'rule');
  if (last?.status === 'FAILED' && r.outcome !== 'failed') broken.push(`the execution failed at ${last.failedAt ?? '?'}, but the outcome is ${r.outcome}`);
  if (last?.status === 'FAILED' && r.notifications.length > 0 && r.notifications[r.notifications.length - 1]?.via !== 'rule') {
    broken.push(`the execution failed at ${last.failedAt ?? '?'}, but its last notification did not come from the execution-failure rule`);
  }
  if (last?.status === 'SUCCEEDED' && ruleNotices.length > 0) broken.push('the execution succeeded, yet the execution-failure rule escalated it');
  for (const n of ruleNotices) if (n.outcome !== 'failed' || n.topic !== 'critical') broken.push(`the execution-failure rule sent ${n.outcome} to the ${n.topic} topic`);
  // A row in effect says so (succeeded); one whose answer was lost says it may be (unknown); a failed one changed nothing.
  if (!r.actions.some((a) => a.status === 'succeeded' || a.status === 'unknown') && !isDeepStrictEqual(r.resources.after, r.resources.before)) {
    broken.push(`resources changed with no succeeded or unknown action in the ledger: ${JSON.stringify(r.resources.before)} -> ${JSON.stringify(r.resources.after)}`);
  }
  return broken;
}

/** One line for a run's end, for failure messages and the matrix. */
export const summary = (r: DrillResult): string =>
  `${r.outcome} [${r.notifications.map((n) => `${n.outcome}->${n.topic}${n.via ? ` (${n.via})` : ''}`).join(', ') || 'no notification'}]`
  + `${r.runs.some((x) => x.status === 'FAILED') ? ` failed at ${r.runs.map((x) => x.failedAt).filter(Boolean).join(', ')}` : ''} ${r.reason}`;

/** The result of one runbook in a run that replayed several. */
export function resultOf(run: DrillRun, runbook: string): DrillResult {
  const found = run.results.filter((r) => r.runbook === runbook);
  if (found.length !== 1) {
    throw new Error(`expected one result for ${runbook}, got ${found.length} (exit ${run.code}): ${run.stderr.trim().split('\n')[0] ?? ''}`);
  }
  return found[0]!;
}
