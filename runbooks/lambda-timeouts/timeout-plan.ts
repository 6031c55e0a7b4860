/**
 * lambda-timeouts' decision (seed 004 "Lambda Timeouts: increase timeout"): whether to raise a
 * function's timeout, and to what. Pure. The value is absolute: the configured baseline plus one
 * step, capped by the ceiling, so a retry or a re-fired alarm finds it already set and never
 * ratchets it further; it never lowers a timeout, and never reaches an SQS source's visibility
 * timeout (a message would become visible again while the function still works on it).
 */
import * as z from '../../lambdas/shared/zod';

/** What config says of one function (the handlers' TIMEOUT_POLICIES, by function name). */
export const timeoutPolicySchema = z.strictObject({
  /** The timeout the function is deployed with: the alarm's threshold is 80% of it. */
  baselineSeconds: z.int().check(z.gte(1), z.lte(900)),
  /** The one raise the runbook makes: min(baseline + step, ceiling). */
  targetSeconds: z.int().check(z.gte(1), z.lte(900)),
  ceilingSeconds: z.int().check(z.gte(1), z.lte(900)),
});
export type TimeoutPolicy = z.infer<typeof timeoutPolicySchema>;
export const timeoutPoliciesSchema = z.record(z.string(), timeoutPolicySchema);

/** The timeout the runbook raises to: the baseline plus one step, never past the ceiling. */
export const targetTimeout = (baselineSeconds: number, stepSeconds: number, ceilingSeconds: number): number =>
  Math.min(baselineSeconds + stepSeconds, ceilingSeconds);

/** An SQS event source names a queue that does not exist: the limit a raise must stay below cannot be read. */
export class EventSourceNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventSourceNotFound';
  }
}

/** An SQS queue that invokes the function, with its visibility timeout (null: the queue does not exist). */
export interface QueueLimit {
  readonly queueArn: string;
  readonly visibilityTimeout: number | null;
}

export type TimeoutDecision = 'raise' | 'at-ceiling' | 'already-raised' | 'source-limit' | 'update-in-progress';

export interface TimeoutPlan {
  readonly decision: TimeoutDecision;
  readonly fromSeconds: number;
  /** The timeout to set; null when there is nothing to raise. */
  readonly toSeconds: number | null;
  readonly reason: string;
}

export interface FunctionNow {
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly lastUpdateStatus: string;
}

const queueName = (arn: string) => arn.split(':').pop() ?? arn;

/** The limit a raise must stay below: the queue with the smallest visibility timeout, or one that cannot be read. */
export function sourceLimit(queues: readonly QueueLimit[], toSeconds: number): string | undefined {
  const missing = queues.find((q) => q.visibilityTimeout === null);
  if (missing) return `its SQS source ${queueName(missing.queueArn)} does not exist, so its visibility timeout cannot be read: the function's event sources need a look first`;
  const tightest = [...queues].sort((a, b) => a.visibilityTimeout! - b.visibilityTimeout!)[0];
  if (tightest && tightest.visibilityTimeout! <= toSeconds) {
    return `raising to ${toSeconds} s would not stay below the visibility timeout of its SQS source ${queueName(tightest.queueArn)} (${tightest.visibilityTimeout} s): a message would be delivered again while the function still works on it; raise the queue's visibility timeout first (AWS recommends six times the function timeout)`;
  }
  return undefined;
}

export function planTimeout(fn: FunctionNow, policy: TimeoutPolicy, queues: readonly QueueLimit[]): TimeoutPlan {
  const from = fn.timeoutSeconds;
  const to = policy.targetSeconds;
  const hold = (decision: Exclude<TimeoutDecision, 'raise'>, reason: string): TimeoutPlan => ({ decision, fromSeconds: from, toSeconds: null, reason });
  if (fn.lastUpdateStatus === 'InProgress') return hold('update-in-progress', `an update of ${fn.functionName}'s configuration is in progress: someone else is changing it`);
  if (from >= policy.ceilingSeconds) return hold('at-ceiling', `the timeout is ${from} s, at or above the ceiling of ${policy.ceilingSeconds} s: raising it further is a human's call (seed 004: check dependencies)`);
  if (from >= to) return hold('already-raised', `the timeout is ${from} s, already at or above the ${to} s the runbook raises to (baseline ${policy.baselineSeconds} s plus one step): it raises once, never again on a re-fired alarm`);
  const limit = sourceLimit(queues, to);
  if (limit) return hold('source-limit', limit);
  return { decision: 'raise', fromSeconds: from, toSeconds: to, reason: `raise the timeout from ${from} s to ${to} s (ceiling ${policy.ceilingSeconds} s)` };
}

/** The SQS queues among a function's event sources (ARNs), whatever their state: a disabled mapping may be enabled again. */
export const sqsQueues = (eventSourceArns: readonly string[]): string[] => eventSourceArns.filter((arn) => /^arn:aws[\w-]*:sqs:/.test(arn));
