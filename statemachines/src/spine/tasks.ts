/**
 * Tasks as every state machine here writes them: a Lambda invoke with the standard Retry, catchers
 * only for the outcomes the machine decides (a missing target escalates), and the notification
 * step (notify, escalate). A step that fails after its Retry fails the execution at that state, so
 * a redrive retries exactly that step; a machine may instead name a failure path to catch into.
 */
import type { Catcher, Fields, Json, Retrier, TaskState } from '../asl';

/** Service integrations, in the partition the stack deploys to (the drill fills "aws"). */
export const LAMBDA_INVOKE = 'arn:${Partition}:states:::lambda:invoke';
export const LAMBDA_INVOKE_WAIT_FOR_TOKEN = 'arn:${Partition}:states:::lambda:invoke.waitForTaskToken';
export const START_EXECUTION = 'arn:${Partition}:states:::states:startExecution';

/** Transient AWS errors: as the handlers classify them (AwsThrottled, AwsUnavailable) and as Lambda raises them. */
export const TRANSIENT: Retrier = {
  ErrorEquals: ['AwsThrottled', 'AwsUnavailable', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
  IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL',
};
/** A DynamoDB table still UPDATING (TableBusy): waited out with longer pauses. */
export const TABLE_BUSY: Retrier = { ErrorEquals: ['TableBusy'], IntervalSeconds: 20, MaxAttempts: 6, BackoffRate: 1.5, MaxDelaySeconds: 120, JitterStrategy: 'FULL' };

/** What every runbook step is told: its incident and its execution (and which run of it: 0, then 1 per redrive). */
export const INCIDENT = { 'incident.$': '$.admission.incident' };
export const EXECUTION = { execution: { 'id.$': '$$.Execution.Id', 'redriveCount.$': '$$.Execution.RedriveCount' } };

/** What a mutating step reports: the ledger's record of its call. */
export const ACTION_RESULT = ['operation', 'target', 'before', 'after', 'replayed', 'planned', 'parameters'];

/** `{ key: value }`, or `{ "key.$": value }` when the value is a path (`$...`) or an intrinsic (`States.Format(...)`). */
export function field(key: string, value: Json | undefined): Fields {
  if (value === undefined) return {};
  return typeof value === 'string' && /^(\$|States\.)/.test(value) ? { [`${key}.$`]: value } : { [key]: value };
}

/** A ResultSelector keeping these fields of the Lambda result's Payload. */
export const fromPayload = (names: readonly string[]): Fields => Object.fromEntries(names.map((n) => [`${n}.$`, `$.Payload.${n}`]));

export interface TaskOptions {
  readonly comment?: string;
  readonly payload?: Fields;
  /** The Payload fields to keep, or a ResultSelector as written. */
  readonly result?: readonly string[] | Fields;
  /** ResultPath. */
  readonly at?: string;
  /** The outcomes this step decides (e.g. a missing target escalates); tried before the machine's failure path, if it has one. */
  readonly catch?: readonly Catcher[];
  /** @default [TRANSIENT] */
  readonly retry?: readonly Retrier[];
  readonly next: string;
}

export interface NotifyOptions {
  readonly comment?: string;
  /** A path, an intrinsic, or fields. */
  readonly evidence?: string | Fields;
  readonly error?: string;
  /** The path of independent parts' records (spine/parts.ts): the notification names each part and its outcome. */
  readonly parts?: string;
  /** @default the end of the execution */
  readonly next?: string;
  /** Where to go when the notification cannot be sent. @default the machine's `failed` state, or none: the execution fails here */
  readonly unsent?: string;
  /**
   * Page the critical topic whatever the outcome: a remediation that leaves a human's work urgent
   * (a leaked key deactivated must still be rotated and its use reviewed). @default by the outcome
   */
  readonly critical?: boolean;
}

export type Outcome = 'remediated' | 'skipped' | 'rejected' | 'escalated' | 'failed';

export interface SpineOptions {
  /**
   * Where a step's failure goes after its retries.
   * @default none: the execution fails at that state with its error (the stack's execution-failure rule escalates it)
   */
  readonly failure?: string;
  /** Where a notification that cannot be sent goes. @default none: the execution fails at that state */
  readonly failed?: string;
  /** Notifications carry the switches admit read. @default true */
  readonly switches?: boolean;
}

const isNames = (result: readonly string[] | Fields): result is readonly string[] => Array.isArray(result);

/** One state machine's steps: the tasks and notifications, bound to its name and its failure path (if any). */
export class Spine {
  readonly failure: string | undefined;
  readonly failed: string | undefined;
  private readonly switches: boolean;

  constructor(readonly name: string, options: SpineOptions = {}) {
    this.failure = options.failure;
    this.failed = options.failed;
    this.switches = options.switches ?? true;
  }

  /** A catcher of these errors (the error kept at $.error). */
  readonly catches = (errors: readonly string[], next: string): Catcher => ({ ErrorEquals: errors, ResultPath: '$.error', Next: next });

  /** A Lambda task with the standard Retry, its own catchers and the machine's failure path (if any); its payload as given. */
  readonly task = (fn: string, o: TaskOptions): TaskState => {
    const extra = o.catch ?? [];
    const catchers = this.failure === undefined || extra.some((c) => c.ErrorEquals.includes('States.ALL')) ? extra : [...extra, this.catches(['States.ALL'], this.failure)];
    return {
      Type: 'Task',
      ...(o.comment ? { Comment: o.comment } : {}),
      Resource: LAMBDA_INVOKE,
      Parameters: { FunctionName: `\${${fn}}`, Payload: o.payload ?? {} },
      ...(o.result ? { ResultSelector: isNames(o.result) ? fromPayload(o.result) : o.result } : {}),
      ...(o.at ? { ResultPath: o.at } : {}),
      Retry: o.retry ?? [TRANSIENT],
      ...(catchers.length > 0 ? { Catch: catchers } : {}),
      Next: o.next,
    };
  };

  /** A runbook step: told its incident and execution, and `payload` besides. */
  readonly invoke = (fn: string, o: TaskOptions): TaskState => this.task(fn, { ...o, payload: { ...INCIDENT, ...EXECUTION, ...o.payload } });

  /** A mutating step: told whether this is a dry run; keeps the ledger's record of the call at `at`. */
  readonly mutation = (fn: string, o: TaskOptions): TaskState =>
    this.invoke(fn, { result: ACTION_RESULT, ...o, payload: { 'dryRun.$': '$.admission.dryRun', ...o.payload } });

  /** Records the outcome in the ledger and publishes it (critical or info topic). */
  readonly notify = (outcome: Outcome, reason: string, o: NotifyOptions = {}): TaskState => {
    const unsent = o.unsent ?? this.failed;
    return {
      Type: 'Task',
      ...(o.comment ? { Comment: o.comment } : {}),
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: '${NotifyFunctionArn}',
        Payload: {
          runbook: this.name, outcome, ...INCIDENT, ...(this.switches ? { 'switches.$': '$.admission.switches' } : {}), ...EXECUTION,
          ...field('reason', reason), ...field('evidence', o.evidence), ...field('error', o.error), ...field('parts', o.parts), ...(o.critical ? { topic: 'critical' } : {}),
        },
      },
      ResultSelector: fromPayload(['outcome', 'reason', 'topic']),
      ResultPath: '$.result',
      Retry: [TRANSIENT],
      ...(unsent !== undefined ? { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.notifyError', Next: unsent }] } : {}),
      ...(o.next ? { Next: o.next } : { End: true }),
    };
  };

  readonly escalate = (reason: string, o: NotifyOptions = {}): TaskState => this.notify('escalated', reason, o);
}
