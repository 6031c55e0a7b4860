import { FunctionEnvironmentClient } from '../../../lambdas/aws/lambda-environment';
import { keyState } from '../../../lambdas/domain/function-environment';
import { requireEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { agentFunctions } from '../agent-functions';
import { describeKeys, planKey, type FunctionKey, type KeyPlan } from '../key-plan';

const FUNCTIONS = agentFunctions();
const VARIABLE = requireEnv('KEY_VARIABLE');
const SECRET_ID = requireEnv('KEY_SECRET_ID');
const environments = new FunctionEnvironmentClient();

export interface KeyDiagnosis {
  readonly functions: FunctionKey[];
  /** One line: each function and whether its key is set, missing or empty. */
  readonly summary: string;
  readonly plan: KeyPlan;
}

/**
 * Diagnose (seed 003 §5 "Verify API key"): GetFunctionConfiguration of every configured agent
 * function, and whether each has the key set, missing or empty. Only that state leaves this
 * function: the environment's values are read into memory and dropped.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<KeyDiagnosis> => {
  FUNCTIONS.assertConfigured(incident.target);
  const functions: FunctionKey[] = [];
  for (const functionName of FUNCTIONS.names) {
    const env = await environments.read(functionName);
    functions.push({ functionName, key: keyState(env.variables, VARIABLE), lastUpdateStatus: env.lastUpdateStatus });
  }
  return { functions, summary: describeKeys(functions, VARIABLE), plan: planKey(functions, VARIABLE, SECRET_ID) };
});
