import { redeployHandler } from '../../../lambdas/aws/ecs-redeploy';

/**
 * Seed 004 "Connection Pool Exhausted: restart services": a forced new deployment of one service
 * that uses the database (the state machine steps through them, one at a time), as the restart
 * gate's approval covers it, after recording the deployment it replaces.
 */
export const handler = redeployHandler({ gated: true });
