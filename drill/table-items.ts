import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createHash } from 'node:crypto';

/** A table's items as the drill compares them: how many, and a digest of their content. */
export interface TableItems {
  readonly items: number;
  /** sha256 (first 16 hex digits) of the items, in a stable order: equal digests mean the same items. */
  readonly itemsDigest: string;
}

/** Every item of the table now (strongly consistent, every page). */
export async function scanItems(dynamo: DynamoDBClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await dynamo.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []).map((i) => unmarshall(i)));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The count and a digest of the items, so "as at the start" means the same items, not just as many. */
export async function tableItems(dynamo: DynamoDBClient, tableName: string): Promise<TableItems> {
  const lines = (await scanItems(dynamo, tableName)).map(canonicalJson).sort();
  return { items: lines.length, itemsDigest: createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16) };
}

/** JSON with object keys sorted (and sets as sorted arrays), so attribute order does not change a digest. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Set) return [...(v as Set<string | number>)].sort();
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}
