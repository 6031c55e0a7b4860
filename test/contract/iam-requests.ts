/**
 * A drill call as the IAM request it is in the account: the action, the one resource it names,
 * and the condition keys it carries. The drill's own resources (its ledger, topics, signing key,
 * state machines) stand for the stack's, whose ARNs the synthesized roles name.
 */
import type { AwsCallReceived } from '../../drill/drill';

export interface IamRequest {
  readonly action: string;
  /** One concrete ARN, or "*" for an action that takes no resource. */
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
}

export interface Scope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The drill's name or ARN of a system resource -> the stack's ARN of it (ledger, topics, secret, state machines). */
  readonly own: ReadonlyMap<string, string>;
}

/** One request, or one per resource for an operation IAM authorizes on each resource it names. */
type Mapper = (input: Readonly<Record<string, unknown>>, s: Scope) => IamRequest | IamRequest[];

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const first = (v: unknown) => (Array.isArray(v) ? text(v[0]) : text(v));
const arn = (s: Scope, service: string, resource: string) => `arn:${s.partition}:${service}:${s.region}:${s.account}:${resource}`;
const own = (s: Scope, name: string) => s.own.get(name) ?? name;
const fn = (s: Scope, name: string) => (name.startsWith('arn:') ? name : arn(s, 'lambda', `function:${name}`));
const table = (s: Scope, name: string) => own(s, arn(s, 'dynamodb', `table/${name}`));
const tableOf = (input: Readonly<Record<string, unknown>>) => text(input.TableName) || first(input.Tables);
const service = (s: Scope, cluster: string, name: string) => (name.startsWith('arn:') ? name : arn(s, 'ecs', `service/${cluster}/${name}`));
const secret = (s: Scope, name: string) => (name.startsWith('arn:') ? name : arn(s, 'secretsmanager', `secret:${name}-Ab12Cd`));
const gateway = (s: Scope, id: string) => (id.startsWith('arn:') ? id : arn(s, 'bedrock-agentcore', `gateway/${id}`));
const anywhere = (action: string): Mapper => () => ({ action, resource: '*' });

/** Per `service:Operation`: the request it is. A call missing here is named by the suite, so it can be added. */
const REQUESTS: Readonly<Record<string, Mapper>> = {
  'lambda:GetFunction': (i, s) => ({ action: 'lambda:GetFunction', resource: fn(s, text(i.FunctionName)) }),
  'lambda:PutFunctionConcurrency': (i, s) => ({ action: 'lambda:PutFunctionConcurrency', resource: fn(s, text(i.FunctionName)) }),
  'lambda:DeleteFunctionConcurrency': (i, s) => ({ action: 'lambda:DeleteFunctionConcurrency', resource: fn(s, text(i.FunctionName)) }),
  'lambda:GetPolicy': (i, s) => ({ action: 'lambda:GetPolicy', resource: fn(s, text(i.FunctionName)) }),
  'lambda:ListTags': (i) => ({ action: 'lambda:ListTags', resource: text(i.Resource) }),
  'lambda:ListEventSourceMappings': anywhere('lambda:ListEventSourceMappings'),
  // Alias and version calls are authorized on the (unqualified) function.
  'lambda:GetAlias': (i, s) => ({ action: 'lambda:GetAlias', resource: fn(s, text(i.FunctionName)) }),
  'lambda:UpdateAlias': (i, s) => ({ action: 'lambda:UpdateAlias', resource: fn(s, text(i.FunctionName)) }),
  'lambda:ListVersionsByFunction': (i, s) => ({ action: 'lambda:ListVersionsByFunction', resource: fn(s, text(i.FunctionName)) }),
  'lambda:GetFunctionConfiguration': (i, s) => ({ action: 'lambda:GetFunctionConfiguration', resource: fn(s, text(i.FunctionName)) }),
  'lambda:UpdateFunctionConfiguration': (i, s) => ({ action: 'lambda:UpdateFunctionConfiguration', resource: fn(s, text(i.FunctionName)) }),
  // https://sqs.REGION.amazonaws.com/ACCOUNT/NAME: the queue's ARN.
  'sqs:GetQueueAttributes': (i, s) => {
    const [account = '', name = ''] = text(i.QueueUrl).split('/').slice(-2);
    return { action: 'sqs:GetQueueAttributes', resource: `arn:${s.partition}:sqs:${s.region}:${account}:${name}` };
  },
  'logs:FilterLogEvents': (i, s) => ({ action: 'logs:FilterLogEvents', resource: arn(s, 'logs', `log-group:${text(i.logGroupName)}`) }),
  'dynamodb:ListBackups': anywhere('dynamodb:ListBackups'),
  'dynamodb:DescribeBackup': (i) => ({ action: 'dynamodb:DescribeBackup', resource: text(i.Arn) }),
  'dynamodb:ListTagsOfResource': (i) => ({ action: 'dynamodb:ListTagsOfResource', resource: text(i.Arn) }),
  'ecs:DescribeServices': (i, s) => ({ action: 'ecs:DescribeServices', resource: service(s, text(i.cluster), first(i.services)) }),
  'ecs:UpdateService': (i, s) => ({ action: 'ecs:UpdateService', resource: service(s, text(i.cluster), text(i.service)) }),
  // ListTasks is authorized on the cluster's container instances, scoped by the ecs:cluster condition key.
  'ecs:ListTasks': (i, s) => ({
    action: 'ecs:ListTasks', resource: arn(s, 'ecs', `container-instance/${text(i.cluster)}/0f1e2d3c4b5a`), context: { 'ecs:cluster': arn(s, 'ecs', `cluster/${text(i.cluster)}`) },
  }),
  'ecs:DescribeTasks': (i, s) => ({ action: 'ecs:DescribeTasks', resource: first(i.tasks).startsWith('arn:') ? first(i.tasks) : arn(s, 'ecs', `task/${text(i.cluster)}/${first(i.tasks)}`) }),
  'ecs:ListTagsForResource': (i) => ({ action: 'ecs:ListTagsForResource', resource: text(i.resourceArn) }),
  'ecs:ListServiceDeployments': (i, s) => ({ action: 'ecs:ListServiceDeployments', resource: service(s, text(i.cluster), text(i.service)) }),
  // Authorized on the deployment or revision ARN the call names (and its service).
  'ecs:DescribeServiceDeployments': (i) => ({ action: 'ecs:DescribeServiceDeployments', resource: first(i.serviceDeploymentArns) }),
  'ecs:DescribeServiceRevisions': (i) => ({ action: 'ecs:DescribeServiceRevisions', resource: first(i.serviceRevisionArns) }),
  'ecs:DescribeTaskDefinition': anywhere('ecs:DescribeTaskDefinition'),
  'application-autoscaling:DescribeScalableTargets': anywhere('application-autoscaling:DescribeScalableTargets'),
  // Authorized on the scalable target, whose ARN carries an id of AWS's own; the namespace and dimension are its condition keys.
  'application-autoscaling:RegisterScalableTarget': (i, s) => ({
    action: 'application-autoscaling:RegisterScalableTarget', resource: arn(s, 'application-autoscaling', 'scalable-target/0a1b2c3d4e5f60718293a4b5c6d7e8f9'),
    context: { 'application-autoscaling:service-namespace': text(i.ServiceNamespace), 'application-autoscaling:scalable-dimension': text(i.ScalableDimension) },
  }),
  'ssm:GetParameter': (i, s) => ({ action: 'ssm:GetParameter', resource: arn(s, 'ssm', `parameter${text(i.Name)}`) }),
  // Authorized on each name it reads.
  'ssm:GetParameters': (i, s) => (Array.isArray(i.Names) ? i.Names : []).map((n) => ({ action: 'ssm:GetParameters', resource: arn(s, 'ssm', `parameter${text(n)}`) })),
  // A SecureString put with a customer managed key is also the caller's kms:Encrypt on that key (the default aws/ssm key needs no grant).
  'ssm:PutParameter': (i, s) => [
    { action: 'ssm:PutParameter', resource: arn(s, 'ssm', `parameter${text(i.Name)}`) },
    ...(text(i.KeyId).startsWith('arn:') ? [{ action: 'kms:Encrypt', resource: text(i.KeyId) }] : []),
  ],
  'cloudwatch:DescribeAlarms': (i, s) => ({ action: 'cloudwatch:DescribeAlarms', resource: arn(s, 'cloudwatch', `alarm:${first(i.AlarmNames)}`) }),
  // A query of classic metrics names no resource (IAM reads the grant on "*"); the action's one resource type is an OTLP
  // dataset, so the evaluator is given one of those, which a grant on "*" covers as it covers the call.
  'cloudwatch:GetMetricData': (_i, s) => ({ action: 'cloudwatch:GetMetricData', resource: arn(s, 'cloudwatch', 'dataset/classic-metrics') }),
  'cloudwatch:ListTagsForResource': (i) => ({ action: 'cloudwatch:ListTagsForResource', resource: text(i.ResourceARN) }),
  'sns:Publish': (i, s) => ({ action: 'sns:Publish', resource: own(s, text(i.TopicArn)) }),
  'states:SendTaskSuccess': anywhere('states:SendTaskSuccess'),
  'states:SendTaskFailure': anywhere('states:SendTaskFailure'),
  'states:StartExecution': (i, s) => ({ action: 'states:StartExecution', resource: own(s, text(i.stateMachineArn)) }),
  'states:ListExecutions': (i, s) => ({ action: 'states:ListExecutions', resource: own(s, text(i.stateMachineArn)) }),
  'states:DescribeExecution': (i) => ({ action: 'states:DescribeExecution', resource: text(i.executionArn) }),
  'states:GetExecutionHistory': (i) => ({ action: 'states:GetExecutionHistory', resource: text(i.executionArn) }),
  'states:RedriveExecution': (i) => ({ action: 'states:RedriveExecution', resource: text(i.executionArn) }),
  'states:ListTagsForResource': (i, s) => ({ action: 'states:ListTagsForResource', resource: own(s, text(i.resourceArn)) }),
  // RDS reads are authorized on the instance, cluster or parameter group the call names (an identifier or its ARN).
  'rds:DescribeDBInstances': (i, s) => ({ action: 'rds:DescribeDBInstances', resource: text(i.DBInstanceIdentifier).startsWith('arn:') ? text(i.DBInstanceIdentifier) : arn(s, 'rds', `db:${text(i.DBInstanceIdentifier)}`) }),
  'rds:DescribeDBClusters': (i, s) => ({ action: 'rds:DescribeDBClusters', resource: text(i.DBClusterIdentifier).startsWith('arn:') ? text(i.DBClusterIdentifier) : arn(s, 'rds', `cluster:${text(i.DBClusterIdentifier)}`) }),
  'rds:DescribeDBParameters': (i, s) => ({ action: 'rds:DescribeDBParameters', resource: arn(s, 'rds', `pg:${text(i.DBParameterGroupName)}`) }),
  'events:ListRuleNamesByTarget': anywhere('events:ListRuleNamesByTarget'),
  'events:DescribeRule': (i, s) => ({
    action: 'events:DescribeRule', resource: arn(s, 'events', `rule/${!i.EventBusName || i.EventBusName === 'default' ? '' : `${text(i.EventBusName)}/`}${text(i.Name)}`),
  }),
  // The S3 action is named after the notification, not the API operation.
  // An object is authorized as <bucket ARN>/<key>: the drill's report bucket stands for the stack's.
  's3:PutObject': (i, s) => ({ action: 's3:PutObject', resource: `${own(s, `arn:aws:s3:::${text(i.Bucket)}`)}/${text(i.Key)}` }),
  's3:GetBucketNotificationConfiguration': (i) => ({
    action: 's3:GetBucketNotification', resource: `arn:aws:s3:::${text(i.Bucket)}`, context: { 's3:ResourceAccount': text(i.ExpectedBucketOwner) },
  }),
  // Seed 003 §3's reads of a bucket: two are authorized under other names (Service Authorization Reference).
  's3:GetBucketPolicy': (i) => ({ action: 's3:GetBucketPolicy', resource: `arn:aws:s3:::${text(i.Bucket)}` }),
  's3:GetPublicAccessBlock': (i) => ({ action: 's3:GetBucketPublicAccessBlock', resource: `arn:aws:s3:::${text(i.Bucket)}` }),
  's3:GetBucketEncryption': (i) => ({ action: 's3:GetEncryptionConfiguration', resource: `arn:aws:s3:::${text(i.Bucket)}` }),
  's3:GetBucketVersioning': (i) => ({ action: 's3:GetBucketVersioning', resource: `arn:aws:s3:::${text(i.Bucket)}` }),
  // A key named by its id is evaluated on its ARN.
  'kms:GetKeyPolicy': (i, s) => ({ action: 'kms:GetKeyPolicy', resource: text(i.KeyId).startsWith('arn:') ? text(i.KeyId) : arn(s, 'kms', `key/${text(i.KeyId)}`) }),
  // The simulator is authorized on the principal it simulates.
  'iam:SimulatePrincipalPolicy': (i) => ({ action: 'iam:SimulatePrincipalPolicy', resource: text(i.PolicySourceArn) }),
  // Access keys are authorized on their user (IAM is global: no region; the seed's users have the path /).
  'iam:ListAccessKeys': (i, s) => ({ action: 'iam:ListAccessKeys', resource: `arn:${s.partition}:iam::${s.account}:user/${text(i.UserName)}` }),
  'iam:UpdateAccessKey': (i, s) => ({ action: 'iam:UpdateAccessKey', resource: `arn:${s.partition}:iam::${s.account}:user/${text(i.UserName)}` }),
  // A gateway named by its id is evaluated on its ARN; UpdateGateway names the gateway's role again, which is passing it.
  'bedrock-agentcore:GetGateway': (i, s) => ({ action: 'bedrock-agentcore:GetGateway', resource: gateway(s, text(i.gatewayIdentifier)) }),
  'bedrock-agentcore:UpdateGateway': (i, s) => [
    { action: 'bedrock-agentcore:UpdateGateway', resource: gateway(s, text(i.gatewayIdentifier)) },
    { action: 'iam:PassRole', resource: text(i.roleArn), context: { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' } },
  ],
  // A new revision of a family (ECS numbers it): authorized on the family's revisions. Its tags are authorized as
  // TagResource on create, and the roles it names are passed to ECS tasks.
  'ecs:RegisterTaskDefinition': (i, s) => {
    // The revision ECS gives it is not in the request: any revision of the family stands for it.
    const family = arn(s, 'ecs', `task-definition/${text(i.family)}:1`);
    const roles = [text(i.taskRoleArn), text(i.executionRoleArn)].filter((r) => r !== '');
    return [
      { action: 'ecs:RegisterTaskDefinition', resource: family },
      ...(Array.isArray(i.tags) && i.tags.length > 0 ? [{ action: 'ecs:TagResource', resource: family, context: { 'ecs:CreateAction': 'RegisterTaskDefinition' } }] : []),
      ...roles.map((role) => ({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } })),
    ];
  },
  // A schedule is authorized on its ARN (schedule/GROUP/NAME); the group is the body's GroupName or the groupName query parameter.
  'scheduler:CreateSchedule': (i, s) => [
    { action: 'scheduler:CreateSchedule', resource: arn(s, 'scheduler', `schedule/${text(i.GroupName) || 'default'}/${text(i.Name)}`) },
    // The role the schedule names is passed to EventBridge Scheduler.
    { action: 'iam:PassRole', resource: text((i.Target as { RoleArn?: unknown } | undefined)?.RoleArn), context: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  ],
  'scheduler:GetSchedule': (i, s) => ({ action: 'scheduler:GetSchedule', resource: arn(s, 'scheduler', `schedule/${text(i.groupName) || text(i.GroupName) || 'default'}/${text(i.Name)}`) }),
  'scheduler:DeleteSchedule': (i, s) => ({ action: 'scheduler:DeleteSchedule', resource: arn(s, 'scheduler', `schedule/${text(i.groupName) || text(i.GroupName) || 'default'}/${text(i.Name)}`) }),
  // LookupEvents has no resource type.
  'cloudtrail:LookupEvents': anywhere('cloudtrail:LookupEvents'),
  // EC2's Describe actions have no resource-level permissions: "*" is their only resource.
  'ec2:DescribeInstanceStatus': anywhere('ec2:DescribeInstanceStatus'),
  'ec2:DescribeInstances': anywhere('ec2:DescribeInstances'),
  'ec2:DescribeRouteTables': anywhere('ec2:DescribeRouteTables'),
  // The primary billing view: what GetCostAndUsage reads when the call names no view.
  'ce:GetCostAndUsage': (_i, s) => ({ action: 'ce:GetCostAndUsage', resource: `arn:${s.partition}:billing::${s.account}:billingview/primary` }),
  // A secret named by its name is evaluated on its ARN, which ends in six random characters.
  'secretsmanager:GetSecretValue': (i, s) => ({ action: 'secretsmanager:GetSecretValue', resource: s.own.get(text(i.SecretId)) ?? secret(s, text(i.SecretId)) }),
};

/** DynamoDB operations on items and tables take the table's ARN. */
const TABLE_OPERATIONS = new Set(['DescribeTable', 'UpdateTable', 'Scan', 'Query', 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'CreateBackup', 'BatchGetItem', 'BatchWriteItem']);

/** The IAM requests of a call, or undefined when this file does not know the operation yet. */
export function iamRequests(call: AwsCallReceived, scope: Scope): IamRequest[] | undefined {
  const key = `${call.service}:${call.operation}`;
  if (call.service === 'dynamodb' && TABLE_OPERATIONS.has(call.operation)) return [{ action: key, resource: table(scope, tableOf(call.input)) }];
  const request = REQUESTS[key]?.(call.input, scope);
  return request === undefined ? undefined : [request].flat();
}

/** The resource a call is about, as the tag allowlist names a target (a function, a table, a "cluster/service"). */
export function targetOf(call: AwsCallReceived): string | undefined {
  const i = call.input;
  if (call.service === 'lambda') return text(i.FunctionName) || undefined;
  if (call.service === 'dynamodb') return tableOf(i) || undefined;
  if (call.service === 'ecs' && (i.services || i.service)) return `${text(i.cluster)}/${first(i.services) || text(i.service)}`;
  return undefined;
}
