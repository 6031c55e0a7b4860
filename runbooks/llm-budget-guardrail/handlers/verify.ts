import * as z from '../../../lambdas/shared/zod';
import { rolloutComplete } from '../../../lambdas/aws/ecs';
import { checkStep, firstVerifyStep, type VerifyStep } from '../../../lambdas/domain/verification';
import { EcsServiceClient, parseServiceKey } from '../../../lambdas/aws/ecs';
import { requireEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { actionSchema, readVerifyPolicy } from '../../../lambdas/verify/policy';
import { ParameterClient } from '../../../lambdas/aws/ssm';

const MODEL_PARAMETER = requireEnv('MODEL_PARAMETER');
const CHEAPER_MODEL = requireEnv('CHEAPER_MODEL');
const PROXY_SERVICE = parseServiceKey(requireEnv('PROXY_SERVICE'));
const POLICY = readVerifyPolicy();
const parameters = new ParameterClient();
const services = new EcsServiceClient();

const inputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.nonnegative()), action: actionSchema });

export interface SwitchVerifyResult extends VerifyStep {
  readonly model: string | null;
  readonly proxy: { readonly desiredCount: number; readonly runningCount: number; readonly rolloutState: string | null } | null;
}

/**
 * Verify the switch (the budget alert has no alarm to read): the parameter holds the cheaper
 * model, and the agent proxy's forced rollout completed with every desired task running.
 */
export const handler = taskHandler(inputSchema, async ({ attempt }): Promise<SwitchVerifyResult> => {
  const proxyName = `${PROXY_SERVICE.cluster}/${PROXY_SERVICE.service}`;
  if (attempt === 0) {
    return { ...firstVerifyStep(POLICY, `that ${MODEL_PARAMETER} holds ${CHEAPER_MODEL} and ${proxyName} rolled out`), model: null, proxy: null };
  }
  const model = await parameters.read(MODEL_PARAMETER);
  const service = await services.describe(PROXY_SERVICE);
  const proxy = { desiredCount: service.desiredCount, runningCount: service.runningCount, rolloutState: service.primary?.rolloutState ?? null };
  const modelOk = model === CHEAPER_MODEL;
  const rolledOut = rolloutComplete(service) && service.runningCount >= service.desiredCount;
  const state = `${MODEL_PARAMETER} = ${model}; ${proxyName} rollout ${proxy.rolloutState ?? 'unknown'}, ${proxy.runningCount}/${proxy.desiredCount} running`;
  return {
    ...checkStep(POLICY, attempt, modelOk && rolledOut, {
      ok: `the cheaper model is in effect{after} the switch: ${state}`,
      pending: `not yet in effect{after} the switch (${state}); checking again`,
      notOk: modelOk
        ? `the agent proxy did not finish rolling out{after} the switch: ${state}`
        : `${MODEL_PARAMETER} no longer holds ${CHEAPER_MODEL}{after} the switch: ${state}`,
    }),
    model, proxy,
  };
});
