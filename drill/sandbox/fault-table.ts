import type { Account, FaultedCall, FaultRow, ServiceFaults } from './faults';
import { arn } from './state';

/**
 * The fault table: per service, the error it really answers with for each injected fault kind and
 * for a request no operation matches (code, HTTP status, message), from its API reference.
 */

/** The role the drill's handlers act as; named in access-denied messages. */
export const DRILL_PRINCIPAL_ROLE = 'runbook-autopilot-drill';

/** IAM's wording when no policy allows an action. */
export function accessDeniedMessage(account: Account, action: string, resource: string): string {
  const principal = `arn:aws:sts::${account.accountId}:assumed-role/${DRILL_PRINCIPAL_ROLE}/drill`;
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
}

/** An access-denied message naming the call's resource and IAM action (SERVICE:Operation unless given). */
function denied(resource: (call: FaultedCall) => string, action = (call: FaultedCall) => `${call.service}:${call.operation}`) {
  return (call: FaultedCall) => accessDeniedMessage(call.account, action(call), resource(call));
}

/** A request member as text, or the fallback when the request has none. */
const member = (call: FaultedCall, name: string, fallback: string): string => {
  const value = call.input[name];
  return typeof value === 'string' ? value : fallback;
};

/** The first entry of a list member, or the fallback. */
const firstOf = (call: FaultedCall, name: string, fallback: string): string => {
  const value = call.input[name];
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : fallback;
};

const RATE_EXCEEDED = 'Rate exceeded';
const UNKNOWN_OPERATION: FaultRow = { code: 'UnknownOperationException', status: 400, message: (c) => `Unknown operation ${c.operation}` };
const INTERNAL_FAILURE = 'The request processing has failed because of an unknown error, exception or failure.';

const functionArn = (c: FaultedCall) => arn.lambdaFunction(c.account, member(c, 'FunctionName', '*'));
const stepFunctionsResource = (c: FaultedCall) => member(c, 'stateMachineArn', member(c, 'executionArn', member(c, 'resourceArn', '*')));
const alarmName = (c: FaultedCall) => {
  const resource = member(c, 'ResourceARN', '*');
  return resource.split(':alarm:')[1] ?? resource;
};

/** S3 operations whose IAM action has another name (Service Authorization Reference). */
const S3_ACTIONS: Readonly<Record<string, string>> = {
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock', GetBucketEncryption: 's3:GetEncryptionConfiguration',
};

/** DynamoDB is dynalite here; the drill's proxy in front of it injects these (drill/audit-proxy.ts). */
export const DYNAMODB_FAULTS: ServiceFaults = {
  throttling: { code: 'ThrottlingException', status: 400, message: 'Rate of requests exceeds the allowed throughput.' },
  'access-denied': { code: 'AccessDeniedException', status: 400, message: 'User is not authorized to perform this action' },
  'not-found': {
    code: 'ResourceNotFoundException', status: 400, message: 'Requested resource not found',
    byOperation: {
      CreateBackup: { code: 'TableNotFoundException', message: 'Table not found' },
      DescribeBackup: { code: 'BackupNotFoundException', message: 'Backup not found' },
    },
  },
  'server-error': { code: 'InternalServerError', status: 500, message: 'Internal server error' },
  'unknown-operation': UNKNOWN_OPERATION,
};

/**
 * Rows keyed by registry name (registry.ts), plus `dynamodb` for the drill's DynamoDB proxy. Typed
 * by string so that a service registered without its row is caught by the sandbox checklist
 * (test/sandbox/checklist.test.ts) with a sentence, not only by the compiler.
 */
export const FAULTS: Readonly<Record<string, ServiceFaults>> = {
  lambda: {
    throttling: {
      code: 'TooManyRequestsException', status: 429, message: RATE_EXCEEDED,
      fields: { Reason: 'CallerRateLimitExceeded' }, headers: { 'retry-after': '1' },
    },
    'access-denied': { code: 'AccessDeniedException', status: 403, messageField: 'Message', message: denied(functionArn) },
    'not-found': { code: 'ResourceNotFoundException', status: 404, messageField: 'Message', message: (c) => `Function not found: ${functionArn(c)}` },
    'server-error': { code: 'ServiceException', status: 500, messageField: 'Message', message: 'An internal service error has occurred.' },
    'unknown-operation': { ...UNKNOWN_OPERATION, status: 404 },
  },
  ecs: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    'access-denied': {
      code: 'AccessDeniedException', status: 403,
      message: denied((c) => {
        const cluster = member(c, 'cluster', 'default');
        return typeof c.input.service === 'string' ? arn.ecsService(c.account, cluster, c.input.service) : arn.ecsCluster(c.account, cluster);
      }),
    },
    'not-found': {
      code: 'ClusterNotFoundException', status: 400, message: 'Cluster not found.',
      byOperation: {
        UpdateService: { code: 'ServiceNotFoundException', message: 'Service not found.' },
        ListTasks: { code: 'ServiceNotFoundException', message: 'Service not found.' },
        // A task definition ECS does not have (its API reference: ClientException).
        DescribeTaskDefinition: { code: 'ClientException', message: 'Unable to describe task definition.' },
      },
    },
    'server-error': { code: 'ServerException', status: 500, message: 'Service Unavailable. Please try again later.' },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  ssm: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    // GetParameters is refused on the first name the caller may not read.
    'access-denied': { code: 'AccessDeniedException', status: 403, message: denied((c) => arn.ssmParameter(c.account, member(c, 'Name', firstOf(c, 'Names', '*')))) },
    'not-found': { code: 'ParameterNotFound', status: 400, message: "The parameter couldn't be found. Verify the name and try again." },
    'server-error': { code: 'InternalServerError', status: 500, message: 'An error occurred on the server side.' },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  ce: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    'access-denied': { code: 'AccessDeniedException', status: 403, message: denied((c) => `arn:aws:ce:us-east-1:${c.account.accountId}:/${c.operation}`) },
    'not-found': { code: 'DataUnavailableException', status: 400, message: 'Data is not available. Please try to adjust the time period.' },
    'server-error': { code: 'InternalFailure', status: 500, message: INTERNAL_FAILURE },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  sns: {
    throttling: { code: 'Throttled', status: 429, message: RATE_EXCEEDED },
    'access-denied': {
      code: 'AuthorizationError', status: 403,
      message: denied((c) => member(c, 'TopicArn', `arn:aws:sns:${c.account.region}:${c.account.accountId}:*`), (c) => `SNS:${c.operation}`),
    },
    'not-found': { code: 'NotFound', status: 404, message: 'Topic does not exist' },
    'server-error': { code: 'InternalError', status: 500, message: 'Internal Error' },
    'unknown-operation': {
      code: 'InvalidAction', status: 400,
      message: (c) => `The action or operation requested is invalid. Verify that the action is typed correctly. (${c.operation})`,
    },
  },
  states: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    'access-denied': { code: 'AccessDeniedException', status: 403, message: denied(stepFunctionsResource) },
    'not-found': {
      code: 'StateMachineDoesNotExist', status: 400, message: (c) => `State Machine Does Not Exist: '${stepFunctionsResource(c)}'`,
      byOperation: {
        ...Object.fromEntries(['DescribeExecution', 'GetExecutionHistory', 'RedriveExecution'].map((operation) => [operation, {
          code: 'ExecutionDoesNotExist', message: (c: FaultedCall) => `Execution Does Not Exist: '${stepFunctionsResource(c)}'`,
        }])),
        ListTagsForResource: { code: 'ResourceNotFound', message: (c: FaultedCall) => `Resource not found: '${stepFunctionsResource(c)}'` },
      },
    },
    'server-error': { code: 'InternalFailure', status: 500, message: INTERNAL_FAILURE },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  cloudwatch: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED, queryCode: 'Throttling' },
    'access-denied': {
      code: 'AccessDeniedException', status: 403, queryCode: 'AccessDenied',
      message: denied((c) => member(c, 'ResourceARN', arn.alarm(c.account, '*'))),
    },
    'not-found': {
      code: 'ResourceNotFoundException', status: 404, messageField: 'Message', message: (c) => `Alarm ${alarmName(c)} does not exist.`,
      fields: (c) => ({ ResourceType: 'Alarm', ResourceId: alarmName(c) }),
    },
    'server-error': { code: 'InternalServiceFault', status: 500, queryCode: 'InternalServiceError', messageField: 'Message', message: 'Internal service error.' },
    'unknown-operation': { ...UNKNOWN_OPERATION, queryCode: 'InvalidAction' },
  },
  events: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    'access-denied': { code: 'AccessDeniedException', status: 400, message: denied((c) => arn.eventRule(c.account, 'default', member(c, 'Name', '*'))) },
    'not-found': { code: 'ResourceNotFoundException', status: 400, message: (c) => `Event bus ${member(c, 'EventBusName', 'default')} does not exist.` },
    'server-error': { code: 'InternalException', status: 500, message: 'Internal error' },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  s3: {
    throttling: { code: 'SlowDown', status: 503, message: 'Please reduce your request rate.' },
    'access-denied': {
      code: 'AccessDenied', status: 403,
      // S3's IAM actions are not named after its operations.
      message: denied((c) => `arn:aws:s3:::${member(c, 'Bucket', '*')}`, (c) => S3_ACTIONS[c.operation] ?? `s3:${c.operation.replace(/Configuration$/, '')}`),
    },
    'not-found': {
      code: 'NoSuchBucket', status: 404, message: 'The specified bucket does not exist',
      fields: (c) => ({ BucketName: member(c, 'Bucket', '*') }),
    },
    'server-error': { code: 'InternalError', status: 500, message: 'We encountered an internal error. Please try again.' },
    'unknown-operation': { code: 'NotImplemented', status: 501, message: (c) => `Not implemented: ${c.operation}` },
  },
  kms: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    'access-denied': { code: 'AccessDeniedException', status: 400, message: denied((c) => member(c, 'KeyId', '*')) },
    'not-found': { code: 'NotFoundException', status: 400, message: (c) => `Key '${member(c, 'KeyId', '*')}' does not exist` },
    'server-error': { code: 'KMSInternalException', status: 500, message: 'An internal error occurred.' },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  // AWS Query: the error code is the shape's (NoSuchEntity, ServiceFailure), as IAM's API reference lists them.
  iam: {
    throttling: { code: 'Throttling', status: 400, message: RATE_EXCEEDED },
    'access-denied': {
      code: 'AccessDenied', status: 403,
      message: denied((c) => (typeof c.input.UserName === 'string' ? `arn:aws:iam::${c.account.accountId}:user/${c.input.UserName}` : member(c, 'PolicySourceArn', '*'))),
    },
    'not-found': {
      code: 'NoSuchEntity', status: 404,
      message: (c) => (typeof c.input.UserName === 'string'
        ? `The user with name ${c.input.UserName} cannot be found.`
        : `The role with name ${member(c, 'PolicySourceArn', '*').split('/').at(-1) ?? '*'} cannot be found.`),
    },
    'server-error': { code: 'ServiceFailure', status: 500, message: 'The request processing has failed because of an unknown error, exception or failure.' },
    'unknown-operation': { ...UNKNOWN_OPERATION, code: 'InvalidAction', status: 400 },
  },
  // JSON 1.1. LookupEvents has no resource and answers no not-found: the nearest is an unknown trail.
  cloudtrail: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    'access-denied': { code: 'AccessDeniedException', status: 400, message: denied(() => '*') },
    'not-found': { code: 'TrailNotFoundException', status: 400, message: (c) => `Unknown trail: default for the user: ${c.account.accountId}` },
    'server-error': { code: 'InternalServerException', status: 500, message: INTERNAL_FAILURE },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  secretsmanager: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    'access-denied': { code: 'AccessDeniedException', status: 400, messageField: 'Message', message: denied((c) => member(c, 'SecretId', '*')) },
    'not-found': { code: 'ResourceNotFoundException', status: 400, messageField: 'Message', message: "Secrets Manager can't find the specified secret." },
    'server-error': { code: 'InternalServiceError', status: 500, messageField: 'Message', message: 'An error occurred on the server side.' },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  sqs: {
    throttling: { code: 'RequestThrottled', status: 400, message: RATE_EXCEEDED, queryCode: 'RequestThrottled' },
    'access-denied': {
      code: 'AccessDeniedException', status: 403, queryCode: 'AccessDenied',
      message: denied((c) => member(c, 'QueueUrl', '*').replace(/^https?:\/\/[^/]+\/(\d{12})\/(.+)$/, `arn:aws:sqs:${c.account.region}:$1:$2`)),
    },
    'not-found': { code: 'QueueDoesNotExist', status: 400, queryCode: 'AWS.SimpleQueueService.NonExistentQueue', message: 'The specified queue does not exist.' },
    'server-error': { code: 'InternalError', status: 500, queryCode: 'InternalError', message: 'We encountered an internal error. Please try again.' },
    'unknown-operation': { ...UNKNOWN_OPERATION, queryCode: 'InvalidAction' },
  },
  logs: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    'access-denied': {
      code: 'AccessDeniedException', status: 400,
      message: denied((c) => `arn:aws:logs:${c.account.region}:${c.account.accountId}:log-group:${member(c, 'logGroupName', '*')}:*`),
    },
    'not-found': { code: 'ResourceNotFoundException', status: 400, message: 'The specified log group does not exist.' },
    'server-error': { code: 'ServiceUnavailableException', status: 500, message: 'The service cannot complete the request.' },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  // Client errors are HTTP 400; InternalServiceException is a server fault, HTTP 500 (the service model the SDK ships).
  'bedrock-agentcore': {
    throttling: { code: 'ThrottlingException', status: 429, message: RATE_EXCEEDED },
    'access-denied': {
      code: 'AccessDeniedException', status: 403,
      message: denied((c) => `arn:aws:bedrock-agentcore:${c.account.region}:${c.account.accountId}:gateway/${member(c, 'gatewayIdentifier', '*')}`),
    },
    'not-found': { code: 'ResourceNotFoundException', status: 404, message: (c) => `Gateway not found: ${member(c, 'gatewayIdentifier', '*')}` },
    'server-error': { code: 'InternalServerException', status: 500, message: INTERNAL_FAILURE },
    'unknown-operation': { ...UNKNOWN_OPERATION, status: 404 },
  },
  'application-autoscaling': {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    'access-denied': {
      code: 'AccessDeniedException', status: 400,
      message: denied((c) => `arn:aws:application-autoscaling:${c.account.region}:${c.account.accountId}:scalable-target/*`),
    },
    'not-found': {
      code: 'ObjectNotFoundException', status: 400,
      message: (c) => `No scalable target registered for service namespace: ${member(c, 'ServiceNamespace', 'ecs')}, resource ID: ${member(c, 'ResourceId', '*')}, scalable dimension: ${member(c, 'ScalableDimension', '*')}`,
      // RegisterScalableTarget declares no ObjectNotFoundException: a resource that is gone is a ValidationException naming it.
      byOperation: { RegisterScalableTarget: { code: 'ValidationException', message: (c) => `ECS service doesn't exist: ${member(c, 'ResourceId', '*')}` } },
    },
    'server-error': { code: 'InternalServiceException', status: 500, message: 'The service encountered an internal error.' },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  // AWS Query: each not-found is the fault of the resource the operation names (the RDS API reference's Errors).
  rds: {
    throttling: { code: 'Throttling', status: 400, message: RATE_EXCEEDED },
    'access-denied': {
      code: 'AccessDenied', status: 403,
      message: denied((c) => {
        if (typeof c.input.DBClusterIdentifier === 'string') return arn.rdsCluster(c.account, c.input.DBClusterIdentifier);
        if (typeof c.input.DBParameterGroupName === 'string') return arn.rdsParameterGroup(c.account, c.input.DBParameterGroupName);
        return arn.rdsInstance(c.account, member(c, 'DBInstanceIdentifier', '*'));
      }),
    },
    'not-found': {
      code: 'DBInstanceNotFound', status: 404, message: (c) => `DBInstance ${member(c, 'DBInstanceIdentifier', '*')} not found.`,
      byOperation: {
        DescribeDBClusters: { code: 'DBClusterNotFoundFault', message: (c: FaultedCall) => `DBCluster ${member(c, 'DBClusterIdentifier', '*')} not found.` },
        DescribeDBParameters: { code: 'DBParameterGroupNotFound', message: (c: FaultedCall) => `DBParameterGroup not found: ${member(c, 'DBParameterGroupName', '*')}` },
      },
    },
    'server-error': { code: 'InternalFailure', status: 500, message: INTERNAL_FAILURE },
    'unknown-operation': { code: 'InvalidAction', status: 400, message: (c) => `Could not find operation ${c.operation} for version 2014-10-31` },
  },
  // EC2 Query: throttling is 503 RequestLimitExceeded; Describe* name no resource, so access denied names none. The wire names a list
  // member singular (InstanceId.1), the SDK's input plural (InstanceIds): a message reads either.
  ec2: {
    throttling: { code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' },
    'access-denied': {
      code: 'UnauthorizedOperation', status: 403,
      message: (c) => `You are not authorized to perform this operation. User: arn:aws:sts::${c.account.accountId}:assumed-role/${DRILL_PRINCIPAL_ROLE}/drill is not authorized to perform: ec2:${c.operation} because no identity-based policy allows the ec2:${c.operation} action`,
    },
    'not-found': {
      code: 'InvalidInstanceID.NotFound', status: 400, message: (c) => `The instance ID '${firstOf(c, 'InstanceId', firstOf(c, 'InstanceIds', 'i-00000000000000000'))}' does not exist`,
      byOperation: { DescribeRouteTables: { code: 'InvalidRouteTableID.NotFound', message: (c: FaultedCall) => `The routeTable ID '${firstOf(c, 'RouteTableId', firstOf(c, 'RouteTableIds', 'rtb-00000000000000000'))}' does not exist` } },
    },
    'server-error': { code: 'InternalError', status: 500, message: 'An internal error has occurred' },
    'unknown-operation': { code: 'InvalidAction', status: 400, message: (c) => `The action ${c.operation} is not valid for this web service.` },
  },
  // REST-JSON; the exceptions carry `Message` (the Scheduler API reference's Errors).
  scheduler: {
    throttling: { code: 'ThrottlingException', status: 429, messageField: 'Message', message: RATE_EXCEEDED },
    'access-denied': {
      code: 'AccessDeniedException', status: 403, messageField: 'Message',
      message: denied((c) => `arn:aws:scheduler:${c.account.region}:${c.account.accountId}:schedule/${member(c, 'GroupName', member(c, 'groupName', 'default'))}/${member(c, 'Name', '*')}`),
    },
    'not-found': { code: 'ResourceNotFoundException', status: 404, messageField: 'Message', message: (c) => `Schedule ${member(c, 'Name', '*')} does not exist.` },
    'server-error': { code: 'InternalServerException', status: 500, messageField: 'Message', message: 'Unexpected error during processing of request.' },
    'unknown-operation': { ...UNKNOWN_OPERATION, status: 404 },
  },
  dynamodb: DYNAMODB_FAULTS,
};
