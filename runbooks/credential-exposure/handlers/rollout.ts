import { rolloutCheckHandler } from '../../../lambdas/aws/ecs-rollout-check';

/** Verify, polled: one redeployed service's rollout (the payload's target), until COMPLETED with every desired task running, FAILED, or out of time. */
export const handler = rolloutCheckHandler();
