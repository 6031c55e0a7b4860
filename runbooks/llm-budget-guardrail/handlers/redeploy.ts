import { redeployHandler } from '../../../lambdas/aws/ecs-redeploy';

/** Seed 000 "Cost guardrails": redeploy the agent proxy, so it reads the model preference again. */
export const handler = redeployHandler();
