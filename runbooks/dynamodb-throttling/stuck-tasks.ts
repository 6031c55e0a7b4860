import * as z from '../../lambdas/shared/zod';
import { itemKeySchema, type ItemKey } from '../../lambdas/domain/item-keys';

/**
 * Seed 003 §2 "Clear stuck tasks": tasks whose status is still pending an hour after their
 * timestamp (epoch seconds). Pure: what a stuck task is, and what the runbook reports about them.
 */
export const stuckTasksSpecSchema = z.object({
  tableName: z.string().check(z.minLength(1)),
  statusAttribute: z.string().check(z.minLength(1)),
  pendingStatus: z.string().check(z.minLength(1)),
  timestampAttribute: z.string().check(z.minLength(1)),
  olderThanMinutes: z.int().check(z.positive()),
  maxItems: z.int().check(z.positive()),
});
export type StuckTasksSpec = z.infer<typeof stuckTasksSpecSchema>;

/** A task's key: the tasks table's key attributes, as plain JSON. */
export const taskKeySchema = itemKeySchema;
export type TaskKey = ItemKey;

/** What the count step found, passed on to the backup and delete steps. */
export const stuckTasksSchema = z.object({
  applies: z.boolean(),
  tableName: z.string(),
  count: z.int().check(z.nonnegative()),
  /** The keys of the tasks found (at most maxItems): exactly what a delete may remove. */
  keys: z.array(taskKeySchema),
  truncated: z.boolean(),
  /** Epoch seconds: a task is stuck when its timestamp is below this. null when the step does not apply. */
  cutoff: z.nullable(z.int()),
  reason: z.string(),
});
export type StuckTasks = z.infer<typeof stuckTasksSchema>;

/** Epoch seconds before which a pending task counts as stuck. */
export function stuckCutoff(now: Date, olderThanMinutes: number): number {
  return Math.floor(now.getTime() / 1000) - olderThanMinutes * 60;
}

/** The scan filter of the seed script (`status = :status AND timestamp < :old_time`), with names escaped. */
export function stuckFilter(spec: StuckTasksSpec, cutoff: number) {
  return {
    FilterExpression: '#status = :pending AND #timestamp < :cutoff',
    ExpressionAttributeNames: { '#status': spec.statusAttribute, '#timestamp': spec.timestampAttribute },
    ExpressionAttributeValues: { ':pending': { S: spec.pendingStatus }, ':cutoff': { N: String(cutoff) } },
  };
}

/** Whether an item read back is still stuck: the delete's condition (stuckFilter) evaluated on it. */
export function isStuck(spec: Pick<StuckTasksSpec, 'statusAttribute' | 'pendingStatus' | 'timestampAttribute'>, item: Record<string, unknown>, cutoff: number): boolean {
  const timestamp = item[spec.timestampAttribute];
  return item[spec.statusAttribute] === spec.pendingStatus && typeof timestamp === 'number' && timestamp < cutoff;
}

export function notApplicable(tableName: string, reason: string): StuckTasks {
  return { applies: false, tableName, count: 0, keys: [], truncated: false, cutoff: null, reason };
}
