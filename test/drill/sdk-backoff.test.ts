/**
 * The drill's time compression reaches the SDK: a client keeps the standard strategy's attempts
 * and waits no time between them, whatever the service's base delay (DynamoDB sets its own) and
 * whatever Retry-After the answer carries (Lambda's throttling says 1 s), and the mutation clients'
 * own strategy too. What the SDK waited is its own account of the delays
 * ($metadata.totalRetryDelay), not a clock.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startDynamoProxy, type DynamoProxy } from '../../drill/audit-proxy';
import { MODEL_PREFERENCE_PARAMETER, SANDBOX_CREDENTIALS, SANDBOX_REGION, SEED_TABLES, createSeedTables, startDynamo, type LocalDynamo } from '../../drill/sandbox';
import { withoutSdkBackoff } from '../../drill/sdk-backoff';
import { MUTATION_CLIENT_CONFIG } from '../../lambdas/shared/mutation-client';
import { useSandbox } from '../sandbox/support';

const sandbox = useSandbox();
const client = { region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS };
let dynamo: LocalDynamo;
let proxy: DynamoProxy;

beforeAll(async () => {
  withoutSdkBackoff();
  dynamo = await startDynamo();
  await createSeedTables(dynamo.endpoint);
  proxy = await startDynamoProxy(dynamo.endpoint, new Set(), async () => undefined);
});
afterAll(async () => {
  await proxy.close();
  await dynamo.close();
});

test.each(['throttling', 'server-error'] as const)('ssm: two %s answers, then the answer, on the third attempt with no delay', async (kind) => {
  sandbox().injectFault({ service: 'ssm', operation: 'GetParameter', error: kind, times: 2 });
  const out = await new SSMClient({ ...client, endpoint: sandbox().url }).send(new GetParameterCommand({ Name: MODEL_PREFERENCE_PARAMETER }));
  expect(out.$metadata).toMatchObject({ attempts: 3, totalRetryDelay: 0 });
});

test("lambda: throttled twice with Retry-After: 1, answered on the third attempt with no delay", async () => {
  sandbox().injectFault({ service: 'lambda', operation: 'GetFunction', error: 'throttling', times: 2 });
  const out = await new LambdaClient({ ...client, endpoint: sandbox().url }).send(new GetFunctionCommand({ FunctionName: 'cabruca-segmentation-prod-researcher-agent' }));
  expect(out.$metadata).toMatchObject({ attempts: 3, totalRetryDelay: 0 });
});

test('dynamodb (its own base delay and four attempts): three throttled and 5xx answers, then the answer, with no delay', async () => {
  proxy.injectFault({ operation: 'DescribeTable', error: 'throttling', times: 2 });
  proxy.injectFault({ operation: 'DescribeTable', error: 'server-error', times: 1 });
  const out = await new DynamoDBClient({ ...client, endpoint: proxy.url }).send(new DescribeTableCommand({ TableName: SEED_TABLES[0]!.name }));
  expect(out.$metadata).toMatchObject({ attempts: 4, totalRetryDelay: 0 });
});

test('the attempts stay the SDK\'s: a fourth throttled answer is the error the caller sees', async () => {
  sandbox().injectFault({ service: 'ssm', operation: 'GetParameter', error: 'throttling', times: 3 });
  await expect(new SSMClient({ ...client, endpoint: sandbox().url }).send(new GetParameterCommand({ Name: MODEL_PREFERENCE_PARAMETER })))
    .rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 3, totalRetryDelay: 0 } });
});

test('a mutation client (throttling only, a strategy of its own): throttled twice, applied on the third attempt with no delay', async () => {
  sandbox().injectFault({ service: 'lambda', operation: 'PutFunctionConcurrency', error: 'throttling', times: 2 });
  const out = await new LambdaClient({ ...MUTATION_CLIENT_CONFIG, ...client, endpoint: sandbox().url })
    .send(new PutFunctionConcurrencyCommand({ FunctionName: 'cabruca-segmentation-prod-researcher-agent', ReservedConcurrentExecutions: 0 }));
  expect(out.$metadata).toMatchObject({ attempts: 3, totalRetryDelay: 0 });
});
