import type { AwsError } from './aws-error';
import type { Input } from './input';
import type { DecodedCall, WireRequest, WireResponse } from './wire';
import type { AccountState, ServiceName } from './state';

export type Protocol = 'awsJson1_0' | 'awsJson1_1' | 'restJson1' | 'awsQuery' | 'restXml';

export type Output = Record<string, unknown>;

/**
 * `timeout`: the call is not applied and no answer comes. `applied-timeout`: the call is applied,
 * then no answer comes (the caller cannot tell it took effect, as after a lost response).
 */
export type FaultKind = 'throttling' | 'access-denied' | 'not-found' | 'server-error' | 'timeout' | 'applied-timeout';

/** One request as the sandbox saw it. */
export interface SandboxCall {
  readonly service: ServiceName;
  readonly operation: string;
  readonly input: Input;
  /** Epoch milliseconds on the sandbox clock. */
  readonly at: number;
  /** True when the operation changes a modelled resource. */
  readonly mutating: boolean;
  error?: { code: string; status: number; message: string; injected: boolean };
}

export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject: string | undefined;
  readonly message: string;
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

export interface SandboxHooks {
  /** Awaited before each call is applied (and before faults): inspect other state at that moment. */
  onCall?: (call: SandboxCall) => Promise<void> | void;
  /** Runs a new execution; without it the sandbox only records the execution as RUNNING. */
  onStartExecution?: (stateMachineArn: string, name: string, input: string) => Promise<StartedExecution>;
  /** A DynamoDB table as dynalite holds it, so alarms on its metrics can follow it (alarm-evaluation.ts). */
  describeTable?: (name: string) => Promise<{ billingMode: string; status: string } | undefined>;
  /** A waiting task's result arrived (SendTaskSuccess / SendTaskFailure): the drill resumes its execution. */
  onTaskResult?: (taskToken: string, result: TaskResult) => void;
  /** The sandbox clock (timestamps in answers, events and the call log); defaults to the wall clock. */
  now?: () => Date;
}

export interface FaultSpec {
  service: ServiceName;
  /** Any operation of the service when absent. */
  operation?: string;
  error: FaultKind;
  /** How many matching calls fail; 1 when absent. */
  times?: number;
  /** 'timeout', 'applied-timeout': how long the request hangs before the socket is closed; 250 ms when absent. */
  holdMs?: number;
}

/** What a service model may use while applying a call. */
export interface ServiceContext {
  readonly state: AccountState;
  readonly hooks: SandboxHooks;
  readonly published: PublishedMessage[];
  now(): Date;
  /** A deterministic id: 32 lowercase hex digits, distinct per call within one sandbox. */
  id(kind: string): string;
}

export interface Operation {
  readonly mutating: boolean;
  run(input: Input, ctx: ServiceContext): Output | undefined | Promise<Output | undefined>;
}

export interface RestRoute {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path template with {Label} segments, as in the API model. */
  readonly path: string;
  readonly operation: string;
  readonly status: number;
}

export interface ServiceModel {
  readonly service: ServiceName;
  readonly protocol: Protocol;
  /** JSON protocols: the X-Amz-Target prefix. */
  readonly target?: string;
  /** AWS Query: the response XML namespace. */
  readonly xmlNamespace?: string;
  /** JSON services that also send AWS Query error codes (x-amzn-query-error). */
  readonly queryCompatible?: boolean;
  readonly routes?: readonly RestRoute[];
  readonly operations: Readonly<Record<string, Operation>>;
  /** The error this service really answers with for an injected fault of this kind. */
  fault(kind: Exclude<FaultKind, 'timeout' | 'applied-timeout'>, operation: string, input: Input, ctx: ServiceContext): AwsError;
  /** The error for a request the service cannot parse or route. */
  unknownOperation(operation: string): AwsError;
  /** REST-XML services (S3) bring their own request routing and XML answers. */
  readonly codec?: {
    decode(req: WireRequest): DecodedCall;
    encodeOutput(operation: string, output: Output | undefined, status: number, requestId: string): WireResponse;
    encodeError(error: AwsError, requestId: string): WireResponse;
  };
}
