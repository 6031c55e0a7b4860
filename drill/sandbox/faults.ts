import { AwsError } from './aws-error';
import type { Input } from './input';
import type { FaultKind } from './model';
import { arn, type AccountState } from './state';

/**
 * The fault table: per service, the error it really answers with for each injected fault kind (and
 * for a request no operation matches), as code, HTTP status and message. One code path applies a
 * fault to any call (planFault); the DynamoDB proxy (drill/audit-proxy.ts) uses the same rows.
 */

/** Faults answered with an error; `timeout` and `applied-timeout` answer nothing. */
export type InjectedError = Exclude<FaultKind, 'timeout' | 'applied-timeout'>;
export const INJECTED_ERRORS: readonly InjectedError[] = ['throttling', 'access-denied', 'not-found', 'server-error'];

export type Account = Pick<AccountState, 'accountId' | 'region'>;

/** The call a fault answers: what its messages may name. */
export interface FaultedCall {
  /** The service's registry name (its IAM action prefix). */
  readonly service: string;
  readonly operation: string;
  readonly input: Input;
  readonly account: Account;
}

type Text = string | ((call: FaultedCall) => string);
type Members = Readonly<Record<string, string | number>>;

export interface ErrorShape {
  /** Error shape name (JSON protocols) or error code (AWS Query, REST-XML). */
  readonly code: string;
  readonly status: number;
  readonly message: Text;
  /** Query-compatible JSON services (CloudWatch) also send the AWS Query code. */
  readonly queryCode?: string;
  /** The member carrying the message: most shapes say `message`, some `Message`. */
  readonly messageField?: 'message' | 'Message';
  /** Further members of the error shape (Lambda's Reason, S3's BucketName). */
  readonly fields?: Members | ((call: FaultedCall) => Members);
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FaultRow extends ErrorShape {
  /** Operations that answer this kind with another error (ECS UpdateService: ServiceNotFoundException). */
  readonly byOperation?: Readonly<Record<string, Partial<ErrorShape>>>;
}

export type ServiceFaults = Readonly<Record<InjectedError | 'unknown-operation', FaultRow>>;

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

const RATE_EXCEEDED = 'Rate exceeded';
const UNKNOWN_OPERATION: FaultRow = { code: 'UnknownOperationException', status: 400, message: (c) => `Unknown operation ${c.operation}` };
const INTERNAL_FAILURE = 'The request processing has failed because of an unknown error, exception or failure.';

const functionArn = (c: FaultedCall) => arn.lambdaFunction(c.account, member(c, 'FunctionName', '*'));
const stepFunctionsResource = (c: FaultedCall) => member(c, 'stateMachineArn', member(c, 'executionArn', '*'));
const alarmName = (c: FaultedCall) => {
  const resource = member(c, 'ResourceARN', '*');
  return resource.split(':alarm:')[1] ?? resource;
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
      },
    },
    'server-error': { code: 'ServerException', status: 500, message: 'Service Unavailable. Please try again later.' },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  ssm: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    'access-denied': { code: 'AccessDeniedException', status: 403, message: denied((c) => arn.ssmParameter(c.account, member(c, 'Name', '*'))) },
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
      byOperation: { DescribeExecution: { code: 'ExecutionDoesNotExist', message: (c) => `Execution Does Not Exist: '${stepFunctionsResource(c)}'` } },
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
      message: denied((c) => `arn:aws:s3:::${member(c, 'Bucket', '*')}`, (c) => `s3:${c.operation.replace(/Configuration$/, '')}`),
    },
    'not-found': {
      code: 'NoSuchBucket', status: 404, message: 'The specified bucket does not exist',
      fields: (c) => ({ BucketName: member(c, 'Bucket', '*') }),
    },
    'server-error': { code: 'InternalError', status: 500, message: 'We encountered an internal error. Please try again.' },
    'unknown-operation': { code: 'NotImplemented', status: 501, message: (c) => `Not implemented: ${c.operation}` },
  },
  secretsmanager: {
    throttling: { code: 'ThrottlingException', status: 400, message: RATE_EXCEEDED },
    'access-denied': { code: 'AccessDeniedException', status: 400, messageField: 'Message', message: denied((c) => member(c, 'SecretId', '*')) },
    'not-found': { code: 'ResourceNotFoundException', status: 400, messageField: 'Message', message: "Secrets Manager can't find the specified secret." },
    'server-error': { code: 'InternalServiceError', status: 500, messageField: 'Message', message: 'An error occurred on the server side.' },
    'unknown-operation': UNKNOWN_OPERATION,
  },
  dynamodb: DYNAMODB_FAULTS,
};

/** A service's row, or the sentence that says it has none (the checklist names such a service too). */
export function rowOf(service: string, faults: ServiceFaults | undefined): ServiceFaults {
  if (faults === undefined) throw new Error(`The sandbox has no fault-table entry for ${service} (drill/sandbox/faults.ts)`);
  return faults;
}

/** The error a service answers with for this kind of fault on this call, from its row. */
export function faultError(faults: ServiceFaults, kind: InjectedError | 'unknown-operation', call: FaultedCall): AwsError {
  const row = faults[kind];
  const shape: ErrorShape = { ...row, ...row.byOperation?.[call.operation] };
  const message = typeof shape.message === 'string' ? shape.message : shape.message(call);
  const fields = typeof shape.fields === 'function' ? shape.fields(call) : shape.fields;
  return new AwsError(shape.code, shape.status, message, {
    ...(shape.queryCode === undefined ? {} : { queryCode: shape.queryCode }),
    ...(shape.messageField === undefined ? {} : { messageField: shape.messageField }),
    ...(fields === undefined ? {} : { fields: { ...fields } }),
    ...(shape.headers === undefined ? {} : { headers: { ...shape.headers } }),
  });
}

/** An injected fault, as the sandbox and the DynamoDB proxy take it. */
export interface InjectedFault {
  /** Any operation of the service when absent. */
  readonly operation?: string;
  readonly error: FaultKind;
  /** How many matching calls fail; 1 when absent. */
  readonly times?: number;
  /** 'timeout', 'applied-timeout': how long the request hangs before the socket is closed; 250 ms when absent. */
  readonly holdMs?: number;
}

const DEFAULT_HOLD_MS = 250;

/** Injected faults waiting for their calls, in the order injected; each lasts `times` matching calls. */
export class FaultQueue<F extends InjectedFault> {
  private readonly waiting: { spec: F; remaining: number }[] = [];

  add(spec: F): void {
    this.waiting.push({ spec, remaining: spec.times ?? 1 });
  }

  /** The first fault waiting for this call (and accepted by `matches`), counted down; spent faults leave. */
  take(operation: string, matches: (spec: F) => boolean = () => true): F | undefined {
    const found = this.waiting.find((f) => f.remaining > 0 && (f.spec.operation ?? operation) === operation && matches(f.spec));
    if (found === undefined) return undefined;
    found.remaining -= 1;
    if (found.remaining === 0) this.waiting.splice(this.waiting.indexOf(found), 1);
    return found.spec;
  }
}

/** What a fault does to a call: nothing, an error answer instead of the call, or no answer at all. */
export type FaultPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'error'; readonly error: AwsError }
  /** Close the connection after holdMs without answering; `apply`: the call is applied first. */
  | { readonly kind: 'hang-up'; readonly apply: boolean; readonly holdMs: number };

/**
 * The one code path of an injected fault, for every service: an error kind answers the service's
 * error from its row before the call is applied; `timeout` applies nothing and answers nothing;
 * `applied-timeout` applies the call, then answers nothing.
 */
export function planFault(fault: InjectedFault | undefined, faults: ServiceFaults | undefined, call: FaultedCall): FaultPlan {
  if (fault === undefined) return { kind: 'none' };
  const holdMs = fault.holdMs ?? DEFAULT_HOLD_MS;
  switch (fault.error) {
    case 'timeout':
      return { kind: 'hang-up', apply: false, holdMs };
    case 'applied-timeout':
      return { kind: 'hang-up', apply: true, holdMs };
    default:
      return { kind: 'error', error: faultError(rowOf(call.service, faults), fault.error, call) };
  }
}
