/**
 * What model-drift does about a PSI alarm, decided from what diagnosis read (seed 004 "Model Drift
 * Detected: assess PSI severity, consider pause", "Significant Drift (PSI > 0.25): pause trading,
 * trigger retraining", "Position Stuck: manual intervention"). Pure: no AWS here.
 */
import * as z from '../../lambdas/shared/zod';
import type { MetricAlarmView } from '../../lambdas/aws/cloudwatch';

/**
 * The metric the application publishes, one value a period per model: the population stability
 * index of the model's live inputs against its training data. It is the same in every environment
 * (the EventBridge rules and admit's bundle route on it), so config does not name it.
 */
export const PSI_METRIC = { namespace: 'TradAI/Models', metricName: 'PSI', modelDimension: 'Model' } as const;

/** The two PSI levels config sets, each with seed 004's severity: what tells the two alarms apart. */
export const psiPolicySchema = z.object({
  drift: z.object({ psi: z.number().check(z.gt(0)), severity: z.string() }),
  significant: z.object({ psi: z.number().check(z.gt(0)), severity: z.string() }),
  periodSeconds: z.int().check(z.gte(60)),
});
export type PsiPolicy = z.infer<typeof psiPolicySchema>;

/** The alarm that fired, as DescribeAlarms shows it now (its reason is not needed to classify it). */
export type AlarmFacts = Omit<MetricAlarmView, 'reason'>;

/**
 * Which of the two alarms it is, by what it compares (its threshold against the levels config sets),
 * never by its name: `significant` at or above significant.psi, `drift` at or above drift.psi;
 * `below-drift` an alarm on the model's PSI under both; `not-psi` an alarm that does not watch this
 * model's PSI rising (another metric or model, a falling comparison).
 */
export type AlarmClass = 'significant' | 'drift' | 'below-drift' | 'not-psi';

const RISING = ['GreaterThanThreshold', 'GreaterThanOrEqualToThreshold'];

export function classifyAlarm(alarm: AlarmFacts, model: string, policy: PsiPolicy): { readonly class: AlarmClass; readonly reason: string } {
  const watches = alarm.namespace === PSI_METRIC.namespace && alarm.metricName === PSI_METRIC.metricName
    && alarm.dimensions[PSI_METRIC.modelDimension] === model;
  if (!watches || alarm.threshold === null || !RISING.includes(alarm.comparison ?? '')) {
    return {
      class: 'not-psi',
      reason: `alarm ${alarm.name} does not alarm on ${PSI_METRIC.namespace} ${PSI_METRIC.metricName} of ${model} rising (${alarm.namespace ?? '?'} ${alarm.metricName ?? '?'} ${JSON.stringify(alarm.dimensions)}, ${alarm.comparison ?? 'no comparison'})`,
    };
  }
  const t = alarm.threshold;
  const at = `alarm ${alarm.name} alarms at PSI ${alarm.comparison === 'GreaterThanThreshold' ? '>' : '>='} ${t}`;
  if (t >= policy.significant.psi) return { class: 'significant', reason: `${at}, the significant level (${policy.significant.severity}, ${policy.significant.psi} in config)` };
  if (t >= policy.drift.psi) return { class: 'drift', reason: `${at}, the drift level (${policy.drift.severity}, ${policy.drift.psi} in config; significant is ${policy.significant.psi})` };
  return { class: 'below-drift', reason: `${at}, under the drift level ${policy.drift.psi} config sets` };
}

/** What the open positions the application reports say of a pause. */
export type Positions =
  | { readonly kind: 'none'; readonly at: string }
  | { readonly kind: 'open'; readonly count: number; readonly at: string }
  /** No datapoint recent enough: whether a position is open cannot be told. */
  | { readonly kind: 'unknown'; readonly lastAt: string | null };

/** The newest datapoint of OpenPositions, judged: none open, some open, or too old to tell (fresh within `freshMinutes`). */
export function positionsOf(newest: { value: number; at: string } | null, now: Date, freshMinutes: number): Positions {
  if (newest === null) return { kind: 'unknown', lastAt: null };
  if (now.getTime() - Date.parse(newest.at) > freshMinutes * 60_000) return { kind: 'unknown', lastAt: newest.at };
  return newest.value > 0 ? { kind: 'open', count: newest.value, at: newest.at } : { kind: 'none', at: newest.at };
}

export function describePositions(p: Positions): string {
  switch (p.kind) {
    case 'none': return `no open position (OpenPositions 0 at ${p.at})`;
    case 'open': return `${p.count} open position(s) (OpenPositions at ${p.at})`;
    case 'unknown': return p.lastAt ? `open positions unknown: the last OpenPositions datapoint is from ${p.lastAt}, too old to tell` : 'open positions unknown: the application published no OpenPositions datapoint recently';
  }
}

export type DriftDecision =
  | 'pause'
  | 'notify-drift'
  | 'not-in-alarm'
  | 'not-acted-on'
  | 'already-paused'
  | 'positions-open'
  | 'positions-unknown';

export interface DriftFacts {
  readonly model: string;
  readonly alarm: AlarmFacts;
  readonly policy: PsiPolicy;
  /** The newest PSI datapoint of the model (evidence), null when none. */
  readonly psi: { readonly value: number; readonly at: string } | null;
  readonly switchValue: string;
  readonly pausedValue: string;
  /** This incident paused trading already (its ledger row): a re-run goes on from its own pause. */
  readonly pausedByThisIncident: boolean;
  readonly positions: Positions;
  readonly runningRetrainings: readonly { readonly name: string; readonly executionArn: string }[];
}

export interface DriftPlan {
  readonly decision: DriftDecision;
  readonly alarmClass: AlarmClass;
  readonly reason: string;
}

/**
 * The decision, in order: an alarm that is not this model's PSI rising, or under the drift level,
 * is not acted on; the drift level notifies (a human considers a pause); the significant level,
 * still in ALARM, pauses trading unless it is paused already (by someone else: their pause is not
 * this run's to lift) or a position is open or cannot be told (seed 004 "Position Stuck": a pause
 * would strand it, so a human decides).
 */
export function planDrift(f: DriftFacts): DriftPlan {
  const { class: alarmClass, reason: why } = classifyAlarm(f.alarm, f.model, f.policy);
  const psi = f.psi ? `PSI of ${f.model} is ${f.psi.value} (its newest period, from ${f.psi.at})` : `no recent PSI datapoint of ${f.model}`;
  const plan = (decision: DriftDecision, reason: string): DriftPlan => ({ decision, alarmClass, reason });
  if (alarmClass === 'not-psi' || alarmClass === 'below-drift') return plan('not-acted-on', `${why}: model-drift acts on none of it`);
  if (alarmClass === 'drift') {
    return plan('notify-drift', `drift detected (${f.policy.drift.severity}): ${why}; ${psi}; a human considers a pause, nothing changed`);
  }
  if (f.alarm.state !== 'ALARM') return plan('not-in-alarm', `${why}, but it is ${f.alarm.state} now: ${psi}; nothing changed`);
  if (!f.pausedByThisIncident && f.switchValue === f.pausedValue) {
    const running = f.runningRetrainings.length > 0 ? `a retraining is running (${f.runningRetrainings.map((r) => r.name).join(', ')})` : 'no retraining is running';
    return plan('already-paused', `significant drift: ${psi}; trading is already paused (the switch holds ${f.pausedValue}, not set by this incident) and ${running}: not paused, retrained or resumed by this run`);
  }
  if (f.positions.kind === 'open') return plan('positions-open', `significant drift: ${psi}; ${describePositions(f.positions)}: pausing would strand them (seed 004 "Position Stuck"), so trading is not paused and a human decides`);
  if (f.positions.kind === 'unknown') return plan('positions-unknown', `significant drift: ${psi}; ${describePositions(f.positions)}, so trading is not paused and a human decides`);
  return plan('pause', `significant drift: ${why}; ${psi}; ${describePositions(f.positions)}`);
}

/** The retraining's output, judged by the field config names: passed only when it holds the passed value. */
export const validationSchema = z.object({ outputField: z.string().check(z.minLength(1)), passedValue: z.string().check(z.minLength(1)) });
export type ValidationRule = z.infer<typeof validationSchema>;

export interface Validation {
  readonly passed: boolean;
  /** What the field holds; null when the output does not have it. */
  readonly value: unknown;
  readonly reason: string;
}

export function validationOf(output: string | null, rule: ValidationRule): Validation {
  if (output === null) return { passed: false, value: null, reason: 'the retraining returned no output' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return { passed: false, value: null, reason: 'the retraining output is not JSON' };
  }
  let node: unknown = parsed;
  for (const key of rule.outputField.split('.')) node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  if (node === undefined) return { passed: false, value: null, reason: `the retraining output has no ${rule.outputField}` };
  const passed = node === rule.passedValue;
  return { passed, value: node, reason: `${rule.outputField} is ${JSON.stringify(node)}${passed ? '' : `, not ${JSON.stringify(rule.passedValue)}`}` };
}

/** The retraining execution an incident starts: its name is the incident's, so a retry or a redrive starts it once. */
export const retrainingName = (incidentId: string): string => `model-drift-${incidentId}`;
