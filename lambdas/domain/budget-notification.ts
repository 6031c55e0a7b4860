/**
 * AWS Budgets notifications as they reach an SNS subscriber. Budgets publishes plain text, not
 * JSON: a header ("AWS Budget Notification November 18, 2026", "AWS Account 111122223333"), a
 * sentence, then "Label: value" lines:
 *
 *   Budget Name: alphaswarm-prod-monthly
 *   Budget Type: Cost
 *   Budgeted Amount: $1,500.00
 *   Alert Type: ACTUAL            (or FORECASTED)
 *   Alert Threshold: > $1,200.00  (a percentage threshold arrives already converted to dollars)
 *   ACTUAL Amount: $1,260.00      (labelled "FORECASTED Amount" for forecast alerts)
 */
import * as z from '../shared/zod';

export type BudgetAlertType = 'ACTUAL' | 'FORECASTED';

export interface BudgetNotification {
  readonly budgetName: string;
  readonly budgetType: string;
  /** USD. */
  readonly budgetedAmount: number;
  readonly alertType: BudgetAlertType;
  /** USD: the amount the alert compares against. */
  readonly thresholdAmount: number;
  /** USD: the actual spend, or the forecast for FORECASTED alerts. */
  readonly actualOrForecastAmount: number;
  readonly accountId?: string;
  /** The notification date from the header, as YYYY-MM-DD. */
  readonly date?: string;
}

/** The text is not an AWS Budgets notification; the message names the missing or bad field. */
export class MalformedBudgetNotification extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedBudgetNotification';
  }
}

/** The input is not an SNS notification (Lambda SNS event or HTTP envelope). */
export class MalformedSnsNotification extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedSnsNotification';
  }
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const HEADER = /^AWS Budget Notification\s+([A-Za-z]+)\s+(\d{1,2}),\s+(\d{4})\s*$/;
const ACCOUNT = /^AWS Account\s+(\d{12})\s*$/;
const FIELD = /^([A-Za-z][A-Za-z ]*?):\s*(.*?)\s*$/;
const DOLLARS = /^\$(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d+))?$/;
const THRESHOLD = /^(?:[<>=]\s*)?(.+)$/;

/** Parses the plain-text body AWS Budgets publishes to SNS. */
export function parseBudgetNotification(message: string): BudgetNotification {
  if (typeof message !== 'string' || message.trim() === '') {
    throw new MalformedBudgetNotification('budget notification is empty');
  }
  const lines = message.split(/\r?\n/).map((l) => l.trim());
  const fields = new Map<string, string>();
  let date: string | undefined;
  let accountId: string | undefined;
  for (const line of lines) {
    const header = HEADER.exec(line);
    if (header) {
      date = isoDate(header[1] ?? '', header[2] ?? '', header[3] ?? '');
      continue;
    }
    const account = ACCOUNT.exec(line);
    if (account) {
      accountId = account[1];
      continue;
    }
    const field = FIELD.exec(line);
    // First occurrence wins; the prose paragraph never has the "Label: value" shape.
    if (field?.[1] && field[2] !== undefined && !fields.has(field[1])) fields.set(field[1], field[2]);
  }

  const text = (label: string): string => {
    const value = fields.get(label);
    if (value === undefined) throw new MalformedBudgetNotification(`budget notification has no "${label}" line`);
    if (value === '') throw new MalformedBudgetNotification(`budget notification "${label}" is empty`);
    return value;
  };
  const dollars = (label: string, raw = text(label)): number => {
    const amount = parseDollars(raw);
    if (amount === undefined) throw new MalformedBudgetNotification(`budget notification "${label}" is not a dollar amount: "${raw}"`);
    return amount;
  };

  const budgetName = text('Budget Name');
  const budgetType = text('Budget Type');
  const budgetedAmount = dollars('Budgeted Amount');
  const alertType = text('Alert Type');
  if (alertType !== 'ACTUAL' && alertType !== 'FORECASTED') {
    throw new MalformedBudgetNotification(`budget notification "Alert Type" must be ACTUAL or FORECASTED, got "${alertType}"`);
  }
  const threshold = text('Alert Threshold');
  const thresholdAmount = dollars('Alert Threshold', THRESHOLD.exec(threshold)?.[1]?.trim() ?? threshold);
  const actualOrForecastAmount = dollars(`${alertType} Amount`);

  return {
    budgetName,
    budgetType,
    budgetedAmount,
    alertType,
    thresholdAmount,
    actualOrForecastAmount,
    ...(accountId ? { accountId } : {}),
    ...(date ? { date } : {}),
  };
}

/** "$1,500.00" -> 1500; undefined for anything that is not a plain dollar amount. */
export function parseDollars(raw: string): number | undefined {
  const m = DOLLARS.exec(raw.trim());
  if (!m?.[1]) return undefined;
  const value = Number(`${m[1].replace(/,/g, '')}${m[2] ? `.${m[2]}` : ''}`);
  return Number.isFinite(value) ? value : undefined;
}

function isoDate(monthName: string, day: string, year: string): string | undefined {
  const month = MONTHS.indexOf(monthName) + 1;
  const d = Number(day);
  if (month === 0 || d < 1 || d > 31) return undefined;
  return `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export interface SnsNotification {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  /** ISO 8601, as SNS stamps it ("2026-11-18T14:07:22.418Z"). */
  readonly timestamp: string;
}

const notificationFields = {
  Type: z.literal('Notification', { error: (issue) => `expected "Notification", got ${JSON.stringify(issue.input)}` }),
  MessageId: z.string().check(z.minLength(1)),
  TopicArn: z.string().check(z.startsWith('arn:')),
  // SNS leaves Subject out (HTTP) or null (Lambda) when the publisher set none.
  Subject: z.nullish(z.string()),
  Message: z.string(),
  Timestamp: z.string().check(z.minLength(1)),
};

/** What SNS POSTs to an HTTP(S) subscriber (URL fields there are SigningCertURL/UnsubscribeURL). */
const httpEnvelopeSchema = z.object(notificationFields);

/** What Lambda receives from an SNS subscription (URL fields there are SigningCertUrl/UnsubscribeUrl). */
const lambdaEventSchema = z.object({
  Records: z
    .array(z.object({ EventSource: z.literal('aws:sns'), Sns: z.object(notificationFields) })).check(z.minLength(1)),
});

/**
 * Accepts a Lambda SNS event, a bare SNS HTTP envelope, or either as JSON text, and returns its
 * notifications. Throws MalformedSnsNotification naming the first bad field otherwise.
 */
export function unwrapSnsNotification(input: unknown): SnsNotification[] {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new MalformedSnsNotification('SNS notification is not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedSnsNotification('SNS notification must be a JSON object');
  }
  if ('Records' in value) {
    const parsed = lambdaEventSchema.safeParse(value);
    if (!parsed.success) throw new MalformedSnsNotification(`Lambda SNS event: ${firstIssue(parsed.error)}`);
    return parsed.data.Records.map((r) => toNotification(r.Sns));
  }
  if ('Type' in value || 'MessageId' in value) {
    const parsed = httpEnvelopeSchema.safeParse(value);
    if (!parsed.success) throw new MalformedSnsNotification(`SNS envelope: ${firstIssue(parsed.error)}`);
    return [toNotification(parsed.data)];
  }
  throw new MalformedSnsNotification('input is neither a Lambda SNS event (Records) nor an SNS envelope (Type, MessageId, Message)');
}

function toNotification(sns: z.infer<typeof httpEnvelopeSchema>): SnsNotification {
  return {
    messageId: sns.MessageId,
    topicArn: sns.TopicArn,
    ...(sns.Subject ? { subject: sns.Subject } : {}),
    message: sns.Message,
    timestamp: sns.Timestamp,
  };
}

function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '');
  return `${path || '(root)'}: ${issue.message}`;
}
