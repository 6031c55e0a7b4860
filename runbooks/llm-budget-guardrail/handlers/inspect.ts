import * as z from '../../../lambdas/shared/zod';
import { costDriver, monthToDateWindow, type CostDriver } from '../cost-driver';
import { requireEnv, requireJsonEnv } from '../../../lambdas/shared/env';
import { InvalidInput } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { CostClient } from '../cost-client';
import { ParameterClient } from '../../../lambdas/aws/ssm';

const TAG_KEY = requireEnv('COST_BUCKET_TAG_KEY');
const TAG_VALUE = requireEnv('COST_BUCKET_TAG_VALUE');
const DRIVER_SHARE_PERCENT = requireJsonEnv('DRIVER_SHARE_PERCENT', (raw) => z.number().check(z.gt(0), z.lte(100)).parse(raw));
const MODEL_PARAMETER = requireEnv('MODEL_PARAMETER');
const CHEAPER_MODEL = requireEnv('CHEAPER_MODEL');
// The Wait state's SecondsPath takes a positive whole number of seconds.
const REVERT_AFTER_SECONDS = requireJsonEnv('REVERT_AFTER_SECONDS', (raw) => z.int().check(z.gte(1), z.lte(99_999_999)).parse(raw));

const costs = new CostClient();
const parameters = new ParameterClient();

export interface BudgetDiagnosis extends CostDriver {
  readonly currentModel: string;
  readonly cheaperModel: string;
  readonly alreadyCheaper: boolean;
  readonly revertAfterSeconds: number;
  readonly parameterName: string;
}

/**
 * Diagnose (seed 000 "Cost guardrails"): is Bedrock token spend what drives the alert, and is
 * the agent already on the cheaper model? The cost is read for the month of the alert, not of
 * today, so a redriven step judges the same alert the same way.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<BudgetDiagnosis> => {
  const firedAt = new Date(incident.firedAt);
  if (Number.isNaN(firedAt.getTime())) throw new InvalidInput(`Invalid task input at incident.firedAt: not a time: "${incident.firedAt}"`);
  const [pages, currentModel] = await Promise.all([
    costs.costByTag(monthToDateWindow(firedAt), TAG_KEY),
    parameters.read(MODEL_PARAMETER),
  ]);
  const driver = costDriver(pages, { tagKey: TAG_KEY, tagValue: TAG_VALUE, driverSharePercent: DRIVER_SHARE_PERCENT });
  return {
    ...driver,
    currentModel,
    cheaperModel: CHEAPER_MODEL,
    alreadyCheaper: currentModel === CHEAPER_MODEL,
    revertAfterSeconds: REVERT_AFTER_SECONDS,
    parameterName: MODEL_PARAMETER,
  };
});
