import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { classifyAwsError } from '../shared/errors';
import { LazyClient, type SdkOf } from '../shared/lazy-sdk';
import { cloudWatchSdk } from '../shared/sdk-modules';

/** A metric as CloudWatch identifies it: namespace, name and its exact set of dimensions. */
export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** One datapoint: the statistic over one period, and when that period started. */
export interface Datapoint {
  readonly value: number;
  readonly at: string;
}

/** A metric alarm as DescribeAlarms shows it: what it watches, how it compares, and its state. */
export interface MetricAlarmView {
  readonly name: string;
  readonly namespace: string | null;
  readonly metricName: string | null;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly threshold: number | null;
  readonly comparison: string | null;
  readonly state: string;
  readonly reason: string;
}

/** Reads metrics an application publishes and the metric alarms on them (read-only). */
export class MetricReader {
  private readonly cloudwatch: LazyClient<SdkOf<typeof cloudWatchSdk>, CloudWatchClient>;

  constructor(client?: CloudWatchClient) {
    this.cloudwatch = new LazyClient(cloudWatchSdk, (m) => new m.CloudWatchClient({}), client);
  }

  /**
   * The newest datapoint of a metric within the last `lookbackMinutes` (GetMetricData, newest
   * first, one datapoint asked for), the statistic over `periodSeconds`; null when there is none.
   */
  async latest(metric: MetricId, options: { periodSeconds: number; stat: string; lookbackMinutes: number; now: Date }): Promise<Datapoint | null> {
    const end = new Date(Math.ceil(options.now.getTime() / 60_000) * 60_000);
    const doing = `cloudwatch:GetMetricData of ${metric.namespace} ${metric.metricName}`;
    let out;
    try {
      const { m, client } = await this.cloudwatch.get();
      out = await client.send(new m.GetMetricDataCommand({
        StartTime: new Date(end.getTime() - options.lookbackMinutes * 60_000), EndTime: end, ScanBy: 'TimestampDescending', MaxDatapoints: 1,
        MetricDataQueries: [{
          Id: 'm', ReturnData: true,
          MetricStat: {
            Metric: { Namespace: metric.namespace, MetricName: metric.metricName, Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })) },
            Period: options.periodSeconds, Stat: options.stat,
          },
        }],
      }));
    } catch (e: unknown) {
      throw classifyAwsError(e, doing);
    }
    const result = out.MetricDataResults?.find((r) => r.Id === 'm');
    if (result === undefined) throw new Error(`${doing} returned no result for its query`);
    // Newest first (ScanBy); the order is checked, not trusted, so a reordered answer cannot pick an older value.
    const points = (result.Timestamps ?? []).map((t, i) => ({ at: t, value: result.Values?.[i] })).filter((p): p is { at: Date; value: number } => typeof p.value === 'number');
    const newest = points.sort((a, b) => b.at.getTime() - a.at.getTime())[0];
    return newest === undefined ? null : { value: newest.value, at: newest.at.toISOString() };
  }

  /**
   * Several metrics over one span, in one GetMetricData call (its pages followed, if any): per query
   * id, the datapoints (the statistic over `periodSeconds`), oldest first, and whether CloudWatch
   * still said PartialData on its last page. A metric nobody published answers no datapoints, never an error.
   */
  async series(
    queries: readonly { readonly id: string; readonly metric: MetricId; readonly stat: string }[],
    span: { readonly start: Date; readonly end: Date; readonly periodSeconds: number },
  ): Promise<Record<string, { points: Datapoint[]; partial: boolean }>> {
    const doing = `cloudwatch:GetMetricData of ${queries.length} metric(s)`;
    const out: Record<string, { points: Datapoint[]; partial: boolean }> = Object.fromEntries(queries.map((q) => [q.id, { points: [], partial: false }]));
    let nextToken: string | undefined;
    do {
      let page;
      try {
        const { m, client } = await this.cloudwatch.get();
        page = await client.send(new m.GetMetricDataCommand({
          StartTime: span.start, EndTime: span.end, ScanBy: 'TimestampAscending', NextToken: nextToken,
          MetricDataQueries: queries.map((q) => ({
            Id: q.id, ReturnData: true,
            MetricStat: {
              Metric: { Namespace: q.metric.namespace, MetricName: q.metric.metricName, Dimensions: Object.entries(q.metric.dimensions).map(([Name, Value]) => ({ Name, Value })) },
              Period: span.periodSeconds, Stat: q.stat,
            },
          })),
        }));
      } catch (e: unknown) {
        throw classifyAwsError(e, doing);
      }
      for (const r of page.MetricDataResults ?? []) {
        const into = r.Id === undefined ? undefined : out[r.Id];
        if (into === undefined) continue;
        (r.Timestamps ?? []).forEach((t, i) => {
          const value = r.Values?.[i];
          if (typeof value === 'number') into.points.push({ at: t.toISOString(), value });
        });
        // Pages before the last are PartialData by design; what the last page says is what stands.
        into.partial = r.StatusCode === 'PartialData';
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    for (const s of Object.values(out)) s.points.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return out;
  }

  /** A metric alarm by name; null when no metric alarm has that name. */
  async metricAlarm(alarmName: string): Promise<MetricAlarmView | null> {
    let out;
    try {
      const { m, client } = await this.cloudwatch.get();
      out = await client.send(new m.DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm'] }));
    } catch (e: unknown) {
      throw classifyAwsError(e, `cloudwatch:DescribeAlarms on ${alarmName}`);
    }
    const a = out.MetricAlarms?.find((x) => x.AlarmName === alarmName);
    if (a === undefined) return null;
    return {
      name: alarmName, namespace: a.Namespace ?? null, metricName: a.MetricName ?? null,
      dimensions: Object.fromEntries((a.Dimensions ?? []).flatMap((d) => (d.Name === undefined ? [] : [[d.Name, d.Value ?? '']]))),
      threshold: a.Threshold ?? null, comparison: a.ComparisonOperator ?? null, state: a.StateValue ?? 'UNKNOWN', reason: a.StateReason ?? '',
    };
  }
}
