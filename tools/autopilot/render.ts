/**
 * The views as text a person reads at 3 a.m., within 120 columns as the drill's output is
 * (drill/layout.ts): one head line per thing, prose wrapped under it, long values elided
 * (`--json` has them whole).
 */
import * as path from 'node:path';
import { elide, hanging, WIDTH } from '../../drill/layout';
import { show } from '../../lambdas/domain/message';
import type { SourceInfo } from './source';
import type { ActionView, HistoryEntry, IncidentDetail, IncidentView, StatusView, WaitingView } from './views';

const line = (text: string): string => elide(text, WIDTH);

/** An ISO time as `2026-11-03 03:12:41Z` (CloudWatch's `+0000` too); anything else as it is. */
export function clock(iso: string): string {
  const ms = Date.parse(iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function sourceLines(s: SourceInfo): string[] {
  return hanging('', s.kind === 'stack'
    ? `runbook-autopilot ${s.environment}: stack ${s.stack} in ${s.region}, ledger table ${s.ledgerTable}`
    : `runbook-autopilot ${s.environment}: the state the last drill kept (${path.relative(process.cwd(), s.file) || s.file}, ${clock(s.writtenAt)})`);
}

function incidentLines(i: IncidentView, extra = ''): string[] {
  return [
    line(`  ${i.incidentId}  ${i.status} ${i.runbook} on ${i.target}${extra}`),
    ...hanging(`    ${clock(i.firedAt)}  `, i.summary, 2),
    ...(i.reason ? hanging('    ', i.reason, 3) : []),
    ...(i.failedState ? [line(`    failed at "${i.failedState}": a redrive retries it`)] : []),
    ...(i.undo ? hanging('    ', `undo ${i.undo.status}${i.undo.reason ? `: ${i.undo.reason}` : ''}`, 2) : []),
    ...(i.link ? [`    ${i.link}`] : []),
  ];
}

export function actionLines(a: ActionView): string[] {
  return [
    line(`  ${clock(a.at)}  ${a.status} ${a.operation}  ${a.incidentId}${a.undoes ? ' (an undo)' : ''}`),
    line(`    ${a.target}: ${show(a.before)} -> ${show(a.after)}${a.error ? `  ${a.error}` : ''}`),
  ];
}

export function waitingLines(w: WaitingView): string[] {
  const decided = w.decided.length > 0 ? ` (so far: ${w.decided.map((d) => `${d.approver} ${d.decision}`).join(', ')})` : '';
  return [
    line(`  ${w.requestId}  ${w.runbook}/${w.step} [${w.severity}, ${w.level}]  ${w.incidentId}`),
    ...hanging('    ', `${w.operation} on ${w.target}`, 2),
    ...hanging('    ', `needs ${w.requiredApprovals} distinct approval(s)${decided}; waiting for ${w.waitingFor.join(', ') || 'nobody left at this level'}`
      + `${w.startedBy ? ` (${w.startedBy} started the run and may not approve it)` : ''}; each approver's link is in their email`),
    ...hanging('    ', `deadline ${clock(w.deadline)}; unanswered, ${w.ifUnanswered}`),
    ...(w.link ? [`    ${w.link}`] : []),
  ];
}

export function renderStatus(v: StatusView): string[] {
  const runbooks = Object.entries(v.switches.runbooks);
  const held = runbooks.filter(([, s]) => s.holding !== null);
  const switches = v.paused
    ? hanging('PAUSED: ', v.switches.automation.holding ?? '')
    : [
      line(`automation on (${v.switches.automation.parameter} = ${v.switches.automation.value ?? 'missing'})`),
      ...(held.length === 0 ? hanging('every runbook on: ', runbooks.map(([r]) => r).join(', ')) : [
        ...held.flatMap(([, s]) => hanging('held: ', s.holding ?? '')),
        ...(held.length < runbooks.length ? hanging('on: ', runbooks.filter(([, s]) => s.holding === null).map(([r]) => r).join(', ')) : []),
      ]),
    ];
  return [
    ...sourceLines(v.source),
    ...switches,
    '', `open incidents: ${v.open.length}`, ...v.open.flatMap((i) => incidentLines(i)),
    '', `waiting for approval: ${v.waitingForApproval.length}`, ...v.waitingForApproval.flatMap(waitingLines),
    '', `last actions: ${v.lastActions.length === 0 ? 'none' : v.lastActions.length}`, ...v.lastActions.flatMap(actionLines),
  ];
}

export function renderHistory(source: SourceInfo, entries: readonly HistoryEntry[]): string[] {
  return [
    ...sourceLines(source),
    entries.length === 0 ? 'no incidents in the ledger' : `${entries.length} incident(s), newest first:`,
    ...entries.flatMap((e) => incidentLines(e, e.actions > 0 ? `, ${e.actions} action(s)` : '')),
  ];
}

export function renderIncident(source: SourceInfo, d: IncidentDetail): string[] {
  return [
    ...sourceLines(source),
    ...incidentLines(d.incident),
    '', `actions: ${d.actions.length === 0 ? 'none' : d.actions.length}`, ...d.actions.flatMap(actionLines),
    '', `approval requests: ${d.approvals.length === 0 ? 'none' : d.approvals.length}`,
    ...d.approvals.flatMap((a) => [
      line(`  ${a.requestId}  ${a.step} ${a.level} ${a.status}`),
      ...(a.outcome ? hanging('    ', a.outcome, 2) : []),
    ]),
  ];
}

export function renderApprovals(source: SourceInfo, waiting: readonly WaitingView[], approver?: string): string[] {
  const whose = approver ? ` for ${approver}` : '';
  return [
    ...sourceLines(source),
    waiting.length === 0 ? `nothing waits for approval${whose}` : `${waiting.length} request(s) waiting${whose}, the nearest deadline first:`,
    ...waiting.flatMap(waitingLines),
  ];
}
