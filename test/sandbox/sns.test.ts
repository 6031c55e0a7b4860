import { InvalidParameterException, NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { deliveredAs, TOPIC_ARNS } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const sandbox = useSandbox();
const sns = () => new SNSClient(clientConfig(sandbox()));

test('Publish keeps the message, subject and attributes and returns a MessageId', async () => {
  const out = await sns().send(
    new PublishCommand({
      TopicArn: TOPIC_ARNS.critical,
      Subject: 'Remediated: lambda-runaway',
      Message: 'Reserved concurrency 0 -> stopped',
      MessageAttributes: {
        runbook: { DataType: 'String', StringValue: 'lambda-runaway' },
        outcome: { DataType: 'String', StringValue: 'remediated' },
      },
    }),
  );

  expect(out.MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(sandbox().published).toEqual([
    expect.objectContaining({
      messageId: out.MessageId,
      topicArn: TOPIC_ARNS.critical,
      subject: 'Remediated: lambda-runaway',
      message: 'Reserved concurrency 0 -> stopped',
      messageStructure: undefined,
      messageAttributes: {
        runbook: { dataType: 'String', value: 'lambda-runaway' },
        outcome: { dataType: 'String', value: 'remediated' },
      },
    }),
  ]);
});

test('a topic that does not exist is NotFound (404) and nothing is published', async () => {
  const error = await rejectionOf(sns().send(new PublishCommand({ TopicArn: `${TOPIC_ARNS.info}-gone`, Message: 'x' })));

  expect(error).toBeInstanceOf(NotFoundException);
  expect(error).toMatchObject({ Code: 'NotFound', message: 'Topic does not exist' });
  expect(error.$metadata?.httpStatusCode).toBe(404);
  expect(sandbox().published).toEqual([]);
});

test('an empty message is InvalidParameter', async () => {
  const error = await rejectionOf(sns().send(new PublishCommand({ TopicArn: TOPIC_ARNS.info, Message: '' })));

  expect(error).toBeInstanceOf(InvalidParameterException);
  expect(error.message).toBe('Invalid parameter: Empty message');
});

describe('MessageStructure json: a body per protocol', () => {
  test('each protocol receives its own body; one the message does not name receives default; a key whose value is not a string is ignored', async () => {
    await sns().send(new PublishCommand({
      TopicArn: TOPIC_ARNS.info, Subject: 'x', MessageStructure: 'json',
      Message: JSON.stringify({ default: '{"version":"1.0"}', email: 'Dear operator', sms: 'x', sqs: { not: 'a string' } }),
    }));

    const [m] = sandbox().published;
    expect(m).toMatchObject({ messageStructure: 'json' });
    expect(deliveredAs(m!, 'email')).toBe('Dear operator');
    expect(deliveredAs(m!, 'https')).toBe('{"version":"1.0"}');
    expect(deliveredAs(m!, 'sqs')).toBe('{"version":"1.0"}');
    expect(deliveredAs(m!, 'sms')).toBe('x');
  });

  test('a message without a default body is InvalidParameter and nothing is published', async () => {
    const error = await rejectionOf(sns().send(new PublishCommand({ TopicArn: TOPIC_ARNS.info, MessageStructure: 'json', Message: JSON.stringify({ email: 'hi' }) })));

    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toBe('Invalid parameter: Message Structure - No default entry in JSON message body');
    expect(sandbox().published).toEqual([]);
  });

  test('a message that is not a JSON object is InvalidParameter', async () => {
    for (const Message of ['not json', '"a string"', '[1]']) {
      const error = await rejectionOf(sns().send(new PublishCommand({ TopicArn: TOPIC_ARNS.info, MessageStructure: 'json', Message })));
      expect(error.message).toBe('Invalid parameter: Message Structure - JSON message body failed to parse');
    }
    expect(sandbox().published).toEqual([]);
  });

  test('a plain message is delivered as it is to every protocol', async () => {
    await sns().send(new PublishCommand({ TopicArn: TOPIC_ARNS.info, Message: '{"default":"not structured"}' }));

    expect(deliveredAs(sandbox().published[0]!, 'email')).toBe('{"default":"not structured"}');
  });
});
