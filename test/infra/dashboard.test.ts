import { Template } from 'aws-cdk-lib/assertions';
import { enabledRunbooks } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { METRIC, METRICS_NAMESPACE, SUPPRESSION_REASONS } from '../../lambdas/domain/metrics';
import { stackTemplate } from './synth';

/** The dashboard as CloudWatch receives it: its body with each reference written as REF(<logical id>). */
const config = loadConfig('prod');
const template = Template.fromJSON(stackTemplate(config));
const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as { Properties: { DashboardName: string; DashboardBody: unknown } }[];
const token = (part: unknown): string => {
  const p = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  return p.Ref ? `REF(${p.Ref})` : p['Fn::GetAtt'] ? `REF(${p['Fn::GetAtt'][0]}.${p['Fn::GetAtt'][1]})` : JSON.stringify(part);
};
const raw = dashboards[0]!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
type Widget = { type: string; x: number; y: number; width: number; properties: { markdown?: string; title?: string; metrics?: unknown[][]; alarms?: string[] } };
const body = JSON.parse(raw['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : token(p))).join('')) as { widgets: Widget[] };
const widgets = body.widgets;
const titled = (title: string) => widgets.find((w) => w.properties.title === title);
const json = (w: Widget | undefined) => JSON.stringify(w?.properties ?? null);
const ids = (type: string) => Object.keys(template.findResources(type));

test('one dashboard, named for the environment', () => {
  expect(dashboards.map((d) => d.Properties.DashboardName)).toEqual(['runbook-autopilot-prod']);
});

test('one row per enabled runbook: incidents, actions, failures and time to mitigate, from its own metrics, with a note', () => {
  const enabled = enabledRunbooks(config).map((m) => m.name);
  expect(enabled.length).toBeGreaterThan(3);
  for (const name of enabled) {
    const panels = ['incidents', 'actions', 'failures', 'time to mitigate / verified (ms)'].map((p) => titled(`${name}: ${p}`));
    expect({ name, missing: panels.filter((w) => w === undefined).length }).toEqual({ name, missing: 0 });
    expect(json(panels[0])).toContain(`"${METRICS_NAMESPACE}","${METRIC.admitted}","environment","prod","runbook","${name}"`);
    expect(json(panels[1])).toContain(METRIC.actionsTaken);
    expect(json(panels[2])).toContain(METRIC.actionsFailed);
    for (const p of ['p50', 'p90', 'p99']) expect(json(panels[3])).toContain(`"stat":"${p}"`);
    const row = widgets.filter((w) => w.y === panels[0]!.y);
    expect(row.some((w) => w.type === 'text' && w.properties.markdown!.includes(name))).toBe(true);
  }
  expect(widgets.filter((w) => w.properties.title?.endsWith(': incidents'))).toHaveLength(enabled.length);
});

test('the suppressions by every reason, and the approvals waiting', () => {
  const suppressions = json(titled('Suppressions by reason'));
  for (const reason of SUPPRESSION_REASONS) expect(suppressions).toContain(`MetricName=\\"${METRIC.suppressed}\\" environment=\\"prod\\" reason=\\"${reason}\\"`);
  expect(suppressions).toContain(`{${METRICS_NAMESPACE},environment,reason,runbook}`);
  const waiting = json(titled('Approvals waiting (asked - answered, in the period)'));
  for (const m of [METRIC.approvalsRequested, METRIC.approvalsApproved, METRIC.approvalsRejected, METRIC.approvalsExpired]) expect(waiting).toContain(m);
});

test("every state machine, handler, rule and dead-letter queue has its own health on it, and every self-alarm its status", () => {
  const machinery = ['Executions failed, timed out, throttled', 'Execution time p90', 'Handler errors', 'Rule failed invocations', 'Dead-letter queue depth'].map((t) => json(titled(t)));
  const on = (title: number, id: string) => machinery[title]!.includes(`REF(${id})`) || machinery[title]!.includes(`REF(${id}.QueueName)`);
  expect(ids('AWS::StepFunctions::StateMachine').filter((id) => !on(0, id) || !on(1, id))).toEqual([]);
  expect(ids('AWS::Lambda::Function').filter((id) => !on(2, id))).toEqual([]);
  expect(ids('AWS::Events::Rule').filter((id) => !on(3, id))).toEqual([]);
  expect(ids('AWS::SQS::Queue').filter((id) => !on(4, id))).toEqual([]);
  const selfAlarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
    .filter(([, a]) => JSON.stringify((a as { Properties: { AlarmDescription?: unknown } }).Properties.AlarmDescription).includes('runbook-autopilot itself:')).map(([id]) => id);
  expect(selfAlarms.length).toBeGreaterThan(10);
  expect(selfAlarms.filter((id) => !json(titled('Alarms on the autopilot itself')).includes(`REF(${id}.Arn)`))).toEqual([]);
});

test('every row starts with a note that says what its panels mean and what to do when they are red', () => {
  const rows = [...new Set(widgets.map((w) => w.y))];
  for (const y of rows) {
    const row = widgets.filter((w) => w.y === y).sort((a, b) => a.x - b.x);
    expect({ y, first: row[0]!.type }).toEqual({ y, first: 'text' });
    if (row.length > 1) expect(row[0]!.properties.markdown).toMatch(/\*\*(Red|Above 0|Failures above 0|Flapping)/);
  }
});
