import { rolloutCheckHandler } from '../../../lambdas/aws/ecs-rollout-check';

/** Verify each restart before the next: polled until the service's forced rollout completes, fails or runs out of time. */
export const handler = rolloutCheckHandler();
