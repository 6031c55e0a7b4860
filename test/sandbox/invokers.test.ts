import { DescribeRuleCommand, EventBridgeClient, ListRuleNamesByTargetCommand } from '@aws-sdk/client-eventbridge';
import { GetPolicyCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { AGENT_QUEUE_BUCKET, RESEARCHER_RULES } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const sandbox = useSandbox();
const RESEARCHER = 'cabruca-segmentation-prod-researcher-agent';
const RESEARCHER_ARN = `arn:aws:lambda:sa-east-1:111122223333:function:${RESEARCHER}`;
const events = () => new EventBridgeClient(clientConfig(sandbox()));
const s3 = () => new S3Client(clientConfig(sandbox()));
const lambda = () => new LambdaClient(clientConfig(sandbox()));

describe('EventBridge', () => {
  test('ListRuleNamesByTarget names the rules on the default bus that target the function, whatever their state', async () => {
    const out = await events().send(new ListRuleNamesByTargetCommand({ TargetArn: RESEARCHER_ARN }));
    expect(out.RuleNames).toEqual([RESEARCHER_RULES.nightly, RESEARCHER_RULES.schedule]);
    const none = await events().send(new ListRuleNamesByTargetCommand({ TargetArn: `${RESEARCHER_ARN}-v2` }));
    expect(none.RuleNames).toEqual([]);
  });

  test('an unknown bus or rule is ResourceNotFoundException; a Limit out of range is a ValidationException', async () => {
    const bus = await rejectionOf(events().send(new ListRuleNamesByTargetCommand({ TargetArn: RESEARCHER_ARN, EventBusName: 'no-such-bus' })));
    expect({ name: bus.name, message: bus.message }).toEqual({ name: 'ResourceNotFoundException', message: 'Event bus no-such-bus does not exist.' });
    const rule = await rejectionOf(events().send(new DescribeRuleCommand({ Name: 'no-such-rule' })));
    expect(rule.name).toBe('ResourceNotFoundException');
    const limit = await rejectionOf(events().send(new ListRuleNamesByTargetCommand({ TargetArn: RESEARCHER_ARN, Limit: 101 })));
    expect(limit.name).toBe('ValidationException');
  });

  test('DescribeRule answers state, schedule and ARN', async () => {
    const out = await events().send(new DescribeRuleCommand({ Name: RESEARCHER_RULES.schedule }));
    expect(out).toMatchObject({
      Name: RESEARCHER_RULES.schedule, State: 'ENABLED', ScheduleExpression: 'rate(1 minute)', EventBusName: 'default',
      Arn: `arn:aws:events:sa-east-1:111122223333:rule/${RESEARCHER_RULES.schedule}`,
    });
  });
});

describe('Lambda resource policy and event source mappings', () => {
  test('GetPolicy answers the policy as JSON text; a function without one is a 404 ResourceNotFoundException', async () => {
    const out = await lambda().send(new GetPolicyCommand({ FunctionName: RESEARCHER }));
    const policy = JSON.parse(out.Policy!) as { Statement: { Principal: { Service: string }; Condition: Record<string, Record<string, string>> }[] };
    expect(policy.Statement.map((s) => s.Principal.Service)).toEqual(['s3.amazonaws.com', 'events.amazonaws.com']);
    expect(policy.Statement[0]!.Condition.ArnLike!['AWS:SourceArn']).toBe(`arn:aws:s3:::${AGENT_QUEUE_BUCKET}`);
    const none = await rejectionOf(lambda().send(new GetPolicyCommand({ FunctionName: 'cabruca-segmentation-prod-qa-agent' })));
    expect({ name: none.name, status: none.$metadata?.httpStatusCode }).toEqual({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('ListEventSourceMappings filters by function', async () => {
    expect((await lambda().send(new ListEventSourceMappingsCommand({ FunctionName: RESEARCHER }))).EventSourceMappings).toEqual([]);
    const out = await lambda().send(new ListEventSourceMappingsCommand({ FunctionName: 'cabruca-segmentation-prod-data_processor-agent' }));
    expect(out.EventSourceMappings).toEqual([expect.objectContaining({
      EventSourceArn: 'arn:aws:sqs:sa-east-1:111122223333:cabruca-segmentation-prod-agent-jobs', State: 'Enabled', BatchSize: 10,
    })]);
  });
});

describe('S3', () => {
  test('GetBucketNotificationConfiguration answers S3 XML that the SDK reads into LambdaFunctionConfigurations', async () => {
    const out = await s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: AGENT_QUEUE_BUCKET, ExpectedBucketOwner: '111122223333' }));
    expect(out.LambdaFunctionConfigurations).toEqual([{
      Id: 'researcher-uploads', LambdaFunctionArn: RESEARCHER_ARN, Events: ['s3:ObjectCreated:*'],
      Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
    }]);
  });

  test('an unknown bucket is NoSuchBucket (404); another owner than expected is AccessDenied (403)', async () => {
    const missing = await rejectionOf(s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: 'no-such-bucket-111' })));
    expect({ name: missing.name, status: missing.$metadata?.httpStatusCode }).toEqual({ name: 'NoSuchBucket', status: 404 });
    const foreign = await rejectionOf(s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: AGENT_QUEUE_BUCKET, ExpectedBucketOwner: '999988887777' })));
    expect({ name: foreign.name, status: foreign.$metadata?.httpStatusCode }).toEqual({ name: 'AccessDenied', status: 403 });
  });
});
