import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/** SDK attempts of a throttled mutation: as many as the SDK makes of any call by default. */
const THROTTLED_ATTEMPTS = 3;

/**
 * The base of the back-off between a throttled mutation's attempts, read at each retry. The drill
 * compresses it to none, as it does the SDK's own back-off (drill/sdk-backoff.ts).
 */
export const THROTTLED_BACKOFF = { baseMs: 100 };

const token = (retries: number, delay: number): RetryToken => ({ getRetryCount: () => retries, getRetryDelay: () => delay });

/**
 * Retries a mutation only when AWS throttled it: a throttled request was refused before it was
 * applied, so sending it again cannot make it apply twice. A timeout, a 5xx or a dropped connection
 * may follow a call that took effect: that is not retried here (see MUTATION_CLIENT_CONFIG).
 */
export function throttlingOnlyRetries(attempts = THROTTLED_ATTEMPTS): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (last: RetryToken, info: RetryErrorInfo) => {
      const retries = last.getRetryCount() + 1;
      if (info.errorType !== 'THROTTLING' || retries >= attempts) throw new Error('not retried: only a throttled mutation is sent again');
      // Full jitter over an exponential backoff, as the SDK's standard strategy.
      return token(retries, Math.floor(Math.random() * THROTTLED_BACKOFF.baseMs * 2 ** retries));
    },
    recordSuccess: () => undefined,
  };
}

/**
 * Settings for the SDK clients that make mutating calls (reads keep the SDK's own retries).
 *
 * No blind SDK retry: a mutation retried after its answer was lost may apply twice (a second
 * backup, a second rollout) or meet a refusal that only means the first attempt worked ("nothing
 * to change"). Only throttling is retried here; anything else that may have taken effect is retried
 * by the state machine, and every such retry goes through performAction, which reads the target
 * again before calling (lambdas/shared/act.ts). None of these APIs takes an idempotency token
 * (StartExecution's name is one, and is used).
 *
 * A call with no answer within 10 s is a lost answer (TimeoutError: AwsUnavailable, the row left
 * `unknown`), well inside the handlers' 30 s timeout, so the state machine's Retry sees it.
 */
export const MUTATION_CLIENT_CONFIG = {
  maxAttempts: THROTTLED_ATTEMPTS,
  retryStrategy: throttlingOnlyRetries(),
  requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
} as const;
