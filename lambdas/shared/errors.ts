/**
 * Errors a handler throws on purpose. Each sets `name`: Step Functions matches Retry and Catch on
 * the Lambda error type, which is this name. The state machines retry AwsThrottled and
 * AwsUnavailable, and catch the rest to escalate.
 */
export class InvalidInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInput';
  }
}

/** The configured target does not exist (deleted, renamed, wrong account or region). */
export class TargetNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetNotFound';
  }
}

/** The target is not in this environment's config: the app never touches it. */
export class TargetNotAllowed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetNotAllowed';
  }
}

/** AWS refused the change for a reason a retry will not fix (limits, validation). */
export class ChangeRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChangeRejected';
  }
}

/** A Lambda alias is not as it was read (PreconditionFailedException on its RevisionId): nothing was changed. */
export class AliasChanged extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AliasChanged';
  }
}

/** AWS is throttling us; retried with backoff by the state machine. */
export class AwsThrottled extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsThrottled';
  }
}

/** 5xx, timeout or network failure; retried by the state machine. */
export class AwsUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsUnavailable';
  }
}

/** The role may not make this call: a deployment problem, escalated, never retried. */
export class AwsAccessDenied extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsAccessDenied';
  }
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

const THROTTLING = /Throttl|TooManyRequests|RequestLimitExceeded|ProvisionedThroughputExceeded|SlowDown/;
const ACCESS_DENIED = /AccessDenied|AuthorizationError|UnauthorizedOperation|NotAuthorized/;
const UNAVAILABLE = /TimeoutError|ECONNRESET|ECONNREFUSED|EPIPE|ServiceUnavailable|InternalServerError|InternalFailure|ServiceException|ServerException/;

/**
 * Maps an AWS SDK error that no handler claimed into the error the state machine knows:
 * throttling and transient failures become retryable, access denied escalates, anything else
 * passes through unchanged (and is caught as States.ALL).
 */
export function classifyAwsError(error: unknown, doing: string): Error {
  if (!(error instanceof Error)) return new Error(`${doing}: ${String(error)}`);
  // Already one of ours (a client mapped it): classifying again would only repeat the message.
  if (error instanceof AwsThrottled || error instanceof AwsUnavailable || error instanceof AwsAccessDenied) return error;
  const e = error as Error & SdkErrorShape;
  const status = e.$metadata?.httpStatusCode ?? 0;
  const text = `${e.name}: ${e.message}`;
  if (e.$retryable?.throttling || THROTTLING.test(e.name)) return new AwsThrottled(`${doing}: ${text}`);
  if (ACCESS_DENIED.test(e.name) || status === 403) return new AwsAccessDenied(`${doing}: ${text}`);
  // Some SDK wrappers keep the cause only in the message ("... wrapper for TimeoutError: socket hang up").
  if (status >= 500 || UNAVAILABLE.test(text)) return new AwsUnavailable(`${doing}: ${text}`);
  return error;
}

/** The AWS error name, or '' when it is not an error. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

/**
 * Whether it is an AWS error of one of these names (the SDK's exception classes set `name` to the
 * error code): what the clients of lambdas/aws/ match on, as they load the SDK's classes only on first use.
 */
export function hasErrorName(error: unknown, ...names: readonly string[]): error is Error {
  return error instanceof Error && names.includes(error.name);
}

/** The table or one of its indexes is being created, updated or deleted; retried after a pause. */
export class TableBusy extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableBusy';
  }
}

/** DynamoDB refused the capacity-mode switch on a limit (switches per 24 h, concurrent table operations). */
export class SwitchLimitReached extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SwitchLimitReached';
  }
}

/** A restore found no finished change of this incident in the ledger: there is nothing recorded to put back. */
export class NothingToRestore extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToRestore';
  }
}

/** A gated step was invoked without an approved decision: it changes nothing. */
export class NotApproved extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotApproved';
  }
}

/**
 * A redriven step found its incident taken over by another execution, or being undone: it acts on
 * nothing (the execution fails again at that state, and the escalation says why).
 */
export class IncidentNotResumed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncidentNotResumed';
  }
}

/** Errors that say AWS refused the call (or never got it): a mutating call that ends so changed nothing. */
const REFUSALS = new Set([
  'AwsThrottled', 'AwsAccessDenied', 'TargetNotFound', 'TargetNotAllowed', 'ChangeRejected', 'TableBusy', 'SwitchLimitReached',
  'InvalidInput', 'NotApproved', 'NothingToRestore', 'IncidentNotResumed', 'AliasChanged',
]);
const partlyDone = new WeakSet<Error>();

/**
 * Marks an error raised after part of a multi-call change took effect (the third of five deletes
 * refused): the action's outcome is unknown, not failed, whatever the error says of the last call.
 */
export function afterPartOfTheChange<E extends Error>(error: E): E {
  partlyDone.add(error);
  return error;
}

/**
 * Whether a mutating call that ended in this error may have taken effect. A refusal (throttling,
 * access denied, not found, validation: any 4xx but a request timeout) did not; a timeout, a 5xx,
 * a dropped connection or anything unexplained may have, as may a multi-call change marked
 * afterPartOfTheChange.
 */
export function mayHaveTakenEffect(error: Error): boolean {
  if (partlyDone.has(error)) return true;
  if (REFUSALS.has(error.name)) return false;
  const status = (error as Error & SdkErrorShape).$metadata?.httpStatusCode ?? 0;
  return !(status >= 400 && status < 500 && status !== 408);
}
