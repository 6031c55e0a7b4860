import * as z from '../shared/zod';

/** A DynamoDB item's key as plain JSON ({ task_id: "t-1" }): string and number key attributes only. */
export const itemKeySchema = z.record(z.string(), z.union([z.string(), z.number()]));
export type ItemKey = z.infer<typeof itemKeySchema>;

/** One line per key, for messages and the ledger: "task_id=t-1". */
export function describeKey(key: ItemKey): string {
  return Object.entries(key).map(([k, v]) => `${k}=${String(v)}`).join(',');
}
