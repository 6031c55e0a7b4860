import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { DynamodbThrottlingConfig, EcsServiceRecoveryConfig, LambdaRunawayConfig } from '../config/schema';

export interface RunbookAlarmsProps {
  readonly lambdaRunaway?: LambdaRunawayConfig;
  readonly dynamodbThrottling?: DynamodbThrottlingConfig;
  readonly ecsServiceRecovery?: EcsServiceRecoveryConfig;
  /** Where alarms that inform but start no runbook send their notifications. */
  readonly infoTopic: sns.ITopic;
}

/**
 * The alarms of seed 003 "Key Metrics to Watch" and seed 000/004, per configured target. Alarms
 * that start a runbook need no action: EventBridge routes their state changes by metric. Alarms
 * that only inform (throttles, error rate, account-wide user errors) notify the info topic.
 */
export class RunbookAlarms extends Construct {
  public readonly routed: cloudwatch.IAlarm[] = [];
  public readonly informational: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: RunbookAlarmsProps) {
    super(scope, id);
    const inform = new actions.SnsAction(props.infoTopic);
    const lr = props.lambdaRunaway;
    for (const t of lr?.targets ?? []) {
      const dims = { FunctionName: t.functionName };
      const m = (metricName: string, statistic: string, period = Duration.minutes(1)) =>
        new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap: dims, statistic, period });
      const th = lr!.thresholds;
      this.routed.push(new cloudwatch.Alarm(this, `${t.functionName}-concurrency`, {
        alarmDescription: `Seed 003: concurrent executions of ${t.functionName} above ${th.concurrencyPercentOfLimit}% of the limit. Starts lambda-runaway.`,
        metric: m('ConcurrentExecutions', 'Maximum'),
        threshold: Math.floor((lr!.accountConcurrencyLimit * th.concurrencyPercentOfLimit) / 100),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
      this.routed.push(new cloudwatch.Alarm(this, `${t.functionName}-invocations`, {
        alarmDescription: `Seed 003 section 4: invocation surge on ${t.functionName}. Starts lambda-runaway.`,
        metric: m('Invocations', 'Sum', Duration.minutes(5)),
        threshold: th.invocationsPer5Minutes,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
      const throttles = new cloudwatch.Alarm(this, `${t.functionName}-throttles`, {
        alarmDescription: `Seed 003: throttles on ${t.functionName}. Informs only.`,
        metric: m('Throttles', 'Sum', Duration.minutes(5)), threshold: th.throttles,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      const errorRate = new cloudwatch.Alarm(this, `${t.functionName}-error-rate`, {
        alarmDescription: `Seed 003: error rate of ${t.functionName} above ${th.errorRatePercent}%. Informs only.`,
        metric: new cloudwatch.MathExpression({
          expression: '100 * errors / MAX([invocations, 1])',
          usingMetrics: { errors: m('Errors', 'Sum', Duration.minutes(5)), invocations: m('Invocations', 'Sum', Duration.minutes(5)) },
          period: Duration.minutes(5), label: 'Error rate (%)',
        }),
        threshold: th.errorRatePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      for (const alarm of [throttles, errorRate]) {
        alarm.addAlarmAction(inform);
        this.informational.push(alarm);
      }
    }

    const dt = props.dynamodbThrottling;
    for (const t of dt?.targets ?? []) {
      for (const metricName of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
        this.routed.push(new cloudwatch.Alarm(this, `${t.tableName}-${metricName}`, {
          alarmDescription: `Seed 003 section 2: ${metricName} on ${t.tableName}. Starts dynamodb-throttling.`,
          metric: new cloudwatch.Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: t.tableName }, statistic: 'Sum', period: Duration.minutes(1) }),
          threshold: dt!.thresholds.throttleEvents,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }));
      }
    }
    if (dt && dt.targets.length > 0) {
      // UserErrors is an account-and-region metric: it names no table, so it cannot start a runbook.
      const userErrors = new cloudwatch.Alarm(this, 'dynamodb-user-errors', {
        alarmDescription: 'Seed 003: DynamoDB UserErrors in this account and region. Informs only.',
        metric: new cloudwatch.Metric({ namespace: 'AWS/DynamoDB', metricName: 'UserErrors', statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: dt.thresholds.userErrors,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      userErrors.addAlarmAction(inform);
      this.informational.push(userErrors);
    }

    for (const t of props.ecsServiceRecovery?.targets ?? []) {
      const m = (metricName: string) => new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights', metricName, statistic: 'Average', period: Duration.minutes(1),
        dimensionsMap: { ClusterName: t.clusterName, ServiceName: t.serviceName },
      });
      this.routed.push(new cloudwatch.Alarm(this, `${t.clusterName}-${t.serviceName}-running-below-desired`, {
        alarmDescription: `Seed 000/004: ${t.serviceName} runs fewer tasks than desired. Starts ecs-service-recovery. Needs Container Insights on the cluster.`,
        metric: new cloudwatch.MathExpression({
          expression: 'desired - running',
          usingMetrics: { desired: m('DesiredTaskCount'), running: m('RunningTaskCount') },
          period: Duration.minutes(1), label: 'Tasks missing',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5, datapointsToAlarm: 5, treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }));
    }
  }
}
