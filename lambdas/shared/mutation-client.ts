/**
 * Settings for the SDK clients that make mutating calls (reads keep the SDK's own retries).
 *
 * No SDK retry: a mutation retried after its answer was lost may apply twice (a second backup, a
 * second rollout) or meet a refusal that only means the first attempt worked ("nothing to change").
 * A mutation is retried by the state machine instead, and every retry goes through performAction,
 * which reads the target again before calling (lambdas/shared/act.ts). None of these APIs takes an
 * idempotency token (StartExecution's name is one, and is used).
 *
 * A call with no answer within 10 s is a lost answer (TimeoutError: AwsUnavailable, the row left
 * `unknown`), well inside the handlers' 30 s timeout, so the state machine's Retry sees it.
 */
export const MUTATION_CLIENT_CONFIG = {
  maxAttempts: 1,
  requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
} as const;
