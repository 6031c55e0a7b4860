import { createHash } from 'node:crypto';
import type { HistoryState } from '../../drill/sandbox/alarm-history';

/** One StateUpdate of the alarm history: an alarm went from one state to another at a moment. */
export interface Transition {
  readonly alarmName: string;
  readonly alarmType: 'MetricAlarm' | 'CompositeAlarm';
  /** ISO 8601, milliseconds included: the history item's Timestamp. */
  readonly at: string;
  readonly from: HistoryState;
  readonly to: HistoryState;
}

/** One element of an alarm's metrics, as the alarm event's `configuration.metrics` carries it. */
export interface EventMetric {
  readonly id: string;
  readonly metricStat?: { readonly metric: { readonly namespace: string; readonly name: string; readonly dimensions: Readonly<Record<string, string>> }; readonly period?: number; readonly stat?: string };
  readonly expression?: string;
  readonly label?: string;
  readonly returnData?: boolean;
}

/** What DescribeAlarms says of an alarm that still exists: what the event's configuration is made of. */
export interface AlarmConfig {
  readonly name: string;
  readonly arn: string;
  readonly type: 'MetricAlarm' | 'CompositeAlarm';
  readonly description?: string;
  /** A metric alarm's metrics (one for a single-metric alarm, the queries of metric math or an anomaly band). */
  readonly metrics?: readonly EventMetric[];
  /** A composite alarm's rule. */
  readonly alarmRule?: string;
}

/** EventBridge writes the state timestamps as 2026-11-12T06:12:41.522+0000, and the event time to the second. */
const stateTime = (iso: string) => iso.replace(/Z$/, '+0000');
const eventTime = (iso: string) => `${iso.slice(0, 19)}Z`;

/** A UUID-shaped id from a digest: the same transition always gets the same event id. */
function idOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function eventState(state: HistoryState, at: string | undefined): Record<string, unknown> {
  return {
    value: state.stateValue,
    reason: state.stateReason,
    ...(state.stateReasonData ? { reasonData: JSON.stringify(state.stateReasonData) } : {}),
    ...(at ? { timestamp: stateTime(at) } : {}),
  };
}

/**
 * The `CloudWatch Alarm State Change` event EventBridge delivered for a transition (the shape of
 * events/*.alarm.json): the states from the history, the alarm's configuration as DescribeAlarms
 * reads it now (its metrics and dimensions, or its rule). `previousAt` is when the alarm entered
 * its previous state, when the history read holds it.
 */
export function alarmStateChangeEvent(t: Transition, alarm: AlarmConfig, region: string, previousAt: string | undefined): Record<string, unknown> {
  const account = alarm.arn.split(':')[4] ?? '';
  const configuration = alarm.type === 'CompositeAlarm'
    ? { alarmRule: alarm.alarmRule, ...(alarm.description ? { description: alarm.description } : {}) }
    : { ...(alarm.description ? { description: alarm.description } : {}), metrics: alarm.metrics ?? [] };
  return {
    version: '0',
    id: idOf(`${alarm.arn}|${t.at}`),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account,
    time: eventTime(t.at),
    region,
    resources: [alarm.arn],
    detail: {
      alarmName: alarm.name,
      state: eventState(t.to, t.at),
      previousState: eventState(t.from, previousAt),
      configuration,
    },
  };
}

/** A single-metric alarm's metric, as the event names it (the id is CloudWatch's own, stable per alarm). */
export function singleMetric(alarmArn: string, m: { namespace: string; name: string; dimensions: Record<string, string>; period?: number; stat?: string }): EventMetric {
  return {
    id: idOf(alarmArn),
    metricStat: { metric: { namespace: m.namespace, name: m.name, dimensions: m.dimensions }, ...(m.period ? { period: m.period } : {}), ...(m.stat ? { stat: m.stat } : {}) },
    returnData: true,
  };
}
