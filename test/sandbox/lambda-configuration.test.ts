import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig, rejectionOf, useSandbox } from './support';

const FUNCTION = 'tradai-prod-backtest-worker';
const sandbox = useSandbox();
const lambda = () => new LambdaClient({ ...clientConfig(sandbox()), maxAttempts: 1 });
const status = async () => (await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: FUNCTION })));

test('an update is InProgress for the next read, then Successful, with the new timeout throughout', async () => {
  const answer = await lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: FUNCTION, Timeout: 60 }));
  expect(answer).toMatchObject({ Timeout: 60, LastUpdateStatus: 'InProgress' });
  expect(await status()).toMatchObject({ Timeout: 60, LastUpdateStatus: 'InProgress' });
  expect(await status()).toMatchObject({ Timeout: 60, LastUpdateStatus: 'Successful' });
});

test('a second update while InProgress is refused with ResourceConflictException (409) and changes nothing', async () => {
  await lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: FUNCTION, Timeout: 60 }));
  const e = await rejectionOf(lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: FUNCTION, Timeout: 90 })));
  expect({ name: e.name, status: e.$metadata?.httpStatusCode, message: e.message }).toEqual({
    name: 'ResourceConflictException', status: 409,
    message: `The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:sa-east-1:111122223333:function:${FUNCTION}`,
  });
  expect(sandbox().state.lambda.functions[FUNCTION]?.timeout).toBe(60);
});

test('a timeout above 900 s is a validation error', async () => {
  const e = await rejectionOf(lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: FUNCTION, Timeout: 901 })));
  expect(e.name).toBe('ValidationException');
  expect(sandbox().state.lambda.functions[FUNCTION]?.timeout).toBe(30);
});

test('the queue answers its visibility timeout; the log group its "Task timed out" lines only', async () => {
  const sqs = new SQSClient({ ...clientConfig(sandbox()), useQueueUrlAsEndpoint: false });
  const queue = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: 'https://sqs.sa-east-1.amazonaws.com/111122223333/tradai-prod-backtest-jobs', AttributeNames: ['VisibilityTimeout'] }));
  expect(queue.Attributes).toEqual({ VisibilityTimeout: '300' });
  const missing = await rejectionOf(sqs.send(new GetQueueAttributesCommand({ QueueUrl: 'https://sqs.sa-east-1.amazonaws.com/111122223333/nope', AttributeNames: ['VisibilityTimeout'] })));
  expect(missing.name).toBe('QueueDoesNotExist');
  const logs = new CloudWatchLogsClient(clientConfig(sandbox()));
  const found = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${FUNCTION}`, filterPattern: '"Task timed out"' }));
  expect(found.events?.map((e) => e.message)).toEqual([expect.stringMatching(/Task timed out after 30.03 seconds$/), expect.anything(), expect.anything()]);
  expect((await rejectionOf(logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/nope' })))).name).toBe('ResourceNotFoundException');
});

describe('environment variables (seed 003 §5: the qa agent without its AgentOps key)', () => {
  const AGENT = 'cabruca-segmentation-prod-qa-agent';
  const read = async () => lambda().send(new GetFunctionConfigurationCommand({ FunctionName: AGENT }));

  test('the qa agent lacks AGENTOPS_API_KEY, the other agents have it; every read names a RevisionId', async () => {
    const qa = await read();
    expect(qa.Environment?.Variables).toEqual({ ENVIRONMENT: 'prod', STATE_TABLE: 'cabruca-segmentation-prod-agent-state' });
    expect(qa.RevisionId).toMatch(/^[0-9a-f]{36}$/);
    const engineer = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: 'cabruca-segmentation-prod-engineer-agent' }));
    expect(Object.keys(engineer.Environment?.Variables ?? {})).toContain('AGENTOPS_API_KEY');
  });

  test('an update replaces every variable (no merge), moves the RevisionId on, and the call record hides the values as CloudTrail does', async () => {
    const { RevisionId } = await read();
    await lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: AGENT, Environment: { Variables: { ONLY: 'secret-ish' } }, RevisionId }));
    const after = await read();
    expect(after.Environment?.Variables).toEqual({ ONLY: 'secret-ish' });
    expect(after.RevisionId).not.toBe(RevisionId);
    const call = sandbox().calls.find((c) => c.operation === 'UpdateFunctionConfiguration');
    expect(call?.input).toMatchObject({ Environment: { Variables: { ONLY: 'HIDDEN_DUE_TO_SECURITY_REASONS' } } });
    expect(JSON.stringify(sandbox().calls)).not.toContain('secret-ish');
  });

  test('a stale RevisionId is refused with PreconditionFailedException (412) and changes nothing', async () => {
    const { RevisionId } = await read();
    await lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: AGENT, Timeout: 120 }));
    await read();
    const e = await rejectionOf(lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: AGENT, Environment: { Variables: { AB: 'c' } }, RevisionId })));
    expect({ name: e.name, status: e.$metadata?.httpStatusCode }).toEqual({ name: 'PreconditionFailedException', status: 412 });
    expect(sandbox().state.lambda.functions[AGENT]?.environment).toEqual({ ENVIRONMENT: 'prod', STATE_TABLE: 'cabruca-segmentation-prod-agent-state' });
  });

  test('a variable name Lambda does not accept is a validation error that names the key, not the value', async () => {
    const e = await rejectionOf(lambda().send(new UpdateFunctionConfigurationCommand({ FunctionName: AGENT, Environment: { Variables: { '1BAD': 'the-value' } } })));
    expect(e.name).toBe('ValidationException');
    expect(e.message).toContain('1BAD');
    expect(e.message).not.toContain('the-value');
  });
});
