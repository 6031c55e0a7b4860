import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryToken } from '@smithy/types';

type Refresh = (token: RetryToken, info: RetryErrorInfo) => Promise<RetryToken>;
let compressed = false;

/**
 * The drill compresses time, the SDK's back-off too: every client keeps the SDK's standard retry
 * strategy (its attempts, what it retries, its retry quota) and waits no time between attempts,
 * whether the delay comes from its back-off (whatever base a service sets) or from a Retry-After
 * the answer carries (Lambda's throttling does). Both are set on classes every client of the
 * process shares. The mutation clients' own strategy (lambdas/shared/mutation-client.ts) keeps its
 * attempts and waits none either, in the instance of that module the functions loaded next will
 * share: call this before loading them. Only the drill's process is changed: a deployed function
 * keeps its back-off.
 */
export function withoutSdkBackoff(): void {
  // Required now, not imported: after a cold start (drill/handlers.ts) this is the module the functions will load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../lambdas/shared/mutation-client') as typeof import('../lambdas/shared/mutation-client')).THROTTLED_BACKOFF.baseMs = 0;
  if (compressed) return;
  const backoff = Object.getPrototypeOf((new StandardRetryStrategy(1) as unknown as { retryBackoffStrategy: object }).retryBackoffStrategy) as {
    computeNextBackoffDelay?: (attempt: number) => number;
  };
  const strategy = StandardRetryStrategy.prototype as unknown as { refreshRetryTokenForRetry?: Refresh };
  const refresh = strategy.refreshRetryTokenForRetry;
  if (typeof backoff.computeNextBackoffDelay !== 'function' || typeof refresh !== 'function') {
    throw new Error('the SDK retry strategy changed shape: drill/sdk-backoff.ts needs updating');
  }
  backoff.computeNextBackoffDelay = () => 0;
  strategy.refreshRetryTokenForRetry = function (this: unknown, token, info) {
    const { retryAfterHint: _ignored, ...rest } = info;
    return refresh.call(this, token, rest);
  };
  compressed = true;
}
