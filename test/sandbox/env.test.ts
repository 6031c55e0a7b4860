import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  ADMIN_SERVICE,
  AGENT_QUEUE_BUCKET,
  ECS_CLUSTER,
  RESEARCHER_RULES,
  MODEL_PREFERENCE_PARAMETER,
  SANDBOX_ENDPOINT_VARIABLES,
  sandboxEndpointEnv,
  TOPIC_ARNS,
} from '../../drill/sandbox';
import { useSandbox } from './support';

const sandbox = useSandbox();
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const clients = () => {
  const config = { maxAttempts: 1 };
  return {
    lambda: new LambdaClient(config),
    ecs: new ECSClient(config),
    ssm: new SSMClient(config),
    ce: new CostExplorerClient(config),
    sns: new SNSClient(config),
    states: new SFNClient(config),
    cloudwatch: new CloudWatchClient(config),
    events: new EventBridgeClient(config),
    s3: new S3Client(config),
    secretsmanager: new SecretsManagerClient(config),
  };
};

test('each client reads its own AWS_ENDPOINT_URL_<serviceId> variable', () => {
  const names = Object.values(clients()).map((c) => `AWS_ENDPOINT_URL_${c.config.serviceId.toUpperCase().replace(/ /g, '_')}`);

  expect(names.sort()).toEqual([...SANDBOX_ENDPOINT_VARIABLES].sort());
});

test('clients built with no endpoint reach the sandbox through sandboxEndpointEnv', async () => {
  Object.assign(process.env, sandboxEndpointEnv(sandbox().url));
  const c = clients();

  await c.lambda.send(new GetAccountSettingsCommand({}));
  await c.ecs.send(new DescribeServicesCommand({ cluster: ECS_CLUSTER, services: [ADMIN_SERVICE] }));
  await c.ssm.send(new GetParameterCommand({ Name: MODEL_PREFERENCE_PARAMETER }));
  await c.ce.send(new GetCostAndUsageCommand({ TimePeriod: { Start: '2026-11-01', End: '2026-11-19' }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'] }));
  await c.sns.send(new PublishCommand({ TopicArn: TOPIC_ARNS.info, Message: 'hello' }));
  await c.states.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:sa-east-1:111122223333:execution:m:e' })).catch(() => undefined);
  await c.cloudwatch.send(new DescribeAlarmsCommand({}));
  await c.events.send(new DescribeRuleCommand({ Name: RESEARCHER_RULES.schedule }));
  await c.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: AGENT_QUEUE_BUCKET }));

  expect(sandbox().calls.map((call) => `${call.service}:${call.operation}`)).toEqual([
    'lambda:GetAccountSettings',
    'ecs:DescribeServices',
    'ssm:GetParameter',
    'ce:GetCostAndUsage',
    'sns:Publish',
    'states:DescribeExecution',
    'cloudwatch:DescribeAlarms',
    'events:DescribeRule',
    's3:GetBucketNotificationConfiguration',
  ]);
});

test('the environment names the sandbox region and a DynamoDB endpoint when given one', () => {
  const env = sandboxEndpointEnv('http://127.0.0.1:1', { dynamodb: 'http://127.0.0.1:2' });

  expect(env).toMatchObject({ AWS_REGION: 'sa-east-1', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2', AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:1' });
  expect(env.AWS_ACCESS_KEY_ID).toBeTruthy();
  expect(env.AWS_SECRET_ACCESS_KEY).toBeTruthy();
});
