import * as z from '../../../lambdas/shared/zod';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { StuckTasksClient, type BackupView } from '../stuck-tasks-client';

const BACKUP_TIMEOUT_SECONDS = requirePositiveIntegerEnv('BACKUP_TIMEOUT_SECONDS');
const POLL_SECONDS = requirePositiveIntegerEnv('POLL_SECONDS');
const tasks = new StuckTasksClient();

const statusInputSchema = z.extend(stepInputSchema, {
  attempt: z.int().check(z.nonnegative()),
  backupArn: z.string().check(z.regex(/^arn:aws[\w-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]+\/backup\/[\w.-]+$/, 'a DynamoDB backup ARN')),
});

export interface BackupStatus {
  readonly attempt: number;
  /** AVAILABLE: the backup can be restored, so deleting is allowed to follow. */
  readonly done: boolean;
  /** The backup was deleted (one that is gone altogether is TargetNotFound). */
  readonly failed: boolean;
  readonly timedOut: boolean;
  readonly pollSeconds: number;
  readonly backup: BackupView;
}

/** Polled by the state machine until the backup is AVAILABLE, gone, or the time is up. */
export const handler = taskHandler(statusInputSchema, async ({ attempt, backupArn }): Promise<BackupStatus> => {
  const backup = await tasks.describeBackup(backupArn);
  const done = backup.backupStatus === 'AVAILABLE';
  const failed = backup.backupStatus === 'DELETED';
  const next = attempt + 1;
  return { attempt: next, done, failed, timedOut: !done && !failed && next * POLL_SECONDS >= BACKUP_TIMEOUT_SECONDS, pollSeconds: POLL_SECONDS, backup };
});
