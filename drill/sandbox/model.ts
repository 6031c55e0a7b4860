import type { IncomingHttpHeaders } from 'node:http';
import type { AwsError } from './aws-error';
import type { Input } from './input';
import type { AccountState } from './state';

/** What a service model is: its operations, and the wire it is reached over. */

export type Protocol = 'awsJson1_0' | 'awsJson1_1' | 'restJson1' | 'awsQuery' | 'ec2Query' | 'restXml';

export type Output = Record<string, unknown>;

/**
 * `timeout`: the call is not applied and no answer comes. `applied-timeout`: the call is applied,
 * then no answer comes (the caller cannot tell it took effect, as after a lost response).
 */
export type FaultKind = 'throttling' | 'access-denied' | 'not-found' | 'server-error' | 'timeout' | 'applied-timeout';

export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject: string | undefined;
  /** As published: with `MessageStructure: json`, the JSON object of a body per protocol (read one with `deliveredAs`). */
  readonly message: string;
  /** `json` when the message holds a body per protocol. */
  readonly messageStructure: 'json' | undefined;
  readonly messageAttributes: Readonly<Record<string, { dataType: string; value: string }>>;
  readonly messageGroupId: string | undefined;
  readonly messageDeduplicationId: string | undefined;
  readonly at: number;
}

export interface StartedExecution {
  executionArn: string;
  startDate: Date;
}

export type TaskResult = { kind: 'success'; output: string } | { kind: 'failure'; error: string; cause: string };

/** What the drill lends the models: the parts of the account the sandbox does not hold. */
export interface ModelHooks {
  /** Runs a new execution; without it the sandbox only records the execution as RUNNING. */
  onStartExecution?: (stateMachineArn: string, name: string, input: string) => Promise<StartedExecution>;
  /** A DynamoDB table as dynalite holds it, so alarms on its metrics can follow it (alarm-evaluation.ts). */
  describeTable?: (name: string) => Promise<{ billingMode: string; status: string } | undefined>;
  /** Redrives a closed execution (RedriveExecution accepted it): the drill runs it again from its failed state. */
  onRedriveExecution?: (executionArn: string, redriveCount: number) => Promise<void>;
  /** A waiting task's result arrived (SendTaskSuccess / SendTaskFailure): the drill resumes its execution. */
  onTaskResult?: (taskToken: string, result: TaskResult) => void;
}

/** What a service model may use while applying a call. */
export interface ServiceContext {
  readonly state: AccountState;
  readonly hooks: ModelHooks;
  readonly published: PublishedMessage[];
  now(): Date;
  /** A deterministic id: 32 lowercase hex digits, distinct per call within one sandbox. */
  id(kind: string): string;
}

export interface Operation {
  readonly mutating: boolean;
  /** The input as the call record keeps it, where AWS keeps a parameter out of CloudTrail (a secret's value). @default as sent */
  readonly recorded?: (input: Input) => Input;
  run(input: Input, ctx: ServiceContext): Output | undefined | Promise<Output | undefined>;
}

export interface RestRoute {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path template with {Label} segments, as in the API model. */
  readonly path: string;
  readonly operation: string;
  readonly status: number;
}

export interface WireRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface DecodedCall {
  readonly operation: string;
  readonly input: Input;
  /** Success status of a REST route (200 or 204). */
  readonly status: number;
}

/**
 * A service model. Its name, endpoint and fault answers are its line in registry.ts and its row in
 * fault-table.ts; the model says only how the service behaves and which wire it speaks.
 */
export interface ServiceModel {
  readonly protocol: Protocol;
  /** JSON protocols: the X-Amz-Target prefix. */
  readonly target?: string;
  /** AWS Query and EC2 Query: the response XML namespace. */
  readonly xmlNamespace?: string;
  /**
   * AWS Query: the element each list member is written as, by the list's name; `<member>` when
   * absent. RDS names them (`DBInstances: 'DBInstance'`); `'*'` sets the default (EC2's `item`).
   */
  readonly xmlListMembers?: Readonly<Record<string, string>>;
  /** JSON services that also send AWS Query error codes (x-amzn-query-error). */
  readonly queryCompatible?: boolean;
  readonly routes?: readonly RestRoute[];
  readonly operations: Readonly<Record<string, Operation>>;
  /** REST-XML services (S3) bring their own request routing and XML answers. */
  readonly codec?: {
    decode(req: WireRequest): DecodedCall;
    encodeOutput(operation: string, output: Output | undefined, status: number, requestId: string): WireResponse;
    encodeError(error: AwsError, requestId: string): WireResponse;
  };
}
