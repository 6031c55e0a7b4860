import * as z from '../../../lambdas/shared/zod';
import type { TableView } from '../../../lambdas/aws/table-capacity';
import { onDemandProgress, type OnDemandProgress } from '../on-demand';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { TableClient } from '../../../lambdas/aws/dynamodb';

const ACTIVE_TIMEOUT_SECONDS = requirePositiveIntegerEnv('ACTIVE_TIMEOUT_SECONDS');
const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const tables = new TableClient();

const checkInputSchema = z.extend(stepInputSchema, { attempt: z.int().check(z.nonnegative()) });

export interface CheckResult extends OnDemandProgress {
  readonly pollSeconds: number;
  readonly table: TableView;
}

/** Verify: polled by the state machine until the table is ACTIVE on-demand, or the time is up. */
export const handler = taskHandler(checkInputSchema, async ({ incident, attempt }): Promise<CheckResult> => {
  const table = await tables.describe(incident.target);
  return { ...onDemandProgress(table, attempt, POLL_SECONDS, ACTIVE_TIMEOUT_SECONDS), pollSeconds: POLL_SECONDS, table };
});
