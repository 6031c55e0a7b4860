import * as z from '../../../lambdas/shared/zod';
import { s3SourcesOf, summarize, type BucketEvidence, type InvokerEvidence, type MappingEvidence, type RuleEvidence } from '../invokers';
import { requireJsonEnv } from '../../../lambdas/shared/env';
import { AwsThrottled, AwsUnavailable } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { InvokersClient } from '../invokers-client';

const FUNCTION_ARNS = requireJsonEnv('FUNCTION_ARNS', (raw) => z.record(z.string(), z.string().check(z.regex(/^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+$/))).parse(raw));
const EVENT_BUSES = requireJsonEnv('EVENT_BUSES', (raw) => z.array(z.string().check(z.minLength(1))).check(z.minLength(1)).parse(raw));
const invokers = new InvokersClient();

/** A section that failed for a reason a retry may cure makes the whole step retry (the state machine backs off). */
const retryable = (e: unknown) => e instanceof AwsThrottled || e instanceof AwsUnavailable;
const reasonOf = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * Investigate cause (seed 003 §4), after the emergency stop: which EventBridge rules, S3 bucket
 * notifications and event source mappings invoke the function. Read-only. The stop stands
 * whatever this finds; a part that cannot be read (access denied, a bus that does not exist) is
 * recorded as "evidence unavailable: reason" and the rest is still reported. Throttling and 5xx
 * are thrown so the state machine retries; after its retries the runbook notifies without evidence.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<InvokerEvidence> => {
  const functionName = incident.target;
  const functionArn = FUNCTION_ARNS[functionName];
  if (functionArn === undefined) {
    const unavailable = [`${functionName} is not a configured function`];
    const empty = { functionName, rules: [], buckets: [], eventSourceMappings: [], unavailable };
    return { ...empty, summary: summarize(empty) };
  }
  const accountId = functionArn.split(':')[4]!;
  const unavailable: string[] = [];
  const retry: unknown[] = [];
  const settle = async <T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await read();
    } catch (e: unknown) {
      if (retryable(e)) retry.push(e);
      unavailable.push(`${what}: ${reasonOf(e)}`);
      return fallback;
    }
  };

  const [ruleLists, buckets, eventSourceMappings] = await Promise.all([
    Promise.all(EVENT_BUSES.map((bus) => settle<RuleEvidence[]>(`EventBridge rules on ${bus}`, () => invokers.rulesTargeting(functionArn, bus), []))),
    settle<BucketEvidence[]>('S3 notifications', async () => {
      const policy = await invokers.policy(functionName);
      if (policy === null) return [];
      const sources = s3SourcesOf(policy);
      if (sources.anyBucket) unavailable.push('S3 notifications: the function policy lets S3 invoke it from any bucket (no AWS:SourceArn); only named buckets were read');
      const found: BucketEvidence[] = [];
      for (const bucket of sources.buckets) found.push(...(await settle<BucketEvidence[]>(`S3 notifications of ${bucket}`, () => invokers.bucketNotifications(bucket, functionArn, accountId), [])));
      return found;
    }, []),
    settle<MappingEvidence[]>('event source mappings', () => invokers.eventSourceMappings(functionName), []),
  ]);
  if (retry.length > 0) throw retry[0];
  const evidence = { functionName, rules: ruleLists.flat(), buckets, eventSourceMappings, unavailable };
  return { ...evidence, summary: summarize(evidence) };
});
