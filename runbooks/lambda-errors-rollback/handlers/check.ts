import * as z from '../../../lambdas/shared/zod';
import { AliasClient } from '../../../lambdas/aws/lambda';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { routesAs } from '../rollback-plan';
import { targetAliases } from '../target-aliases';

const aliases = new AliasClient();
const aliasOf = targetAliases();

const routing = z.object({ functionVersion: z.string().check(z.minLength(1)), additionalVersionWeights: z.record(z.string(), z.number()) });
const inputSchema = z.extend(stepInputSchema, { expected: routing });

/** Verify: the alias routes exactly as the rollback set it (read again, not taken from the call's answer). */
export const handler = taskHandler(inputSchema, async ({ incident, expected }) => {
  const { functionName, alias, key } = aliasOf(incident.target);
  const now = await aliases.read(functionName, alias);
  return { target: key, functionVersion: now.functionVersion, additionalVersionWeights: now.additionalVersionWeights, rolledBack: routesAs(now, expected) };
});
