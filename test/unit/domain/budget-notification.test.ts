import * as fs from 'node:fs';
import * as path from 'node:path';

import {
  MalformedBudgetNotification,
  MalformedSnsNotification,
  parseBudgetNotification,
  parseDollars,
  unwrapSnsNotification,
} from '../../../lambdas/domain/budget-notification';

const EVENTS = path.join(__dirname, '..', '..', '..', 'events');
const read = (rel: string): string => fs.readFileSync(path.join(EVENTS, rel), 'utf8');
const load = (rel: string): unknown => JSON.parse(read(rel));
const TOPIC = 'arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-drill-budget';

/** Every recorded budget notification in events/, Lambda-wrapped or bare. */
function budgetFiles(dir = EVENTS, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) return budgetFiles(path.join(dir, entry.name), rel);
    // malformed-* samples are bad input made by hand, not recordings (the drill refuses them).
    return /budget.*\.json$|\.sns\.json$/.test(entry.name) && !entry.name.startsWith('malformed') ? [rel] : [];
  });
}

describe('recorded budget notifications', () => {
  it('covers every budget file in events/', () => {
    expect(budgetFiles().sort()).toEqual([
      'llm-budget-guardrail.sns.json',
      'samples/budget-bare-message.json',
      'samples/budget-forecasted.sns.json',
    ]);
  });

  it.each(budgetFiles())('%s unwraps to one notification that parses', (file) => {
    const notifications = unwrapSnsNotification(load(file));
    expect(notifications).toHaveLength(1);
    const [n] = notifications;
    expect(n?.topicArn).toBe(TOPIC);
    expect(n?.subject).toBe('AWS Budgets: alphaswarm-prod-monthly has exceeded your alert threshold');
    expect(n?.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const budget = parseBudgetNotification(n?.message ?? '');
    expect(budget).toMatchObject({ budgetName: 'alphaswarm-prod-monthly', budgetType: 'Cost', budgetedAmount: 1500, accountId: '111122223333' });
    expect(budget.actualOrForecastAmount).toBeGreaterThan(budget.thresholdAmount);
  });

  it('reads the ACTUAL alert the guardrail runbook starts from', () => {
    const [n] = unwrapSnsNotification(load('llm-budget-guardrail.sns.json'));
    expect(n?.messageId).toBe('7d3f0c1e-5a62-5b8e-9c41-2f6e8a9b1d04');
    expect(parseBudgetNotification(n?.message ?? '')).toEqual({
      budgetName: 'alphaswarm-prod-monthly',
      budgetType: 'Cost',
      budgetedAmount: 1500,
      alertType: 'ACTUAL',
      thresholdAmount: 1200,
      actualOrForecastAmount: 1260,
      accountId: '111122223333',
      date: '2026-11-18',
    });
  });

  it('reads a FORECASTED alert from its "FORECASTED Amount" line', () => {
    const [n] = unwrapSnsNotification(load('samples/budget-forecasted.sns.json'));
    expect(parseBudgetNotification(n?.message ?? '')).toMatchObject({
      alertType: 'FORECASTED',
      thresholdAmount: 1500,
      actualOrForecastAmount: 1642.87,
      date: '2026-11-09',
    });
  });

  it('accepts the HTTP envelope as JSON text, as an HTTPS endpoint receives it', () => {
    const [n] = unwrapSnsNotification(read('samples/budget-bare-message.json'));
    expect(n?.messageId).toBe('e4a7c2b9-0d18-5f3a-b6e2-7c91d5a08f36');
    expect(parseBudgetNotification(n?.message ?? '').actualOrForecastAmount).toBe(771.35);
  });
});

const GOOD = [
  'AWS Budget Notification November 18, 2026',
  'AWS Account 111122223333',
  '',
  'Dear AWS Customer,',
  '',
  'You requested that we alert you when the ACTUAL Cost associated with your alphaswarm-prod-monthly budget is greater than $1,200.00 for the current month. The ACTUAL Cost associated with this budget is $1,260.00. You can find additional details below and by accessing the AWS Budgets dashboard [1].',
  '',
  'Budget Name: alphaswarm-prod-monthly',
  'Budget Type: Cost',
  'Budgeted Amount: $1,500.00',
  'Alert Type: ACTUAL',
  'Alert Threshold: > $1,200.00',
  'ACTUAL Amount: $1,260.00',
  '',
  '[1] https://console.aws.amazon.com/costmanagement/home#/budgets',
  '',
].join('\n');

const without = (label: string): string => GOOD.split('\n').filter((l) => !l.startsWith(`${label}:`)).join('\n');
const replace = (label: string, value: string): string =>
  GOOD.split('\n').map((l) => (l.startsWith(`${label}:`) ? `${label}: ${value}` : l)).join('\n');

describe('parseBudgetNotification', () => {
  it('tolerates CRLF line endings and missing header lines', () => {
    const crlf = GOOD.replace(/\n/g, '\r\n');
    expect(parseBudgetNotification(crlf).actualOrForecastAmount).toBe(1260);
    const bare = GOOD.split('\n').slice(2).join('\n');
    const parsed = parseBudgetNotification(bare);
    expect(parsed.accountId).toBeUndefined();
    expect(parsed.date).toBeUndefined();
  });

  it.each([
    ['Budget Name', without('Budget Name'), 'budget notification has no "Budget Name" line'],
    ['Budget Type', without('Budget Type'), 'budget notification has no "Budget Type" line'],
    ['Budgeted Amount', without('Budgeted Amount'), 'budget notification has no "Budgeted Amount" line'],
    ['Alert Type', without('Alert Type'), 'budget notification has no "Alert Type" line'],
    ['Alert Threshold', without('Alert Threshold'), 'budget notification has no "Alert Threshold" line'],
    ['ACTUAL Amount', without('ACTUAL Amount'), 'budget notification has no "ACTUAL Amount" line'],
    ['FORECASTED Amount for a forecast alert', replace('Alert Type', 'FORECASTED'), 'budget notification has no "FORECASTED Amount" line'],
    ['empty Budget Name', replace('Budget Name', ''), 'budget notification "Budget Name" is empty'],
    ['unknown Alert Type', replace('Alert Type', 'PREDICTED'), 'budget notification "Alert Type" must be ACTUAL or FORECASTED, got "PREDICTED"'],
    ['non-dollar Budgeted Amount', replace('Budgeted Amount', '1500 GB'), 'budget notification "Budgeted Amount" is not a dollar amount: "1500 GB"'],
    ['percentage threshold', replace('Alert Threshold', '> 80%'), 'budget notification "Alert Threshold" is not a dollar amount: "80%"'],
    ['garbled amount', replace('ACTUAL Amount', '$1,26,0.00'), 'budget notification "ACTUAL Amount" is not a dollar amount: "$1,26,0.00"'],
    ['empty message', '', 'budget notification is empty'],
    ['an alarm, not a budget', 'ALARM: "x" in South America (Sao Paulo)', 'budget notification has no "Budget Name" line'],
  ])('names the field: %s', (_name, message, expected) => {
    const run = (): unknown => parseBudgetNotification(message);
    expect(run).toThrow(MalformedBudgetNotification);
    expect(run).toThrow(expected);
  });

  it('sets the error name Step Functions matches on', () => {
    expect(() => parseBudgetNotification('')).toThrow(expect.objectContaining({ name: 'MalformedBudgetNotification' }));
  });

  it.each([
    ['$1,500.00', 1500],
    ['$0.5', 0.5],
    ['$1260', 1260],
    ['$12,345,678.90', 12345678.9],
    ['$0.00', 0],
  ])('parses %s', (raw, expected) => {
    expect(parseDollars(raw)).toBe(expected);
  });

  it.each(['1500', '$', '$1,5000.00', '-$5.00', '$1.2.3', 'USD 5', '$ 5'])('rejects %s', (raw) => {
    expect(parseDollars(raw)).toBeUndefined();
  });
});

describe('unwrapSnsNotification', () => {
  const lambdaEvent = load('llm-budget-guardrail.sns.json') as { Records: { Sns: Record<string, unknown> }[] };
  const record = lambdaEvent.Records[0] as { EventSource: string; Sns: Record<string, unknown> };
  const envelope = load('samples/budget-bare-message.json') as Record<string, unknown>;

  it('returns every record of a batched Lambda event', () => {
    const twice = { Records: [record, { ...record, Sns: { ...record.Sns, MessageId: 'second' } }] };
    expect(unwrapSnsNotification(twice).map((n) => n.messageId)).toEqual(['7d3f0c1e-5a62-5b8e-9c41-2f6e8a9b1d04', 'second']);
  });

  it('omits a subject SNS delivered as null', () => {
    const [n] = unwrapSnsNotification({ Records: [{ ...record, Sns: { ...record.Sns, Subject: null } }] });
    expect(n).not.toHaveProperty('subject');
  });

  it.each<[string, unknown, string]>([
    ['text that is not JSON', read('samples/malformed-not-json.txt'), 'SNS notification is not JSON'],
    ['JSON of another shape', load('samples/malformed-wrong-shape.json'), 'input is neither a Lambda SNS event (Records) nor an SNS envelope'],
    ['a CloudWatch alarm event', load('lambda-runaway.alarm.json'), 'input is neither a Lambda SNS event (Records) nor an SNS envelope'],
    ['a JSON array', [], 'SNS notification must be a JSON object'],
    ['null', null, 'SNS notification must be a JSON object'],
    ['no records', { Records: [] }, 'Lambda SNS event: Records: '],
    ['an SQS record', { Records: [{ ...record, EventSource: 'aws:sqs' }] }, 'Lambda SNS event: Records[0].EventSource: '],
    ['a record without Message', { Records: [{ ...record, Sns: { ...record.Sns, Message: undefined } }] }, 'Lambda SNS event: Records[0].Sns.Message: '],
    ['a subscription confirmation', { ...envelope, Type: 'SubscriptionConfirmation' }, 'SNS envelope: Type: expected "Notification", got "SubscriptionConfirmation"'],
    ['an envelope without TopicArn', { ...envelope, TopicArn: undefined }, 'SNS envelope: TopicArn: '],
  ])('rejects %s with one line', (_name, input, expected) => {
    const run = (): unknown => unwrapSnsNotification(input);
    expect(run).toThrow(MalformedSnsNotification);
    expect(run).toThrow(expected);
    try {
      run();
    } catch (e: unknown) {
      expect(e instanceof Error && e.message.includes('\n')).toBe(false);
    }
  });
});
