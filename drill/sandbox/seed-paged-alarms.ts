import type { AccountState, AlarmState } from './state';
import { minutesBefore } from './common';

/**
 * The alarms a team already has for the procedures no machine runs (a runbook pages for them
 * by name): seed 001's CrashLoop, HPA and ingress alarms and seed 000's worker drain on the EKS
 * cluster (Container Insights and Prometheus metrics the sandbox does not publish), and seed 004's
 * Position Stuck on TradAI's trading metrics. The CrashLoop and Position Stuck alarms are in ALARM,
 * as their recorded events say; the others are OK. Modelled by the metric each reads (a metric-math
 * alarm by the first metric of its expression).
 */
export const CRASHLOOP_ALARM = 'alphaswarm-prod-core-crashloop';
export const POSITION_STUCK_ALARM = 'tradai-prod-position-stuck';
/** The team's pager topics of the senior engineers (L2) and the platform team (L3), seed 004's escalation path. */
export const LEVEL_TOPICS = {
  L2: 'arn:aws:sns:sa-east-1:111122223333:alphaswarm-prod-oncall-senior',
  L3: 'arn:aws:sns:sa-east-1:111122223333:alphaswarm-prod-oncall-platform',
} as const;

export function seedPagedAlarms(state: AccountState, now: Date): void {
  const alarm = (partial: Pick<AlarmState, 'description' | 'namespace' | 'metricName' | 'dimensions' | 'statistic' | 'threshold' | 'stateValue' | 'stateReason'> & Partial<AlarmState>): AlarmState => ({
    period: 60, evaluationPeriods: 3, comparisonOperator: 'GreaterThanOrEqualToThreshold', treatMissingData: 'notBreaching',
    stateUpdatedAt: minutesBefore(now, 1), alarmActions: [], okActions: [], tags: { Project: 'alphaswarm', Environment: 'prod' },
    ...partial,
  });
  const ok = 'Threshold Crossed: 3 out of the last 3 datapoints were not greater than or equal to the threshold (minimum 3 datapoints for ALARM -> OK transition).';
  const eks = { ClusterName: 'alphaswarm-prod', Namespace: 'alphaswarm' };
  state.sns.topics = [...state.sns.topics, ...Object.values(LEVEL_TOPICS)];
  state.cloudwatch.alarms = {
    ...state.cloudwatch.alarms,
    [CRASHLOOP_ALARM]: alarm({
      description: 'Seed 001 scenario A: an alphaswarm-core pod restarts in a CrashLoop (Container Insights on EKS).',
      namespace: 'ContainerInsights', metricName: 'pod_number_of_container_restarts', dimensions: { ...eks, PodName: 'alphaswarm-core' }, statistic: 'Sum',
      threshold: 3, stateValue: 'ALARM',
      stateReason: 'Threshold Crossed: 3 out of the last 3 datapoints [4.0, 3.0, 5.0] were greater than or equal to the threshold (3.0) (minimum 3 datapoints for OK -> ALARM transition).',
    }),
    'alphaswarm-prod-core-hpa-thrashing': alarm({
      description: 'Seed 001 scenario B: the alphaswarm-core HPA changes its desired replicas again and again (kube-state-metrics through Prometheus).',
      namespace: 'ContainerInsights/Prometheus', metricName: 'kube_horizontalpodautoscaler_status_desired_replicas', dimensions: { ...eks, horizontalpodautoscaler: 'alphaswarm-core' }, statistic: 'SampleCount',
      threshold: 6, period: 300, stateValue: 'OK', stateReason: ok,
    }),
    'alphaswarm-prod-ingress-503': alarm({
      description: 'Seed 001 scenario E: the NGINX ingress controller answers 503 (Prometheus).',
      namespace: 'ContainerInsights/Prometheus', metricName: 'nginx_ingress_controller_requests', dimensions: { ClusterName: 'alphaswarm-prod', Namespace: 'ingress-nginx', status: '503' }, statistic: 'Sum',
      threshold: 50, stateValue: 'OK', stateReason: ok,
    }),
    'alphaswarm-prod-worker-drain-requested': alarm({
      description: "Seed 000 'Drain a Celery worker': a worker pod's oldest task has run past ALPHASWARM_AGENT_STALL_THRESHOLD_SECONDS.",
      namespace: 'AlphaSwarm/Workers', metricName: 'OldestTaskAgeSeconds', dimensions: { ...eks, Deployment: 'alphaswarm-worker' }, statistic: 'Maximum',
      threshold: 1800, stateValue: 'OK', stateReason: ok,
    }),
    [POSITION_STUCK_ALARM]: alarm({
      description: 'Seed 004 "Position Stuck" (Critical): positions open on the exchange that the strategy does not track.',
      namespace: 'TradAI/Trading', metricName: 'ExchangeOpenPositions', dimensions: { Environment: 'prod' }, statistic: 'Maximum',
      threshold: 1, period: 300, evaluationPeriods: 2, stateValue: 'ALARM', tags: { Project: 'tradai', Environment: 'prod' },
      stateReason: 'Threshold Crossed: 2 out of the last 2 datapoints [1.0, 1.0] were greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).',
    }),
  };
}
