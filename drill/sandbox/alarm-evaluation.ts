import { recordHistory, stateUpdateItem } from './alarm-history';
import { datapointsOf, seriesOf } from './cloudwatch-metrics';
import type { ServiceContext } from './model';
import { AGENTOPS_FAILURES, AGENTOPS_VARIABLE } from './seed-agentops';
import { messagesVisible } from './sqs';
import type { AccountState, AlarmState, CompositeAlarmState, LambdaFunctionState, RdsInstanceState } from './state';

/**
 * Alarm state derived from the modelled resources, evaluated when DescribeAlarms is called (the
 * drill compresses the wait before it). The sandbox has no metric stream: each rule says what the
 * alarm's metric would read once the resource is in a given state, and the alarm's own threshold,
 * comparison and missing-data treatment decide the state, as CloudWatch would after a period.
 *
 * - AWS/Lambda metrics of a function whose reserved concurrency is 0: no invocations, so no
 *   datapoints (treatMissingData decides).
 * - AWS/Lambda Errors of a function with aliases: 0 once no alias routes traffic to a failing version.
 * - AWS/DynamoDB throttle metrics of a table that is PAY_PER_REQUEST and ACTIVE: no throttles,
 *   so no datapoints (DynamoDB publishes throttle events only while throttling).
 * - ECS/ContainerInsights RunningTaskCount of a service: the service's running count (a service
 *   that is gone reports nothing).
 * - AWS/ECS MemoryUtilization of a service with a modelled memory load: the load shared by its
 *   running tasks (capped at 100 %), so more tasks bring it down.
 * - An ECS service's application heartbeat (state.ts `heartbeat`): the running tasks that still
 *   publish it, none (no datapoints) while every running task is one whose application hung.
 * - AWS/SQS ApproximateNumberOfMessagesVisible of a queue: its backlog (sqs.ts), none once its
 *   consumer service runs enough tasks.
 * - AWS/RDS DatabaseConnections of a DB instance: what its client services' running tasks hold
 *   (a task of a leaking deployment holds the leaked count, a new one the normal count).
 * - Cabruca/AgentOps AgentOpsInitFailures of a function (its log metric filter's count of "Failed to
 *   initialize AgentOps"): none once its environment has AGENTOPS_API_KEY set (seed-agentops.ts).
 * - A metric an application publishes (state.cloudwatch.metrics: a model's PSI, open positions):
 *   its newest datapoint.
 * - A composite alarm: its rule over its children's states.
 * Alarms with `causePersists` (a scenario: the fix did not remove the cause) and alarms no rule
 * covers keep their state. Each change of state is a StateUpdate in the account's alarm history
 * (alarm-history.ts), as CloudWatch records it.
 */

/** What the sandbox knows of a DynamoDB table (dynalite holds the tables, the drill reads them). */
export interface TableView {
  readonly billingMode: string;
  readonly status: string;
}

type Datapoint = { kind: 'value'; value: number } | { kind: 'missing' } | { kind: 'unknown' };

async function datapoint(state: AccountState, a: AlarmState, ctx: ServiceContext): Promise<Datapoint> {
  const d = a.dimensions;
  if (a.namespace === 'AWS/Lambda' && d.FunctionName !== undefined) {
    const fn = state.lambda.functions[d.FunctionName];
    if (fn?.reservedConcurrency === 0) return { kind: 'missing' };
    if (fn && a.metricName === 'Errors' && fn.aliases) return lambdaErrors(fn, d.Resource);
    return { kind: 'unknown' };
  }
  if (a.namespace === AGENTOPS_FAILURES.namespace && a.metricName === AGENTOPS_FAILURES.metricName && d.FunctionName !== undefined) {
    const key = state.lambda.functions[d.FunctionName]?.environment[AGENTOPS_VARIABLE];
    return key !== undefined && key.trim() !== '' ? { kind: 'missing' } : { kind: 'unknown' };
  }
  if (a.namespace === 'AWS/DynamoDB' && d.TableName !== undefined && /Throttle/.test(a.metricName)) {
    const table = await ctx.hooks.describeTable?.(d.TableName);
    return table?.billingMode === 'PAY_PER_REQUEST' && table.status === 'ACTIVE' ? { kind: 'missing' } : { kind: 'unknown' };
  }
  if (a.namespace === 'ECS/ContainerInsights' && a.metricName === 'RunningTaskCount' && d.ClusterName !== undefined && d.ServiceName !== undefined) {
    const service = state.ecs.clusters[d.ClusterName]?.services[d.ServiceName];
    // Container Insights reports the running count every period, mid-rollout too.
    return service !== undefined && service.status === 'ACTIVE' ? { kind: 'value', value: service.runningCount } : { kind: 'missing' };
  }
  if (a.namespace === 'AWS/ECS' && a.metricName === 'MemoryUtilization' && d.ClusterName !== undefined && d.ServiceName !== undefined) {
    const service = state.ecs.clusters[d.ClusterName]?.services[d.ServiceName];
    if (service?.memoryLoadPercent === undefined) return { kind: 'unknown' };
    if (service.status !== 'ACTIVE' || service.runningCount === 0) return { kind: 'missing' };
    return { kind: 'value', value: Math.min(100, service.memoryLoadPercent / service.runningCount) };
  }
  if (d.ClusterName !== undefined && d.ServiceName !== undefined) {
    const service = state.ecs.clusters[d.ClusterName]?.services[d.ServiceName];
    const beat = service?.heartbeat;
    if (service && beat && a.namespace === beat.namespace && a.metricName === beat.metricName) {
      const publishing = service.status === 'ACTIVE'
        ? service.tasks.filter((t) => t.lastStatus === 'RUNNING' && !beat.staleDeployments.includes(t.startedBy)).length : 0;
      return publishing === 0 ? { kind: 'missing' } : { kind: 'value', value: publishing };
    }
  }
  if (a.namespace === 'AWS/RDS' && a.metricName === 'DatabaseConnections' && d.DBInstanceIdentifier !== undefined) {
    const db = state.rds?.instances[d.DBInstanceIdentifier];
    return db === undefined || db.status !== 'available' ? { kind: 'missing' } : { kind: 'value', value: databaseConnections(state, db) };
  }
  // A metric an application publishes (cloudwatch-metrics.ts): its newest datapoint.
  const published = seriesOf(state, a.namespace, a.metricName, d);
  if (published !== undefined) {
    const newest = datapointsOf(published).at(-1);
    return newest === undefined ? { kind: 'missing' } : { kind: 'value', value: newest.value };
  }
  if (a.namespace === 'AWS/SQS' && a.metricName === 'ApproximateNumberOfMessagesVisible' && d.QueueName !== undefined) {
    const queue = state.sqs?.queues[d.QueueName];
    return queue === undefined ? { kind: 'missing' } : { kind: 'value', value: messagesVisible(state, queue) };
  }
  return { kind: 'unknown' };
}

/**
 * Errors of a function with aliases, of one alias (Resource "function:alias") or of all of them:
 * while traffic is routed to a failing version the errors go on (the alarm keeps its state);
 * once none is, the invocations succeed and Errors reads 0.
 */
function lambdaErrors(fn: LambdaFunctionState, resource: string | undefined): Datapoint {
  const qualifier = resource?.includes(':') ? resource.slice(resource.lastIndexOf(':') + 1) : undefined;
  const aliases = qualifier === undefined ? Object.values(fn.aliases ?? {}) : [fn.aliases?.[qualifier]].filter((x) => x !== undefined);
  const versions = qualifier !== undefined && aliases.length === 0 ? [qualifier] : aliases.flatMap((al) => [al.functionVersion, ...Object.keys(al.additionalVersionWeights ?? {})]);
  const failing = versions.some((v) => (v === '$LATEST' ? fn.latestFailing === true : fn.versions?.[v]?.failing === true));
  return failing ? { kind: 'unknown' } : { kind: 'value', value: 0 };
}

/** The connections a DB instance's client services hold: each live task of theirs, a leaking deployment's at its leaked count. */
function databaseConnections(state: AccountState, db: RdsInstanceState): number {
  return (db.clients ?? []).reduce((sum, c) => {
    const service = state.ecs.clusters[c.clusterName]?.services[c.serviceName];
    const tasks = service?.status === 'ACTIVE' ? service.tasks.filter((t) => t.lastStatus === 'RUNNING') : [];
    return sum + tasks.reduce((n, t) => n + (c.leak?.deployments.includes(t.startedBy) ? c.leak.connectionsPerTask : c.connectionsPerTask), 0);
  }, 0);
}

function breaches(a: AlarmState, value: number): boolean {
  switch (a.comparisonOperator) {
    case 'GreaterThanThreshold': return value > a.threshold;
    case 'GreaterThanOrEqualToThreshold': return value >= a.threshold;
    case 'LessThanThreshold': return value < a.threshold;
    case 'LessThanOrEqualToThreshold': return value <= a.threshold;
  }
}

function stateFor(a: AlarmState, point: Datapoint): { value: AlarmState['stateValue']; reason: string } | undefined {
  if (point.kind === 'unknown') return undefined;
  if (point.kind === 'value') {
    const breaching = breaches(a, point.value);
    return {
      value: breaching ? 'ALARM' : 'OK',
      reason: `Threshold Crossed: 1 datapoint [${point.value.toFixed(1)}] was ${breaching ? '' : 'not '}${a.comparisonOperator.replace(/([A-Z])/g, ' $1').trim().toLowerCase()} (${a.threshold.toFixed(1)}).`,
    };
  }
  switch (a.treatMissingData) {
    case 'notBreaching': return { value: 'OK', reason: 'Threshold Crossed: no datapoints were received; missing data is treated as not breaching.' };
    case 'breaching': return { value: 'ALARM', reason: 'Threshold Crossed: no datapoints were received; missing data is treated as breaching.' };
    case 'missing': return { value: 'INSUFFICIENT_DATA', reason: 'Insufficient Data: no datapoints were received for 1 period.' };
    case 'ignore': return undefined;
  }
}

/** A state change, recorded in the account's alarm history as CloudWatch records it. */
function transition(
  state: AccountState, name: string, type: 'MetricAlarm' | 'CompositeAlarm',
  alarm: { stateValue: string; stateReason: string; stateUpdatedAt: string }, value: AlarmState['stateValue'], reason: string, now: Date,
): void {
  if (alarm.stateValue === value) return;
  recordHistory(state, stateUpdateItem(name, type, now.toISOString(), { stateValue: alarm.stateValue, stateReason: alarm.stateReason }, { stateValue: value, stateReason: reason }));
  alarm.stateValue = value;
  alarm.stateReason = reason;
  alarm.stateUpdatedAt = now.toISOString();
}

/** A composite rule the parser cannot read. */
class RuleSyntaxError extends Error {
  override readonly name = 'RuleSyntaxError';
}

/**
 * A composite rule: ALARM("x") / OK("x") / INSUFFICIENT_DATA("x"), TRUE, FALSE, NOT, AND, OR and
 * parentheses. A child the account does not hold counts as not in the named state. Returns
 * undefined for a rule it cannot parse (the alarm then keeps its state).
 */
export function evaluateRule(rule: string, stateOf: (name: string) => string | undefined): boolean | undefined {
  const tokens = rule.match(/\(|\)|"(?:[^"\\]|\\.)*"|[A-Z_]+/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const primary = (): boolean => {
    const t = next();
    if (t === '(') {
      const v = or();
      if (next() !== ')') throw new RuleSyntaxError('unbalanced');
      return v;
    }
    if (t === 'NOT') return !primary();
    if (t === 'TRUE') return true;
    if (t === 'FALSE') return false;
    if (t === 'ALARM' || t === 'OK' || t === 'INSUFFICIENT_DATA') {
      if (next() !== '(') throw new RuleSyntaxError('expected (');
      const name = next();
      if (next() !== ')' || name === undefined || !name.startsWith('"')) throw new RuleSyntaxError('expected "name")');
      return stateOf(JSON.parse(name) as string) === t;
    }
    throw new RuleSyntaxError(`unexpected ${t ?? 'end'}`);
  };
  const and = (): boolean => {
    let v = primary();
    while (peek() === 'AND') { next(); const r = primary(); v = v && r; }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek() === 'OR') { next(); const r = and(); v = v || r; }
    return v;
  };
  try {
    const v = or();
    return i === tokens.length ? v : undefined;
  } catch (e: unknown) {
    // Unreadable: the rule's grammar, or a name that is not a JSON string.
    if (e instanceof RuleSyntaxError || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/** Re-evaluates every alarm from the modelled resources; metric alarms first, then composites. */
export async function evaluateAlarms(ctx: ServiceContext): Promise<void> {
  const { state } = ctx;
  const now = ctx.now();
  for (const [name, a] of Object.entries(state.cloudwatch.alarms)) {
    if (a.causePersists) continue;
    const next = stateFor(a, await datapoint(state, a, ctx));
    if (next) transition(state, name, 'MetricAlarm', a, next.value, next.reason, now);
  }
  for (const [name, c] of Object.entries(state.cloudwatch.compositeAlarms) as [string, CompositeAlarmState][]) {
    const inAlarm = evaluateRule(c.alarmRule, (child) => (state.cloudwatch.alarms[child] ?? state.cloudwatch.compositeAlarms[child])?.stateValue);
    if (inAlarm === undefined) continue;
    transition(state, name, 'CompositeAlarm', c, inAlarm ? 'ALARM' : 'OK', `The alarm rule evaluated to ${inAlarm ? 'TRUE' : 'FALSE'}.`, now);
  }
}
