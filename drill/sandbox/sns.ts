import { AwsError } from './aws-error';
import { uuidFromHex } from './common';
import { Fields, isRecord, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';

/** SNS (AWS Query): Publish to existing topics; every message is kept for the drill to read. */

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
    messageAttributes: attributes,
    messageGroupId: fields.optString('MessageGroupId'),
    messageDeduplicationId: fields.optString('MessageDeduplicationId'),
    at: ctx.now().getTime(),
  });
  return { MessageId: messageId };
}

export const snsModel: ServiceModel = {
  protocol: 'awsQuery',
  xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
  operations: {
    Publish: { mutating: false, run: publish },
  },
};
