import { rolloutCheckHandler } from '../../../lambdas/aws/ecs-rollout-check';

export type { RolloutCheck } from '../../../lambdas/aws/ecs-rollout-check';

/** Verify: polled by the state machine until the forced rollout of the incident's service completes, fails or runs out of time. */
export const handler = rolloutCheckHandler();
