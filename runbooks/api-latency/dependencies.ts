/**
 * What api-latency reads and how it ranks it (seed 004 "High API Latency: check metrics, identify
 * bottleneck"): one metric per configured dependency and signal, each compared over the alarm's
 * window against the hour before, ranked by how much it moved. Pure: no AWS here.
 */
import * as z from '../../lambdas/shared/zod';
import type { MetricId } from '../../lambdas/aws/cloudwatch';

/** The dependencies of one API, as config names them (the handler's DEPENDENCIES, per target). */
export const dependenciesSchema = z.object({
  functions: z.array(z.string().check(z.minLength(1))),
  tables: z.array(z.string().check(z.minLength(1))),
  tableOperations: z.array(z.string().check(z.minLength(1))),
  databases: z.array(z.string().check(z.minLength(1))),
  services: z.array(z.object({ clusterName: z.string().check(z.minLength(1)), serviceName: z.string().check(z.minLength(1)) })),
});
export type Dependencies = z.infer<typeof dependenciesSchema>;

/** Per target (the API as its alarm names it): the alarm's window and what the API depends on. */
export const apiPoliciesSchema = z.record(z.string(), z.object({
  windowMinutes: z.int().check(z.gte(1), z.lte(1440)),
  /** A dependency moved when its window is at least this many times its hour before. */
  movedRatio: z.number().check(z.gt(1)),
  dependencies: dependenciesSchema,
  /** By metric ("AWS/DynamoDB WriteThrottleEvents"): the runbook enabled here whose alarms on it start it. */
  answers: z.record(z.string(), z.string()),
}));
export type ApiPolicy = z.infer<typeof apiPoliciesSchema>[string];

/** How `answers` keys a metric. */
export const metricKey = (m: { readonly namespace: string; readonly metricName: string }) => `${m.namespace} ${m.metricName}`;

/** One signal of one dependency: the metric read and how it reads to a person. */
export interface Signal {
  /** The GetMetricData query id: unique in the call, a lowercase letter first. */
  readonly id: string;
  /** "DynamoDB table cabruca-...-agent-tasks write throttles" */
  readonly label: string;
  readonly metric: MetricId;
  /** Lambda Duration has percentiles; DynamoDB, RDS and ECS publish statistic sets (Average, Maximum, ...), no percentiles. */
  readonly stat: 'p99' | 'Average' | 'Sum';
  readonly unit: 'ms' | 's' | '/min' | '%';
  /** Below this a change is noise (a baseline of 0 throttles is compared as this). */
  readonly floor: number;
  /** A count published only when it happens (DynamoDB throttle events): a minute without a datapoint is a minute of 0. */
  readonly absentIsZero?: boolean;
}

const ms = { unit: 'ms', floor: 1 } as const;

/** Every signal of the configured dependencies, in config's order; ids q0, q1, ... in that order. */
export function signalsOf(d: Dependencies): Signal[] {
  const out: Omit<Signal, 'id'>[] = [];
  for (const fn of d.functions) {
    out.push({
      label: `Lambda function ${fn} Duration p99`, stat: 'p99', ...ms,
      metric: { namespace: 'AWS/Lambda', metricName: 'Duration', dimensions: { FunctionName: fn } },
    });
  }
  for (const table of d.tables) {
    for (const op of d.tableOperations) {
      out.push({
        label: `DynamoDB table ${table} ${op} latency (average)`, stat: 'Average', ...ms,
        metric: { namespace: 'AWS/DynamoDB', metricName: 'SuccessfulRequestLatency', dimensions: { TableName: table, Operation: op } },
      });
    }
    for (const [kind, metricName] of [['read', 'ReadThrottleEvents'], ['write', 'WriteThrottleEvents']] as const) {
      out.push({
        label: `DynamoDB table ${table} ${kind} throttles`, stat: 'Sum', unit: '/min', floor: 1, absentIsZero: true,
        metric: { namespace: 'AWS/DynamoDB', metricName, dimensions: { TableName: table } },
      });
    }
  }
  for (const db of d.databases) {
    for (const [kind, metricName] of [['read', 'ReadLatency'], ['write', 'WriteLatency']] as const) {
      // RDS publishes latency in seconds; a millisecond is its noise floor.
      out.push({
        label: `RDS instance ${db} ${kind} latency (average)`, stat: 'Average', unit: 's', floor: 0.001,
        metric: { namespace: 'AWS/RDS', metricName, dimensions: { DBInstanceIdentifier: db } },
      });
    }
  }
  for (const s of d.services) {
    for (const [kind, metricName] of [['CPU', 'CPUUtilization'], ['memory', 'MemoryUtilization']] as const) {
      out.push({
        label: `ECS service ${s.clusterName}/${s.serviceName} ${kind} (average)`, stat: 'Average', unit: '%', floor: 1,
        metric: { namespace: 'AWS/ECS', metricName, dimensions: { ClusterName: s.clusterName, ServiceName: s.serviceName } },
      });
    }
  }
  return out.map((s, i) => ({ ...s, id: `q${i}` }));
}

/** GetMetricData takes at most 500 queries in one call. */
export const MAX_SIGNALS = 500;

/** The span read: the alarm's window ending at `now` (to the minute), and the hour before it. */
export function spanOf(now: Date, windowMinutes: number): { readonly start: Date; readonly windowStart: Date; readonly end: Date } {
  const end = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const windowStart = new Date(end.getTime() - windowMinutes * 60_000);
  return { start: new Date(windowStart.getTime() - 60 * 60_000), windowStart, end };
}

/** One signal's datapoints, a value a minute, as GetMetricData answered them. */
export interface Series {
  readonly points: readonly { readonly at: string; readonly value: number }[];
  /** CloudWatch said PartialData: more datapoints than it returned. */
  readonly partial: boolean;
}

export interface Ranked {
  readonly label: string;
  readonly metricName: string;
  readonly unit: Signal['unit'];
  /** Mean a minute over the window; null with no datapoints in it (a count published only when it happens: 0). */
  readonly window: number | null;
  /** Mean a minute over the hour before; null with no datapoints in it (a count published only when it happens: 0). */
  readonly before: number | null;
  /** window / max(before, floor): how many times the hour before; null when either side has no data. */
  readonly ratio: number | null;
  readonly moved: boolean;
  /** The runbook of this environment whose alarms on this metric start it; null when none does. */
  readonly answeredBy: string | null;
  /** What is missing, in words; absent when both sides have data. */
  readonly gap?: string;
}

export interface LatencyDiagnosis {
  readonly ranked: readonly Ranked[];
  /** The one a person looks at first: the top mover, or null when none moved. */
  readonly top: Ranked | null;
  /** The page, read in one go: the verdict, the ranked list, what has no data. */
  readonly summary: string;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function rankOne(signal: Signal, series: Series | undefined, windowStart: Date, windowMinutes: number, movedRatio: number, answeredBy: string | undefined): Ranked {
  const points = series?.points ?? [];
  const at = windowStart.getTime();
  const inWindow = points.filter((p) => Date.parse(p.at) >= at).map((p) => p.value);
  const inBefore = points.filter((p) => Date.parse(p.at) < at).map((p) => p.value);
  const [window, before] = signal.absentIsZero ? [sum(inWindow) / windowMinutes, sum(inBefore) / 60] : [mean(inWindow), mean(inBefore)];
  const base = { label: signal.label, metricName: signal.metric.metricName, unit: signal.unit, window, before, answeredBy: answeredBy ?? null };
  if (window === null || before === null) {
    const gap = window === null && before === null ? 'no datapoints' : window === null ? 'no datapoints in the window' : 'no datapoints in the hour before';
    return { ...base, ratio: null, moved: false, gap: series?.partial ? `${gap} (partial data)` : gap };
  }
  // Against at least the noise floor: 0.1 % CPU to 0.9 % is no ninefold move, and 0 throttles has no ratio.
  const ratio = window / Math.max(before, signal.floor);
  return { ...base, ratio, moved: ratio >= movedRatio, ...(series?.partial ? { gap: 'partial data' } : {}) };
}

const round = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(1) : x.toPrecision(2));
const value = (x: number, unit: Signal['unit']) => (unit === '/min' ? `${round(x)}/min` : `${round(x)} ${unit}`);
const times = (r: number) => (r >= 100 ? `x${r.toFixed(0)}` : `x${r.toFixed(1)}`);
/** How it moved: a count that was 0 has no ratio a person can read. */
const change = (r: Ranked) => (r.before === 0 ? 'none the hour before' : times(r.ratio!));

function line(r: Ranked, n: number): string {
  if (r.window === null || r.before === null || r.ratio === null) return `${n}. ${r.label}: ${r.gap ?? 'no datapoints'}`;
  return `${n}. ${r.label}: ${value(r.before, r.unit)} -> ${value(r.window, r.unit)} (${change(r)})${r.gap ? ` [${r.gap}]` : ''}`;
}


/**
 * Ranks the signals: those with data on both sides by how many times the hour before they are
 * (largest first), then those missing a side, then those with none. The summary names the top mover
 * and the runbook that answers it, or says the configured dependencies do not explain the latency.
 */
export function rankDependencies(input: {
  readonly api: string;
  readonly alarmName: string;
  readonly signals: readonly Signal[];
  readonly series: Readonly<Record<string, Series>>;
  readonly windowStart: Date;
  readonly windowMinutes: number;
  readonly movedRatio: number;
  readonly answers: Readonly<Record<string, string>>;
}): LatencyDiagnosis {
  const all = input.signals.map((s) => rankOne(s, input.series[s.id], input.windowStart, input.windowMinutes, input.movedRatio, input.answers[metricKey(s.metric)]));
  const order = (r: Ranked) => (r.ratio !== null ? 0 : r.window !== null || r.before !== null ? 1 : 2);
  const ranked = [...all].sort((a, b) => order(a) - order(b) || (b.ratio ?? 0) - (a.ratio ?? 0));
  const moved = ranked.filter((r) => r.moved);
  const top = moved[0] ?? null;
  const over = `over the last ${input.windowMinutes} min against the hour before`;
  const head = top === null
    ? `API ${input.api} latency (alarm ${input.alarmName}) is not explained by the configured dependencies: none moved ${over} (at least x${input.movedRatio}); look at the API itself (its own code, its targets, recent deploys).`
    : `API ${input.api} latency (alarm ${input.alarmName}): ${top.label} moved most, ${value(top.before!, top.unit)} -> ${value(top.window!, top.unit)} (${change(top)}) ${over}; ${top.answeredBy ? `runbook ${top.answeredBy} answers it: an alarm on its ${top.metricName} starts it` : 'no runbook enabled here answers it: a person decides'}.`;
  const missing = ranked.filter((r) => r.window === null && r.before === null).map((r) => r.label);
  const oneSided = ranked.filter((r) => r.ratio === null && (r.window !== null || r.before !== null)).map((r) => `${r.label}: ${r.gap}`);
  const flat = ranked.filter((r) => r.ratio !== null && !r.moved).length;
  const summary = [
    head,
    ...(moved.length > 0 ? [`Moved: ${moved.map((r, i) => line(r, i + 1)).join('; ')}.`] : []),
    ...(flat > 0 ? [`Not moved: ${flat} other metric(s), within x${input.movedRatio} of the hour before.`] : []),
    ...(oneSided.length > 0 ? [`Cannot compare: ${oneSided.join('; ')}.`] : []),
    ...(missing.length > 0 ? [`No datapoints for: ${missing.join(', ')}.`] : []),
  ].join(' ');
  return { ranked, top, summary };
}
