import { notApplicable, stuckCutoff, type StuckTasks } from '../stuck-tasks';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { StuckTasksClient } from '../stuck-tasks-client';
import { stuckTasksSpec } from '../stuck-tasks-env';

const spec = stuckTasksSpec();
const tasks = new StuckTasksClient();

/**
 * Seed 003 §2, after the switch: counts tasks stuck in pending for over an hour (the seed's own
 * scan). Read-only. Applies only to the configured tasks table; other tables are not scanned.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<StuckTasks> => {
  const table = incident.target;
  if (spec === null) return notApplicable(table, 'no tasks table is configured (stuckTasks)');
  if (table !== spec.tableName) return notApplicable(table, `${table} is not the tasks table (${spec.tableName})`);
  const cutoff = stuckCutoff(new Date(), spec.olderThanMinutes);
  const keyNames = await tasks.keyAttributes(table);
  const found = await tasks.findStuck(spec, keyNames, cutoff);
  const age = `${spec.statusAttribute} = ${spec.pendingStatus} and ${spec.timestampAttribute} older than ${spec.olderThanMinutes} min`;
  return {
    applies: true, tableName: table, count: found.count, keys: found.keys, truncated: found.truncated, cutoff,
    reason: found.count === 0 ? `no stuck tasks (${age})`
      : `${found.count} stuck tasks (${age})${found.truncated ? `; the first ${found.keys.length} are handled in this run` : ''}`,
  };
});
