/**
 * Mutating calls make no blind SDK retry (a retry after an answer that may follow an applied call
 * goes through performAction, which reads the target first): only a throttled mutation is sent
 * again. Reads keep the SDK's retries. Against a server that answers every request with the error
 * a test sets, counting what each client method sends.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StuckTasksClient } from '../../../lambdas/dynamodb-throttling/stuck-tasks-client';
import { TableClient } from '../../../lambdas/dynamodb-throttling/table-client';
import { EcsServiceClient } from '../../../lambdas/ecs-service-recovery/service-client';
import { FunctionConcurrencyClient } from '../../../lambdas/lambda-runaway/function-concurrency';
import { ParameterClient } from '../../../lambdas/llm-budget-guardrail/parameter-client';

let server: http.Server;
let requests = 0;
/** The answer to every request: a 5xx, or throttling. */
let answer = { status: 500, type: 'ServiceException' };
const saved = { ...process.env };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      res.writeHead(answer.status, { 'content-type': 'application/json', 'x-amzn-errortype': answer.type });
      res.end(JSON.stringify({ __type: answer.type, message: 'refused' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AWS_REGION: 'sa-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_MAX_ATTEMPTS: '3',
    AWS_ENDPOINT_URL_LAMBDA: url, AWS_ENDPOINT_URL_DYNAMODB: url, AWS_ENDPOINT_URL_SSM: url, AWS_ENDPOINT_URL_ECS: url,
  });
});
afterAll(async () => {
  process.env = saved;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const SPEC = { tableName: 't', statusAttribute: 'status', pendingStatus: 'pending', timestampAttribute: 'timestamp', olderThanMinutes: 60, maxItems: 10 };

test.each([
  ['lambda:PutFunctionConcurrency', () => new FunctionConcurrencyClient().put('fn', 0)],
  ['lambda:DeleteFunctionConcurrency', () => new FunctionConcurrencyClient().remove('fn')],
  ['dynamodb:UpdateTable', () => new TableClient().switchToOnDemand('t')],
  ['dynamodb:DeleteItem', () => new StuckTasksClient().deleteIfStillStuck(SPEC, { task_id: 'x' }, 1)],
  ['dynamodb:PutItem', () => new StuckTasksClient().putIfAbsent('t', { task_id: 'x' }, { ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': 'task_id' } })],
  ['dynamodb:CreateBackup', () => new StuckTasksClient().createBackup('t', 'b-1')],
  ['ssm:PutParameter', () => new ParameterClient().write('/p', 'v')],
  ['ecs:UpdateService', () => new EcsServiceClient().forceNewDeployment({ cluster: 'c', service: 's' })],
])('%s is sent once after a 5xx (it may have taken effect)', async (_operation, call) => {
  answer = { status: 500, type: 'ServiceException' };
  requests = 0;
  await expect(call()).rejects.toMatchObject({ name: 'AwsUnavailable' });
  expect(requests).toBe(1);
});

test('a throttled mutation was refused, not applied: it is sent again, up to three times', async () => {
  answer = { status: 400, type: 'ThrottlingException' };
  requests = 0;
  await expect(new ParameterClient().write('/p', 'v')).rejects.toMatchObject({ name: 'AwsThrottled' });
  expect(requests).toBe(3);
});

test('a read keeps the SDK\'s retries', async () => {
  answer = { status: 500, type: 'ServiceException' };
  requests = 0;
  await expect(new FunctionConcurrencyClient().read('fn')).rejects.toMatchObject({ name: 'AwsUnavailable' });
  expect(requests).toBe(3);
});
