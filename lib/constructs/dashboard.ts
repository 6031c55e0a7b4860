import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, SUPPRESSION_REASONS, type MetricName } from '../../lambdas/domain/metrics';
import type { OwnResources } from './own-resources';
import type { Runbook } from './runbook';

export interface AutopilotDashboardProps {
  readonly environment: string;
  /** The enabled runbooks, by name, as the stack built them from the catalog: one row each. */
  readonly runbooks: Readonly<Record<string, Runbook>>;
  readonly resources: OwnResources;
  /** The alarms on the autopilot itself, shown red or green at the top. */
  readonly selfAlarms: readonly cloudwatch.IAlarm[];
}

const PERIOD = Duration.minutes(5);
const HEIGHT = 6;
const DOCS = 'docs/operating.md, "The dashboard"';

/**
 * What the autopilot did and how its own machinery is, in one dashboard: a row per enabled runbook
 * (incidents, actions, failures, time to mitigate), the approvals waiting, the suppressions by
 * reason, and the state machines', handlers', rules' and dead-letter queues' own health. Each panel
 * has a text beside it that says what it means and what to do when it is red.
 */
export class AutopilotDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  private readonly environment: string;

  constructor(scope: Construct, id: string, props: AutopilotDashboardProps) {
    super(scope, id);
    this.environment = props.environment;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `runbook-autopilot-${props.environment}`,
      defaultInterval: Duration.days(7),
    });
    this.dashboard.addWidgets(
      text(24, 3, `# runbook-autopilot (${props.environment})\nWhat the runbooks did (namespace \`${METRICS_NAMESPACE}\`, dimensions \`runbook\` and \`environment\`), then the health of the autopilot's own machinery. Every panel has a note beside it: what it shows, and what to do when it is red. More: ${DOCS}.`),
    );
    this.dashboard.addWidgets(
      text(6, HEIGHT, '## The autopilot itself\nEach alarm pages the critical topic: a state machine failed, timed out or was throttled, a handler threw, a rule could not start its target, or a dead-letter queue holds an event.\n\n**Red**: open the alarm; its description says what to open and what to do.'),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms on the autopilot itself', alarms: [...props.selfAlarms], width: 18, height: HEIGHT }),
    );
    this.dashboard.addWidgets(
      text(6, HEIGHT, '## Approvals waiting\nGates asked (first level) minus gates answered (approved, rejected, expired) in the period: a request still open waits for a person.\n\n**Above 0 for long**: approvers have not answered; their links are in their email. An expired gate aborts (or proceeds, where marked safe).'),
      new cloudwatch.SingleValueWidget({
        title: 'Approvals waiting (asked - answered, in the period)', width: 6, height: HEIGHT, setPeriodToTimeRange: true,
        metrics: [new cloudwatch.MathExpression({
          expression: `${this.total(METRIC.approvalsRequested)} - ${this.total(METRIC.approvalsApproved)} - ${this.total(METRIC.approvalsRejected)} - ${this.total(METRIC.approvalsExpired)}`,
          label: 'waiting', period: PERIOD,
        })],
      }),
      this.graph('Approvals', 12, [METRIC.approvalsRequested, METRIC.approvalsApproved, METRIC.approvalsRejected, METRIC.approvalsExpired]
        .map((name) => new cloudwatch.MathExpression({ expression: this.total(name), label: name, period: PERIOD }))),
    );
    this.dashboard.addWidgets(
      text(6, HEIGHT, '## Suppressions by reason\nIncidents admit stopped, every runbook together: duplicate (delivered again), cooldown, flapping, cap (too many this hour), paused (a switch), unconfigured (a target not configured or tagged), rejected input (an event not readable as an incident).\n\n**Flapping, cap or paused rising**: a human must look: the target keeps failing, or automation is held.'),
      this.graph('Suppressions by reason', 18, SUPPRESSION_REASONS.map((reason) => new cloudwatch.MathExpression({
        expression: `SUM(${this.search(METRIC.suppressed, { reason })})`, label: reason, period: PERIOD,
      }))),
    );
    for (const [name, runbook] of Object.entries(props.runbooks)) this.runbookRow(name, runbook);
    this.machineryRows(props.resources);
  }

  /** One runbook: incidents, actions, failures, time to mitigate. */
  private runbookRow(name: string, runbook: Runbook): void {
    const own = (metricName: MetricName, statistic = cloudwatch.Stats.SUM, label: string = metricName) => new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { runbook: name, environment: this.environment }, statistic, period: PERIOD, label,
    });
    const machine = runbook.stateMachine;
    this.dashboard.addWidgets(
      text(4, HEIGHT, `## ${name}\nIncidents admitted and suppressed; changes made, failed and undone; failures of its calls, executions and handlers; minutes from the alarm to the first change and to verified.\n\n**Failures above 0**: open its execution in the Step Functions console.`),
      this.graph(`${name}: incidents`, 5, [
        own(METRIC.admitted, cloudwatch.Stats.SUM, 'admitted'),
        new cloudwatch.MathExpression({ expression: `SUM(${this.search(METRIC.suppressed, { runbook: name })})`, label: 'suppressed', period: PERIOD }),
      ]),
      this.graph(`${name}: actions`, 5, [own(METRIC.actionsTaken, cloudwatch.Stats.SUM, 'taken'), own(METRIC.actionsUndone, cloudwatch.Stats.SUM, 'undone')]),
      this.graph(`${name}: failures`, 5, [
        own(METRIC.actionsFailed, cloudwatch.Stats.SUM, 'calls failed'),
        machine.metricFailed({ period: PERIOD, label: 'executions failed' }),
        machine.metricTimedOut({ period: PERIOD, label: 'executions timed out' }),
        ...(Object.keys(runbook.functions).length === 0 ? [] : [new cloudwatch.MathExpression({
          expression: `SUM([${Object.keys(runbook.functions).map((_, i) => `e${i}`).join(', ')}])`, label: 'handler errors', period: PERIOD,
          usingMetrics: Object.fromEntries(Object.values(runbook.functions).map((fn, i) => [`e${i}`, fn.metricErrors({ period: PERIOD })])),
        })]),
      ]),
      this.graph(`${name}: time to mitigate / verified (ms)`, 5, [
        ...(['p50', 'p90', 'p99'] as const).map((p) => own(METRIC.timeToMitigate, p, `to mitigate ${p}`)),
        own(METRIC.timeToVerified, 'p90', 'to verified p90'),
      ]),
    );
  }

  /** The state machines', handlers', rules' and dead-letter queues' own metrics. */
  private machineryRows({ stateMachines, functions, rules, deadLetterQueues }: OwnResources): void {
    this.dashboard.addWidgets(
      text(6, HEIGHT, '## State machines\nFailed, timed out and throttled executions per state machine (left), and how long executions take at p90 (right; an approval wait counts).\n\n**Red**: open the machine in the Step Functions console, read the failed state, mend the cause, Redrive.'),
      this.graph('Executions failed, timed out, throttled', 9, stateMachines.map((m, i) => new cloudwatch.MathExpression({
        expression: `SUM([f${i}, t${i}, h${i}])`, label: m.node.scope?.node.id ?? m.node.id, period: PERIOD,
        usingMetrics: { [`f${i}`]: m.metricFailed({ period: PERIOD }), [`t${i}`]: m.metricTimedOut({ period: PERIOD }), [`h${i}`]: m.metricThrottled({ period: PERIOD }) },
      }))),
      this.graph('Execution time p90', 9, stateMachines.map((m) => m.metricTime({ period: PERIOD, statistic: 'p90', label: m.node.scope?.node.id ?? m.node.id }))),
    );
    this.dashboard.addWidgets(
      text(6, HEIGHT, '## Handlers\nErrors per function (a throw, after which the state machine retries or fails).\n\n**Red**: the function\'s log group has the error, logged once as "Task failed" with the execution ARN as correlation id.'),
      this.graph('Handler errors', 18, functions.map((fn) => fn.metricErrors({ period: PERIOD, label: fn.node.id }))),
    );
    this.dashboard.addWidgets(
      text(6, HEIGHT, '## Rules and dead letters\nFailed invocations per rule (EventBridge gave up after 20 retries over 2 hours) and the messages waiting in each dead-letter queue.\n\n**Red**: an alarm or event started nothing. Read the message in the queue, act on it by hand, delete it.'),
      this.graph('Rule failed invocations', 9, rules.map((rule) => new cloudwatch.Metric({
        namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: rule.ruleName }, statistic: cloudwatch.Stats.SUM, period: PERIOD,
        label: `${rule.node.scope?.node.id ?? ''}/${rule.node.id}`,
      }))),
      this.graph('Dead-letter queue depth', 9, deadLetterQueues.map((q) => q.metricApproximateNumberOfMessagesVisible({
        period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM, label: `${q.node.scope?.node.id ?? ''}/${q.node.id}`,
      }))),
    );
  }

  /** Every series of a metric in this environment, whatever its other dimensions. */
  private search(metricName: MetricName, where: Readonly<Record<string, string>> = {}): string {
    const dims = metricName === METRIC.suppressed ? 'environment,reason,runbook' : 'environment,runbook';
    const filters = Object.entries({ environment: this.environment, ...where }).map(([k, v]) => `${k}="${v}"`).join(' ');
    return `SEARCH('{${METRICS_NAMESPACE},${dims}} MetricName="${metricName}" ${filters}', 'Sum', 300)`;
  }

  /** A metric summed over every runbook of this environment. */
  private total(metricName: MetricName): string {
    return `SUM(${this.search(metricName)})`;
  }

  private graph(title: string, width: number, metrics: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
    return new cloudwatch.GraphWidget({ title, width, height: HEIGHT, left: metrics, leftYAxis: { min: 0 } });
  }
}

const text = (width: number, height: number, markdown: string) => new cloudwatch.TextWidget({ markdown, width, height });
