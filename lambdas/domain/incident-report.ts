/**
 * The post-incident report (seed 001 "Post-incident", seed 003 "Post-Incident Review"): one
 * Markdown page per incident, built from what the remediation ledger holds of it and nothing else.
 * The trigger, admit's decision, what each read found, each change with the value before and after,
 * the approvals (who, when, which decision), the verification, the undo, the escalations, the time
 * from the trigger to the first mitigating call and to resolution, the targets touched, and the
 * follow-ups a human owns. Where the ledger holds no record of something, the page says so rather
 * than guessing. Pure: the same rows give the same page, byte for byte.
 *
 *   await incidentReport(new ReportRecords(table), incidentId)   // lambdas/report/writer.ts: the rows, then this
 */
import { autoApprovedBecause, type Decision, type Level } from './approval';
import { executionConsoleUrl } from './message';
import { itemsRowLine } from './recorded-items';
import type { ExecutionFacts } from './report-facts';
import { between, cell, code, duration, elide, fields, paragraph, prose, sentence, value } from './report-text';
import { stepOf, UNDO_STEP_PREFIX } from './undo-plan';
import type { ActionRecord, IncidentRecord } from '../shared/ledger';

/** An approval request as its ledger row holds it (the task token, a capability, is never read here). */
export interface ReportedApproval {
  readonly requestId: string;
  readonly gate: { readonly step: string; readonly operation: string; readonly target: string; readonly severity?: string; readonly parameters?: unknown };
  readonly level: Level;
  readonly requiredApprovals: number;
  readonly approvers: readonly string[];
  readonly startedBy?: string | null;
  readonly ifUnanswered?: { readonly nextLevel: Level | null; readonly onTimeout: 'abort' | 'proceed' };
  readonly createdAt: string;
  readonly deadline: string;
  readonly status: string;
  readonly decisions?: Readonly<Record<string, Decision>>;
  readonly outcome?: string;
  readonly closedAt?: string;
}

/** The escalation of one failed run, as the execution-failure notifier recorded it (EXECUTION#<arn> / FAILURE#<n>). */
export interface FailureNotice {
  readonly executionArn: string;
  readonly redriveCount: number;
  readonly status: string;
  readonly notice?: { readonly reason?: string; readonly state?: string | null };
  readonly sentAt?: string;
}

/** Everything the ledger holds of one incident. */
export interface IncidentRows {
  readonly incident: IncidentRecord;
  /** Its action rows, the undo's included (ACTION#...). */
  readonly actions: readonly ActionRecord[];
  readonly approvals: readonly ReportedApproval[];
  readonly failures: readonly FailureNotice[];
  /** What its executions' report steps (and the execution-failure notifier) recorded of each run (FACTS#...). */
  readonly facts: readonly ExecutionFacts[];
}

export interface ReportOptions {
  /**
   * Its runbook's changes that bypass a hard rule, by operation, with the rule in words (its module's
   * `hardRules`): each still in effect is a P1 revert task (seed 001).
   */
  readonly hardRules?: Readonly<Record<string, string>>;
}

/** The incident's statuses that end it: the report is written once it has one. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['remediated', 'skipped', 'escalated', 'failed', 'rejected']);

const isUndoRow = (a: ActionRecord): boolean => stepOf(a.actionKey).startsWith(UNDO_STEP_PREFIX);
/** A call was made and took effect, or may have (its answer was lost). */
const madeCall = (a: ActionRecord): boolean => a.attempts > 0 && (a.status === 'succeeded' || a.status === 'unknown');
const regionOf = (arn: string): string => arn.split(':')[3] || 'us-east-1';
const byTime = <T>(at: (x: T) => string) => (x: T, y: T) => at(x).localeCompare(at(y));

export function buildIncidentReport(rows: IncidentRows, options: ReportOptions = {}): string {
  const r = new Reading(rows, options);
  return [
    ...r.header(), ...r.trigger(), ...r.admission(), ...r.diagnosis(), ...r.actionsSection(), ...r.approvalsSection(),
    ...r.verification(), ...r.undo(), ...r.escalations(), ...r.blastRadius(), ...r.followUps(), ...r.footer(),
  ].join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

/** The rows, sorted once, and what each section reads of them. */
class Reading {
  private readonly incident: IncidentRecord;
  private readonly own: readonly ActionRecord[];
  private readonly undoRows: readonly ActionRecord[];
  private readonly approvals: readonly ReportedApproval[];
  private readonly facts: ExecutionFacts | undefined;
  private readonly dryRun: boolean;

  constructor(private readonly rows: IncidentRows, private readonly options: ReportOptions) {
    this.incident = rows.incident;
    const actions = [...rows.actions].sort(byTime((a) => a.startedAt));
    this.own = actions.filter((a) => !isUndoRow(a));
    this.undoRows = actions.filter(isUndoRow);
    this.approvals = [...rows.approvals].sort(byTime((a) => a.createdAt));
    // The run that owns the incident now: its latest recorded run; another execution's facts if it has none.
    const ofOwner = rows.facts.filter((f) => f.executionArn === this.incident.executionArn);
    this.facts = [...(ofOwner.length > 0 ? ofOwner : rows.facts)].sort((a, b) => a.redriveCount - b.redriveCount).at(-1);
    this.dryRun = this.facts?.admission?.dryRun === true || (this.own.length > 0 && this.own.every((a) => a.status === 'planned'));
  }

  header(): string[] {
    const i = this.incident;
    const first = this.firstCall();
    const closed = TERMINAL_STATUSES.has(i.status);
    const toFirst = first ? between(i.firedAt, first.startedAt) : undefined;
    const toEnd = closed ? between(i.firedAt, i.updatedAt) : undefined;
    const run = (i.redriveCount ?? 0) > 0 ? ` (redrive ${i.redriveCount})` : '';
    return [
      `# ${i.runbook} on ${code(i.target)}: ${i.status}${this.dryRun ? ' (dry run)' : ''}`,
      '',
      paragraph(i.reason ?? i.summary),
      '',
      '| | |',
      '|---|---|',
      `| Incident | ${code(i.incidentId)} |`,
      `| Runbook | ${i.runbook} |`,
      `| Target | ${code(cell(i.target))} |`,
      `| Outcome | ${i.status} |`,
      `| Triggered | ${i.firedAt} |`,
      `| Closed | ${closed ? i.updatedAt : `not yet (${i.status})`} |`,
      `| Trigger to first mitigating call | ${first ? `${toFirst === undefined ? 'unknown' : duration(toFirst)} (${cell(first.operation)} on ${code(cell(first.target))})` : this.dryRun ? 'none: a dry run calls nothing' : 'none: no change was made'} |`,
      `| Trigger to resolution | ${i.status === 'remediated' && toEnd !== undefined ? duration(toEnd) : `not resolved by the runbook${toEnd !== undefined ? `: closed ${i.status} after ${duration(toEnd)}` : ''}`} |`,
      `| Execution | [${cell(i.executionArn.split(':').pop() ?? i.executionArn)}](${executionConsoleUrl(regionOf(i.executionArn), i.executionArn)})${run} |`,
      '',
    ];
  }

  trigger(): string[] {
    const i = this.incident;
    const out = ['## Trigger', '', `- What fired: ${prose(i.summary)}, at ${i.firedAt}.`];
    const incident = this.facts?.incident as { source?: { name?: string; arn?: string; reason?: string; occurrence?: string }; budget?: Record<string, unknown> } | null | undefined;
    const event = this.facts?.trigger as Record<string, unknown> | null | undefined;
    if (!this.facts || !event) {
      out.push('- The event itself is not in the ledger: it is the execution\'s input (see the execution).', '');
      return out;
    }
    const detail = (typeof event.detail === 'object' && event.detail !== null ? event.detail : {}) as Record<string, unknown>;
    out.push(`- Event: ${prose(String(event['detail-type'] ?? 'an input'))} from ${code(String(event.source ?? 'unknown'))}${event.time ? ` at ${String(event.time)}` : ''}${event.id ? `, id ${code(String(event.id))}` : ''}.`);
    if (event.source === 'aws.cloudwatch') out.push(...alarmLines(detail));
    else if (incident?.budget) {
      const b = incident.budget;
      out.push(`- Budget ${code(String(b.budgetName))}: ${String(b.alertType).toLowerCase()} $${money(b.actualOrForecastAmount)} against a threshold of $${money(b.thresholdAmount)} (budgeted $${money(b.budgetedAmount)}).`);
    } else out.push(`- Detail: ${code(fields(detail))}`);
    if (incident?.source?.reason && event.source !== 'aws.cloudwatch') out.push(`- Reason: ${sentence(elide(incident.source.reason))}`);
    if (incident?.source?.arn) out.push(`- Resource: ${code(incident.source.arn)}`);
    out.push('');
    return out;
  }

  admission(): string[] {
    const a = this.facts?.admission;
    const out = ['## Admission', ''];
    if (!a) {
      out.push(this.incident.status === 'rejected'
        ? `- Rejected: ${sentence(this.incident.reason ?? '')}`
        : '- Admit\'s decision is not in the ledger for this run: the incident record says only how it ended (above).');
      return [...out, ''];
    }
    const switches = a.switches ? `; switches: automation ${a.switches.automation ?? 'missing'}, runbook ${a.switches.runbook ?? 'missing'}` : '';
    if (a.decision === 'admit') out.push(`- Admitted: ${prose(a.reason)}${switches}.`, ...(a.dryRun ? ['- Dry run: every change was planned and recorded, none was made.'] : []));
    else {
      out.push(`- **Suppressed (${a.decision})**: ${prose(a.reason)}${switches}.`);
      out.push(a.decision === 'flapping' || a.decision === 'capped'
        ? '- Held by a safety rail and escalated: nothing was read or changed after admission.'
        : '- Nothing was read or changed after admission.');
    }
    return [...out, ''];
  }

  diagnosis(): string[] {
    const out = ['## Diagnosis and checks', ''];
    if (this.facts?.admission && this.facts.admission.decision !== 'admit') return [...out, '- None: admission stopped the run before any read.', ''];
    const findings = this.facts?.findings ?? [];
    if (!this.facts) out.push('- The ledger holds no record of this run\'s reads (its report step did not record them): the execution\'s history has them.');
    else if (findings.length === 0) out.push('- No read of the runbook\'s own finished before the run ended.');
    // A finding the machine named by its state, or (a failed run, read back from its history) by its path only.
    for (const f of findings) out.push(`- ${f.state === `$.${f.at}` ? code(f.state) : `**${prose(f.state)}** (${code(`$.${f.at}`)})`}: ${code(fields(f.value))}`);
    if (this.facts?.failedAt) out.push(`- The run failed at ${code(this.facts.failedAt)}: the values above are those it held there.`);
    return [...out, ''];
  }

  actionsSection(): string[] {
    const out = ['## Actions', ''];
    if (this.own.length === 0) return [...out, '- No change was made, planned or attempted.', ''];
    this.own.forEach((a, n) => out.push(`${n + 1}. ${actionLine(a)}`));
    out.push('', 'Each row of intent (the value it replaces) was written to the ledger before its call, and completed after it.', '');
    return out;
  }

  approvalsSection(): string[] {
    const out = ['## Approvals', ''];
    if (this.approvals.length === 0) return [...out, '- No gated step was asked.', ''];
    for (const q of this.approvals) {
      const decisions = Object.values(q.decisions ?? {}).sort(byTime((d) => d.at));
      const automatic = autoApprovedBecause(q.outcome);
      const policy = automatic !== undefined;
      out.push(`- Gate ${code(q.gate.step)} (${code(q.gate.operation)} on ${code(q.gate.target)}${q.gate.severity ? `, ${q.gate.severity}` : ''}), request ${code(q.requestId)} at ${q.level}: asked ${q.createdAt}, deadline ${q.deadline}.`);
      if (policy) out.push(`  - Approved at once: ${automatic} (recorded as auto-approved).`);
      else out.push(`  - Asked ${q.approvers.length > 0 ? q.approvers.join(', ') : 'nobody'}; ${q.requiredApprovals} approval(s) needed${q.startedBy ? `; ${q.startedBy} started the run and may not decide` : ''}.`);
      for (const d of decisions) out.push(`  - ${d.approver} ${d.decision} at ${d.at} (${d.level})${d.comment ? `: "${prose(elide(d.comment, 200))}"` : ''}.`);
      if (q.status === 'open') out.push('  - Still open: nobody decided yet.');
      else if (q.status === 'timed-out') out.push(`  - Nobody decided by the deadline${q.ifUnanswered?.nextLevel ? `: re-sent to ${q.ifUnanswered.nextLevel}` : q.ifUnanswered ? `: the gate's onTimeout is ${q.ifUnanswered.onTimeout}` : ''} (${q.closedAt ?? 'closed'}).`);
      else if (!policy) out.push(`  - Closed **${q.status}** at ${q.closedAt ?? 'an unrecorded time'}${q.outcome ? `: ${sentence(q.outcome)}` : '.'}`);
    }
    return [...out, ''];
  }

  verification(): string[] {
    const out = ['## Verification', ''];
    const v = this.facts?.verification;
    if (this.dryRun) return [...out, '- Planned; not verified: a dry run changes nothing, so there is nothing to verify.', ''];
    if (v && typeof v.status === 'string' && v.status !== 'pending') {
      out.push(`- **${v.status}**${typeof v.by === 'string' ? ` (${prose(v.by)})` : ''}${typeof v.reason === 'string' ? `: ${sentence(v.reason)}` : '.'}`);
    } else if (v) out.push('- The verification had not concluded when the run ended.');
    else if (this.own.some(madeCall)) out.push('- No verification is recorded for this run: see the outcome above and the checks under Diagnosis.');
    else out.push('- Nothing was changed, so nothing was verified.');
    return [...out, ''];
  }

  undo(): string[] {
    const i = this.incident;
    const out = ['## Undo', ''];
    if (!i.undoStatus) {
      const restorable = this.inEffect().length > 0;
      return [...out, restorable
        ? `- Not undone. A recorded value can be put back with ${code(`npm run undo -- ${i.incidentId}`)} (docs/undo.md), under the environment's approval policy.`
        : '- Not undone; nothing it changed is in effect to put back.', ''];
    }
    out.push(`- **${i.undoStatus}**${i.undoRequestedBy ? `, requested by ${prose(i.undoRequestedBy)}` : ''}${i.undoUpdatedAt ? ` (${i.undoUpdatedAt})` : ''}${i.undoReason ? `: ${sentence(i.undoReason)}` : '.'}`);
    if (i.undoExecutionArn) out.push(`- Undo execution: [${cell(i.undoExecutionArn.split(':').pop() ?? '')}](${executionConsoleUrl(regionOf(i.undoExecutionArn), i.undoExecutionArn)})`);
    this.undoRows.forEach((a, n) => out.push(`${n + 1}. ${actionLine(a)}${a.undoes ? ` (puts back ${code(a.undoes)})` : ''}`));
    return [...out, ''];
  }

  escalations(): string[] {
    const i = this.incident;
    const out = ['## Escalations', ''];
    const topic = this.facts?.notified?.topic;
    if (i.status === 'escalated') out.push(`- Escalated${topic ? ` to the ${topic} topic` : ''}: ${sentence(i.reason ?? '')}`);
    const sent = [...this.rows.failures].sort((a, b) => a.redriveCount - b.redriveCount);
    for (const f of sent) {
      const where = f.notice?.state ? ` at ${code(f.notice.state)}` : '';
      out.push(f.status === 'sent'
        ? `- The execution failed${where} (run ${f.redriveCount}); the execution-failure rule paged the critical topic at ${f.sentAt ?? 'an unrecorded time'}${f.notice?.reason ? `: ${sentence(f.notice.reason)}` : '.'}`
        : `- The execution failed${where} (run ${f.redriveCount}); its escalation was claimed but is not recorded as sent.`);
    }
    if (i.status === 'failed' && sent.length === 0) out.push(`- The execution failed${i.failedState ? ` at ${code(i.failedState)}` : ''}: ${sentence(i.reason ?? '')}`);
    for (const q of this.approvals.filter((a) => a.status === 'timed-out' && a.ifUnanswered?.nextLevel)) {
      out.push(`- Approval ${code(q.gate.step)} escalated from ${q.level} to ${q.ifUnanswered?.nextLevel ?? '?'}: nobody decided by ${q.deadline}.`);
    }
    if (out.length === 2) out.push(`- None: the incident closed ${i.status} without paging anyone.`);
    return [...out, ''];
  }

  blastRadius(): string[] {
    const out = ['## Blast radius', ''];
    const touched = new Map<string, string[]>();
    for (const a of [...this.own, ...this.undoRows].filter((x) => madeCall(x) || (x.status === 'succeeded' && x.attempts === 0))) {
      touched.set(a.target, [...(touched.get(a.target) ?? []), `${a.operation}${a.status === 'unknown' ? ' (may have taken effect)' : ''}`]);
    }
    if (touched.size === 0) out.push(`- No target was changed.${this.dryRun ? ' A dry run planned its calls only.' : ''}`);
    else {
      out.push(`- ${touched.size} target(s) changed:`);
      for (const [target, ops] of touched) out.push(`  - ${code(target)}: ${[...new Set(ops)].map((o) => `${o}${ops.filter((x) => x === o).length > 1 ? ` x${ops.filter((x) => x === o).length}` : ''}`).join(', ')}`);
    }
    const refused = this.own.filter((a) => a.status === 'failed');
    if (refused.length > 0) out.push(`- Refused, nothing changed: ${refused.map((a) => `${a.operation} on ${code(a.target)}`).join('; ')}.`);
    const planned = this.own.filter((a) => a.status === 'planned');
    if (planned.length > 0) out.push(`- Planned only (dry run): ${planned.map((a) => `${a.operation} on ${code(a.target)}`).join('; ')}.`);
    return [...out, ''];
  }

  followUps(): string[] {
    const i = this.incident;
    const out = ['## Follow-ups', ''];
    const task = (text: string) => out.push(`- [ ] ${text}`);
    for (const a of this.inEffect()) {
      const rule = this.options.hardRules?.[a.operation];
      if (rule) task(`**P1**: revert ${code(a.operation)} on ${code(a.target)} (${value(a.before, 80)} -> ${value(a.after, 80)}): it bypasses a hard rule, ${prose(rule)}. Schedule the revert (${code(`npm run undo -- ${i.incidentId}`)}) once the cause is fixed.`);
    }
    for (const q of this.approvals.filter((a) => a.status === 'timed-out' && a.ifUnanswered?.nextLevel === null && a.ifUnanswered.onTimeout === 'proceed')) {
      const acted = this.own.filter((a) => madeCall(a) && a.operation === q.gate.operation && a.target === q.gate.target);
      if (acted.length > 0) task(`**P1**: ${code(q.gate.operation)} on ${code(q.gate.target)} was made with nobody's approval (gate ${code(q.gate.step)} proceeds on timeout): review it, and revert it (${code(`npm run undo -- ${i.incidentId}`)}) unless someone approves it after the fact.`);
    }
    if (i.status === 'escalated') task(`Decide what next for ${code(i.target)}: the runbook handed it to a human (Escalations, above, says why).`);
    if (i.status === 'failed') {
      task(`Mend the cause, then redrive the execution from the console: it retries ${i.failedState ? code(i.failedState) : 'the state that failed'} without repeating a finished change.`);
    }
    for (const a of this.own.filter((x) => x.status === 'unknown')) task(`Read ${code(a.target)}: whether ${code(a.operation)} took effect is unknown (${prose(a.error ?? 'no answer')}); whatever touches it next reads it first.`);
    if (i.undoStatus === 'escalated' || i.undoStatus === 'failed') task(`The undo ended ${i.undoStatus}: ${sentence(i.undoReason ?? '')}`);
    if (i.status === 'skipped' || i.status === 'rejected') {
      task(`Nothing was changed (${prose(i.reason ?? i.status)}): if ${code(i.target)} is still unhealthy, a human takes it from here.`);
    } else {
      task('Write down the root cause: the runbook records what it saw and did, not why it happened.');
      task('Add a regression test or an alarm for this class of incident, and update the runbook with what was learnt.');
    }
    return [...out, ''];
  }

  footer(): string[] {
    const f = this.facts;
    return [
      '---',
      `Built from the remediation ledger: the incident record, ${this.rows.actions.length} action row(s), ${this.approvals.length} approval request(s), `
        + `${this.rows.failures.length} failure notice(s)${f ? `, and what the execution recorded of run ${f.redriveCount} of ${code(f.executionArn.split(':').pop() ?? '')}` : ''}.`,
    ];
  }

  /** The first call that took effect (or may have), across the incident's runs. */
  private firstCall(): ActionRecord | undefined {
    return this.own.find(madeCall);
  }

  /** The runbook's changes still in effect: made, and neither undone since nor put back by the undo. */
  private inEffect(): ActionRecord[] {
    if (this.incident.undoStatus === 'undone') return [];
    return this.own.filter((a) => madeCall(a) && !this.undoRows.some((u) => u.undoes === a.actionKey && u.status === 'succeeded'));
  }
}

function money(v: unknown): string {
  return typeof v === 'number' ? v.toFixed(2) : String(v);
}

/** An alarm's transition and values, as its event carries them. */
function alarmLines(detail: Record<string, unknown>): string[] {
  const state = (detail.state ?? {}) as { value?: string; reason?: string; reasonData?: string; timestamp?: string };
  const previous = (detail.previousState ?? {}) as { value?: string };
  const out = [`- Alarm ${code(String(detail.alarmName ?? '?'))}: ${previous.value ?? '?'} -> ${state.value ?? '?'}${state.timestamp ? ` at ${state.timestamp}` : ''}.`];
  const metrics = ((detail.configuration as { metrics?: unknown[] } | undefined)?.metrics ?? []) as { id?: string; expression?: string; metricStat?: { metric?: { namespace?: string; name?: string; dimensions?: Record<string, string> }; stat?: string; period?: number } }[];
  for (const m of metrics) {
    if (m.metricStat?.metric) {
      const metric = m.metricStat.metric;
      const dims = Object.entries(metric.dimensions ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
      out.push(`- Metric: ${code(`${metric.namespace ?? '?'}/${metric.name ?? '?'}`)}${dims ? ` (${dims})` : ''}${m.metricStat.stat ? `, ${m.metricStat.stat}` : ''}${m.metricStat.period ? ` over ${m.metricStat.period} s` : ''}.`);
    } else if (m.expression) out.push(`- Expression ${code(m.id ?? '?')}: ${code(m.expression)}.`);
  }
  if (state.reason) out.push(`- Reason: ${sentence(elide(state.reason, 400))}`);
  const data = parseJson(state.reasonData) as { threshold?: unknown; recentDatapoints?: unknown; evaluatedDatapoints?: unknown } | undefined;
  if (data && (data.threshold !== undefined || data.recentDatapoints !== undefined)) {
    out.push(`- Values: ${[
      data.recentDatapoints !== undefined ? `recent datapoints ${value(data.recentDatapoints, 120)}` : '',
      data.threshold !== undefined ? `threshold ${value(data.threshold)}` : '',
    ].filter(Boolean).join(', ')}.`);
  }
  return out;
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e: unknown) {
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** One ledger row of a call, as the report lists it. */
function actionLine(a: ActionRecord): string {
  const head = `${code(a.operation)} on ${code(a.target)} (step ${code(stepOf(a.actionKey))})`;
  const items = itemsRowLine(a);
  switch (a.status) {
    case 'planned':
      return `${head}: **planned, not called** (dry run): ${code(value(a.parameters))}; would replace ${code(value(a.before))}.`;
    case 'succeeded':
      if (a.attempts === 0) return `${head}: found in effect with no call of its own (${a.reconciledAt ? `read ${a.reconciledAt}` : 'read'}): ${code(items ?? `${value(a.before)} -> ${value(a.after)}`)}.`;
      return `${head}: ${code(items ?? `${value(a.before)} -> ${value(a.after)}`)}; succeeded (${a.attempts} call${a.attempts === 1 ? '' : 's'}; intent ${a.startedAt}, completed ${a.completedAt ?? '?'}${a.reconciledAt ? `, settled by a read ${a.reconciledAt}` : ''}).`;
    case 'failed':
      return `${head}: **refused**, nothing changed: ${prose(elide(a.error ?? 'no error recorded'))} (was ${code(items ?? value(a.before))}; intent ${a.startedAt}).`;
    case 'unknown':
      return `${head}: **outcome unknown**: ${prose(elide(a.error ?? 'no answer'))}; meant ${code(value(a.intended))} (was ${code(value(a.before))}; intent ${a.startedAt}).`;
    default:
      return `${head}: **in flight or interrupted** (row of intent ${a.startedAt}; nothing recorded after it): was ${code(value(a.before))}.`;
  }
}
