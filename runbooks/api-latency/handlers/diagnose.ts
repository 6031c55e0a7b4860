import { MetricReader } from '../../../lambdas/aws/cloudwatch';
import { requireJsonEnv } from '../../../lambdas/shared/env';
import { TargetNotAllowed } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { apiPoliciesSchema, MAX_SIGNALS, rankDependencies, signalsOf, spanOf, type LatencyDiagnosis } from '../dependencies';

const POLICIES = requireJsonEnv('API_POLICIES', (raw) => apiPoliciesSchema.parse(raw));
const metrics = new MetricReader();

export interface ApiLatencyDiagnosis extends LatencyDiagnosis {
  readonly api: string;
  readonly alarmName: string;
  readonly window: { readonly start: string; readonly end: string; readonly minutes: number; readonly before: string };
}

/**
 * Diagnose (seed 004 "High API Latency: check metrics, identify bottleneck"): the configured
 * dependencies' metrics over the alarm's window, ending now, and the hour before it, in one
 * GetMetricData call (a value a minute); ranked by how many times the hour before each is. Read-only.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<ApiLatencyDiagnosis> => {
  const policy = POLICIES[incident.target];
  if (policy === undefined) throw new TargetNotAllowed(`${incident.target} is not a configured API of api-latency`);
  const signals = signalsOf(policy.dependencies);
  // Config refuses more at synth; checked again here because the call would fail on it.
  if (signals.length > MAX_SIGNALS) throw new TargetNotAllowed(`${incident.target}: ${signals.length} dependency metrics, more than GetMetricData's ${MAX_SIGNALS} in one call`);
  const span = spanOf(new Date(), policy.windowMinutes);
  const series = signals.length === 0 ? {} : await metrics.series(signals, { start: span.start, end: span.end, periodSeconds: 60 });
  const diagnosis = rankDependencies({
    api: incident.target, alarmName: incident.source.name, signals, series,
    windowStart: span.windowStart, windowMinutes: policy.windowMinutes, movedRatio: policy.movedRatio, answers: policy.answers,
  });
  return {
    api: incident.target, alarmName: incident.source.name,
    window: { start: span.windowStart.toISOString(), end: span.end.toISOString(), minutes: policy.windowMinutes, before: span.start.toISOString() },
    ...diagnosis,
  };
});
