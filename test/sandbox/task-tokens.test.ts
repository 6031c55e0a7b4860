import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InvalidOutput, InvalidToken, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { TASK_TOKEN_PREFIX, type TaskResult } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const WAITING = `${TASK_TOKEN_PREFIX}waiting-token`;
const TIMED_OUT = `${TASK_TOKEN_PREFIX}timed-out-token`;
const EXECUTION = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-drill-lambda-runaway:e1';
const received: [string, TaskResult][] = [];
const sandbox = useSandbox({
  stepFunctions: {
    taskTokens: {
      [WAITING]: { executionArn: EXECUTION, state: 'Ask', status: 'waiting' },
      [TIMED_OUT]: { executionArn: EXECUTION, state: 'Ask', status: 'timed-out' },
    },
  },
  secretsManager: { secrets: { 'signing-key': { arn: 'arn:aws:secretsmanager:sa-east-1:111122223333:secret:signing-key-Ab12Cd', value: 'v'.repeat(64), versionId: 'v1', createdAt: '2026-11-23T00:00:00Z' } } },
}, { onTaskResult: (token, result) => received.push([token, result]) });
const sfn = () => new SFNClient(clientConfig(sandbox()));

beforeEach(() => {
  received.length = 0;
});

test('the first SendTaskSuccess resumes the task; any later answer is TaskTimedOut', async () => {
  await sfn().send(new SendTaskSuccessCommand({ taskToken: WAITING, output: '{"decision":"approved"}' }));
  expect(received).toEqual([[WAITING, { kind: 'success', output: '{"decision":"approved"}' }]]);
  const again = await rejectionOf(sfn().send(new SendTaskFailureCommand({ taskToken: WAITING, error: 'ApprovalRejected', cause: '{}' })));
  expect(again).toBeInstanceOf(TaskTimedOut);
  expect(again.message).toBe("Task Timed Out: 'Provided task does not exist anymore'");
  expect(received).toHaveLength(1);
});

test('a timed-out task refuses SendTaskFailure with TaskTimedOut', async () => {
  const failure = await rejectionOf(sfn().send(new SendTaskFailureCommand({ taskToken: TIMED_OUT, error: 'ApprovalRejected' })));
  expect(failure).toBeInstanceOf(TaskTimedOut);
  expect(failure.$metadata?.httpStatusCode).toBe(400);
  expect(received).toEqual([]);
});

test('a token Step Functions never issued: InvalidToken when malformed, TaskDoesNotExist otherwise', async () => {
  expect(await rejectionOf(sfn().send(new SendTaskSuccessCommand({ taskToken: 'forged', output: '{}' })))).toBeInstanceOf(InvalidToken);
  expect(await rejectionOf(sfn().send(new SendTaskSuccessCommand({ taskToken: `${TASK_TOKEN_PREFIX}unknown`, output: '{}' })))).toBeInstanceOf(TaskDoesNotExist);
  expect(received).toEqual([]);
});

test('output that is not JSON is InvalidOutput, and the task keeps waiting', async () => {
  const sandboxTokens = sandbox().state.stepFunctions.taskTokens!;
  sandboxTokens[`${TASK_TOKEN_PREFIX}fresh`] = { executionArn: EXECUTION, state: 'Ask', status: 'waiting' };
  expect(await rejectionOf(sfn().send(new SendTaskSuccessCommand({ taskToken: `${TASK_TOKEN_PREFIX}fresh`, output: 'not json' })))).toBeInstanceOf(InvalidOutput);
  expect(sandboxTokens[`${TASK_TOKEN_PREFIX}fresh`]!.status).toBe('waiting');
});

test('Secrets Manager returns the secret by name or ARN, and ResourceNotFoundException otherwise', async () => {
  const client = new SecretsManagerClient(clientConfig(sandbox()));
  const byName = await client.send(new GetSecretValueCommand({ SecretId: 'signing-key' }));
  expect(byName).toMatchObject({ Name: 'signing-key', SecretString: 'v'.repeat(64), VersionStages: ['AWSCURRENT'] });
  const byArn = await client.send(new GetSecretValueCommand({ SecretId: byName.ARN! }));
  expect(byArn.SecretString).toBe(byName.SecretString);
  const missing = await rejectionOf(client.send(new GetSecretValueCommand({ SecretId: 'other' })));
  expect(missing.name).toBe('ResourceNotFoundException');
  expect(missing.message).toBe("Secrets Manager can't find the specified secret.");
});
