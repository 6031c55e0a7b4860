import type { PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { renderNotification, type Notification } from '../domain/notification';
import { classifyAwsError } from './errors';
import { LazyClient } from './lazy-sdk';
import { snsSdk } from './sdk-modules';
import { logger } from './logger';

/** Loaded at the first notification (lazy-sdk.ts): execution-failed publishes only for a failure not escalated yet. */
const sns = new LazyClient(snsSdk, (m): SNSClient => new m.SNSClient({}));

/** String message attributes: what subscriptions filter on (approver, runbook, outcome). */
export type Attributes = Readonly<Record<string, string>>;

/** What SNS counts of the attributes against the message's 256 KB: names, types and values. */
const attributeBytes = (attributes: Attributes): number =>
  Object.entries(attributes).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value), 0);

/** The Publish call of a notification: its subject, a body per protocol (MessageStructure json), its attributes. */
export function publishInput(topicArn: string, n: Notification, attributes: Attributes): PublishCommandInput {
  const rendered = renderNotification(n, attributeBytes(attributes));
  return {
    TopicArn: topicArn,
    Subject: rendered.subject,
    MessageStructure: 'json',
    Message: rendered.message,
    MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
  };
}

/**
 * Every SNS notification goes out here: publishes it and returns its MessageId. An SNS error is
 * classified (throttling and 5xx are retried by the state machines), naming `what` was published.
 */
export async function publishNotification(topicArn: string, n: Notification, attributes: Attributes, what: string): Promise<string> {
  const input = publishInput(topicArn, n, attributes);
  let messageId: string;
  try {
    const { m, client } = await sns.get();
    const out = await client.send(new m.PublishCommand(input));
    messageId = out.MessageId ?? '';
  } catch (e: unknown) {
    throw classifyAwsError(e, what);
  }
  // What was sent where, under the incident's keys: the answer to "was anyone told?".
  logger.info('Notification published', { kind: n.kind, topicArn, messageId, subject: input.Subject });
  return messageId;
}
