import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { idOf, type OwnResources } from './own-resources';
import { METRIC, METRICS_NAMESPACE } from '../../lambdas/domain/metrics';

export interface SelfAlarmsProps {
  readonly resources: OwnResources;
  /** Where they page: the autopilot failing is a human's to mend. */
  readonly criticalTopic: sns.ITopic;
  /** The environment and the state machines (runbooks and the undo) whose incident reports are counted when not written. */
  readonly reports: { readonly environment: string; readonly machines: readonly string[] };
}

const PERIOD = Duration.minutes(5);
const SEE = 'See docs/operating.md, "Alarms on the autopilot itself".';

/** Metric math alarms take at most 10 metrics. */
const MAX_METRICS = 10;

/**
 * Alarms on the autopilot's own failures, every one paging the critical topic: a state machine
 * whose executions fail, time out or are throttled, a handler that throws, a rule whose target
 * cannot be invoked, an event or invocation parked in a dead-letter queue, an incident report that
 * could not be written. Any one in five minutes alarms: each of these is an incident the autopilot
 * did not handle, or did not record.
 *
 * A stack holds at most 500 resources and each runbook already adds about 25, so the metrics of
 * one state machine share one alarm (SUM of its three), and so do the handlers of one runbook (up
 * to ten per alarm): the description names what to open.
 */
export class SelfAlarms extends Construct {
  public readonly alarms: cloudwatch.Alarm[] = [];
  private readonly page: actions.SnsAction;

  constructor(scope: Construct, id: string, props: SelfAlarmsProps) {
    super(scope, id);
    this.page = new actions.SnsAction(props.criticalTopic);
    const { stateMachines, functions, rules, deadLetterQueues } = props.resources;
    for (const machine of stateMachines) {
      this.add(`${idOf(machine)}-Executions`, new cloudwatch.MathExpression({
        expression: 'SUM([failed, timedOut, throttled])', label: 'executions failed, timed out or throttled', period: PERIOD,
        usingMetrics: { failed: machine.metricFailed({ period: PERIOD }), timedOut: machine.metricTimedOut({ period: PERIOD }), throttled: machine.metricThrottled({ period: PERIOD }) },
      }), `State machine ${machine.stateMachineName} had an execution fail (a step failed after its retries), time out, or be throttled (ExecutionsFailed, ExecutionsTimedOut, ExecutionThrottled). Open it in the Step Functions console: a failed execution names its failed state and error; mend the cause, then Redrive it. Throttled: check the account's Step Functions quotas. ${SEE}`);
    }
    for (const [owner, group] of groupByOwner(functions)) {
      group.forEach((_, start) => {
        if (start % MAX_METRICS !== 0) return;
        const chunk = group.slice(start, start + MAX_METRICS);
        this.add(`${owner}-HandlerErrors${start === 0 ? '' : start / MAX_METRICS + 1}`, new cloudwatch.MathExpression({
          expression: `SUM([${chunk.map((_f, i) => `e${i}`).join(', ')}])`, label: 'handler errors', period: PERIOD,
          usingMetrics: Object.fromEntries(chunk.map((fn, i) => [`e${i}`, fn.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM })])),
        }), `A handler threw (Errors) among ${chunk.map((fn) => fn.node.id).join(', ')}: the dashboard's handler errors panel shows which; its log group has the error, logged once as "Task failed" with its name and the execution ARN as correlation id. ${SEE}`);
      });
    }
    for (const rule of rules) {
      this.add(`${idOf(rule)}-FailedInvocations`, new cloudwatch.Metric({
        namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: rule.ruleName }, statistic: cloudwatch.Stats.SUM, period: PERIOD,
      }), `Rule ${rule.ruleName} could not invoke its target after its retries: an alarm or event started nothing. The event is in the target's dead-letter queue; check the target's permissions and quotas. ${SEE}`);
    }
    // IncidentReportsNotWritten, per runbook (its dimension), ten to an alarm.
    const { environment, machines } = props.reports;
    for (let start = 0; start < machines.length; start += MAX_METRICS) {
      const chunk = machines.slice(start, start + MAX_METRICS);
      this.add(`ReportsNotWritten${start === 0 ? '' : start / MAX_METRICS + 1}`, new cloudwatch.MathExpression({
        expression: `SUM([${chunk.map((_m, i) => `r${i}`).join(', ')}])`, label: 'incident reports not written', period: PERIOD,
        usingMetrics: Object.fromEntries(chunk.map((runbook, i) => [`r${i}`, new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE, metricName: METRIC.reportsNotWritten, dimensionsMap: { environment, runbook }, statistic: cloudwatch.Stats.SUM, period: PERIOD,
        })])),
      }), `An incident report could not be written after its retries (IncidentReportsNotWritten) for ${chunk.join(', ')}: the incident itself ended as it would have and its ledger rows are whole. The report function's log has "Incident report not written" with the incident id and the reason; check the report bucket's policy and KMS key; meanwhile \`npx autopilot report <incident>\` prints the report, rebuilt from the ledger. ${SEE}`);
    }
    for (const queue of deadLetterQueues) {
      this.add(`${idOf(queue)}-Depth`, queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM }),
        `Dead-letter queue ${queue.queueName} holds an event or invocation that was never delivered or handled: read the message (its attributes carry the error), act on it by hand, then delete it. ${SEE}`);
    }
  }

  private add(id: string, metric: cloudwatch.IMetric, description: string): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `runbook-autopilot itself: ${description}`,
      metric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.page);
    this.alarms.push(alarm);
  }
}

/** Functions by the construct that holds them (a runbook, the approvals, the stack itself), in tree order. */
function groupByOwner(functions: readonly lambda.Function[]): Map<string, lambda.Function[]> {
  const groups = new Map<string, lambda.Function[]>();
  for (const fn of functions) {
    const owner = (fn.node.scope && idOf(fn.node.scope)) || 'Stack';
    groups.set(owner, [...(groups.get(owner) ?? []), fn]);
  }
  return groups;
}
