import * as z from '../../../lambdas/shared/zod';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { logger } from '../../../lambdas/shared/logger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema, type Incident } from '../../../lambdas/shared/task-input';
import { StuckTasksClient, type BackupView } from '../stuck-tasks-client';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets();
const tasks = new StuckTasksClient();

const backupInputSchema = z.extend(stepInputSchema, { stuckCount: z.int().check(z.nonnegative()) });

/** The backup the step stands on; `adopted` when an earlier attempt of this step had already made it. */
export type BackupTaken = BackupView & { readonly adopted: boolean };

/** How far before the alarm fired an earlier attempt's backup is looked for (clocks differ slightly). */
const CLOCK_MARGIN_MS = 5 * 60_000;

/** Earliest creation time a backup made for this incident can have: its alarm fired before any attempt ran. */
function earliestBackupTime(incident: Incident): Date {
  const fired = Date.parse(incident.firedAt);
  return new Date(Number.isNaN(fired) ? 0 : fired - CLOCK_MARGIN_MS);
}

/**
 * Seed 003 "Backup Procedures", before anything is deleted: an on-demand backup of the tasks
 * table. A backup replaces nothing, so the row of intent records what is about to be backed up
 * (the stuck-task count). The name is the incident's, so the backup is easy to find.
 *
 * CreateBackup is not idempotent: if an earlier attempt's call took effect but its answer was lost
 * (a timeout), calling it again would make a second backup. So what tells whether the backup is
 * made is a backup of this exact name made since the alarm fired (the table's backups listed):
 * performAction reads that before any retry or re-run, and adopts it; the call itself looks once
 * more, for an overlapping attempt. A Retry, a redrive or a re-run of the same event leaves one backup.
 */
export const handler = taskHandler(backupInputSchema, async ({ incident, execution, dryRun, stuckCount }): Promise<ActionResult<{ stuckTasks: number }, BackupTaken>> => {
  await assertAllowed(incident.target);
  const backupName = `stuck-tasks-${incident.id}`;
  return performAction(ledger, incident, execution, {
    step: 'backup',
    operation: 'dynamodb:CreateBackup',
    target: incident.target,
    parameters: { TableName: incident.target, BackupName: backupName },
    intended: { backupArn: '(planned)', backupName, backupStatus: 'CREATING', backupSizeBytes: null, adopted: false },
    readBefore: async () => ({ stuckTasks: stuckCount }),
    mutate: async () => {
      const earlier = await tasks.findBackup(incident.target, backupName, earliestBackupTime(incident));
      if (earlier) {
        logger.info('Backup adopted, not created: an earlier attempt of this step made it', { backupArn: earlier.backupArn, backupName });
        return { ...earlier, adopted: true };
      }
      return { ...(await tasks.createBackup(incident.target, backupName)), adopted: false };
    },
    observe: () => tasks.findBackup(incident.target, backupName, earliestBackupTime(incident)),
    inEffect: (found) => (found ? { ...found, adopted: true } : undefined),
  }, { dryRun });
});
