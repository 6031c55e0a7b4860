import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from '../../lambdas/shared/zod';
import { taskKeySchema, type TaskKey } from './stuck-tasks';

/** Per tasks table, what "still stuck" means (STUCK_TASK_TABLES, from the stuckTasks config). */
export const stuckTaskTablesSchema = z.record(z.string(), z.object({ statusAttribute: z.string().check(z.minLength(1)), pendingStatus: z.string().check(z.minLength(1)) }));
export type StuckTaskTables = z.infer<typeof stuckTaskTablesSchema>;

export interface LiveTasks {
  readonly approvedKeys: number;
  readonly stillPending: number;
  /** Tasks picked up since they were counted: the delete will skip them. */
  readonly changed: { key: TaskKey; status: unknown }[];
  readonly gone: TaskKey[];
  readonly unread: TaskKey[];
}

/** BatchGetItem takes at most 100 keys per call. */
const BATCH = 100;

/**
 * The tasks a delete would remove, as they are now: still pending, picked up since, or gone.
 * Reads only the key and status attributes (BatchGetItem, consistent). Keys DynamoDB leaves
 * unprocessed twice are reported as unread rather than guessed.
 */
export async function liveTasks(dynamodb: DynamoDBClient, tableName: string, keys: readonly TaskKey[], spec: StuckTaskTables[string]): Promise<LiveTasks> {
  const keyAttributes = Object.keys(keys[0] ?? {});
  const names = Object.fromEntries([...keyAttributes, spec.statusAttribute].map((a, i) => [`#a${i}`, a]));
  const found = new Map<string, Record<string, unknown>>();
  const unread: TaskKey[] = [];
  const id = (k: TaskKey) => JSON.stringify(keyAttributes.map((a) => k[a]));
  for (let i = 0; i < keys.length; i += BATCH) {
    let pending = keys.slice(i, i + BATCH).map((k) => marshall(k));
    for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
      const out = await dynamodb.send(new BatchGetItemCommand({
        RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true, ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } },
      }));
      for (const item of out.Responses?.[tableName] ?? []) {
        const plain = unmarshall(item);
        found.set(id(taskKeySchema.parse(Object.fromEntries(keyAttributes.map((a) => [a, plain[a]])))), plain);
      }
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    unread.push(...pending.map((k) => taskKeySchema.parse(unmarshall(k))));
  }
  const unreadIds = new Set(unread.map(id));
  const changed: LiveTasks['changed'] = [];
  const gone: TaskKey[] = [];
  let stillPending = 0;
  for (const key of keys) {
    if (unreadIds.has(id(key))) continue;
    const item = found.get(id(key));
    if (!item) gone.push(key);
    else if (item[spec.statusAttribute] === spec.pendingStatus) stillPending++;
    else changed.push({ key, status: item[spec.statusAttribute] ?? null });
  }
  return { approvedKeys: keys.length, stillPending, changed, gone, unread };
}
