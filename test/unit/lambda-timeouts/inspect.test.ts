import 'aws-sdk-client-mock-jest';
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);
const FUNCTION = 'tradai-prod-backtest-worker';
const QUEUE_ARN = 'arn:aws:sqs:sa-east-1:111122223333:tradai-prod-backtest-jobs';
const STREAM_ARN = 'arn:aws:kinesis:sa-east-1:111122223333:stream/tradai-prod-ticks';
let handler: (event: unknown, context: typeof lambdaContext) => Promise<Record<string, unknown>>;

beforeAll(async () => {
  process.env.TIMEOUT_POLICIES = JSON.stringify({ [FUNCTION]: { baselineSeconds: 30, targetSeconds: 60, ceilingSeconds: 120 } });
  handler = (await import('../../../runbooks/lambda-timeouts/handlers/inspect')).handler as unknown as typeof handler;
});

beforeEach(() => {
  lambda.reset();
  sqs.reset();
  lambda.on(GetFunctionConfigurationCommand).resolves({
    FunctionName: FUNCTION, Timeout: 30, MemorySize: 2048, LastUpdateStatus: 'Successful', LoggingConfig: { LogGroup: '/custom/tradai/backtest' },
  });
  lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [
    { UUID: 'u-1', EventSourceArn: QUEUE_ARN, State: 'Disabled' },
    { UUID: 'u-2', EventSourceArn: STREAM_ARN, State: 'Enabled' },
  ] });
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { VisibilityTimeout: '300' } });
});

const input = (target = FUNCTION) => ({ incident: incident({ runbook: 'lambda-timeouts', target }), execution: { id: EXECUTION_ARN } });

test('reads the function and the visibility timeout of each SQS source (a disabled mapping too), and plans the raise', async () => {
  const d = await handler(input(), lambdaContext);
  expect(d).toMatchObject({ timeoutSeconds: 30, logGroup: '/custom/tradai/backtest', queues: [{ queueArn: QUEUE_ARN, visibilityTimeout: 300 }], plan: { decision: 'raise', toSeconds: 60 } });
  expect(lambda).toHaveReceivedCommandWith(GetFunctionConfigurationCommand, { FunctionName: FUNCTION });
  expect(lambda).toHaveReceivedCommandWith(ListEventSourceMappingsCommand, { FunctionName: FUNCTION });
  // The Kinesis stream is no SQS queue: only the queue is asked.
  expect(sqs.commandCalls(GetQueueAttributesCommand).map((c) => c.args[0].input.QueueUrl)).toEqual(['https://sqs.sa-east-1.amazonaws.com/111122223333/tradai-prod-backtest-jobs']);
});

test('an SQS source whose queue is gone: EventSourceNotFound, which the state machine escalates', async () => {
  sqs.on(GetQueueAttributesCommand).rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: { httpStatusCode: 400 } }));
  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'EventSourceNotFound', message: expect.stringContaining(QUEUE_ARN) });
});

test('a function lambda-timeouts does not configure is refused before any call', async () => {
  await expect(handler(input('someone-elses-function'), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotAllowed' });
  expect(lambda.calls()).toHaveLength(0);
});
