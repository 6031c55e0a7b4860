import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { FunctionConcurrencyClient } from '../../../lambdas/aws/lambda';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets({ runbook: 'lambda-runaway', resource: 'lambda:function' });
const functions = new FunctionConcurrencyClient();

/**
 * Emergency stop (seed 003 §4): reserved concurrency 0 throttles every new invocation at once,
 * whatever invokes it. The previous value ("none" included) is recorded first, for the restore.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident, execution, dryRun }, context): Promise<ActionResult<number | null, number>> => {
  await assertAllowed(incident.target, context.invokedFunctionArn);
  return performAction(ledger, incident, execution, {
    step: 'stop',
    operation: 'lambda:PutFunctionConcurrency',
    target: incident.target,
    parameters: { FunctionName: incident.target, ReservedConcurrentExecutions: 0 },
    intended: 0,
    readBefore: async () => (await functions.read(incident.target)).reservedConcurrency,
    mutate: () => functions.put(incident.target, 0),
    inEffect: (reserved) => (reserved === 0 ? 0 : undefined),
  }, { dryRun });
});
