import { capacitySnapshot, type CapacitySnapshot } from '../domain/table-capacity';
import { performAction, type ActionResult } from '../shared/act';
import { requireEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { Ledger } from '../shared/ledger';
import { allowedTargets } from '../shared/targets';
import { stepInputSchema } from '../shared/task-input';
import { TableClient } from './table-client';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets('dynamodb-throttling');
const tables = new TableClient();

const ON_DEMAND = { billingMode: 'PAY_PER_REQUEST' } as const;
type OnDemand = typeof ON_DEMAND;

/**
 * Immediate mitigation (seed 003 §2): switch the table to on-demand. The previous mode and
 * capacities, indexes included, are recorded first so the table can be put back.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident, execution, dryRun }, context): Promise<ActionResult<CapacitySnapshot, OnDemand>> => {
  await assertAllowed(incident.target, context.invokedFunctionArn);
  return performAction(ledger, incident, execution.id, {
    step: 'switch',
    operation: 'dynamodb:UpdateTable',
    target: incident.target,
    parameters: { TableName: incident.target, BillingMode: 'PAY_PER_REQUEST' },
    intended: ON_DEMAND,
    readBefore: async () => capacitySnapshot(await tables.describe(incident.target)),
    mutate: async (before) => {
      // Already on-demand when first read (the state machine checks this before, a direct invocation may not): nothing to switch.
      if (before.billingMode !== 'PAY_PER_REQUEST') await tables.switchToOnDemand(incident.target);
      return ON_DEMAND;
    },
    // A switch whose answer was lost is found made (UPDATING or ACTIVE) by reading the table again.
    inEffect: (table) => (table.billingMode === 'PAY_PER_REQUEST' ? ON_DEMAND : undefined),
  }, { dryRun });
});
