import { AwsError } from './aws-error';
import { uuidFromHex } from './common';
import { Fields, isRecord, type Input } from './input';
import type { Output, PublishedMessage, ServiceContext, ServiceModel } from './model';

/**
 * SNS (AWS Query): Publish to existing topics; every message is kept for the drill to read. With
 * `MessageStructure: json` the message is a JSON object of a body per protocol: it must parse and
 * hold a `default` string (what protocols it does not name receive); a key whose value is not a
 * string is ignored, as SNS ignores it.
 */

const MAX_MESSAGE_BYTES = 262_144;

const invalidParameter = (message: string) => new AwsError('InvalidParameter', 400, `Invalid parameter: ${message}`);
const topicNotFound = () => new AwsError('NotFound', 404, 'Topic does not exist');

/** MessageAttributes arrive as MessageAttributes.entry.N.{Name,Value.DataType,Value.StringValue}. */
function messageAttributes(input: Input): Record<string, { dataType: string; value: string }> {
  const raw = input.MessageAttributes;
  const entries = isRecord(raw) && isRecord(raw.entry) ? Object.values(raw.entry) : [];
  const out: Record<string, { dataType: string; value: string }> = {};
  for (const entry of entries) {
    if (!isRecord(entry) || typeof entry.Name !== 'string' || !isRecord(entry.Value)) {
      throw invalidParameter('MessageAttributes');
    }
    const { DataType, StringValue, BinaryValue } = entry.Value;
    if (typeof DataType !== 'string' || !/^(String|Number|Binary|String\.Array)(\..+)?$/.test(DataType)) {
      throw new AwsError(
        'ParameterValueInvalid',
        400,
        `The message attribute '${entry.Name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const value = typeof StringValue === 'string' ? StringValue : typeof BinaryValue === 'string' ? BinaryValue : undefined;
    if (value === undefined) {
      throw new AwsError(
        'ParameterValueInvalid',
        400,
        `The message attribute '${entry.Name}' must contain non-empty message attribute value for message attribute type '${DataType}'.`,
      );
    }
    out[entry.Name] = { dataType: DataType, value };
  }
  return out;
}

function publish(input: Input, ctx: ServiceContext): Output {
  const fields = new Fields(input, (member) => invalidParameter(member));
  const topicArn = fields.optString('TopicArn') ?? fields.optString('TargetArn');
  if (topicArn === undefined) {
    throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
  }
  const message = fields.optString('Message');
  if (message === undefined || message === '') throw invalidParameter('Empty message');
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
    throw invalidParameter('Message too long');
  }
  const messageStructure = fields.optString('MessageStructure');
  if (messageStructure !== undefined && messageStructure !== 'json') throw invalidParameter('MessageStructure');
  if (messageStructure === 'json') bodiesOf(message);
  const subject = fields.optString('Subject');
  if (subject !== undefined && (subject.length > 100 || /[\r\n]/.test(subject))) {
    throw invalidParameter('Subject');
  }
  if (!ctx.state.sns.topics.includes(topicArn)) throw topicNotFound();
  const attributes = messageAttributes(input);
  const messageId = uuidFromHex(ctx.id('sns-message'));
  ctx.published.push({
    messageId,
    topicArn,
    subject,
    message,
    messageStructure,
    messageAttributes: attributes,
    messageGroupId: fields.optString('MessageGroupId'),
    messageDeduplicationId: fields.optString('MessageDeduplicationId'),
    at: ctx.now().getTime(),
  });
  return { MessageId: messageId };
}

/** The bodies of a per-protocol message, by protocol (string values only), as SNS validates it. */
function bodiesOf(message: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (!isRecord(parsed)) throw invalidParameter('Message Structure - JSON message body failed to parse');
  const bodies = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  if (bodies.default === undefined) throw invalidParameter('Message Structure - No default entry in JSON message body');
  return bodies;
}

/** What a subscription of this protocol (email, https, sqs...) receives of a published message. */
export function deliveredAs(m: Pick<PublishedMessage, 'message' | 'messageStructure'>, protocol: string): string {
  if (m.messageStructure !== 'json') return m.message;
  const bodies = bodiesOf(m.message);
  return bodies[protocol] ?? bodies.default!;
}

export const snsModel: ServiceModel = {
  protocol: 'awsQuery',
  xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
  operations: {
    Publish: { mutating: false, run: publish },
  },
};
