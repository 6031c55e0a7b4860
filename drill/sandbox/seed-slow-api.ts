import type { AccountState, MetricSeriesState } from './state';
import { minutesBefore } from './common';

/**
 * The Cabruca segmentation API's latency story (seed 004's slow-API alert): its load balancer's
 * p99 response time went from about 0.35 s to 2.4 s in the last five minutes, so its p99 alarm is in
 * ALARM. Behind it, the agent tasks table slowed down and throttles (write and read throttle events,
 * which DynamoDB publishes only while throttling), while the agent functions and the state table are
 * flat against the hour before. Scenarios flatten the tasks table (nothing explains the latency) or
 * silence a table's metrics (no datapoints). A REST API in API Gateway in front of the same agents is
 * slow the same way (its p99 Latency from 180 ms to 2.3 s).
 */
export const SLOW_API_LOAD_BALANCER = 'app/cabruca-segmentation-prod-api/7c1d2e3f4a5b6c7d';
export const SLOW_API_ALARM = 'cabruca-segmentation-prod-api-p99-latency';
/** The same agents behind a REST API in API Gateway (stage prod), slow the same way: its Latency is in milliseconds. */
export const SLOW_REST_API = { apiName: 'cabruca-segmentation-prod-partner-api', stage: 'prod' } as const;
const SLOW_REST_API_ALARM = 'cabruca-segmentation-prod-partner-api-prod-p99-latency';
export const THROTTLED_TASKS_TABLE = 'cabruca-segmentation-prod-agent-tasks';
const QUIET_TABLE = 'cabruca-segmentation-prod-agent-state';
const AGENTS = { manager: 820, engineer: 1400, qa: 600 } as const;
const OPERATIONS = ['GetItem', 'PutItem', 'Query'] as const;

/** An hour and ten minutes of a value a minute, the newest a minute ago. */
const MINUTES = 70;
const STORY_MINUTES = 5;
/** A steady value with a small deterministic wobble, as real metrics have. */
const steady = (base: number, n: number) => Array.from({ length: n }, (_, i) => Number((base * (1 + 0.04 * Math.sin(i * 1.7))).toFixed(3)));
/** Steady, then the last five minutes at `to`. */
const jump = (base: number, to: number) => [...steady(base, MINUTES - STORY_MINUTES), ...steady(to, STORY_MINUTES)];

export function seedSlowApi(state: AccountState, now: Date): void {
  const series = (namespace: string, metricName: string, dimensions: Record<string, string>, values: number[]): MetricSeriesState => ({
    namespace, metricName, dimensions, periodSeconds: 60, endsAt: minutesBefore(now, 1), values,
  });
  const metrics: Record<string, MetricSeriesState> = {
    'api p99': series('AWS/ApplicationELB', 'TargetResponseTime', { LoadBalancer: SLOW_API_LOAD_BALANCER }, jump(0.35, 2.4)),
    'rest api p99': series('AWS/ApiGateway', 'Latency', { ApiName: SLOW_REST_API.apiName, Stage: SLOW_REST_API.stage }, jump(180, 2300)),
  };
  for (const [agent, ms] of Object.entries(AGENTS)) {
    const fn = `cabruca-segmentation-prod-${agent}-agent`;
    metrics[`${agent} agent duration`] = series('AWS/Lambda', 'Duration', { FunctionName: fn }, steady(ms, MINUTES));
  }
  const latency: Record<(typeof OPERATIONS)[number], [number, number]> = { GetItem: [4, 25], PutItem: [6, 48], Query: [9, 61] };
  for (const op of OPERATIONS) {
    const [before, after] = latency[op];
    metrics[`tasks table ${op} latency`] = series('AWS/DynamoDB', 'SuccessfulRequestLatency', { TableName: THROTTLED_TASKS_TABLE, Operation: op }, jump(before, after));
    metrics[`state table ${op} latency`] = series('AWS/DynamoDB', 'SuccessfulRequestLatency', { TableName: QUIET_TABLE, Operation: op }, steady(before, MINUTES));
  }
  // Published only while throttling: the last five minutes.
  metrics['tasks table write throttles'] = series('AWS/DynamoDB', 'WriteThrottleEvents', { TableName: THROTTLED_TASKS_TABLE }, [31, 44, 39, 47, 42]);
  metrics['tasks table read throttles'] = series('AWS/DynamoDB', 'ReadThrottleEvents', { TableName: THROTTLED_TASKS_TABLE }, [6, 11, 9, 14, 12]);
  state.cloudwatch.metrics = { ...state.cloudwatch.metrics, ...metrics };
  state.cloudwatch.alarms[SLOW_API_ALARM] = {
    description: 'Seed 004 (Medium): p99 response time of the Cabruca segmentation API above 1000 ms for 5 minutes.',
    namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensions: { LoadBalancer: SLOW_API_LOAD_BALANCER }, statistic: 'p99',
    period: 60, evaluationPeriods: 5, threshold: 1, comparisonOperator: 'GreaterThanThreshold', treatMissingData: 'notBreaching',
    stateValue: 'ALARM', stateUpdatedAt: minutesBefore(now, 1), alarmActions: [], okActions: [],
    stateReason: 'Threshold Crossed: 5 out of the last 5 datapoints [2.41, 2.37, 2.45, 2.39, 2.42] were greater than the threshold (1.0) (minimum 5 datapoints for OK -> ALARM transition).',
    tags: { Project: 'cabruca-segmentation', Environment: 'prod' },
  };
  state.cloudwatch.alarms[SLOW_REST_API_ALARM] = {
    description: 'Seed 004 (Medium): p99 latency of the Cabruca partner REST API (stage prod) above 1000 ms for 5 minutes.',
    namespace: 'AWS/ApiGateway', metricName: 'Latency', dimensions: { ApiName: SLOW_REST_API.apiName, Stage: SLOW_REST_API.stage }, statistic: 'p99',
    period: 60, evaluationPeriods: 5, threshold: 1000, comparisonOperator: 'GreaterThanThreshold', treatMissingData: 'notBreaching',
    stateValue: 'ALARM', stateUpdatedAt: minutesBefore(now, 1), alarmActions: [], okActions: [],
    stateReason: 'Threshold Crossed: 5 out of the last 5 datapoints [2310.0, 2280.0, 2365.0, 2295.0, 2330.0] were greater than the threshold (1000.0) (minimum 5 datapoints for OK -> ALARM transition).',
    tags: { Project: 'cabruca-segmentation', Environment: 'prod' },
  };
}
