import { autoApprovedBecause } from '../lambdas/domain/approval';
import type { Outcome } from '../lambdas/domain/message';
import type { ActionRecord, Ledger } from '../lambdas/shared/ledger';
import { stepOf, UNDO_STEP_PREFIX } from '../lambdas/domain/undo-plan';
import type { ApprovalStore } from '../lambdas/approval/store';
import type { ExecutionFailedResult } from '../lambdas/notify/execution-failed';
import type { ExecutionRecord, Invocation } from './executor';
import type { DrillInput } from './inputs';
import type { ApprovalNote, AuditCheck, DrillAction, MutationReceived, TimelineEntry, UndoResult } from './records';
import { timelineWithApprovals } from './timeline';
import type { EmittedMetric } from './metrics-tap';

export type { DrillAction, TimelineEntry } from './records';

/** What the execution-failure rule's notifier did with one failed run (its output, or how its delivery failed). */
export interface RuleNotice {
  readonly executionArn: string;
  readonly redriveCount: number;
  readonly at: number;
  readonly output?: ExecutionFailedResult;
  readonly error?: string;
}

/** One run of the input's execution: the first (from StartAt), then each redrive (from the state that failed). */
export interface DrillRun {
  readonly redriveCount: number;
  /** The state the run started from; null for the first run (the machine's StartAt). */
  readonly from: string | null;
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** A failed run: the state it failed at, and the error. */
  readonly failedAt?: string;
  readonly error?: string;
  /** The mutating calls the account received during the run, in order, and whether each took effect. */
  readonly calls: readonly { operation: string; input: unknown; applied: boolean }[];
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
  /** Every notification, in order: the runbook's own, and (`via: "rule"`) the execution-failure rule's for a failed run. */
  readonly notifications: readonly { outcome: string; topic: string; via?: 'rule' }[];
  /** The input's execution, run by run (a redrive continues the same execution). */
  readonly runs: readonly DrillRun[];
  /** With --then-redrive: why Step Functions refused the redrive (e.g. ExecutionNotRedrivable for a succeeded execution). */
  readonly redriveRefused?: string;
  readonly timeline: readonly TimelineEntry[];
  readonly resources: { readonly before: Record<string, unknown>; readonly after: Record<string, unknown> };
  /** With --then-undo: the undo of this input's incident, and the touched resources after it. */
  readonly undo?: UndoResult;
  /** Every decision on the incident's gated steps, from the ledger, oldest first. */
  readonly approvals: readonly { approver: string; decision: string; at: string; level: string; comment?: string }[];
  /** The incident's approval requests (one per escalation level asked), from the ledger. */
  readonly approvalRequests: readonly { requestId: string; step: string; level: string; status: string; outcome?: string }[];
  /** The metrics the handlers emitted for this input's executions (and its undo's), as their EMF lines state them. */
  readonly metrics: readonly EmittedMetric[];
  /**
   * How long before the run started its trigger fired (a recorded event's own time): the part of a
   * TimeToMitigate or TimeToVerified that is the replay, not the run. Absent when nothing was admitted.
   */
  readonly triggerAgeMs?: number;
  /**
   * The incident's post-incident report as the run left it: written by its report step (or, for a
   * failed run, by the execution-failure notifier) at `key`, or not, and why. Absent where nothing
   * tried to write one (no execution, a duplicate delivery).
   */
  readonly report?: { readonly written: boolean; readonly key: string | null; readonly reason: string | null };
}

interface BuildInput {
  readonly input: DrillInput;
  /** `failure`: the trigger function failed every attempt, so no execution could start. */
  readonly routing: { runbook: string | null; rejection?: string; failure?: string };
  readonly executions: readonly ExecutionRecord[];
  /** Later runs of the first execution (its redrives), oldest first. */
  readonly redrives?: readonly ExecutionRecord[];
  /** The execution-failure rule's notices for these runs. */
  readonly ruleNotices?: readonly RuleNotice[];
  /** The account's mutating calls during each run, in order. */
  readonly runCalls?: readonly (readonly MutationReceived[])[];
  readonly redriveRefused?: string;
  readonly before: Record<string, unknown>;
  readonly after: Record<string, unknown>;
  readonly audits: readonly AuditCheck[];
  readonly ledger: Ledger;
  readonly approvals?: ApprovalStore;
  readonly approvalNotes?: readonly ApprovalNote[];
  /** The metrics the handlers emitted for these executions. */
  readonly metrics: readonly EmittedMetric[];
  /** Resources the runbook's runs are about besides the incident's target (its module's drill.watches). */
  readonly watched?: readonly string[];
}

const isNotify = (i: Invocation) => i.functionName.endsWith('-Notify');
const isReport = (i: Invocation) => i.functionName.endsWith('-Report');
const isAdmit = (i: Invocation) => i.functionName.endsWith('-Admit');

export async function buildResult(b: BuildInput): Promise<DrillResult> {
  const execution = b.executions[0];
  if (!execution) {
    return {
      input: b.input.label, runbook: b.routing.runbook, outcome: b.routing.failure ? 'failed' : b.routing.runbook ? 'skipped' : 'rejected',
      reason: b.routing.failure ?? b.routing.rejection ?? 'nothing ran', incidentId: null, executionArn: null, actions: [], ledger: [], metrics: b.metrics,
      notifications: [], runs: [], timeline: [], resources: { before: {}, after: {} }, approvals: [], approvalRequests: [],
    };
  }
  const runs = [execution, ...(b.redrives ?? [])];
  const invocations = runs.flatMap((r) => r.invocations);
  // A retried admit fails before it answers: the decision is the attempt that returned one.
  const admitted = invocations.find((i) => isAdmit(i) && i.output !== undefined)?.output as { decision?: string; reason?: string; incident?: { id: string; target: string; firedAt?: string; source?: { arn?: string } } | null } | undefined;
  const heard = (b.ruleNotices ?? []).filter((n) => n.executionArn === execution.executionArn);
  // The runbook's own notifications and the rule's, in the order they were sent.
  type Notice = { at: number; outcome: Outcome; reason: string; topic: string; via?: 'rule' };
  const notices: Notice[] = [
    ...invocations.filter((i) => isNotify(i) && i.output).map((i): Notice => {
      const out = i.output as { outcome: Outcome; reason: string; topic: string };
      return { at: i.endedMs, outcome: out.outcome, reason: out.reason, topic: out.topic };
    }),
    ...heard.flatMap((n): Notice[] => (n.output?.outcome === 'failed' ? [{ at: n.at, outcome: 'failed', reason: n.output.reason ?? '', topic: 'critical', via: 'rule' }] : [])),
  ].sort((x, y) => x.at - y.at);
  const last = notices[notices.length - 1];
  const final = runs[runs.length - 1]!;
  let outcome: Outcome;
  let reason: string;
  if (last && !(final.status === 'FAILED' && last.via === undefined)) {
    ({ outcome, reason } = last);
  } else if (admitted?.decision === 'duplicate') {
    outcome = 'skipped';
    reason = `duplicate: ${admitted.reason ?? ''}`;
  } else {
    // Failed, and not heard (the notifier could not publish): the execution's own error.
    outcome = 'failed';
    reason = final.error ? `${final.error.Error}: ${final.error.Cause}` : 'the execution ended without an outcome';
  }
  const incidentId = admitted?.incident?.id ?? null;
  // The runbook's rows (an undo of the incident reports its own).
  const ledgerRows = incidentId && admitted?.decision !== 'duplicate'
    ? (await b.ledger.listActions(incidentId)).filter((row) => !stepOf(row.actionKey).startsWith(UNDO_STEP_PREFIX)) : [];
  const actions = ledgerRows.map((row): DrillAction => {
    const base = { operation: row.operation, target: row.target, before: row.before, after: row.after ?? null, status: row.status };
    if (row.status === 'planned') return { ...base, auditedBeforeCall: null, planned: true, parameters: row.parameters };
    if (row.status === 'succeeded' && row.attempts === 0) return { ...base, auditedBeforeCall: null, foundInEffect: true };
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
      if (full && autoApprovedBecause(full.outcome) !== undefined) approvals.push({ approver: '(policy)', decision: 'auto-approved', at: full.createdAt, level: full.level });
      for (const d of await b.approvals.decisions(r.requestId)) approvals.push({ approver: d.approver, decision: d.decision, at: d.at, level: d.level, ...(d.comment ? { comment: d.comment } : {}) });
    }
  }
  // The report's last word: the report step's, or the rule's notifier's for a run that failed after it.
  type Written = NonNullable<DrillResult['report']>;
  const reported = [
    ...invocations.filter((i) => isReport(i) && i.output).map((i) => ({ at: i.endedMs, report: i.output as Written })),
    ...heard.flatMap((n) => (n.output?.report ? [{ at: n.at, report: n.output.report }] : [])),
  ].sort((x, y) => x.at - y.at).at(-1)?.report;
  // The target, the resource its event names (a failed execution, where the target is its state machine), what the runbook watches and every ledger row's.
  const incident = admitted?.incident;
  const touched = new Set<string>([
    ...(incident ? [incident.target, ...(incident.source?.arn ? [incident.source.arn] : []), ...(b.watched ?? [])] : []), ...ledgerRows.map((r) => r.target),
  ]);
  const triggerAgeMs = incident?.firedAt === undefined ? Number.NaN : execution.startedAt - Date.parse(incident.firedAt);
  return {
    input: b.input.label,
    metrics: b.metrics,
    ...(triggerAgeMs >= 0 ? { triggerAgeMs } : {}),
    runbook: execution.stateMachineName,
    outcome, reason, incidentId,
    executionArn: execution.executionArn,
    actions,
    ledger: ledgerRows,
    notifications: notices.map((n) => ({ outcome: n.outcome, topic: n.topic, ...(n.via ? { via: n.via } : {}) })),
    runs: runs.map((r, i) => ({
      redriveCount: r.redriveCount, from: r.redrivenFrom ?? null, status: r.status,
      calls: (b.runCalls?.[i] ?? []).map((c) => ({ operation: `${c.service}:${c.operation}`, input: c.input, applied: c.applied })),
      ...(r.status === 'FAILED' ? { failedAt: r.failedState?.name ?? '(no state)', error: `${r.error?.Error ?? 'Error'}: ${r.error?.Cause ?? ''}` } : {}),
    })),
    ...(b.redriveRefused ? { redriveRefused: b.redriveRefused } : {}),
    timeline: runs.flatMap((r) => [
      ...(r.redriveCount > 0 ? [{ elapsedMs: r.startedAt - execution.startedAt, state: `(redrive ${r.redriveCount})`, event: 'redriven' as const, detail: `RedriveExecution: the same execution, from "${r.redrivenFrom ?? '?'}" with the input it failed with` }] : []),
      ...timelineWithApprovals(r, b.approvalNotes ?? [], execution.startedAt),
      ...heard.filter((n) => n.redriveCount === r.redriveCount).map((n): TimelineEntry => ({
        elapsedMs: n.at - execution.startedAt, state: '(execution-failure rule)', event: 'heard',
        detail: n.output ? (n.output.outcome === 'failed' ? `failed -> critical topic: ${n.output.reason ?? ''}` : `${n.output.outcome}: nothing sent`) : n.error ?? '',
      })),
    ]),
    resources: { before: pick(b.before, touched), after: pick(b.after, touched) },
    approvals, approvalRequests,
    ...(reported ? { report: { written: reported.written, key: reported.key, reason: reported.reason } } : {}),
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
