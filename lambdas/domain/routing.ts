/**
 * Which alarms each runbook acts on, by metric, and how the alarm names its target. The CDK
 * rules, the tag router and the drill all route through these definitions, so an event reaches
 * the same runbook in the drill as in the account.
 */
import type { EventPattern } from './event-pattern';

export type AlarmRunbook = 'lambda-runaway' | 'dynamodb-throttling' | 'ecs-service-recovery';

export interface MetricRoute {
  readonly namespaces: readonly string[];
  readonly metricNames: readonly string[];
  /** Dimensions that together name the target, in order (joined with "/"). */
  readonly targetDimensions: readonly string[];
  /**
   * Match only alarms whose routed metric is itself the alarm's value (single-metric and anomaly
   * detection alarms), not an input to metric math: an error-rate alarm reads Invocations too,
   * and must not stop a function.
   */
  readonly alarmedMetricOnly: boolean;
}

export const METRIC_ROUTES: Record<AlarmRunbook, MetricRoute> = {
  // Seed 003 §4: a runaway shows as concurrency near the limit or an invocation surge.
  'lambda-runaway': {
    namespaces: ['AWS/Lambda'],
    metricNames: ['ConcurrentExecutions', 'Invocations'],
    targetDimensions: ['FunctionName'],
    alarmedMetricOnly: true,
  },
  // Seed 003 §2: throttled requests on a table.
  'dynamodb-throttling': {
    namespaces: ['AWS/DynamoDB'],
    metricNames: ['ReadThrottleEvents', 'WriteThrottleEvents', 'ThrottledRequests'],
    targetDimensions: ['TableName'],
    alarmedMetricOnly: false,
  },
  // Seed 000 / 004: running tasks below desired, unhealthy service.
  'ecs-service-recovery': {
    namespaces: ['ECS/ContainerInsights', 'AWS/ECS'],
    metricNames: ['RunningTaskCount', 'DesiredTaskCount', 'PendingTaskCount', 'CPUUtilization', 'MemoryUtilization'],
    targetDimensions: ['ClusterName', 'ServiceName'],
    alarmedMetricOnly: false,
  },
};

/** Tag on an alarm (any kind, composite too) that routes it to a runbook. */
export const RUNBOOK_TAG = 'runbook-autopilot:runbook';
/** Tag naming the target when the alarm's metrics do not (composite alarms). */
export const TARGET_TAG = 'runbook-autopilot:target';

/**
 * The EventBridge pattern for one runbook: ALARM transitions of a metric alarm whose metric is
 * routed to it and whose target dimension names a configured target. Metric-math and anomaly
 * alarms match too: EventBridge matches any element of configuration.metrics.
 */
export function alarmRulePattern(runbook: AlarmRunbook, targets: readonly Record<string, string>[]): EventPattern {
  const route = METRIC_ROUTES[runbook];
  const dimensions: Record<string, string[]> = {};
  for (const dimension of route.targetDimensions) {
    dimensions[dimension] = [...new Set(targets.map((t) => t[dimension]).filter((v): v is string => v !== undefined))];
  }
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: {
      state: { value: ['ALARM'] },
      configuration: {
        metrics: {
          // EventBridge matches these fields within one element of the metrics array.
          ...(route.alarmedMetricOnly ? { returnData: [true] } : {}),
          metricStat: {
            metric: {
              namespace: [...route.namespaces],
              name: [...route.metricNames],
              dimensions,
            },
          },
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
