import * as z from 'zod';
import { onDemandProgress, type OnDemandProgress, type TableView } from '../domain/table-capacity';
import { requirePositiveIntegerEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { stepInputSchema } from '../shared/task-input';
import { TableClient } from './table-client';

const ACTIVE_TIMEOUT_SECONDS = requirePositiveIntegerEnv('ACTIVE_TIMEOUT_SECONDS');
const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const tables = new TableClient();

const checkInputSchema = stepInputSchema.extend({ attempt: z.number().int().nonnegative() });

export interface CheckResult extends OnDemandProgress {
  readonly pollSeconds: number;
  readonly table: TableView;
}

/** Verify: polled by the state machine until the table is ACTIVE on-demand, or the time is up. */
export const handler = taskHandler(checkInputSchema, async ({ incident, attempt }): Promise<CheckResult> => {
  const table = await tables.describe(incident.target);
  return { ...onDemandProgress(table, attempt, POLL_SECONDS, ACTIVE_TIMEOUT_SECONDS), pollSeconds: POLL_SECONDS, table };
});
