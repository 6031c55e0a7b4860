import { createHash } from 'node:crypto';
import * as z from '../shared/zod';
import { metricRouteSchema, targetDimensionsOf, type MetricRoute } from './routing';
import { firstIssue } from './first-issue';
import { eventRouteSchema, readServiceEvent, SERVICE_EVENTS, UnreadableServiceEvent, type ApiCall, type EventRoute } from './service-events';
import { MANUAL_START_DETAIL_TYPE, MANUAL_START_SOURCE, manualStartEventSchema, type ManualStartEvent } from './manual-start';

/** What started a runbook, normalised from whichever event carried it. */
export interface Trigger {
  readonly kind: 'alarm' | 'budget' | 'event' | 'manual';
  /** The target key as config names it: function, table, "cluster/service", budget name or state machine. */
  readonly target: string;
  /** One alarm transition, one budget alert or one AWS service event's occurrence: the unit of "never act twice". */
  readonly dedupeKey: string;
  readonly firedAt: string;
  /** One line a human reads first: what fired. */
  readonly summary: string;
  readonly source: { readonly name: string; readonly arn?: string; readonly reason?: string; readonly occurrence?: string; readonly apiCall?: ApiCall };
  readonly budget?: BudgetAlert;
  /** Every occurrence is acted on: admit's cooldown and flapping rails do not hold it (a break-glass role's assumption pages each time). */
  readonly everyOccurrence?: true;
}

export interface BudgetAlert {
  readonly budgetName: string;
  readonly alertType: 'ACTUAL' | 'FORECASTED';
  readonly thresholdAmount: number;
  readonly actualOrForecastAmount: number;
  readonly budgetedAmount: number;
}

/** The event is not one this runbook understands; admit rejects it without acting. */
export class UnroutableEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnroutableEvent';
  }
}

const metricStat = z.object({
  metric: z.object({
    namespace: z.string(),
    name: z.string(),
    dimensions: z.optional(z.record(z.string(), z.string())),
  }),
});

export const alarmEventSchema = z.object({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  resources: z._default(z.array(z.string()), []),
  detail: z.object({
    alarmName: z.string().check(z.minLength(1)),
    state: z.object({ value: z.string(), reason: z.optional(z.string()), timestamp: z.string().check(z.minLength(1)) }),
    configuration: z.optional(z.object({
        metrics: z.optional(z.array(z.object({ metricStat: z.optional(metricStat), returnData: z.optional(z.boolean()) }))),
        alarmRule: z.optional(z.string()),
      })),
  }),
});
export type AlarmEvent = z.infer<typeof alarmEventSchema>;

const budgetNotificationEventSchema = z.object({
  source: z.literal('runbook-autopilot'),
  'detail-type': z.literal('Budget Notification'),
  detail: z.object({
    budgetName: z.string().check(z.minLength(1)),
    alertType: z.enum(['ACTUAL', 'FORECASTED']),
    thresholdAmount: z.number(),
    actualOrForecastAmount: z.number(),
    budgetedAmount: z.number(),
    messageId: z.string().check(z.minLength(1)),
    topicArn: z.string().check(z.minLength(1)),
    timestamp: z.string().check(z.minLength(1)),
  }),
});
const taggedAlarmEventSchema = z.object({
  source: z.literal('runbook-autopilot'),
  'detail-type': z.literal('Tagged Alarm'),
  detail: z.object({ target: z.string().check(z.minLength(1)), alarm: alarmEventSchema }),
});
/** Events this app itself emits: a budget alert from the adapter, a tagged alarm from the router. */
export const autopilotEventSchema = z.discriminatedUnion('detail-type', [budgetNotificationEventSchema, taggedAlarmEventSchema]);

/** Every kind of event admit reads, by its source and detail-type, with the schema it is read with. */
const EVENT_KINDS: readonly { readonly source: string; readonly detailType: string; readonly schema: z.ZodMiniType }[] = [
  { source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', schema: alarmEventSchema },
  { source: 'runbook-autopilot', detailType: 'Budget Notification', schema: budgetNotificationEventSchema },
  { source: 'runbook-autopilot', detailType: 'Tagged Alarm', schema: taggedAlarmEventSchema },
  { source: MANUAL_START_SOURCE, detailType: MANUAL_START_DETAIL_TYPE, schema: manualStartEventSchema },
  ...Object.values(SERVICE_EVENTS),
];

/**
 * What is wrong with an event of a kind admit reads (its source and detail-type say which), as one
 * line naming the first bad field: `malformed CloudWatch Alarm State Change event:
 * detail.alarmName: expected string, received null`. Undefined when it is well-formed or of no
 * kind admit reads. The drill refuses such an input before anything runs; admit rejects it.
 */
export function malformedEvent(event: unknown): string | undefined {
  const head = typeof event === 'object' && event !== null ? event as { source?: unknown; 'detail-type'?: unknown } : {};
  const kind = EVENT_KINDS.find((k) => k.source === head.source && k.detailType === head['detail-type']);
  const parsed = kind?.schema.safeParse(event);
  return parsed && !parsed.success ? `malformed ${kind!.detailType} event: ${firstIssue(parsed.error)}` : undefined;
}

/**
 * What starts a runbook, as admit knows it per runbook (in its bundle, generated from its module):
 * alarms on its metrics, AWS Budgets alerts, AWS service events, or alarms and events both.
 */
export const runbookTriggerSchema = z.object({
  alarm: z.optional(metricRouteSchema),
  budget: z.optional(z.literal(true)),
  events: z.optional(z.array(eventRouteSchema).check(z.minLength(1))),
  // What a start names besides the target (both), or nothing more ({}).
  manual: z.optional(z.union([z.object({ occurrence: z.string().check(z.minLength(1)), pattern: z.string().check(z.minLength(1)) }), z.strictObject({})])),
});
export interface RunbookTrigger {
  readonly alarm?: MetricRoute;
  readonly budget?: true;
  readonly events?: readonly EventRoute[];
  /** A runbook started by service events that a person may start by hand: what the start names besides the target, and its form (a regex). */
  readonly manual?: ManualStartSpec;
}
export const runbookTriggersSchema = z.record(z.string(), runbookTriggerSchema);

/** Reads the target an alarm names through its metric dimensions, by the same rules as the EventBridge pattern. */
export function alarmTarget(route: MetricRoute, event: AlarmEvent): string | undefined {
  for (const entry of event.detail.configuration?.metrics ?? []) {
    const metric = entry.metricStat?.metric;
    if (!metric) continue;
    const selector = route.selectors.find((s) => s.namespaces.includes(metric.namespace) && s.metricNames.includes(metric.name)
      && (!s.alarmedMetricOnly || entry.returnData === true));
    if (!selector) continue;
    const values = targetDimensionsOf(route, selector).map((d) => metric.dimensions?.[d]);
    if (!values.every((v): v is string => typeof v === 'string' && v.length > 0)) continue;
    const joined = values.join('/');
    if (route.targetPattern === undefined) return joined;
    const named = new RegExp(route.targetPattern).exec(joined)?.[1];
    if (named) return named;
  }
  return undefined;
}

/**
 * One alarm transition: alarm identity + the timestamp of the state it entered. The tag router
 * names its execution after it, so it must not depend on the EventBridge event id.
 */
export function alarmDedupeKey(alarm: AlarmEvent): string {
  return `alarm|${alarm.resources[0] ?? alarm.detail.alarmName}|${alarm.detail.state.timestamp}`;
}

function alarmTrigger(runbook: string, route: MetricRoute, alarm: AlarmEvent, taggedTarget?: string): Trigger {
  if (alarm.detail.state.value !== 'ALARM') {
    throw new UnroutableEvent(`alarm ${alarm.detail.alarmName} is in state ${alarm.detail.state.value}, not ALARM`);
  }
  const target = taggedTarget ?? alarmTarget(route, alarm);
  if (!target) {
    const named = [...new Set(route.selectors.map((sel) => targetDimensionsOf(route, sel).join('+')))].join(' or ');
    throw new UnroutableEvent(`alarm ${alarm.detail.alarmName} names no ${named} for ${runbook}`);
  }
  const arn = alarm.resources[0];
  const reason = alarm.detail.state.reason;
  return {
    kind: 'alarm',
    target,
    dedupeKey: alarmDedupeKey(alarm),
    firedAt: alarm.detail.state.timestamp,
    summary: `CloudWatch alarm ${alarm.detail.alarmName} went to ALARM`,
    source: { name: alarm.detail.alarmName, ...(arn ? { arn } : {}), ...(reason ? { reason } : {}) },
  };
}

/**
 * Normalises the state machine's input event into a Trigger, or throws UnroutableEvent. `started`
 * is what starts this runbook (its module's trigger); undefined for a runbook this admit does not know.
 */
export function parseTrigger(runbook: string, event: unknown, started: RunbookTrigger | undefined): Trigger {
  const alarm = alarmEventSchema.safeParse(event);
  if (alarm.success) {
    if (started?.alarm) return alarmTrigger(runbook, started.alarm, alarm.data);
    // A runbook that takes alarms by their names (an event route of alarm state changes) reads them as the event they are.
    const named = serviceEventTrigger(runbook, event, started);
    if (named) return named;
    throw new UnroutableEvent(`${runbook} is not started by CloudWatch alarms`);
  }
  // An event of a kind admit reads, with a field missing or of the wrong type: named, not guessed at.
  const malformed = malformedEvent(event);
  if (malformed) throw new UnroutableEvent(`${runbook}: ${malformed}`);
  const manual = manualStartEventSchema.safeParse(event);
  if (manual.success) return manualTrigger(runbook, manual.data, started);
  const serviceEvent = serviceEventTrigger(runbook, event, started);
  if (serviceEvent) return serviceEvent;
  const own = autopilotEventSchema.safeParse(event);
  if (!own.success) {
    throw new UnroutableEvent(`input is neither a CloudWatch Alarm State Change event, an AWS service event ${runbook} is started by, nor a runbook-autopilot event`);
  }
  if (own.data['detail-type'] === 'Tagged Alarm') {
    if (!started?.alarm) throw new UnroutableEvent(`${runbook} is not started by CloudWatch alarms`);
    return alarmTrigger(runbook, started.alarm, own.data.detail.alarm, own.data.detail.target);
  }
  if (!started?.budget) throw new UnroutableEvent(`${runbook} is not started by budget notifications`);
  const d = own.data.detail;
  return {
    kind: 'budget',
    target: d.budgetName,
    dedupeKey: budgetDedupeKey(d),
    firedAt: d.timestamp,
    summary: `AWS Budgets ${d.alertType.toLowerCase()} alert: ${d.budgetName} at $${d.actualOrForecastAmount.toFixed(2)} (threshold $${d.thresholdAmount.toFixed(2)} of $${d.budgetedAmount.toFixed(2)})`,
    source: { name: d.budgetName, arn: d.topicArn },
    budget: {
      budgetName: d.budgetName,
      alertType: d.alertType,
      thresholdAmount: d.thresholdAmount,
      actualOrForecastAmount: d.actualOrForecastAmount,
      budgetedAmount: d.budgetedAmount,
    },
  };
}

/**
 * A person's start of this runbook on one target (lambdas/domain/manual-start.ts). Each start is
 * its own incident (its request id); sent again, the same start is a duplicate.
 */
function manualTrigger(runbook: string, event: ManualStartEvent, started: RunbookTrigger | undefined): Trigger {
  const d = event.detail;
  if (d.runbook !== runbook) throw new UnroutableEvent(`a manual start of ${d.runbook} was sent to ${runbook}`);
  const base = {
    kind: 'manual' as const, target: d.target, dedupeKey: `manual|${runbook}|${d.requestId}`, firedAt: event.time,
    summary: `Manual start by ${event.startedBy} on ${d.target}: ${d.reason}`,
  };
  if (started?.alarm) {
    if (d.alarmName === undefined) throw new UnroutableEvent(`a manual start of ${runbook} names no alarm: it verifies its change by the alarm the start names`);
    return { ...base, source: { name: d.alarmName } };
  }
  if (started?.manual) {
    const problem = manualOccurrenceProblem(runbook, started.manual, d.occurrence);
    if (problem) throw new UnroutableEvent(problem);
    return { ...base, source: { name: `manual start by ${event.startedBy}`, ...(d.occurrence !== undefined ? { occurrence: d.occurrence } : {}) } };
  }
  throw new UnroutableEvent(`${runbook} cannot be started by hand: it acts on what the budget alert or service event that starts it says, which a manual start does not carry`);
}

/**
 * What a runbook started by service events needs a manual start to name besides the target; a
 * runbook whose target says everything (an emergency stop named by its environment) needs nothing
 * more, and its spec names no occurrence.
 */
export type ManualStartSpec = {
  /** In words, e.g. "the access key id". */
  readonly occurrence: string;
  /** Its form, a regular expression's source. */
  readonly pattern: string;
} | {
  /** Nothing besides the target and the reason. */
  readonly occurrence?: undefined;
  readonly pattern?: undefined;
};

/** Why a manual start's occurrence will not do, in one line; undefined when it is what the runbook needs. */
export function manualOccurrenceProblem(runbook: string, spec: ManualStartSpec, occurrence: string | undefined): string | undefined {
  if (spec.pattern === undefined) {
    return occurrence === undefined ? undefined : `a manual start of ${runbook} names only its target and a reason, not ${JSON.stringify(occurrence)}`;
  }
  if (occurrence === undefined) return `a manual start of ${runbook} must name ${spec.occurrence} (what the event that starts it would name)`;
  if (!new RegExp(spec.pattern).test(occurrence)) return `a manual start of ${runbook} names ${JSON.stringify(occurrence)}, which is not ${spec.occurrence} (${spec.pattern})`;
  return undefined;
}

/**
 * An AWS service event of one of the runbook's routes (lambdas/domain/service-events.ts), or
 * undefined when it has no route for the event's source and detail-type. One occurrence is one
 * dedupe key, whichever delivery of it arrives (EventBridge delivers at least once).
 */
function serviceEventTrigger(runbook: string, event: unknown, started: RunbookTrigger | undefined): Trigger | undefined {
  let read;
  try {
    read = readServiceEvent(started?.events ?? [], event);
  } catch (e: unknown) {
    if (e instanceof UnreadableServiceEvent) throw new UnroutableEvent(`${runbook}: ${e.message}`);
    throw e;
  }
  if (!read) return undefined;
  return {
    kind: read.triggerKind ?? 'event',
    target: read.target,
    dedupeKey: `event|${read.detailType}|${read.identity}`,
    firedAt: read.time,
    summary: read.summary,
    // An alarm, as the alarm-routed triggers name it; any other event by its detail-type.
    source: { name: read.name ?? read.detailType, arn: read.arn, ...(read.reason ? { reason: read.reason } : {}), ...(read.occurrence ? { occurrence: read.occurrence } : {}), ...(read.apiCall ? { apiCall: read.apiCall } : {}) },
    ...(read.everyOccurrence ? { everyOccurrence: true as const } : {}),
  };
}

/**
 * One budget alert: Budgets alerts once per threshold per budget period (month). The budget
 * adapter names its execution after it, so the key must not depend on the SNS message id.
 */
export function budgetDedupeKey(alert: {
  readonly budgetName: string;
  readonly alertType: 'ACTUAL' | 'FORECASTED';
  readonly thresholdAmount: number;
  /** ISO 8601; its month is the budget period. */
  readonly timestamp: string;
}): string {
  return `budget|${alert.budgetName}|${alert.alertType}|${alert.thresholdAmount}|${alert.timestamp.slice(0, 7)}`;
}

/** Stable, short incident id for a dedupe key: the same transition always maps to the same id. */
export function incidentIdFor(dedupeKey: string): string {
  return `inc-${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 16)}`;
}
