import type { ApprovalPlan } from './plan';
import { HELD, type BacktestReport, type ComparisonReport, type Counts, type Held, type ReplayReport } from './report';

/** Markdown a person reads in a minute: the totals first, then the tables that back them. */

const HELD_WORDS: Readonly<Record<Held, string>> = {
  cooldown: 'cooldown', flapping: 'flapping', capped: 'hourly cap', paused: 'paused', duplicate: 'duplicate', reject: 'not allowlisted', error: 'admit failed',
};
/** Incidents listed one by one before "and N more" (the JSON has them all). */
const LISTED = 12;

const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function local(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('weekday')} ${get('day')} ${get('month')} ${get('hour')}:${get('minute')}`;
}

const localHour = (iso: string, timeZone: string) => Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date(iso)));
/** Outside 08:00 to 20:00 local: somebody is woken up. */
const atNight = (iso: string, timeZone: string) => { const h = localHour(iso, timeZone); return h < 8 || h >= 20; };

function heldSummary(held: Readonly<Record<Held, number>>): string {
  const parts = HELD.filter((h) => held[h] > 0).map((h) => `${HELD_WORDS[h]} ${held[h]}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

const heldTotal = (c: Counts) => HELD.reduce((n, h) => n + c.held[h], 0);
const money = (usd: number) => `$${usd.toFixed(4)}`;

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const cell = (v: string | number) => String(v).replace(/\|/g, '\\|');
  return [`| ${head.join(' | ')} |`, `|${head.map((h) => (/^(seen|admitted|held|to ALARM|executions|transitions|cost|incidents|requests|approvals needed|seen, other|admitted, other)$|^outside/.test(h) ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

/** When each level of a gate is asked, as offsets from the incident: L1 at once, L2 after a deadline, ... */
function escalation(plan: ApprovalPlan): string {
  const minutes = (iso: string) => Math.round((Date.parse(iso) - Date.parse(plan.levels[0]!.askedAt)) / 60_000);
  const later = plan.levels.slice(1).map((l, i) => `${l.level} +${l.approvers.filter((a) => !plan.levels[i]!.approvers.includes(a)).join(', ') || 'nobody new'} after ${minutes(l.askedAt)} min`);
  return [`L1 ${plan.levels[0]!.approvers.join(', ')}`, ...later, `${plan.afterLastLevel} after ${minutes(plan.levels.at(-1)!.deadline)} min`].join('; ');
}

function approvalsSection(r: ReplayReport): string[] {
  const asked = r.incidents.flatMap((i) => i.approvals.filter((a) => !a.notAsked).map((a) => ({ incident: i, plan: a })));
  const notAsked = r.incidents.flatMap((i) => i.approvals.filter((a) => a.notAsked).map((a) => ({ incident: i, plan: a })));
  const out = ['## Approvals that would have been asked', ''];
  if (asked.length === 0 && notAsked.length === 0) return [...out, 'None: no admitted incident reaches a gated step.', ''];
  if (asked.length > 0) {
    out.push(...table(['gate', 'severity', 'approvals needed', 'requests', `outside 08:00-20:00 ${r.timeZone}`, 'if nobody answers'], [...groupGates(asked)].map(([gate, list]) => [
      `\`${gate}\``, list[0]!.plan.severity, list[0]!.plan.requiredApprovals, list.length, list.filter((x) => atNight(x.incident.at, r.timeZone)).length, escalation(list[0]!.plan),
    ])), '');
    const night = asked.filter((x) => atNight(x.incident.at, r.timeZone));
    if (night.length > 0) {
      out.push(`Pages outside 08:00-20:00 (${r.timeZone}):`, '');
      for (const { incident, plan } of night.slice(0, LISTED)) out.push(`- ${local(incident.at, r.timeZone)} \`${plan.gate}\` on ${incident.target}: ${plan.levels[0]!.approvers.join(', ')}`);
      if (night.length > LISTED) out.push(`- and ${night.length - LISTED} more (--json has every request and its levels)`);
      out.push('');
    }
  }
  if (notAsked.length > 0) out.push(`${notAsked.length} gated step(s) would have asked nobody: ${[...new Set(notAsked.map((x) => x.plan.notAsked))].join(', ')}.`, '');
  out.push('A gate placed after a runbook\'s first change is asked only if the run gets there; its own checks decide (docs/backtest.md).', '');
  return out;
}

function groupGates<T extends { plan: ApprovalPlan }>(list: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of list) out.set(x.plan.gate, [...(out.get(x.plan.gate) ?? []), x]);
  return out;
}

function replaySections(r: ReplayReport): string[] {
  const out: string[] = [];
  out.push('## By runbook and target', '');
  out.push(...table(['runbook', 'target', 'seen', 'admitted', 'held', 'held by'], r.runbooks.flatMap((rb) => rb.targets.map((t, i) => [
    i === 0 ? `\`${rb.runbook}\`${rb.dryRun ? ' (dry run)' : ''}` : '', t.target, t.seen, t.admitted, heldTotal(t), heldSummary(t.held),
  ]))));
  out.push('', '"seen": transitions to ALARM delivered to the runbook (its metric rule or the tag router), each once. "held": what admit decided instead of admitting, by the rule that held it.', '');

  out.push('## What the admitted incidents would have done', '');
  out.push('Each runbook\'s plan, from its module (its first change), not a read of the account as it was then: a target already changed or gone would have been escalated instead.', '');
  out.push(...table(['runbook', 'first change', 'in state', 'incidents'], r.runbooks.filter((rb) => rb.admitted > 0).map((rb) => [
    `\`${rb.runbook}\``, rb.plannedAction ? `\`${rb.plannedAction.call}\`${rb.dryRun ? ' planned only (dry run)' : ''}` : 'none', rb.plannedAction?.state ?? '', rb.admitted,
  ])));
  out.push('');

  out.push(...approvalsSection(r));

  out.push('## Busiest hour', '');
  const b = r.busiestHour;
  out.push(b
    ? `${utc(`${b.hour}:00:00Z`)} (${local(`${b.hour}:00:00Z`, r.timeZone)} ${r.timeZone}): ${b.stateChanges} state changes, ${b.toAlarm} to ALARM; admitted ${b.admitted}, held ${heldSummary(b.held)}.`
    : 'No state changes.', '');

  out.push('## Step Functions cost', '');
  out.push(...table(['runbook', 'executions', 'transitions', 'cost'], [
    ...r.runbooks.map((rb) => [`\`${rb.runbook}\``, rb.stepFunctions.executions, rb.stepFunctions.transitions, money(rb.stepFunctions.usd)]),
    ['all', r.stepFunctions.executions, r.stepFunctions.transitions, money(r.stepFunctions.usd)],
  ]));
  out.push('', `Standard workflows at $${(r.stepFunctions.usdPerTransition * 1000).toFixed(3)} per 1,000 state transitions (list price; the free tier is not subtracted). A held execution enters the states its ASL takes for that admission decision; an admitted one the shortest path of its deployed ASL through its first change to its end, so a polled rollout, an alarm awaited or an approval escalated adds to it (docs/backtest.md).`, '');

  out.push('## Alarms that fired with no runbook (coverage gap)', '');
  if (r.coverageGap.length === 0) out.push('None: every transition to ALARM reached a runbook.', '');
  else out.push(...table(['alarm', 'to ALARM', 'why'], r.coverageGap.map((g) => [g.alarmName, g.transitions, g.reason])), '');
  return out;
}

function comparisonSection(c: ComparisonReport, base: ReplayReport): string[] {
  const o = c.report;
  return [
    `## Compared with ${c.configFile}`, '',
    `The same history replayed with ${c.configFile} (environment ${o.environment}): its columns are marked "other".`, '',
    ...table(['runbook', 'seen', 'admitted', 'held', 'seen, other', 'admitted, other', 'held, other'], c.runbooks.map((r) => [
      `\`${r.runbook}\``, r.base.seen, r.base.admitted, heldSummary(r.base.held), r.other.seen, r.other.admitted, heldSummary(r.other.held),
    ])),
    '',
    `In total: admitted ${base.totals.admitted} -> ${o.totals.admitted}, held ${heldTotal(base.totals)} -> ${heldTotal(o.totals)}, coverage gap ${base.totals.unrouted} -> ${o.totals.unrouted} transitions, Step Functions ${money(base.stepFunctions.usd)} -> ${money(o.stepFunctions.usd)}.`, '',
  ];
}

/** The report as Markdown. */
export function renderBacktest(report: BacktestReport): string {
  const t = report.totals;
  const where = report.source === 'local' ? `the sandbox account ${report.account ?? ''} (offline), ${report.region}` : `account ${report.account ?? '(no alarm left to name it)'}, ${report.region}`;
  const reads = Object.entries(report.read.calls).map(([action, n]) => `${action} ${n}`).join(', ');
  const lines = [
    `# Backtest: what runbook-autopilot (${report.environment}) would have done`, '',
    `${utc(report.window.from)} to ${utc(report.window.to)}, ${where}. Read ${report.read.stateChanges} state changes of ${report.read.alarms} alarms (${reads || 'no call'}; reads only). Replayed through the admission and routing the stack deploys, plan only: nothing was changed.`, '',
    ...report.notes.map((n) => `> ${n}`), ...(report.notes.length > 0 ? [''] : []),
    `**In short.** ${t.toAlarm} transitions to ALARM; ${t.routed} reached a runbook (${t.seen} deliveries): ${t.admitted} admitted, ${heldTotal(t)} held (${heldSummary(t.held)}). ${t.unrouted} reached none (coverage gap, below).`
      + (report.busiestHour ? ` Busiest hour: ${utc(`${report.busiestHour.hour}:00:00Z`)}, ${report.busiestHour.stateChanges} state changes.` : '')
      + ` Step Functions: ${report.stepFunctions.transitions} transitions, about ${money(report.stepFunctions.usd)}.`, '',
    ...replaySections(report),
    ...(report.comparison ? comparisonSection(report.comparison, report) : []),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
