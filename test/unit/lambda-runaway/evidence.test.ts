import 'aws-sdk-client-mock-jest';
import { DescribeRuleCommand, EventBridgeClient, ListRuleNamesByTargetCommand, ResourceNotFoundException as BusNotFound } from '@aws-sdk/client-eventbridge';
import { GetPolicyCommand, LambdaClient, ListEventSourceMappingsCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { GetBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const events = mockClient(EventBridgeClient);
const s3 = mockClient(S3Client);
const lambda = mockClient(LambdaClient);
const FN = 'cabruca-segmentation-prod-researcher-agent';
const FN_ARN = `arn:aws:lambda:sa-east-1:111122223333:function:${FN}`;
type Evidence = { rules: unknown[]; buckets: unknown[]; eventSourceMappings: unknown[]; unavailable: string[]; summary: string };
let handler: (event: unknown, context: typeof lambdaContext) => Promise<Evidence>;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'sa-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT', FUNCTION_ARNS: JSON.stringify({ [FN]: FN_ARN }), EVENT_BUSES: JSON.stringify(['default', 'agents']),
  });
  handler = (await import('../../../runbooks/lambda-runaway/handlers/evidence')).handler as unknown as typeof handler;
});

beforeEach(() => {
  events.reset();
  s3.reset();
  lambda.reset();
});

const input = (target = FN) => ({ incident: incident({ target }), execution: { id: EXECUTION_ARN } });
const policy = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const s3Statement = (bucket?: string) => ({
  Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FN_ARN,
  ...(bucket ? { Condition: { ArnLike: { 'AWS:SourceArn': `arn:aws:s3:::${bucket}` } } } : {}),
});

function happyAccount() {
  events.on(ListRuleNamesByTargetCommand, { EventBusName: 'default' }).resolves({ RuleNames: ['poll'] });
  events.on(ListRuleNamesByTargetCommand, { EventBusName: 'agents' }).resolves({ RuleNames: ['on-upload'] });
  events.on(DescribeRuleCommand, { Name: 'poll' }).resolves({ Name: 'poll', State: 'ENABLED', ScheduleExpression: 'rate(1 minute)' });
  events.on(DescribeRuleCommand, { Name: 'on-upload' }).resolves({ Name: 'on-upload', State: 'DISABLED', EventPattern: '{"source":["aws.s3"]}' });
  lambda.on(GetPolicyCommand).resolves({ Policy: policy([s3Statement('agent-queue'), { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } }]) });
  s3.on(GetBucketNotificationConfigurationCommand).resolves({
    LambdaFunctionConfigurations: [
      { LambdaFunctionArn: FN_ARN, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } } },
      { LambdaFunctionArn: `${FN_ARN}-v2`, Events: ['s3:ObjectRemoved:*'] },
    ],
  });
  lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [{ EventSourceArn: 'arn:aws:sqs:sa-east-1:111122223333:jobs', State: 'Enabled', BatchSize: 10 }] });
}

test('asks each bus for the rules that target the function, reads the S3 principals of its policy and those buckets, and sums it up', async () => {
  happyAccount();

  const out = await handler(input(), lambdaContext);

  expect(events).toHaveReceivedCommandWith(ListRuleNamesByTargetCommand, { TargetArn: FN_ARN, EventBusName: 'default' });
  expect(events).toHaveReceivedCommandWith(ListRuleNamesByTargetCommand, { TargetArn: FN_ARN, EventBusName: 'agents' });
  expect(events).toHaveReceivedCommandWith(DescribeRuleCommand, { Name: 'on-upload', EventBusName: 'agents' });
  expect(lambda).toHaveReceivedCommandWith(GetPolicyCommand, { FunctionName: FN });
  expect(s3).toHaveReceivedCommandTimes(GetBucketNotificationConfigurationCommand, 1);
  expect(s3).toHaveReceivedCommandWith(GetBucketNotificationConfigurationCommand, { Bucket: 'agent-queue', ExpectedBucketOwner: '111122223333' });
  expect(lambda).toHaveReceivedCommandWith(ListEventSourceMappingsCommand, { FunctionName: FN });
  expect(out).toMatchObject({
    rules: [{ name: 'poll', eventBus: 'default', state: 'ENABLED', schedule: 'rate(1 minute)' }, { name: 'on-upload', eventBus: 'agents', state: 'DISABLED', pattern: '{"source":["aws.s3"]}' }],
    buckets: [{ bucket: 'agent-queue', events: ['s3:ObjectCreated:*'], prefix: 'uploads/' }],
    eventSourceMappings: [{ eventSourceArn: 'arn:aws:sqs:sa-east-1:111122223333:jobs', state: 'Enabled', batchSize: 10 }],
    unavailable: [],
  });
  expect(out.summary).toBe(
    'invoked by: rule poll (rate(1 minute), ENABLED); rule agents/on-upload (event pattern, DISABLED); s3://agent-queue s3:ObjectCreated:* prefix uploads/; event source arn:aws:sqs:sa-east-1:111122223333:jobs (Enabled)',
  );
});

test('a function without a resource policy (404) has no S3 invokers, and no bucket is read', async () => {
  happyAccount();
  lambda.on(GetPolicyCommand).rejects(new ResourceNotFoundException({ message: 'The resource you requested does not exist.', $metadata: { httpStatusCode: 404 } }));

  const out = await handler(input(), lambdaContext);

  expect(out.buckets).toEqual([]);
  expect(out.unavailable).toEqual([]);
  expect(s3).toHaveReceivedCommandTimes(GetBucketNotificationConfigurationCommand, 0);
});

test('what cannot be read (access denied, a missing bus) is reported as unavailable; the rest is still read', async () => {
  happyAccount();
  events.on(ListRuleNamesByTargetCommand, { EventBusName: 'agents' }).rejects(new BusNotFound({ message: 'Event bus agents does not exist.', $metadata: { httpStatusCode: 400 } }));
  s3.on(GetBucketNotificationConfigurationCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));

  const out = await handler(input(), lambdaContext);

  expect(out.rules).toEqual([expect.objectContaining({ name: 'poll' })]);
  expect(out.buckets).toEqual([]);
  expect(out.unavailable).toEqual([
    expect.stringMatching(/^EventBridge rules on agents: ResourceNotFoundException: Event bus agents does not exist/),
    expect.stringMatching(/^S3 notifications of agent-queue: AwsAccessDenied: .*AccessDenied: Access Denied/),
  ]);
  expect(out.summary).toMatch(/^invoked by: rule poll .*; evidence unavailable: EventBridge rules on agents/);
});

test('a policy that lets S3 invoke from any bucket is called out, since no bucket can be named', async () => {
  happyAccount();
  lambda.on(GetPolicyCommand).resolves({ Policy: policy([s3Statement()]) });

  const out = await handler(input(), lambdaContext);

  expect(s3).toHaveReceivedCommandTimes(GetBucketNotificationConfigurationCommand, 0);
  expect(out.unavailable).toEqual([expect.stringContaining('from any bucket (no AWS:SourceArn)')]);
});

test('throttling is thrown after every part was tried, so the state machine retries the step', async () => {
  happyAccount();
  lambda.on(ListEventSourceMappingsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } }));

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
  expect(events).toHaveReceivedCommandTimes(DescribeRuleCommand, 2);
});

test('a function that is not configured gets no call at all', async () => {
  const out = await handler(input('someone-elses-function'), lambdaContext);
  expect(out.unavailable).toEqual(['someone-elses-function is not a configured function']);
  expect([...events.calls(), ...s3.calls(), ...lambda.calls()]).toEqual([]);
});
