import { TrailClient } from '../../../lambdas/aws/cloudtrail';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { AwsThrottled, AwsUnavailable } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { exposedKeyOf } from '../exposed-key';
import { keyActivity, unavailableActivity, type KeyActivity } from '../key-activity';

const trail = new TrailClient();
const lookbackHours = requirePositiveIntegerEnv('LOOKBACK_HOURS');
const maxEvents = requirePositiveIntegerEnv('MAX_EVENTS');

/**
 * Audit access (seed 004), after the key is inactive: what the key did in the last hours, newest
 * first, one bounded page of CloudTrail's management events. Read-only; the deactivation stands
 * whatever this finds. Throttling and 5xx are thrown so the state machine retries; anything else
 * (access denied) is reported as evidence unavailable, and the page says so.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<KeyActivity> => {
  const { accessKeyId } = exposedKeyOf(incident);
  const until = new Date();
  const since = new Date(until.getTime() - lookbackHours * 3_600_000);
  try {
    return keyActivity(accessKeyId, since, await trail.byAccessKey(accessKeyId, since, until, maxEvents), maxEvents);
  } catch (e: unknown) {
    if (e instanceof AwsThrottled || e instanceof AwsUnavailable) throw e;
    return unavailableActivity(accessKeyId, since, e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  }
});
