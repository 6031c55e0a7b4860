import { Template } from 'aws-cdk-lib/assertions';
import { enabledRunbooks, UNDO_MACHINE } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { METRIC, METRICS_NAMESPACE } from '../../lambdas/domain/metrics';
import { stackTemplate } from './synth';

/**
 * The autopilot's own failures page the critical topic: read from the synthesized template, so a
 * state machine, function, rule or queue the stack gains without an alarm fails here.
 */
const template = Template.fromJSON(stackTemplate(loadConfig('prod')));

type Stat = { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] } };
type Alarm = { Properties: {
  Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: unknown }[]; Metrics?: { MetricStat?: Stat }[];
  AlarmActions?: unknown[]; Threshold?: number; ComparisonOperator?: string; AlarmDescription?: unknown;
} };
const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
const own = alarms.filter((a) => JSON.stringify(a.Properties.AlarmDescription).includes('runbook-autopilot itself:'));
const ids = (type: string) => Object.keys(template.findResources(type));
const critical = Object.keys(template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: 'runbook-autopilot: escalations (a human must act)' } }));

/** The metrics an alarm watches, alone or in its metric math, as "<namespace> <metric> <first dimension's value>". */
const keyOf = (m: Stat['Metric']) => `${m.Namespace} ${m.MetricName} ${(m.Dimensions ?? [undefined]).map((d) => JSON.stringify(d?.Value)).join(' ')}`;
const metricsOf = (a: Alarm): string[] => (a.Properties.Metrics
  ? a.Properties.Metrics.flatMap((m) => (m.MetricStat ? [keyOf(m.MetricStat.Metric)] : []))
  : [keyOf(a.Properties as Stat['Metric'])]);
const watched = new Set(own.flatMap(metricsOf));
const missing = (namespace: string, metrics: readonly string[], resources: readonly string[], dimension: (id: string) => unknown) =>
  resources.flatMap((id) => metrics.map((m) => `${namespace} ${m} ${JSON.stringify(dimension(id))}`)).filter((k) => !watched.has(k));

test('the critical topic is there to page', () => {
  expect(critical).toHaveLength(1);
});

test("every state machine's ExecutionsFailed, ExecutionsTimedOut and ExecutionThrottled is alarmed", () => {
  const machines = ids('AWS::StepFunctions::StateMachine');
  expect(machines.length).toBeGreaterThan(1);
  expect(missing('AWS/States', ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled'], machines, (id) => ({ Ref: id }))).toEqual([]);
});

test("every function's Errors is alarmed", () => {
  const functions = ids('AWS::Lambda::Function');
  expect(functions.length).toBeGreaterThan(20);
  expect(missing('AWS/Lambda', ['Errors'], functions, (id) => ({ Ref: id }))).toEqual([]);
});

test("every rule's FailedInvocations is alarmed", () => {
  const rules = ids('AWS::Events::Rule');
  expect(rules.length).toBeGreaterThan(5);
  expect(missing('AWS/Events', ['FailedInvocations'], rules, (id) => ({ Ref: id }))).toEqual([]);
});

test("the depth of every rule target's dead-letter queue, and of every other queue, is alarmed", () => {
  const targets = Object.values(template.findResources('AWS::Events::Rule'))
    .flatMap((r) => (r as { Properties: { Targets: { DeadLetterConfig?: { Arn: { 'Fn::GetAtt': [string, string] } } }[] } }).Properties.Targets)
    .map((t) => t.DeadLetterConfig?.Arn['Fn::GetAtt'][0]);
  const queues = ids('AWS::SQS::Queue');
  expect(targets.every((q) => q !== undefined && queues.includes(q))).toBe(true);
  expect(missing('AWS/SQS', ['ApproximateNumberOfMessagesVisible'], queues, (id) => ({ 'Fn::GetAtt': [id, 'QueueName'] }))).toEqual([]);
});

test('each pages the critical topic at the first occurrence; a metric is watched once, a state machine in one alarm, a metric math alarm within its 10 metrics', () => {
  for (const a of own) {
    expect(a.Properties).toMatchObject({ AlarmActions: [{ Ref: critical[0] }], Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(metricsOf(a).length).toBeLessThanOrEqual(10);
  }
  const reportMachines = enabledRunbooks(loadConfig('prod')).length + 1;
  const expected = 3 * ids('AWS::StepFunctions::StateMachine').length + ids('AWS::Lambda::Function').length + ids('AWS::Events::Rule').length + ids('AWS::SQS::Queue').length + reportMachines;
  expect(own.flatMap(metricsOf)).toHaveLength(expected);
  expect(watched.size).toBe(expected);
  const machines = own.filter((a) => metricsOf(a).some((m) => m.startsWith('AWS/States ')));
  expect(machines.map((a) => new Set(metricsOf(a).map((m) => m.split(' ')[2])).size)).toEqual(machines.map(() => 1));
});

test("every runbook's and the undo's unwritten incident reports page", () => {
  const config = loadConfig('prod');
  const machines = [...enabledRunbooks(config).map((m) => m.name), UNDO_MACHINE];
  const reportAlarms = own.filter((a) => metricsOf(a).some((k) => k.startsWith(`${METRICS_NAMESPACE} ${METRIC.reportsNotWritten} `)));
  const watchedRunbooks = new Set(reportAlarms.flatMap((a) => (a.Properties.Metrics ?? []).flatMap((m) => {
    const dims = m.MetricStat?.Metric.Dimensions ?? [];
    const env = dims.find((d) => d.Name === 'environment')?.Value;
    const runbook = dims.find((d) => d.Name === 'runbook')?.Value;
    return env === config.environment && typeof runbook === 'string' ? [runbook] : [];
  })));
  expect(machines.filter((m) => !watchedRunbooks.has(m))).toEqual([]);
  for (const a of reportAlarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(new RegExp(`^${critical[0]}`)) }]);
});
