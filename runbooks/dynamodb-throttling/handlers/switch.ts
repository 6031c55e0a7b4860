import { capacitySnapshot, type CapacitySnapshot } from '../../../lambdas/aws/table-capacity';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { TableClient } from '../../../lambdas/aws/dynamodb';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets({ runbook: 'dynamodb-throttling', resource: 'dynamodb:table' });
const tables = new TableClient();

const ON_DEMAND = { billingMode: 'PAY_PER_REQUEST' } as const;
type OnDemand = typeof ON_DEMAND;

/**
 * Immediate mitigation (seed 003 §2): switch the table to on-demand. The previous mode and
 * capacities, indexes included, are recorded first so the table can be put back.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident, execution, dryRun }, context): Promise<ActionResult<CapacitySnapshot, OnDemand>> => {
  await assertAllowed(incident.target, context.invokedFunctionArn);
  return performAction(ledger, incident, execution, {
    step: 'switch',
    operation: 'dynamodb:UpdateTable',
    target: incident.target,
    parameters: { TableName: incident.target, BillingMode: 'PAY_PER_REQUEST' },
    intended: ON_DEMAND,
    readBefore: async () => capacitySnapshot(await tables.describe(incident.target)),
    mutate: async (_before, now) => {
      // Already on-demand when read (the state machine checks this before, a direct invocation may not): nothing to switch.
      if (now.billingMode !== 'PAY_PER_REQUEST') await tables.switchToOnDemand(incident.target);
      return ON_DEMAND;
    },
    // A switch whose answer was lost is found made (UPDATING or ACTIVE) by reading the table again.
    inEffect: (table) => (table.billingMode === 'PAY_PER_REQUEST' ? ON_DEMAND : undefined),
  }, { dryRun });
});
