/**
 * Which alarms each runbook acts on, by metric, and how the alarm names its target. The CDK
 * rules, the tag router and the drill all route through these definitions, so an event reaches
 * the same runbook in the drill as in the account.
 */
import type { EventPattern, PatternMatcher } from './event-pattern';

export type AlarmRunbook = 'lambda-runaway' | 'dynamodb-throttling' | 'ecs-service-recovery';

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
}

export interface MetricRoute {
  readonly selectors: readonly MetricSelector[];
  /** Dimensions that together name the target, in order (joined with "/"). */
  readonly targetDimensions: readonly string[];
}

export const METRIC_ROUTES: Record<AlarmRunbook, MetricRoute> = {
  // Seed 003 §4: a runaway shows as concurrency near the limit (also as a % of it, in metric
  // math) or as an invocation surge (threshold or anomaly band).
  'lambda-runaway': {
    selectors: [
      { namespaces: ['AWS/Lambda'], metricNames: ['ConcurrentExecutions'], alarmedMetricOnly: false },
      { namespaces: ['AWS/Lambda'], metricNames: ['Invocations'], alarmedMetricOnly: true },
    ],
    targetDimensions: ['FunctionName'],
  },
  // Seed 003 §2: throttled requests on a table.
  'dynamodb-throttling': {
    selectors: [{ namespaces: ['AWS/DynamoDB'], metricNames: ['ReadThrottleEvents', 'WriteThrottleEvents', 'ThrottledRequests'], alarmedMetricOnly: false }],
    targetDimensions: ['TableName'],
  },
  // Seed 000 / 004: running tasks below desired, unhealthy service.
  'ecs-service-recovery': {
    selectors: [{
      namespaces: ['ECS/ContainerInsights', 'AWS/ECS'],
      metricNames: ['RunningTaskCount', 'DesiredTaskCount', 'PendingTaskCount', 'CPUUtilization', 'MemoryUtilization'],
      alarmedMetricOnly: false,
    }],
    targetDimensions: ['ClusterName', 'ServiceName'],
  },
};

export const ALARM_RUNBOOKS = Object.keys(METRIC_ROUTES) as AlarmRunbook[];

/** Tag on an alarm (any kind, composite too) that routes it to a runbook. */
export const RUNBOOK_TAG = 'runbook-autopilot:runbook';
/** Tag naming the target when the alarm's metrics do not (composite alarms). */
export const TARGET_TAG = 'runbook-autopilot:target';

/**
 * The EventBridge patterns for one runbook, one per metric selector: ALARM transitions of a
 * metric alarm whose metric is routed to it and whose dimensions name a configured target.
 * EventBridge matches the fields of one element of configuration.metrics together.
 */
export function alarmRulePatterns(runbook: AlarmRunbook, targets: readonly Record<string, string>[], options: { anyTarget?: boolean } = {}): EventPattern[] {
  const route = METRIC_ROUTES[runbook];
  const dimensions: Record<string, PatternMatcher[]> = {};
  for (const dimension of route.targetDimensions) {
    // anyTarget: the runbook also allowlists by tag, so any value of the dimension routes (admit decides).
    dimensions[dimension] = options.anyTarget
      ? [{ exists: true }]
      : [...new Set(targets.map((t) => t[dimension]).filter((v): v is string => v !== undefined))];
  }
  return route.selectors.map((selector) => ({
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
  }));
}

/** The pattern for alarms routed by tag instead: every ALARM transition, filtered by the router. */
export const TAGGED_ALARM_PATTERN: EventPattern = {
  source: ['aws.cloudwatch'],
  'detail-type': ['CloudWatch Alarm State Change'],
  detail: { state: { value: ['ALARM'] } },
};
