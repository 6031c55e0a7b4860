import { redeployHandler } from '../../../lambdas/aws/ecs-redeploy';

/** Seed 000 step 3: force a new deployment of the service, allowlisted by name or by tag. */
export const handler = redeployHandler({ tagged: { runbook: 'ecs-service-recovery', resource: 'ecs:service' } });
