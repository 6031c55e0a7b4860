import type { TableView } from '../../../lambdas/aws/table-capacity';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { TableClient } from '../../../lambdas/aws/dynamodb';

const tables = new TableClient();

/** Diagnose: the table's billing mode, status and capacities (seed 003 §2: "if using provisioned"). */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<TableView> =>
  tables.describe(incident.target));
