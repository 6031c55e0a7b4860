import type { AdmitDecision, AdmitResult } from '../../lambdas/admit/handler';
import type { EnvironmentConfig } from '../../lib/config/schema';
import {
  admittedTransitions, approvalPlans, firstAction, moduleOf, suppressedTransitions, USD_PER_TRANSITION, type ApprovalPlan, type FirstAction,
} from './plan';
import type { AccountRead } from './read';
import type { Delivery, ReplayResult } from './replay';
import type { HistoryWindow } from './window';

/** Why admit held a delivery (its decision), or the execution failing at Admit. */
export type Held = Exclude<AdmitDecision, 'admit'> | 'error';
export const HELD: readonly Held[] = ['cooldown', 'flapping', 'capped', 'paused', 'duplicate', 'reject', 'error'];

export interface Counts {
  /** Deliveries of a transition to ALARM to this runbook (each transition once per runbook). */
  readonly seen: number;
  readonly admitted: number;
  readonly held: Readonly<Record<Held, number>>;
}

export interface TargetSummary extends Counts {
  readonly target: string;
}

export interface RunbookSummary extends Counts {
  readonly runbook: string;
  readonly targets: readonly TargetSummary[];
  /** The runbook's first mutating call, from its module: its plan, not a read of the account at that time. */
  readonly plannedAction: FirstAction | null;
  readonly dryRun: boolean;
  readonly stepFunctions: { readonly executions: number; readonly transitions: number; readonly usd: number };
}

/** One incident admit admitted, and what the runbook would have gone on to do. */
export interface AdmittedIncident {
  readonly at: string;
  readonly runbook: string;
  readonly target: string;
  readonly alarmName: string;
  readonly incidentId: string;
  readonly via: Delivery['via'];
  readonly dryRun: boolean;
  readonly plannedAction: FirstAction | null;
  readonly approvals: readonly ApprovalPlan[];
}

export interface GapAlarm {
  readonly alarmName: string;
  /** Its transitions to ALARM in the window. */
  readonly transitions: number;
  readonly reason: string;
}

export interface BusiestHour {
  /** The clock hour, UTC (2026-11-16T18). */
  readonly hour: string;
  /** State changes of every alarm in that hour (any state). */
  readonly stateChanges: number;
  readonly toAlarm: number;
  readonly admitted: number;
  readonly held: Readonly<Record<Held, number>>;
}

/** What a backtest found: one configuration replayed over the history read. */
export interface ReplayReport {
  readonly environment: string;
  readonly timeZone: string;
  readonly totals: Counts & {
    /** Transitions to ALARM in the window: each counted once, whichever runbooks it reached. */
    readonly toAlarm: number;
    /** Those that reached at least one runbook. */
    readonly routed: number;
    /** Those that reached none (the coverage gap). */
    readonly unrouted: number;
  };
  readonly runbooks: readonly RunbookSummary[];
  readonly incidents: readonly AdmittedIncident[];
  readonly busiestHour: BusiestHour | null;
  readonly stepFunctions: { readonly executions: number; readonly transitions: number; readonly usd: number; readonly usdPerTransition: number };
  readonly coverageGap: readonly GapAlarm[];
}

export interface BacktestReport extends ReplayReport {
  /** `account` (an AWS account, read-only) or `local` (the drill's sandbox account). */
  readonly source: 'account' | 'local';
  readonly region: string;
  readonly account: string | null;
  readonly window: HistoryWindow;
  /** What was read: state changes, alarms, and the calls, all of them reads. */
  readonly read: { readonly stateChanges: number; readonly alarms: number; readonly calls: Readonly<Record<string, number>> };
  /** Sentences a reader must not miss (history asked for beyond what CloudWatch keeps). */
  readonly notes: readonly string[];
  /** The same history replayed with another configuration (--config). */
  readonly comparison: ComparisonReport | null;
}

export interface ComparisonReport {
  readonly configFile: string;
  readonly report: ReplayReport;
  /** Per runbook: admitted and held here and there. */
  readonly runbooks: readonly { readonly runbook: string; readonly base: Counts; readonly other: Counts }[];
}

const noneHeld = (): Record<Held, number> => Object.fromEntries(HELD.map((h) => [h, 0])) as Record<Held, number>;

function tally(deliveries: readonly Delivery[]): Counts {
  const held = noneHeld();
  let admitted = 0;
  for (const d of deliveries) {
    if (d.result.decision === 'admit') admitted++;
    else held[d.result.decision]++;
  }
  return { seen: deliveries.length, admitted, held };
}

const targetOf = (d: Delivery) => ('incident' in d.result && d.result.incident ? d.result.incident.target : '(not read)');
const dryRunOf = (d: Delivery) => 'dryRun' in d.result && d.result.dryRun;

function executionTransitions(d: Delivery): number {
  // A failed Admit: the event and the task (its retries aside) before the execution fails.
  if (d.result.decision === 'error') return 2;
  return d.result.decision === 'admit' ? admittedTransitions(d.runbook, dryRunOf(d)) : suppressedTransitions(d.runbook, d.result.decision);
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

const transitionKey = (at: string, alarmName: string) => `${at}|${alarmName}`;

/** Builds the report of one replay from what was read and what each delivery's admit decided. */
export function replayReport(read: AccountRead, config: EnvironmentConfig, replayed: ReplayResult): ReplayReport {
  const { deliveries, unrouted } = replayed;
  const usd = (transitions: number) => Number((transitions * USD_PER_TRANSITION).toFixed(6));
  const runbooks: RunbookSummary[] = [...groupBy(deliveries, (d) => d.runbook)].map(([runbook, list]) => {
    const transitions = list.reduce((n, d) => n + executionTransitions(d), 0);
    const module = moduleOf(runbook);
    return {
      runbook, ...tally(list),
      targets: [...groupBy(list, targetOf)].map(([target, ts]) => ({ target, ...tally(ts) })).sort((a, b) => b.seen - a.seen || a.target.localeCompare(b.target)),
      plannedAction: module ? firstAction(module) ?? null : null,
      dryRun: list.some(dryRunOf),
      stepFunctions: { executions: list.length, transitions, usd: usd(transitions) },
    };
  }).sort((a, b) => b.seen - a.seen || a.runbook.localeCompare(b.runbook));

  const incidents: AdmittedIncident[] = deliveries.flatMap((d) => {
    const r = d.result as AdmitResult;
    if (r.decision !== 'admit' || !r.incident) return [];
    const module = moduleOf(d.runbook);
    return [{
      at: d.at, runbook: d.runbook, target: r.incident.target, alarmName: d.alarmName, incidentId: r.incident.id, via: d.via, dryRun: r.dryRun,
      plannedAction: module ? firstAction(module) ?? null : null, approvals: approvalPlans(config, d.runbook, d.at, r.dryRun),
    }];
  });

  const toAlarm = read.transitions.filter((t) => t.to.stateValue === 'ALARM');
  const routed = new Set(deliveries.map((d) => transitionKey(d.at, d.alarmName)));
  const gap = [...groupBy(unrouted, (u) => u.alarmName)].map(([alarmName, list]) => ({ alarmName, transitions: list.length, reason: list.at(-1)!.reason }))
    .sort((a, b) => b.transitions - a.transitions || a.alarmName.localeCompare(b.alarmName));

  const hours = groupBy(read.transitions, (t) => t.at.slice(0, 13));
  const busiest = [...hours].sort(([ha, a], [hb, b]) => b.length - a.length || ha.localeCompare(hb))[0];
  const inHour = busiest ? deliveries.filter((d) => d.at.startsWith(busiest[0])) : [];
  const busiestHour = busiest ? {
    hour: busiest[0], stateChanges: busiest[1].length, toAlarm: busiest[1].filter((t) => t.to.stateValue === 'ALARM').length,
    admitted: tally(inHour).admitted, held: tally(inHour).held,
  } : null;

  const executions = deliveries.length;
  const transitions = runbooks.reduce((n, r) => n + r.stepFunctions.transitions, 0);
  return {
    environment: config.environment, timeZone: config.approvals.timeZone,
    totals: { ...tally(deliveries), toAlarm: toAlarm.length, routed: routed.size, unrouted: unrouted.length },
    runbooks, incidents, busiestHour,
    stepFunctions: { executions, transitions, usd: usd(transitions), usdPerTransition: USD_PER_TRANSITION },
    coverageGap: gap,
  };
}

/** The same history under two configurations, runbook by runbook. */
export function compareReports(configFile: string, base: ReplayReport, other: ReplayReport): ComparisonReport {
  const names = [...new Set([...base.runbooks, ...other.runbooks].map((r) => r.runbook))];
  const counts = (r: ReplayReport, name: string): Counts => {
    const found = r.runbooks.find((x) => x.runbook === name);
    return found ? { seen: found.seen, admitted: found.admitted, held: found.held } : { seen: 0, admitted: 0, held: noneHeld() };
  };
  return { configFile, report: other, runbooks: names.map((runbook) => ({ runbook, base: counts(base, runbook), other: counts(other, runbook) })) };
}
