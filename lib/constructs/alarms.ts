import { Duration, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AlarmSpec, MathSpec, MetricSpec } from '../../runbooks/kit';

export interface RunbookAlarmsProps {
  /** The alarms the enabled runbooks' modules ask for, per configured target. */
  readonly alarms: readonly AlarmSpec[];
  /** Where alarms that inform but start no runbook send their notifications. */
  readonly infoTopic: sns.ITopic;
}

const metricOf = (m: MetricSpec): cloudwatch.Metric => new cloudwatch.Metric({
  namespace: m.namespace, metricName: m.metricName, statistic: m.statistic, period: Duration.minutes(m.periodMinutes),
  ...(m.dimensions ? { dimensionsMap: { ...m.dimensions } } : {}),
});

const isMath = (m: MetricSpec | MathSpec): m is MathSpec => 'expression' in m;

/**
 * The alarms of the seeds' "Key Metrics to Watch", as each runbook's module describes them. Alarms
 * that start a runbook need no action: EventBridge routes their state changes by metric. Alarms
 * that only inform (throttles, error rate, account-wide user errors) notify the info topic.
 */
export class RunbookAlarms extends Construct {
  public readonly routed: cloudwatch.IAlarm[] = [];
  public readonly informational: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: RunbookAlarmsProps) {
    super(scope, id);
    const inform = new actions.SnsAction(props.infoTopic);
    for (const spec of props.alarms) {
      const alarm = new cloudwatch.Alarm(this, spec.id, {
        alarmDescription: spec.description,
        metric: isMath(spec.metric)
          ? new cloudwatch.MathExpression({
            expression: spec.metric.expression,
            usingMetrics: Object.fromEntries(Object.entries(spec.metric.metrics).map(([name, m]) => [name, metricOf(m)])),
            period: Duration.minutes(spec.metric.periodMinutes), label: spec.metric.label,
          })
          : metricOf(spec.metric),
        threshold: spec.threshold,
        comparisonOperator: spec.comparison as cloudwatch.ComparisonOperator,
        evaluationPeriods: spec.evaluationPeriods,
        ...(spec.datapointsToAlarm === undefined ? {} : { datapointsToAlarm: spec.datapointsToAlarm }),
        treatMissingData: spec.treatMissingData as cloudwatch.TreatMissingData,
      });
      for (const [key, value] of Object.entries(spec.tags ?? {})) Tags.of(alarm).add(key, value);
      if (spec.informs) {
        alarm.addAlarmAction(inform);
        this.informational.push(alarm);
      } else {
        this.routed.push(alarm);
      }
    }
  }
}
