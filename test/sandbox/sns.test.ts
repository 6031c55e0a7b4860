import { InvalidParameterException, NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { TOPIC_ARNS } from '../../drill/sandbox';
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
