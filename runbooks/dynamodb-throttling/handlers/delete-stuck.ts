import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { itemAt } from '../../../lambdas/domain/recorded-items';
import { isStuck, stuckTasksSchema, taskKeySchema, type TaskKey } from '../stuck-tasks';
import { performAction } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { afterPartOfTheChange, InvalidInput } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { StuckTasksClient } from '../stuck-tasks-client';
import { stuckTasksSpec } from '../stuck-tasks-env';

const ledgerTable = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(ledgerTable);
const approvals = new ApprovalStore(ledgerTable);
const onTimeout = z.enum(['abort', 'proceed']).parse(process.env.DELETE_ON_TIMEOUT ?? 'abort');
const assertAllowed = allowedTargets();
const spec = stuckTasksSpec();
const tasks = new StuckTasksClient();

const deleteInputSchema = z.extend(stepInputSchema, {
  stuck: stuckTasksSchema,
  backup: z.object({ backupArn: z.string().check(z.minLength(1)), backupStatus: z.literal('AVAILABLE') }),
  /** The approval step's result; the ledger's request it names must cover exactly this delete. */
  approval: z.optional(approvalResultSchema),
});

/** What the row of intent holds: every item as it was, so each can be put back from the ledger. */
export interface TasksBeforeDelete {
  readonly items: Record<string, unknown>[];
  /** Keys counted as stuck that were already gone when the delete step read them. */
  readonly missing: TaskKey[];
  readonly backupArn: string;
}

export interface DeleteSummary {
  readonly deleted: TaskKey[];
  readonly skipped: { key: TaskKey; reason: string }[];
}

export interface DeleteResult {
  readonly operation: string;
  readonly target: string;
  readonly after: DeleteSummary;
  readonly replayed: boolean;
  readonly planned: boolean;
}

const MISSING = 'gone before the delete step read it';

/**
 * Seed 003 §2 "Clear stuck tasks", after the backup and only on an approved decision: deletes
 * exactly the tasks the count step found, and only if the ledger's approved request names this
 * table, these keys and this backup (assertApproved). The row of intent holds the full items first; each
 * delete is conditional on the task still being pending and older than the same cutoff, so a
 * task picked up since is skipped, not deleted. The ledger says which were deleted and which skipped.
 */
export const handler = taskHandler(deleteInputSchema, async ({ incident, execution, dryRun, stuck, backup, approval }): Promise<DeleteResult> => {
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: 'dynamodb-throttling', step: 'delete-stuck', operation: 'dynamodb:DeleteItem', target: stuck.tableName,
    parameters: { TableName: stuck.tableName, Keys: stuck.keys, BackupArn: backup.backupArn },
  }, { onTimeout, dryRun });
  await assertAllowed(incident.target);
  if (spec === null || stuck.tableName !== spec.tableName || incident.target !== spec.tableName) {
    throw new InvalidInput(`stuck tasks of ${stuck.tableName} cannot be deleted: ${spec?.tableName ?? 'no table'} is the configured tasks table`);
  }
  const cutoff = stuck.cutoff;
  if (!stuck.applies || cutoff === null) throw new InvalidInput('the count step did not apply to this table: there is nothing to delete');
  // Every key the count step recorded has the table's key attributes.
  const keyAttributes = Object.keys(stuck.keys[0] ?? {});
  const keyOf = (item: Record<string, unknown>) => taskKeySchema.parse(Object.fromEntries(keyAttributes.map((k) => [k, item[k]])));
  const result = await performAction<TasksBeforeDelete, DeleteSummary, Record<string, unknown>[]>(ledger, incident, execution, {
    step: 'cleanup',
    operation: 'dynamodb:DeleteItem',
    target: incident.target,
    parameters: {
      TableName: incident.target, Keys: stuck.keys, BackupArn: backup.backupArn,
      ConditionExpression: `${spec.statusAttribute} = ${spec.pendingStatus} AND ${spec.timestampAttribute} < ${cutoff}`,
    },
    intended: { deleted: stuck.keys, skipped: [] },
    readBefore: async () => {
      const items: Record<string, unknown>[] = [];
      const missing: TaskKey[] = [];
      for (const key of stuck.keys) {
        const item = await tasks.readItem(incident.target, key);
        if (item) items.push(item);
        else missing.push(key);
      }
      return { items, missing, backupArn: backup.backupArn };
    },
    mutate: async (before) => {
      const deleted: TaskKey[] = [];
      const skipped: { key: TaskKey; reason: string }[] = before.missing.map((key) => ({ key, reason: MISSING }));
      for (const item of before.items) {
        const key = keyOf(item);
        try {
          const outcome = await tasks.deleteIfStillStuck(spec, key, cutoff);
          if (outcome.deleted) deleted.push(key);
          else skipped.push({ key, reason: outcome.reason });
        } catch (e: unknown) {
          // Some tasks are gone already: whatever this delete's error says, the step's outcome is unknown, not failed.
          throw deleted.length > 0 && e instanceof Error ? afterPartOfTheChange(e) : e;
        }
      }
      return { deleted, skipped };
    },
    // Read again: every recorded task gone (deleted) or no longer stuck (skipped) is the cleanup done;
    // one still stuck is not, and a retry deletes what is left.
    observe: async () => {
      const present: Record<string, unknown>[] = [];
      for (const key of stuck.keys) {
        const item = await tasks.readItem(incident.target, key);
        if (item) present.push(item);
      }
      return present;
    },
    inEffect: (found, before) => {
      const deleted: TaskKey[] = [];
      const skipped: { key: TaskKey; reason: string }[] = before.missing.map((key) => ({ key, reason: MISSING }));
      for (const item of before.items) {
        const key = keyOf(item);
        const now = itemAt(found, key);
        if (!now) deleted.push(key);
        else if (isStuck(spec, now, cutoff)) return undefined;
        else skipped.push({ key, reason: `no longer ${spec.pendingStatus} and older than the cutoff (changed since it was counted)` });
      }
      return { deleted, skipped };
    },
    partlyInEffect: (found, before) => before.items.some((item) => !itemAt(found, keyOf(item))),
  }, { dryRun });
  return {
    operation: result.operation, target: result.target, replayed: result.replayed, planned: result.planned,
    // The step's output carries keys only (no `before`): the full items stay in the ledger.
    after: result.after,
  };
});
