import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { EventBridgeClient, ListRuleNamesByTargetCommand } from '@aws-sdk/client-eventbridge';
import { GetBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { AGENT_QUEUE_BUCKET, ADMIN_SERVICE, ECS_CLUSTER, MODEL_PREFERENCE_PARAMETER, TOPIC_ARNS, type FaultKind, type FaultSpec, type Sandbox, type ServiceName } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:drill';
const RESEARCHER = 'cabruca-segmentation-prod-researcher-agent';
const WORKER_RESOURCE = 'service/alphaswarm-cluster-prod/alphaswarm-worker-prod';
const sandbox = useSandbox({ stepFunctions: { stateMachines: { [MACHINE]: { type: 'STANDARD' } } } });

interface Call {
  operation: string;
  send: (s: Sandbox) => Promise<unknown>;
}

/**
 * One read per service, made with a single-attempt client. (test/sandbox/checklist.test.ts runs every
 * registered service through the faults with its registry probe; this file keeps AWS's own names.)
 */
const CALLS: Partial<Record<ServiceName, Call>> = {
  lambda: { operation: 'GetFunction', send: (s) => new LambdaClient(clientConfig(s)).send(new GetFunctionCommand({ FunctionName: RESEARCHER })) },
  ecs: { operation: 'DescribeServices', send: (s) => new ECSClient(clientConfig(s)).send(new DescribeServicesCommand({ cluster: ECS_CLUSTER, services: [ADMIN_SERVICE] })) },
  ssm: { operation: 'GetParameter', send: (s) => new SSMClient(clientConfig(s)).send(new GetParameterCommand({ Name: MODEL_PREFERENCE_PARAMETER })) },
  ce: {
    operation: 'GetCostAndUsage',
    send: (s) =>
      new CostExplorerClient(clientConfig(s)).send(
        new GetCostAndUsageCommand({ TimePeriod: { Start: '2026-11-01', End: '2026-11-19' }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'] }),
      ),
  },
  sns: { operation: 'Publish', send: (s) => new SNSClient(clientConfig(s)).send(new PublishCommand({ TopicArn: TOPIC_ARNS.info, Message: 'x' })) },
  states: { operation: 'StartExecution', send: (s) => new SFNClient(clientConfig(s)).send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'x' })) },
  cloudwatch: { operation: 'DescribeAlarms', send: (s) => new CloudWatchClient(clientConfig(s)).send(new DescribeAlarmsCommand({})) },
  events: {
    operation: 'ListRuleNamesByTarget',
    send: (s) => new EventBridgeClient(clientConfig(s)).send(new ListRuleNamesByTargetCommand({ TargetArn: `arn:aws:lambda:sa-east-1:111122223333:function:${RESEARCHER}` })),
  },
  s3: { operation: 'GetBucketNotificationConfiguration', send: (s) => new S3Client(clientConfig(s)).send(new GetBucketNotificationConfigurationCommand({ Bucket: AGENT_QUEUE_BUCKET })) },
  'application-autoscaling': {
    operation: 'DescribeScalableTargets',
    send: (s) => new ApplicationAutoScalingClient(clientConfig(s)).send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [WORKER_RESOURCE] })),
  },
  secretsmanager: { operation: 'GetSecretValue', send: (s) => new SecretsManagerClient(clientConfig(s)).send(new GetSecretValueCommand({ SecretId: 'approval-signing-key' })) },
};

function callOf(service: ServiceName): Call {
  const call = CALLS[service];
  if (call === undefined) throw new Error(`no call for ${service} in this file`);
  return call;
}

/**
 * The SDK exception name and HTTP status each service really answers with, per fault kind, as AWS's
 * API references name them: written independently of the fault table, so a wrong row fails here.
 */
const EXPECTED: [ServiceName, Exclude<FaultKind, 'timeout'>, string, number][] = [
  ['lambda', 'throttling', 'TooManyRequestsException', 429],
  ['lambda', 'access-denied', 'AccessDeniedException', 403],
  ['lambda', 'not-found', 'ResourceNotFoundException', 404],
  ['lambda', 'server-error', 'ServiceException', 500],
  ['ecs', 'throttling', 'ThrottlingException', 400],
  ['ecs', 'access-denied', 'AccessDeniedException', 403],
  ['ecs', 'not-found', 'ClusterNotFoundException', 400],
  ['ecs', 'server-error', 'ServerException', 500],
  ['ssm', 'throttling', 'ThrottlingException', 400],
  ['ssm', 'access-denied', 'AccessDeniedException', 403],
  ['ssm', 'not-found', 'ParameterNotFound', 400],
  ['ssm', 'server-error', 'InternalServerError', 500],
  ['ce', 'throttling', 'ThrottlingException', 400],
  ['ce', 'access-denied', 'AccessDeniedException', 403],
  ['ce', 'not-found', 'DataUnavailableException', 400],
  ['ce', 'server-error', 'InternalFailure', 500],
  ['sns', 'throttling', 'ThrottledException', 429],
  ['sns', 'access-denied', 'AuthorizationErrorException', 403],
  ['sns', 'not-found', 'NotFoundException', 404],
  ['sns', 'server-error', 'InternalErrorException', 500],
  ['states', 'throttling', 'ThrottlingException', 400],
  ['states', 'access-denied', 'AccessDeniedException', 403],
  ['states', 'not-found', 'StateMachineDoesNotExist', 400],
  ['states', 'server-error', 'InternalFailure', 500],
  ['cloudwatch', 'throttling', 'Throttling', 400],
  ['cloudwatch', 'access-denied', 'AccessDenied', 403],
  ['cloudwatch', 'not-found', 'ResourceNotFoundException', 404],
  ['cloudwatch', 'server-error', 'InternalServiceFault', 500],
  ['events', 'throttling', 'ThrottlingException', 400],
  ['events', 'access-denied', 'AccessDeniedException', 400],
  ['events', 'not-found', 'ResourceNotFoundException', 400],
  ['events', 'server-error', 'InternalException', 500],
  ['s3', 'throttling', 'SlowDown', 503],
  ['s3', 'access-denied', 'AccessDenied', 403],
  ['s3', 'not-found', 'NoSuchBucket', 404],
  ['s3', 'server-error', 'InternalError', 500],
  ['secretsmanager', 'throttling', 'ThrottlingException', 400],
  ['secretsmanager', 'access-denied', 'AccessDeniedException', 400],
  ['secretsmanager', 'not-found', 'ResourceNotFoundException', 400],
  ['secretsmanager', 'server-error', 'InternalServiceError', 500],
  // A server fault in the service model (httpError 500), so the SDK's own retry rides it out as any other 5xx.
  ['application-autoscaling', 'throttling', 'ThrottlingException', 400],
  ['application-autoscaling', 'access-denied', 'AccessDeniedException', 400],
  ['application-autoscaling', 'not-found', 'ObjectNotFoundException', 400],
  ['application-autoscaling', 'server-error', 'InternalServiceException', 500],
];

test.each(EXPECTED)('%s %s is %s (%i)', async (service, error, name, status) => {
  const call = callOf(service);
  sandbox().injectFault({ service, operation: call.operation, error });

  const failure = await rejectionOf(call.send(sandbox()));

  expect(failure.name).toBe(name);
  expect(failure.$metadata?.httpStatusCode).toBe(status);
  expect(sandbox().calls.at(-1)?.error).toMatchObject({ injected: true, status });
});

test('RegisterScalableTarget answers a resource that is gone as AWS does: a ValidationException naming it (it declares no ObjectNotFoundException)', async () => {
  sandbox().injectFault({ service: 'application-autoscaling', operation: 'RegisterScalableTarget', error: 'not-found' });

  const failure = await rejectionOf(new ApplicationAutoScalingClient(clientConfig(sandbox())).send(new RegisterScalableTargetCommand({
    ServiceNamespace: 'ecs', ResourceId: WORKER_RESOURCE, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 4,
  })));

  expect([failure.name, failure.$metadata?.httpStatusCode, failure.message]).toEqual(['ValidationException', 400, `ECS service doesn't exist: ${WORKER_RESOURCE}`]);
});

test('a fault lasts for `times` matching calls, then the service answers again', async () => {
  sandbox().injectFault({ service: 'ssm', error: 'throttling', times: 2 });

  await expect(callOf('ssm').send(sandbox())).rejects.toThrow('Rate exceeded');
  await expect(callOf('ssm').send(sandbox())).rejects.toThrow('Rate exceeded');
  await expect(callOf('ssm').send(sandbox())).resolves.toBeDefined();
});

test('a fault on one operation leaves the service\'s other operations alone', async () => {
  sandbox().injectFault({ service: 'lambda', operation: 'PutFunctionConcurrency', error: 'access-denied' });

  await expect(callOf('lambda').send(sandbox())).resolves.toBeDefined();
  const denied = await rejectionOf(
    new LambdaClient(clientConfig(sandbox())).send(new PutFunctionConcurrencyCommand({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: 0 })),
  );
  expect(denied.message).toMatch(/is not authorized to perform: lambda:PutFunctionConcurrency on resource: arn:aws:lambda:sa-east-1:111122223333:function:cabruca-segmentation-prod-researcher-agent/);
  expect(sandbox().state.lambda.functions[RESEARCHER]?.reservedConcurrency).toBeNull();
});

test('the SDK\'s own retry rides out an injected throttle', async () => {
  sandbox().injectFault({ service: 'ecs', operation: 'UpdateService', error: 'throttling' });
  const ecs = new ECSClient({ ...clientConfig(sandbox()), maxAttempts: 2 });

  const out = await ecs.send(new UpdateServiceCommand({ cluster: ECS_CLUSTER, service: ADMIN_SERVICE, forceNewDeployment: true }));

  expect(out.$metadata.attempts).toBe(2);
  expect(sandbox().calls.map((c) => c.error?.code ?? 'ok')).toEqual(['ThrottlingException', 'ok']);
});

test('a timeout holds the request, then drops the connection: the SDK sees a TimeoutError', async () => {
  sandbox().injectFault({ service: 'sns', error: 'timeout', holdMs: 50 });

  const failure = await rejectionOf(callOf('sns').send(sandbox()));

  // Node's socket error comes from outside Jest's realm, so under Jest the SDK wraps it in a plain
  // Error ("AWS SDK error wrapper for TimeoutError: ..."); in Node it is named TimeoutError.
  expect(`${failure.name}: ${failure.message}`).toMatch(/TimeoutError/);
  expect(sandbox().published).toEqual([]);
  expect(sandbox().calls[0]?.error).toMatchObject({ code: 'TimeoutError', injected: true });
});

test('an applied-timeout applies the call, then drops the connection: the change is made, the SDK sees a TimeoutError', async () => {
  sandbox().injectFault({ service: 'lambda', operation: 'PutFunctionConcurrency', error: 'applied-timeout', holdMs: 50 });
  const lambda = new LambdaClient(clientConfig(sandbox()));

  const failure = await rejectionOf(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: RESEARCHER, ReservedConcurrentExecutions: 0 })));

  expect(`${failure.name}: ${failure.message}`).toMatch(/TimeoutError/);
  expect(sandbox().state.lambda.functions[RESEARCHER]?.reservedConcurrency).toBe(0);
  expect(sandbox().calls[0]?.error).toMatchObject({ code: 'TimeoutError', message: expect.stringContaining('the call was applied'), injected: true });
});

test('a fault on a service or operation the sandbox does not model is a mistake in the drill', () => {
  expect(() => sandbox().injectFault({ service: 'lambda', operation: 'UpdateFunctionCode', error: 'throttling' })).toThrow(
    'The sandbox does not model lambda:UpdateFunctionCode',
  );
  const unknown = JSON.parse('{"service":"kinesis","error":"throttling"}') as FaultSpec;
  expect(() => sandbox().injectFault(unknown)).toThrow('The sandbox does not model the kinesis service');
});
