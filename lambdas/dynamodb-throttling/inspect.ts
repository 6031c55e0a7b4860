import type { TableView } from '../domain/table-capacity';
import { taskHandler } from '../shared/handler';
import { stepInputSchema } from '../shared/task-input';
import { TableClient } from './table-client';

const tables = new TableClient();

/** Diagnose: the table's billing mode, status and capacities (seed 003 §2: "if using provisioned"). */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<TableView> =>
  tables.describe(incident.target));
