import { stuckTasksSpecSchema, type StuckTasksSpec } from './stuck-tasks';
import { requireJsonEnv } from '../../lambdas/shared/env';

/** STUCK_TASKS: the configured tasks table and what makes a task stuck; null when cleanup is off. */
export function stuckTasksSpec(): StuckTasksSpec | null {
  return requireJsonEnv('STUCK_TASKS', (raw) => (raw === null ? null : stuckTasksSpecSchema.parse(raw)));
}
