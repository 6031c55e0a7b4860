import { AwsError } from './aws-error';
import { Fields, isRecord, type Input } from './input';
import type { Output, ServiceContext } from './model';
import type { AccountState, MetricSeriesState } from './state';

/**
 * CloudWatch GetMetricData over the metrics an application publishes (state.cloudwatch.metrics):
 * each query's metric (namespace, name and its exact set of dimensions, as CloudWatch identifies a
 * metric), its datapoints in [StartTime, EndTime) grouped by the query's period with its statistic,
 * newest first unless ScanBy says otherwise. A metric nobody published answers no datapoints, never
 * an error. Percentiles (p99, p99.9) are the nearest rank over a period's values. Metric math is not
 * modelled: a query with an Expression is refused as such.
 */

const invalid = (message: string) => new AwsError('InvalidParameterValueException', 400, message, { queryCode: 'InvalidParameterValue' });
const missing = (member: string) =>
  new AwsError('MissingRequiredParameterException', 400, `The parameter ${member} is required.`, { queryCode: 'MissingParameter' });

const STATS = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'] as const;
type Stat = (typeof STATS)[number] | `p${number}`;
/** CloudWatch's percentile statistics: p0 to p100, up to two decimals (p99, p99.9). */
const PERCENTILE = /^p(100|\d{1,2}(\.\d{1,2})?)$/;
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;
const MAX_QUERIES = 500;

/** A JSON timestamp (epoch seconds, as the SDK sends it) or an ISO string, in ms; undefined when absent. */
function timeOf(input: Input, member: string): number | undefined {
  const raw = input[member];
  if (raw === undefined || raw === null) return undefined;
  const ms = typeof raw === 'number' ? raw * 1000 : typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) throw invalid(`The parameter ${member} must be a timestamp.`);
  return ms;
}

function aggregate(values: readonly number[], stat: Stat): number {
  switch (stat) {
    case 'Sum': return values.reduce((a, b) => a + b, 0);
    case 'Average': return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum': return Math.min(...values);
    case 'Maximum': return Math.max(...values);
    case 'SampleCount': return values.length;
    default: {
      // Nearest rank: the smallest value at or above the percentile of the period's values.
      const sorted = [...values].sort((a, b) => a - b);
      const rank = Math.ceil((Number(stat.slice(1)) / 100) * sorted.length);
      return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
    }
  }
}

const sameDimensions = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** The published series of a metric, by its identity; undefined when nobody published it. */
export function seriesOf(state: AccountState, namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>): MetricSeriesState | undefined {
  return Object.values(state.cloudwatch.metrics ?? {}).find((m) => m.namespace === namespace && m.metricName === metricName && sameDimensions(m.dimensions, dimensions));
}

/** A series' datapoints, oldest first: one value a period, the newest at its end. */
export function datapointsOf(series: MetricSeriesState): { at: number; value: number }[] {
  const end = Date.parse(series.endsAt);
  return series.values.map((value, i) => ({ at: end - (series.values.length - 1 - i) * series.periodSeconds * 1000, value }));
}

interface Query {
  readonly id: string;
  readonly label: string;
  readonly returnData: boolean;
  readonly series: MetricSeriesState | undefined;
  readonly periodMs: number;
  readonly stat: Stat;
}

function readQuery(q: Fields, index: number, state: AccountState): Query {
  const at = `MetricDataQueries.member.${index + 1}`;
  const id = q.optString('Id');
  if (id === undefined) throw missing(`${at}.Id`);
  if (!QUERY_ID.test(id)) throw invalid(`The value ${id} for parameter ${at}.Id is not valid: it must start with a lowercase letter and hold only letters, digits and underscores.`);
  if (q.optString('Expression') !== undefined) throw invalid(`The sandbox does not model metric math (${at}.Expression); query the metric itself.`);
  const metricStat = q.optObject('MetricStat');
  if (metricStat === undefined) throw invalid(`Exactly one of ${at}.MetricStat and ${at}.Expression must be specified.`);
  const metric = metricStat.object('Metric');
  const namespace = metric.optString('Namespace');
  const metricName = metric.optString('MetricName');
  if (namespace === undefined) throw missing(`${at}.MetricStat.Metric.Namespace`);
  if (metricName === undefined) throw missing(`${at}.MetricStat.Metric.MetricName`);
  const dimensions: Record<string, string> = {};
  for (const d of metric.objects('Dimensions')) dimensions[d.string('Name')] = d.string('Value');
  const period = metricStat.optInt('Period');
  if (period === undefined) throw missing(`${at}.MetricStat.Period`);
  if (!(period > 0 && ([1, 5, 10, 30].includes(period) || period % 60 === 0))) {
    throw invalid(`The parameter ${at}.MetricStat.Period must be 1, 5, 10, 30 or a multiple of 60.`);
  }
  const stat = metricStat.optString('Stat');
  if (stat === undefined) throw missing(`${at}.MetricStat.Stat`);
  if (!(STATS as readonly string[]).includes(stat) && !PERCENTILE.test(stat)) {
    throw invalid(`The sandbox models the statistics ${STATS.join(', ')} and percentiles (p99), not ${stat} (${at}.MetricStat.Stat).`);
  }
  return {
    id, label: q.optString('Label') ?? metricName, returnData: q.optBool('ReturnData') ?? true,
    series: seriesOf(state, namespace, metricName, dimensions), periodMs: period * 1000, stat: stat as Stat,
  };
}

export function getMetricData(request: Input, { state }: ServiceContext): Output {
  const fields = new Fields(request, (member) => missing(member));
  const raw = request.MetricDataQueries;
  if (!Array.isArray(raw) || raw.length === 0) throw missing('MetricDataQueries');
  if (raw.length > MAX_QUERIES) throw invalid(`The collection MetricDataQueries must not have more than ${MAX_QUERIES} members.`);
  if (!raw.every(isRecord)) throw invalid('MetricDataQueries must be a list of structures.');
  const start = timeOf(request, 'StartTime');
  const end = timeOf(request, 'EndTime');
  if (start === undefined) throw missing('StartTime');
  if (end === undefined) throw missing('EndTime');
  if (start >= end) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  const scanBy = fields.optString('ScanBy') ?? 'TimestampDescending';
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') throw invalid(`The value ${scanBy} for parameter ScanBy is not valid.`);
  const maxDatapoints = fields.optInt('MaxDatapoints') ?? 100_800;
  const queries = fields.objects('MetricDataQueries').map((q, i) => readQuery(q, i, state));
  const ids = queries.map((q) => q.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw invalid(`The value ${twice} for parameter MetricDataQueries.member.Id is used more than once.`);

  let budget = maxDatapoints;
  const results = queries.filter((q) => q.returnData).map((q) => {
    const buckets = new Map<number, number[]>();
    for (const point of q.series ? datapointsOf(q.series) : []) {
      const t = point.at;
      if (t < start || t >= end) continue;
      const bucket = Math.floor(t / q.periodMs) * q.periodMs;
      buckets.set(bucket, [...(buckets.get(bucket) ?? []), point.value]);
    }
    const ordered = [...buckets].sort(([a], [b]) => (scanBy === 'TimestampDescending' ? b - a : a - b)).slice(0, Math.max(0, budget));
    budget -= ordered.length;
    return {
      Id: q.id, Label: q.label, StatusCode: 'Complete',
      Timestamps: ordered.map(([t]) => t / 1000), Values: ordered.map(([, values]) => aggregate(values, q.stat)),
    };
  });
  return { MetricDataResults: results, Messages: [] };
}
