import { cfnResolver, UnresolvableIntrinsic, type CfnTemplate } from './cfn-resolver';

const template: CfnTemplate = {
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
    Named: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: { 'Fn::Join': ['-', ['named', { Ref: 'AWS::Region' }]] } } },
    Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
    Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} },
    Table: { Type: 'AWS::DynamoDB::GlobalTable', Properties: {} },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/x' } },
    Param: { Type: 'AWS::SSM::Parameter', Properties: {} },
  },
};
const { resolve, arnOf } = cfnResolver(template, { partition: 'aws', region: 'sa-east-1', account: '123456789012', stackName: 'S' });

test.each<[string, unknown, unknown]>([
  ['pseudo parameters in a join', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':parameter/p']] }, 'arn:aws:ssm:sa-east-1:123456789012:parameter/p'],
  ['GetAtt Arn of an unnamed function', { 'Fn::GetAtt': ['Fn', 'Arn'] }, 'arn:aws:lambda:sa-east-1:123456789012:function:S-Fn'],
  ['GetAtt Arn of a named function (a name that is itself an intrinsic)', { 'Fn::GetAtt': ['Named', 'Arn'] }, 'arn:aws:lambda:sa-east-1:123456789012:function:named-sa-east-1'],
  ['GetAtt Arn of a log group', { 'Fn::GetAtt': ['Logs', 'Arn'] }, 'arn:aws:logs:sa-east-1:123456789012:log-group:/aws/x:*'],
  ['GetAtt Arn of a table', { 'Fn::GetAtt': ['Table', 'Arn'] }, 'arn:aws:dynamodb:sa-east-1:123456789012:table/S-Table'],
  ['Ref of a topic', { Ref: 'Topic' }, 'arn:aws:sns:sa-east-1:123456789012:S-Topic'],
  ['Ref of a state machine', { Ref: 'Machine' }, 'arn:aws:states:sa-east-1:123456789012:stateMachine:S-Machine'],
  ['a statement, condition included', { Effect: 'Allow', Resource: [{ Ref: 'Topic' }], Condition: { ArnEquals: { 'aws:SourceArn': { Ref: 'Machine' } } } },
    { Effect: 'Allow', Resource: ['arn:aws:sns:sa-east-1:123456789012:S-Topic'], Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:states:sa-east-1:123456789012:stateMachine:S-Machine' } } }],
])('resolves %s', (_name, value, expected) => {
  expect(resolve(value)).toEqual(expected);
});

test('arnOf resolves a resource as a policy naming it would', () => {
  expect(arnOf('Topic')).toBe(resolve({ Ref: 'Topic' }));
  expect(arnOf('Fn')).toBe(resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] }));
});

test.each<[string, unknown, RegExp]>([
  ['an unsupported intrinsic', { 'Fn::Sub': 'arn:${AWS::Partition}:x' }, /\$\.Resource: unsupported intrinsic Fn::Sub/],
  ['GetAtt of an attribute other than Arn', { 'Fn::GetAtt': ['Table', 'StreamArn'] }, /unsupported Fn::GetAtt/],
  ['GetAtt Arn of a type it has no rule for', { 'Fn::GetAtt': ['Param', 'Arn'] }, /no Fn::GetAtt Arn rule for AWS::SSM::Parameter/],
  ['Ref of a type whose Ref is not an ARN here', { Ref: 'Fn' }, /no Ref rule for AWS::Lambda::Function/],
  ['Ref of a resource not in the template', { Ref: 'Missing' }, /no resource "Missing"/],
  ['an unsupported pseudo parameter', { Ref: 'AWS::NotificationARNs' }, /unsupported pseudo parameter/],
  ['an intrinsic nested in a join', { 'Fn::Join': ['', ['a', { 'Fn::ImportValue': 'x' }]] }, /Fn::Join\[1\]: unsupported intrinsic Fn::ImportValue/],
])('fails loudly on %s', (_name, value, message) => {
  const attempt = () => resolve(value, '$.Resource');
  expect(attempt).toThrow(UnresolvableIntrinsic);
  expect(attempt).toThrow(message);
});
