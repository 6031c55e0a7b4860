/**
 * Routing alarms to runbooks by metric: each alarm-started runbook's module says which metrics
 * signal its condition and which dimensions name the target (a MetricRoute). The CDK rules, the
 * tag router, admit and the drill all route through these definitions, so an event reaches the
 * same runbook in the drill as in the account.
 */
import * as z from '../shared/zod';
import type { EventPattern, PatternMatcher } from './event-pattern';

/** A set of metrics that signal the runbook's condition. */
export interface MetricSelector {
  readonly namespaces: readonly string[];
  readonly metricNames: readonly string[];
  /**
   * Match only alarms whose value is the metric itself (single-metric and anomaly-detection
   * alarms), not metric math using it: an error-rate alarm divides by Invocations, and must not
   * stop a function.
   */
  readonly alarmedMetricOnly: boolean;
  /** Where these metrics name the target by other dimensions than the route's (API Gateway's ApiName + Stage beside a load balancer's LoadBalancer). */
  readonly targetDimensions?: readonly string[];
}

/** Which alarms start a runbook (its module's trigger), and how such an alarm names the target. */
export interface MetricRoute {
  readonly selectors: readonly MetricSelector[];
  /** Dimensions that together name the target, in order (joined with "/"), unless a selector says its own. */
  readonly targetDimensions: readonly string[];
  /**
   * Where the joined dimension values are an ARN but config names the target by its name (AWS/States
   * names a state machine by StateMachineArn): a regular expression whose first group is the target key.
   */
  readonly targetPattern?: string;
}

export const metricRouteSchema = z.object({
  selectors: z.array(z.object({
    namespaces: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)), metricNames: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)), alarmedMetricOnly: z.boolean(),
    targetDimensions: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  })).check(z.minLength(1)),
  targetDimensions: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  targetPattern: z.optional(z.string().check(z.minLength(1))),
});

/** Tag on an alarm (any kind, composite too) that routes it to a runbook. */
export const RUNBOOK_TAG = 'runbook-autopilot:runbook';
/** Tag naming the target when the alarm's metrics do not (composite alarms). */
export const TARGET_TAG = 'runbook-autopilot:target';

/**
 * The EventBridge patterns for one runbook, one per metric selector: ALARM transitions of a
 * metric alarm whose metric is routed to it and whose dimensions name a configured target.
 * EventBridge matches the fields of one element of configuration.metrics together.
 */
export function alarmRulePatterns(route: MetricRoute, targets: readonly Record<string, string>[], options: { anyTarget?: boolean } = {}): EventPattern[] {
  return metricRulePatterns(route, routeTargets(route, targets, options));
}

/**
 * What the rules of a route match on the target dimensions: per dimension, the distinct values
 * of the configured targets (a rule matches each dimension on its own), or any value ('any') for
 * a runbook that also allowlists by tag (admit decides). The alarm router is given this form.
 */
export type RouteTargets = Readonly<Record<string, readonly string[]>> | 'any';

export const routeTargetsSchema = z.union([z.literal('any'), z.record(z.string(), z.array(z.string().check(z.minLength(1))))]);

export function routeTargets(route: MetricRoute, targets: readonly Record<string, string>[], options: { anyTarget?: boolean } = {}): RouteTargets {
  if (options.anyTarget) return 'any';
  const all = [...new Set(route.selectors.flatMap((s) => targetDimensionsOf(route, s)))];
  return Object.fromEntries(all.map((d) => [d, [...new Set(targets.map((t) => t[d]).filter((v): v is string => v !== undefined))]]));
}

/** The dimensions that name the target in a selector's metrics. */
export const targetDimensionsOf = (route: MetricRoute, selector: MetricSelector): readonly string[] => selector.targetDimensions ?? route.targetDimensions;

/** The patterns of alarmRulePatterns, from the per-dimension values: a selector whose targets are configured none of has no rule. */
export function metricRulePatterns(route: MetricRoute, targets: RouteTargets): EventPattern[] {
  return route.selectors.flatMap((selector) => {
    const dimensions: Record<string, PatternMatcher[]> = {};
    for (const dimension of targetDimensionsOf(route, selector)) dimensions[dimension] = targets === 'any' ? [{ exists: true }] : [...(targets[dimension] ?? [])];
    if (Object.values(dimensions).some((values) => values.length === 0)) return [];
    return [selectorPattern(selector, dimensions)];
  });
}

function selectorPattern(selector: MetricSelector, dimensions: Record<string, PatternMatcher[]>): EventPattern {
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: {
      state: { value: ['ALARM'] },
      configuration: {
        metrics: {
          ...(selector.alarmedMetricOnly ? { returnData: [true] } : {}),
          metricStat: { metric: { namespace: [...selector.namespaces], name: [...selector.metricNames], dimensions } },
        },
      },
    },
  };
}

/** The pattern for alarms routed by tag instead: every ALARM transition, filtered by the router. */
export const TAGGED_ALARM_PATTERN: EventPattern = {
  source: ['aws.cloudwatch'],
  'detail-type': ['CloudWatch Alarm State Change'],
  detail: { state: { value: ['ALARM'] } },
};

/**
 * The tag router's pattern: every ALARM transition but those of the alarms a runbook's rule routes
 * by name (their runbook is started by that rule; the router would only read their tags for nothing).
 */
export function taggedAlarmPattern(namedAlarms: readonly string[]): EventPattern {
  return exceptNamedAlarms(TAGGED_ALARM_PATTERN, namedAlarms);
}

/**
 * An alarm pattern that leaves out the alarms a runbook's rule routes by name: a team that routes
 * its alarm by name (to page a person, or to the emergency stop) means that runbook, and no other
 * runbook whose metrics the alarm happens to watch starts too.
 */
export function exceptNamedAlarms(pattern: EventPattern, namedAlarms: readonly string[]): EventPattern {
  if (namedAlarms.length === 0) return pattern;
  const detail = (pattern.detail ?? {}) as Record<string, unknown>;
  return { ...pattern, detail: { ...detail, alarmName: [{ 'anything-but': [...new Set(namedAlarms)].sort() }] } };
}
