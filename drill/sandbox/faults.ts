import { AwsError } from './aws-error';
import type { Input } from './input';
import type { FaultKind } from './model';
import type { AccountState } from './state';

/**
 * Injected faults: the shape of a fault-table row (the rows are in fault-table.ts), the error a row
 * gives for a call, and the one code path every fault takes (planFault), in the sandbox and in the
 * drill's DynamoDB proxy (drill/audit-proxy.ts) alike.
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

/** A service's row, or the sentence that says it has none (the checklist names such a service too). */
export function rowOf(service: string, faults: ServiceFaults | undefined): ServiceFaults {
  if (faults === undefined) throw new Error(`The sandbox has no fault-table entry for ${service} (drill/sandbox/fault-table.ts)`);
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

  /** Drops the faults not used up yet. */
  clear(): void {
    this.waiting.length = 0;
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
