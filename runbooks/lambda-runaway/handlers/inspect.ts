import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { FunctionConcurrencyClient, type FunctionConcurrency } from '../../../lambdas/aws/lambda';

const functions = new FunctionConcurrencyClient();

/** Diagnose / verify: reads the function's reserved concurrency (null = none reserved). */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<FunctionConcurrency> =>
  functions.read(incident.target));
