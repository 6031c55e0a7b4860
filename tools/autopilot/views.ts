/**
 * What `status`, `history` and `approvals` show, read from ledger items (lambdas/shared/ledger.ts,
 * lambdas/approval/store.ts name the keys) and the switch values: pure, so a deployed ledger and a
 * drill's read the same.
 */
import type { ApprovalRequest } from '../../lambdas/approval/store';
import { executionConsoleUrl } from '../../lambdas/domain/message';
import { AUTOMATION_ON, RUNBOOK_ON, switchHold } from '../../lambdas/domain/switches';
import type { ActionRecord, IncidentRecord } from '../../lambdas/shared/ledger';
import type { LedgerItem, SourceInfo, SwitchValues } from './source';

/** An incident's record: `INCIDENT#<id>` / `META`. */
const isIncident = (i: LedgerItem) => i.pk.startsWith('INCIDENT#') && i.sk === 'META';
/** A mutating call: `INCIDENT#<id>` / `ACTION#<key>`. */
const isAction = (i: LedgerItem) => i.pk.startsWith('INCIDENT#') && i.sk.startsWith('ACTION#');
/** An approval request, the row that arbitrates it: `APPROVAL#<requestId>` / `REQUEST`. */
const isRequest = (i: LedgerItem) => i.pk.startsWith('APPROVAL#') && i.sk === 'REQUEST';

const incidents = (items: readonly LedgerItem[]) => items.filter(isIncident) as unknown as IncidentRecord[];
const actions = (items: readonly LedgerItem[]) => items.filter(isAction) as unknown as ActionRecord[];
const requests = (items: readonly LedgerItem[]) => items.filter(isRequest) as unknown as ApprovalRequest[];

const newestFirst = <T>(at: (x: T) => string) => (a: T, b: T) => at(b).localeCompare(at(a));
const link = (region: string | null, executionArn: string | undefined): string | null =>
  region !== null && executionArn ? executionConsoleUrl(region, executionArn) : null;

export interface SwitchView {
  readonly parameter: string;
  readonly value: string | null;
  /** Why admit holds it, in admit's own words; null when it runs. */
  readonly holding: string | null;
}

export interface IncidentView {
  readonly incidentId: string;
  readonly runbook: string;
  readonly target: string;
  /** admitted (running), remediated, skipped, escalated, failed, rejected. */
  readonly status: string;
  readonly reason: string | null;
  readonly summary: string;
  readonly firedAt: string;
  readonly updatedAt: string;
  readonly executionArn: string;
  readonly failedState: string | null;
  readonly undo: { readonly status: string; readonly reason: string | null; readonly executionArn: string | null } | null;
  /** The execution in the Step Functions console (none for a drill). */
  readonly link: string | null;
}

export interface ActionView {
  readonly incidentId: string;
  readonly runbook: string;
  readonly operation: string;
  readonly target: string;
  readonly status: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly at: string;
  readonly error: string | null;
  /** An undo's restore names the action it puts back. */
  readonly undoes: string | null;
}

export interface WaitingView {
  readonly requestId: string;
  readonly incidentId: string;
  readonly runbook: string;
  readonly step: string;
  /** What happens on approval: the exact call. */
  readonly operation: string;
  readonly target: string;
  readonly severity: string;
  readonly level: string;
  readonly requiredApprovals: number;
  readonly decided: readonly { readonly approver: string; readonly decision: string; readonly at: string }[];
  /** Who may still decide: each has their own link, sent by email. */
  readonly waitingFor: readonly string[];
  /** Who started the run, and so may not approve it. */
  readonly startedBy: string | null;
  readonly deadline: string;
  /** What silence does at the deadline. */
  readonly ifUnanswered: string;
  readonly link: string | null;
}

export interface StatusView {
  readonly source: SourceInfo;
  /** The kill switch holds every runbook. */
  readonly paused: boolean;
  readonly switches: { readonly automation: SwitchView; readonly runbooks: Readonly<Record<string, SwitchView>> };
  /** Incidents a runbook (or an undo) is still working on. */
  readonly open: readonly IncidentView[];
  readonly waitingForApproval: readonly WaitingView[];
  readonly lastActions: readonly ActionView[];
}

function incidentView(r: IncidentRecord, region: string | null): IncidentView {
  return {
    incidentId: r.incidentId, runbook: r.runbook, target: r.target, status: r.status, reason: r.reason ?? null, summary: r.summary,
    firedAt: r.firedAt, updatedAt: r.updatedAt, executionArn: r.executionArn, failedState: r.failedState ?? null,
    undo: r.undoStatus ? { status: r.undoStatus, reason: r.undoReason ?? null, executionArn: r.undoExecutionArn ?? null } : null,
    link: link(region, r.executionArn),
  };
}

function actionView(a: ActionRecord): ActionView {
  return {
    incidentId: a.incidentId, runbook: a.runbook, operation: a.operation, target: a.target, status: a.status,
    before: a.before ?? null, after: a.after ?? null, at: a.completedAt ?? a.startedAt, error: a.error ?? null, undoes: a.undoes ?? null,
  };
}

function waitingView(r: ApprovalRequest, region: string | null): WaitingView {
  const decisions = Object.values(r.decisions ?? {});
  const decided = new Set(decisions.map((d) => d.approver));
  const waitingFor = r.approvers.filter((a) => !decided.has(a));
  const next = r.ifUnanswered;
  return {
    requestId: r.requestId, incidentId: r.incidentId, runbook: r.gate.runbook, step: r.gate.step, operation: r.gate.operation, target: r.gate.target,
    severity: r.gate.severity, level: r.level, requiredApprovals: r.requiredApprovals,
    decided: decisions.map((d) => ({ approver: d.approver, decision: d.decision, at: d.at })).sort((a, b) => a.at.localeCompare(b.at)),
    waitingFor, startedBy: r.startedBy ?? null, deadline: r.deadline,
    ifUnanswered: next.nextLevel
      ? `asked again at ${next.nextLevel}${next.nextApprovers.length > 0 ? `, adding ${next.nextApprovers.join(', ')}` : ''}`
      : next.onTimeout === 'proceed' ? 'the step proceeds (marked safe)' : 'the step is aborted and escalated',
    link: link(region, r.executionArn),
  };
}

/** Paused or not, per runbook and in all; what is running, what waits for a person, what was done last. */
export function statusView(source: SourceInfo, items: readonly LedgerItem[], switches: SwitchValues, region: string | null, lastActions = 10): StatusView {
  const names = { automation: switches.automation.parameter, runbooks: Object.fromEntries(Object.entries(switches.runbooks).map(([r, s]) => [r, s.parameter])) };
  const automation = switches.automation.value;
  return {
    source,
    paused: automation !== AUTOMATION_ON,
    switches: {
      automation: { ...switches.automation, holding: switchHold('', names, { automation, runbook: RUNBOOK_ON }) },
      runbooks: Object.fromEntries(Object.entries(switches.runbooks).map(([runbook, s]) => [runbook, {
        ...s, holding: switchHold(runbook, names, { automation, runbook: s.value }),
      }])),
    },
    open: incidents(items).filter((r) => r.status === 'admitted' || r.undoStatus === 'undoing')
      .sort(newestFirst((r) => r.updatedAt)).map((r) => incidentView(r, region)),
    waitingForApproval: waiting(items, region),
    lastActions: actions(items).map(actionView).sort(newestFirst((a) => a.at)).slice(0, lastActions),
  };
}

/** Open approval requests, oldest deadline first. */
export function waiting(items: readonly LedgerItem[], region: string | null, approver?: string): WaitingView[] {
  return requests(items).filter((r) => r.status === 'open').map((r) => waitingView(r, region))
    .filter((w) => approver === undefined || w.waitingFor.includes(approver))
    .sort((a, b) => a.deadline.localeCompare(b.deadline));
}

export interface HistoryEntry extends IncidentView {
  /** How many mutating calls it recorded (a plan counts: it is the exact call). */
  readonly actions: number;
}

/** Recent incidents, newest first, with how each ended. */
export function historyView(items: readonly LedgerItem[], region: string | null, o: { limit: number; runbook?: string }): HistoryEntry[] {
  const counts = new Map<string, number>();
  for (const a of actions(items)) counts.set(a.incidentId, (counts.get(a.incidentId) ?? 0) + 1);
  return incidents(items).filter((r) => o.runbook === undefined || r.runbook === o.runbook)
    .sort(newestFirst((r) => r.createdAt)).slice(0, o.limit)
    .map((r) => ({ ...incidentView(r, region), actions: counts.get(r.incidentId) ?? 0 }));
}

export interface IncidentDetail {
  readonly incident: IncidentView;
  /** Oldest first, as they were made. */
  readonly actions: readonly ActionView[];
  readonly approvals: readonly {
    readonly requestId: string; readonly step: string; readonly level: string; readonly status: string; readonly outcome: string | null;
    readonly decisions: readonly { readonly approver: string; readonly decision: string; readonly at: string }[];
  }[];
}

/** One incident: its record, every action and every approval request. Undefined when the ledger has no such incident. */
export function incidentDetail(items: readonly LedgerItem[], incidentId: string, region: string | null): IncidentDetail | undefined {
  const record = incidents(items).find((r) => r.incidentId === incidentId);
  if (!record) return undefined;
  return {
    incident: incidentView(record, region),
    actions: actions(items).filter((a) => a.incidentId === incidentId).sort((a, b) => a.startedAt.localeCompare(b.startedAt)).map(actionView),
    approvals: requests(items).filter((r) => r.incidentId === incidentId).sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map((r) => ({
      requestId: r.requestId, step: r.gate.step, level: r.level, status: r.status, outcome: r.outcome ?? null,
      decisions: Object.values(r.decisions ?? {}).map((d) => ({ approver: d.approver, decision: d.decision, at: d.at })).sort((a, b) => a.at.localeCompare(b.at)),
    })),
  };
}
