import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, METRICS_ENVIRONMENT_VARIABLE, METRICS_NAMESPACE, type MetricName, type SuppressionReason } from '../domain/metrics';

/**
 * The autopilot's metrics, as CloudWatch embedded metric format (EMF) lines on stdout: CloudWatch
 * Logs turns them into metrics, with no API call and no grant. Powertools adds a `service`
 * dimension by default (the function's name here), which would split every metric per function:
 * the dimensions are environment (a default) and runbook (and reason) only.
 */
const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
metrics.clearDefaultDimensions();
metrics.setDefaultDimensions({ environment: process.env[METRICS_ENVIRONMENT_VARIABLE] || 'unknown' });

/**
 * Which incident a metric is of: its runbook (a dimension), its execution and, once admit has named
 * it, the incident (properties of the line, not dimensions: they correlate, they do not split).
 */
export interface Of {
  readonly runbook: string;
  readonly executionArn: string;
  readonly incidentId?: string | undefined;
}

/**
 * Emits one metric at once (its own EMF line): synchronous from dimensions to publish, so
 * concurrent invocations' awaits cannot mix one metric's dimensions with another's.
 */
function emit(name: MetricName, of: Of, value: number, unit: (typeof MetricUnit)[keyof typeof MetricUnit], extra: Readonly<Record<string, string>> = {}): void {
  metrics.addDimension('runbook', of.runbook);
  for (const [key, v] of Object.entries(extra)) metrics.addDimension(key, v);
  metrics.addMetadata('executionArn', of.executionArn);
  if (of.incidentId) metrics.addMetadata('incidentId', of.incidentId);
  metrics.addMetric(name, unit, value);
  metrics.publishStoredMetrics();
}

/** One more of a counted fact (an incident admitted, an action taken, an approval answered). */
export function count(name: MetricName, of: Of): void {
  emit(name, of, 1, MetricUnit.Count);
}

/** One incident admit stopped, by why. */
export function countSuppressed(of: Of, reason: SuppressionReason): void {
  emit(METRIC.suppressed, of, 1, MetricUnit.Count, { reason });
}

/** A duration, in milliseconds (graphed at p50/p90/p99). */
export function duration(name: MetricName, of: Of, ms: number): void {
  emit(name, of, ms, MetricUnit.Milliseconds);
}
