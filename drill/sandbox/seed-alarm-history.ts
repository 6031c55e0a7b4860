import { stateUpdateItem, type HistoryState } from './alarm-history';
import { FRONTEND_ALARM, FRONTEND_COMPOSITE_ALARM, FRONTEND_SERVICE } from './seed-admin-frontend';
import { UNCONFIGURED_DURATION_ALARM } from './seed-timeouts';
import { WORKER_MEMORY_ALARM, WORKER_QUEUE_ALARM } from './seed-workers';
import type { AccountState, AlarmHistoryItemState, AlarmState } from './state';

/**
 * Two weeks of the seed systems' alarm history (DescribeAlarmHistory), ending where the seed
 * account is now. Day 0 is the UTC midnight 13 days before `now`, so days 0 to 12 are whole days
 * inside any 14-day window that ends now. The first week is quiet (only alarms nobody routes
 * fire); the second is not:
 *
 * - day 7: the researcher agent runs away and its concurrency alarm fires five times in four
 *   hours (a re-fire inside the cooldown, then often enough to be flapping);
 * - day 8: the admin service loses its tasks; the admin frontend's alarm, the team's composite
 *   over it and its target group's alarm fire within a second; a legacy alarm is deleted;
 * - day 9: the tasks table's write-throttle alarm flaps: ALARM every 12 minutes for two hours;
 * - day 11, 18:30:00 to 18:31:57 UTC: a storm, 40 transitions (20 to ALARM) of six agent alarms;
 * - day 12: the worker queue backs up (two alarms on one service), a function nobody configured
 *   for timeouts breaches its duration alarm twice;
 * - now: every alarm the seed account holds in ALARM went there a minute ago (the drill's incident).
 *
 * Alarms nobody routes fire throughout: the load balancer's 5xx alarm, a function's errors, the
 * researcher's throttles (an informing alarm) and a legacy latency alarm deleted on day 8, whose
 * history CloudWatch keeps. Each ALARM transition of an alarm with actions is followed by its
 * Action item (the SNS notification), as CloudWatch records it.
 */
const RESEARCHER_FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const TAGGED_FUNCTION = 'cabruca-segmentation-prod-annotator-agent';
const UNTAGGED_FUNCTION = 'tradai-prod-signal-ingest';
const ADMIN_SERVICE = 'alphaswarm-admin-prod';

export const HISTORY_ALARMS = {
  loadBalancer5xx: 'alphaswarm-prod-alb-target-5xx',
  ingestErrors: `${UNTAGGED_FUNCTION}-errors`,
  researcherThrottles: `${RESEARCHER_FUNCTION}-throttles`,
  /** Deleted on day 8: only its history is left. */
  deletedLatency: 'alphaswarm-prod-legacy-api-latency',
} as const;

const RESEARCHER_CONCURRENCY = `${RESEARCHER_FUNCTION}-concurrency`;
const TASKS_THROTTLES = 'cabruca-segmentation-prod-agent-tasks-write-throttles';
const STORM_ALARMS: readonly [string, number][] = [
  [RESEARCHER_CONCURRENCY, 4],
  ['cabruca-segmentation-prod-manager-agent-invocations', 4],
  ['cabruca-segmentation-prod-engineer-agent-invocations-anomaly', 4],
  ['cabruca-segmentation-prod-qa-agent-concurrency-percent', 3],
  ['cabruca-segmentation-prod-data_processor-agent-concurrency', 3],
  [`${TAGGED_FUNCTION}-concurrency`, 2],
];

type Value = AlarmState['stateValue'];
/** One scripted change: the alarm, its day, the UTC time (HH:MM:SS.mmm) and the state it enters. */
type Step = readonly [alarm: string, day: number, time: string, to: Value];

const ALB = 'app/alphaswarm-prod/50dc6c495c0c9188';

/** The alarms the history speaks of that the rest of the seed does not hold (all OK now). */
function historyAlarms(state: AccountState, now: Date): Record<string, AlarmState> {
  const common = {
    period: 60, evaluationPeriods: 1, treatMissingData: 'notBreaching' as const, stateValue: 'OK' as const,
    stateUpdatedAt: new Date(now.getTime() - 30 * 3_600_000).toISOString(), alarmActions: [criticalTopic(state)], okActions: [],
  };
  return {
    [HISTORY_ALARMS.loadBalancer5xx]: {
      ...common, description: 'Targets behind the alphaswarm-prod load balancer answer 5xx.',
      namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: { LoadBalancer: ALB },
      statistic: 'Sum', threshold: 50, comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [3.0] was not greater than the threshold (50.0).',
      tags: { Project: 'alphaswarm', Environment: 'prod' },
    },
    [HISTORY_ALARMS.ingestErrors]: {
      ...common, description: `Errors of ${UNTAGGED_FUNCTION}.`,
      namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: UNTAGGED_FUNCTION },
      statistic: 'Sum', period: 300, threshold: 5, comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (5.0).',
      tags: { Project: 'tradai', Environment: 'prod' },
    },
    [HISTORY_ALARMS.researcherThrottles]: {
      ...common, description: `Seed 003: throttles on ${RESEARCHER_FUNCTION}. Informs only.`,
      namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: { FunctionName: RESEARCHER_FUNCTION },
      statistic: 'Sum', period: 300, threshold: 0, comparisonOperator: 'GreaterThanThreshold',
      stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (0.0).',
      tags: { Project: 'cabruca-segmentation', Environment: 'prod' },
    },
  };
}

/** The topic the seed's alarms notify (seed-account.ts TOPIC_ARNS.critical). */
const criticalTopic = (state: AccountState) => `arn:aws:sns:${state.region}:${state.accountId}:runbook-autopilot-drill-critical`;

type DeletedAlarm = Omit<AlarmState, 'stateValue' | 'stateReason' | 'stateUpdatedAt' | 'tags'>;

/** The deleted alarm, as its history remembers it (DescribeAlarms no longer returns it). */
const deletedAlarm = (state: AccountState): DeletedAlarm => ({
  description: 'p99 latency of the legacy API.', namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime',
  dimensions: { LoadBalancer: ALB }, statistic: 'Maximum', period: 60, evaluationPeriods: 1, threshold: 2,
  comparisonOperator: 'GreaterThanThreshold', treatMissingData: 'notBreaching', alarmActions: [criticalTopic(state)], okActions: [],
});

function script(): Step[] {
  const steps: Step[] = [
    // The quiet week: nothing a runbook answers.
    ['cabruca-segmentation-prod-data_processor-agent-concurrency', 1, '04:10:12.417', 'INSUFFICIENT_DATA'],
    ['cabruca-segmentation-prod-data_processor-agent-concurrency', 1, '04:21:12.902', 'OK'],
    [HISTORY_ALARMS.ingestErrors, 4, '13:42:08.115', 'ALARM'],
    [HISTORY_ALARMS.ingestErrors, 4, '13:47:08.530', 'OK'],
    [HISTORY_ALARMS.researcherThrottles, 5, '22:15:30.004', 'ALARM'],
    [HISTORY_ALARMS.researcherThrottles, 5, '22:20:30.261', 'OK'],
    // Day 7: the runaway that re-fires.
    ...(['06:12:41.522', '06:32:41.522', '07:31:41.522', '08:40:41.522', '09:45:41.522'] as const).flatMap((t): Step[] => [
      [RESEARCHER_CONCURRENCY, 7, t, 'ALARM'],
      [RESEARCHER_CONCURRENCY, 7, plusMinutes(t, t.startsWith('06:12') ? 8 : 7), 'OK'],
    ]),
    [HISTORY_ALARMS.deletedLatency, 7, '10:03:00.310', 'ALARM'],
    [HISTORY_ALARMS.deletedLatency, 7, '10:18:00.442', 'OK'],
    [HISTORY_ALARMS.deletedLatency, 7, '13:30:00.871', 'ALARM'],
    [HISTORY_ALARMS.deletedLatency, 7, '13:44:00.125', 'OK'],
    // Day 8: the admin service, then the admin frontend (its alarm, the composite over it, its targets).
    [`${ADMIN_SERVICE}-tasks-below-desired`, 8, '02:10:30.640', 'ALARM'],
    [`${ADMIN_SERVICE}-tasks-below-desired`, 8, '02:25:30.119', 'OK'],
    [FRONTEND_ALARM, 8, '17:20:05.218', 'ALARM'],
    [FRONTEND_COMPOSITE_ALARM, 8, '17:20:05.731', 'ALARM'],
    [`${FRONTEND_SERVICE}-unhealthy-targets`, 8, '17:20:40.052', 'ALARM'],
    [FRONTEND_ALARM, 8, '17:35:05.404', 'OK'],
    [`${FRONTEND_SERVICE}-unhealthy-targets`, 8, '17:35:40.387', 'OK'],
    [FRONTEND_COMPOSITE_ALARM, 8, '17:35:40.902', 'OK'],
    // Day 9: the flapping table alarm, and the load balancer.
    ...Array.from({ length: 10 }, (_, k): Step[] => {
      const t = plusMinutes('14:00:07.306', 12 * k);
      return [[TASKS_THROTTLES, 9, t, 'ALARM'], [TASKS_THROTTLES, 9, plusMinutes(t, 4), 'OK']];
    }).flat(),
    [HISTORY_ALARMS.loadBalancer5xx, 9, '14:05:00.733', 'ALARM'],
    [HISTORY_ALARMS.loadBalancer5xx, 9, '14:20:00.218', 'OK'],
    [HISTORY_ALARMS.loadBalancer5xx, 9, '20:10:00.516', 'ALARM'],
    [HISTORY_ALARMS.loadBalancer5xx, 9, '20:25:00.094', 'OK'],
    // Day 10: a bad release of the manager agent, a read-throttled table.
    ['cabruca-segmentation-prod-manager-agent-live-errors', 10, '10:05:12.880', 'ALARM'],
    ['cabruca-segmentation-prod-manager-agent-live-errors', 10, '10:30:12.341', 'OK'],
    ['cabruca-segmentation-prod-agent-state-read-throttles', 10, '11:00:33.027', 'ALARM'],
    ['cabruca-segmentation-prod-agent-state-read-throttles', 10, '11:09:33.650', 'OK'],
    [HISTORY_ALARMS.loadBalancer5xx, 10, '11:02:00.408', 'ALARM'],
    [HISTORY_ALARMS.loadBalancer5xx, 10, '11:12:00.771', 'OK'],
    // Day 11: the storm.
    ...storm(),
    // Day 12: the worker queue, a function's duration nobody configured, the rest.
    [UNCONFIGURED_DURATION_ALARM, 12, '07:15:00.250', 'ALARM'],
    [HISTORY_ALARMS.ingestErrors, 12, '07:16:00.913', 'ALARM'],
    [UNCONFIGURED_DURATION_ALARM, 12, '07:40:00.532', 'OK'],
    [HISTORY_ALARMS.ingestErrors, 12, '07:41:00.207', 'OK'],
    [WORKER_QUEUE_ALARM, 12, '09:00:10.145', 'ALARM'],
    [WORKER_MEMORY_ALARM, 12, '09:03:10.662', 'ALARM'],
    [WORKER_QUEUE_ALARM, 12, '09:40:10.380', 'OK'],
    [WORKER_MEMORY_ALARM, 12, '09:42:10.019', 'OK'],
    [UNCONFIGURED_DURATION_ALARM, 12, '12:15:00.744', 'ALARM'],
    [UNCONFIGURED_DURATION_ALARM, 12, '12:40:00.306', 'OK'],
    [HISTORY_ALARMS.researcherThrottles, 12, '18:30:00.559', 'ALARM'],
    [HISTORY_ALARMS.researcherThrottles, 12, '18:35:00.122', 'OK'],
    [HISTORY_ALARMS.loadBalancer5xx, 12, '21:00:00.690', 'ALARM'],
    [HISTORY_ALARMS.loadBalancer5xx, 12, '21:10:00.437', 'OK'],
  ];
  return steps;
}

/** Day 11, 18:30:00 to 18:31:57 UTC: each agent alarm goes to ALARM and back, in turn, one change every 3 seconds. */
function storm(): Step[] {
  const pairs: string[] = [];
  for (let round = 0; round < 4; round++) for (const [alarm, times] of STORM_ALARMS) if (times > round) pairs.push(alarm);
  return pairs.flatMap((alarm, i): Step[] => [
    [alarm, 11, plusSeconds('18:30:00.120', 6 * i), 'ALARM'],
    [alarm, 11, plusSeconds('18:30:03.120', 6 * i), 'OK'],
  ]);
}

function plusSeconds(time: string, seconds: number): string {
  const [h, m, s] = time.split(':').map(Number) as [number, number, number];
  const total = h * 3600 + m * 60 + s + seconds;
  const pad = (n: number) => String(Math.floor(n)).padStart(2, '0');
  return `${pad(total / 3600)}:${pad((total % 3600) / 60)}:${(total % 60).toFixed(3).padStart(6, '0')}`;
}
const plusMinutes = (time: string, minutes: number) => plusSeconds(time, minutes * 60);

/** CloudWatch's reason dates: dd/MM/yy HH:mm:ss. */
function reasonDate(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(2, 4)} ${iso.slice(11, 19)}`;
}
/** Timestamps inside HistoryData are written as 2026-11-12T06:12:41.522+0000. */
const cwTime = (iso: string) => iso.replace('Z', '+0000');

type AlarmView = Pick<AlarmState, 'threshold' | 'comparisonOperator' | 'statistic' | 'period'>;

/** A datapoint that puts the alarm in the state: beyond the threshold for ALARM, well within it for OK. */
function datapoint(a: AlarmView, to: Value): number {
  const above = a.comparisonOperator.startsWith('Greater');
  if (to === 'ALARM') return above ? Math.round(a.threshold * 1.25 + 12) : 0;
  return above ? Math.round(a.threshold * 0.4) : a.threshold;
}

/** The new state of a metric alarm, with the reason and reason data CloudWatch writes. */
function metricState(a: AlarmView, to: Value, at: string): HistoryState {
  const periodStart = new Date(Math.floor((Date.parse(at) - a.period * 1000) / (a.period * 1000)) * a.period * 1000).toISOString();
  const base = { version: '1.0', queryDate: cwTime(at), startDate: cwTime(periodStart), statistic: a.statistic, period: a.period };
  if (to === 'INSUFFICIENT_DATA') {
    return { stateValue: to, stateReason: 'Insufficient Data: 1 datapoint was unknown.', stateReasonData: { ...base, recentDatapoints: [], threshold: a.threshold } };
  }
  const value = datapoint(a, to);
  const comparison = a.comparisonOperator.replace(/Threshold$/, '').replace(/([A-Z])/g, ' $1').trim().toLowerCase();
  const verb = to === 'ALARM' ? `was ${comparison}` : `was not ${comparison}`;
  return {
    stateValue: to,
    stateReason: `Threshold Crossed: 1 out of the last 1 datapoints [${value.toFixed(1)} (${reasonDate(periodStart)})] ${verb} the threshold (${a.threshold.toFixed(1)}) (minimum 1 datapoint for ${to === 'ALARM' ? 'OK -> ALARM' : 'ALARM -> OK'} transition).`,
    stateReasonData: { ...base, recentDatapoints: [value], threshold: a.threshold },
  };
}

/** A composite alarm's new state: the child whose change moved it. */
function compositeState(state: AccountState, rule: string, to: Value, at: string, history: readonly AlarmHistoryItemState[]): HistoryState {
  const child = /"([^"]+)"/.exec(rule)?.[1] ?? '';
  const arn = `arn:aws:cloudwatch:${state.region}:${state.accountId}:alarm:${child}`;
  const childAt = [...history].reverse().find((h) => h.alarmName === child && h.historyItemType === 'StateUpdate' && h.timestamp <= at)?.timestamp ?? at;
  return {
    stateValue: to,
    stateReason: `${arn} transitioned to ${to} at ${new Date(childAt).toUTCString()}`,
    stateReasonData: { triggeringAlarms: [{ arn, state: { value: to, timestamp: cwTime(childAt) } }] },
  };
}

/** The Action item CloudWatch records when an ALARM transition notifies the alarm's SNS topic. */
function actionItem(alarmName: string, at: string, topic: string): AlarmHistoryItemState {
  const when = new Date(Date.parse(at) + 48).toISOString();
  return {
    alarmName, alarmType: 'MetricAlarm', timestamp: when, historyItemType: 'Action',
    historySummary: `Successfully executed action ${topic}`,
    historyData: JSON.stringify({ actionState: 'Succeeded', stateUpdateTimestamp: Date.parse(at), notificationResource: topic, publishedMessage: `{"default":"ALARM: \\"${alarmName}\\""}` }),
  };
}

function configurationItem(alarmName: string, at: string, kind: 'Create' | 'Delete', alarm: DeletedAlarm): AlarmHistoryItemState {
  const verb = kind === 'Create' ? 'created' : 'deleted';
  const body = { alarmName, alarmDescription: alarm.description, namespace: alarm.namespace, metricName: alarm.metricName, threshold: alarm.threshold, comparisonOperator: alarm.comparisonOperator };
  return {
    alarmName, alarmType: 'MetricAlarm', timestamp: at, historyItemType: 'ConfigurationUpdate', historySummary: `Alarm "${alarmName}" ${verb}`,
    historyData: JSON.stringify({ version: '1.0', type: kind, [kind === 'Create' ? 'createdAlarm' : 'deletedAlarm']: body }),
  };
}

/**
 * Adds the history's own alarms to the account and writes the two weeks into its alarm history,
 * each alarm's last change leading to the state it is in now (at its stateUpdatedAt).
 */
export function seedAlarmHistory(state: AccountState, now: Date): void {
  Object.assign(state.cloudwatch.alarms, historyAlarms(state, now));
  const deleted = deletedAlarm(state);
  const day0 = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 13 * 86_400_000;
  const at = (day: number, time: string) => new Date(day0 + day * 86_400_000 + Date.parse(`1970-01-01T${time}Z`)).toISOString();
  const items: AlarmHistoryItemState[] = [];
  const current = new Map<string, { value: Value; reason: HistoryState }>();
  const viewOf = (name: string): AlarmView | undefined => state.cloudwatch.alarms[name] ?? (name === HISTORY_ALARMS.deletedLatency ? deleted : undefined);
  const change = (name: string, when: string, to: Value, reason?: HistoryState) => {
    const view = viewOf(name);
    const composite = state.cloudwatch.compositeAlarms[name];
    const previous = current.get(name)?.reason ?? { stateValue: 'OK', stateReason: 'Unchecked: Initial alarm creation' };
    const next = reason ?? (view ? metricState(view, to, when) : compositeState(state, composite?.alarmRule ?? '', to, when, items));
    items.push(stateUpdateItem(name, composite ? 'CompositeAlarm' : 'MetricAlarm', when, previous, next));
    const topic = (state.cloudwatch.alarms[name] ?? (view === deleted ? deleted : undefined))?.alarmActions[0];
    if (to === 'ALARM' && topic) items.push(actionItem(name, when, topic));
    current.set(name, { value: to, reason: next });
  };
  items.push(configurationItem(HISTORY_ALARMS.loadBalancer5xx, at(3, '16:05:40.000'), 'Create', state.cloudwatch.alarms[HISTORY_ALARMS.loadBalancer5xx]!));
  for (const [name, day, time, to] of script()) {
    if (!viewOf(name) && !state.cloudwatch.compositeAlarms[name]) throw new Error(`seed-alarm-history: the script names ${name}, which the account has no alarm of`);
    change(name, at(day, time), to);
  }
  items.push(configurationItem(HISTORY_ALARMS.deletedLatency, at(8, '09:00:00.000'), 'Delete', deleted));
  // Each alarm's last change leads to the state the account holds it in now.
  const alarms = [...Object.entries(state.cloudwatch.alarms), ...Object.entries(state.cloudwatch.compositeAlarms)];
  for (const [name, alarm] of alarms.sort(([, a], [, b]) => a.stateUpdatedAt.localeCompare(b.stateUpdatedAt))) {
    const was = current.get(name)?.value ?? 'OK';
    if (was === alarm.stateValue) continue;
    const view = viewOf(name);
    const reason: HistoryState = view && !state.cloudwatch.compositeAlarms[name]
      ? { ...metricState(view, alarm.stateValue, alarm.stateUpdatedAt), stateReason: alarm.stateReason }
      : compositeState(state, (alarm as { alarmRule?: string }).alarmRule ?? '', alarm.stateValue, alarm.stateUpdatedAt, items);
    change(name, alarm.stateUpdatedAt, alarm.stateValue, reason);
  }
  state.cloudwatch.history = [...(state.cloudwatch.history ?? []), ...items].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

