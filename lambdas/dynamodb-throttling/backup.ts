import { z } from 'zod';
import { performAction, type ActionResult } from '../shared/act';
import { requireEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { Ledger } from '../shared/ledger';
import { allowedTargets } from '../shared/targets';
import { stepInputSchema } from '../shared/task-input';
import { StuckTasksClient, type BackupView } from './stuck-tasks-client';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets();
const tasks = new StuckTasksClient();

const backupInputSchema = stepInputSchema.extend({ stuckCount: z.number().int().nonnegative() });

/**
 * Seed 003 "Backup Procedures", before anything is deleted: an on-demand backup of the tasks
 * table. A backup replaces nothing, so the row of intent records what is about to be backed up
 * (the stuck-task count). The name is the incident's, so the backup is easy to find.
 */
export const handler = taskHandler(backupInputSchema, async ({ incident, execution, dryRun, stuckCount }): Promise<ActionResult<{ stuckTasks: number }, BackupView>> => {
  await assertAllowed(incident.target);
  const backupName = `stuck-tasks-${incident.id}`;
  return performAction(ledger, incident, execution.id, {
    step: 'backup',
    operation: 'dynamodb:CreateBackup',
    target: incident.target,
    parameters: { TableName: incident.target, BackupName: backupName },
    intended: { backupArn: '(planned)', backupName, backupStatus: 'CREATING', backupSizeBytes: null },
    readBefore: async () => ({ stuckTasks: stuckCount }),
    mutate: () => tasks.createBackup(incident.target, backupName),
  }, { dryRun });
});
