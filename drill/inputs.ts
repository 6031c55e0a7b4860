import * as fs from 'node:fs';
import { MalformedBudgetNotification, MalformedSnsNotification, parseBudgetNotification, unwrapSnsNotification } from '../lambdas/domain/budget-notification';
import { malformedEvent } from '../lambdas/domain/trigger';

/** An input the drill does not understand: the CLI prints the message and exits 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export type DrillInput =
  | { readonly kind: 'eventbridge'; readonly label: string; readonly event: Record<string, unknown> }
  | { readonly kind: 'sns'; readonly label: string; readonly lambdaEvent: { Records: unknown[] } };

export function readInputFile(file: string): DrillInput {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: unknown) {
    throw new InputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e: unknown) {
    throw new InputError(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return classifyInput(value, file);
}

/**
 * What arrives in the account is either an EventBridge event (a rule may route it) or an SNS
 * notification to a Lambda subscriber (the budget adapter). A bare SNS HTTP envelope is wrapped
 * the way SNS delivers it to Lambda. Anything else is not an event. An event of a kind admit reads
 * (its source and detail-type say which) with a field missing or of the wrong type, and a budget
 * notification whose text is not one, are refused here, naming the field: nothing runs.
 */
export function classifyInput(value: unknown, label: string): DrillInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${label}: not an event (expected a JSON object)`);
  }
  const obj = value as Record<string, unknown>;
  if ('Records' in obj || 'Type' in obj || 'MessageId' in obj) {
    try {
      for (const notification of unwrapSnsNotification(obj)) parseBudgetNotification(notification.message);
    } catch (e: unknown) {
      if (e instanceof MalformedSnsNotification || e instanceof MalformedBudgetNotification) throw new InputError(`${label}: ${e.message}`);
      throw e;
    }
    return { kind: 'sns', label, lambdaEvent: 'Records' in obj ? (obj as { Records: unknown[] }) : wrapEnvelope(obj) };
  }
  if (typeof obj.source === 'string' && typeof obj['detail-type'] === 'string' && typeof obj.detail === 'object' && obj.detail !== null) {
    const malformed = malformedEvent(obj);
    if (malformed) throw new InputError(`${label}: ${malformed}`);
    return { kind: 'eventbridge', label, event: obj };
  }
  throw new InputError(`${label}: not an EventBridge event (source, detail-type, detail) nor an SNS notification`);
}

function wrapEnvelope(envelope: Record<string, unknown>): { Records: unknown[] } {
  const { SigningCertURL, UnsubscribeURL, ...rest } = envelope;
  return {
    Records: [{
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: `${String(envelope.TopicArn)}:drill-subscription`,
      Sns: { ...rest, SigningCertUrl: SigningCertURL, UnsubscribeUrl: UnsubscribeURL, MessageAttributes: envelope.MessageAttributes ?? {} },
    }],
  };
}
