import { redeployHandler } from '../../../lambdas/aws/ecs-redeploy';

/**
 * After the rotation: a forced new deployment of one service that reads the secret (the state
 * machine steps through them, one at a time), so its new tasks read the new version. The rotation's
 * approval named these services; only configured ones are allowed (ALLOWED_TARGETS).
 */
export const handler = redeployHandler();
