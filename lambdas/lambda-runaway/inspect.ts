import { taskHandler } from '../shared/handler';
import { stepInputSchema } from '../shared/task-input';
import { FunctionConcurrencyClient, type FunctionConcurrency } from './function-concurrency';

const functions = new FunctionConcurrencyClient();

/** Diagnose / verify: reads the function's reserved concurrency (null = none reserved). */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<FunctionConcurrency> =>
  functions.read(incident.target));
