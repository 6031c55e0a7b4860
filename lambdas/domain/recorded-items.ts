/**
 * The stuck tasks a cleanup deleted, as its ledger row recorded them (seed 003 §2): `before.items`
 * every task in full, `after.deleted` the keys actually deleted. The undo carries only the keys,
 * their count and a digest of the items through the state machine (Step Functions caps a state's
 * input and output at 256 KiB; the row may hold up to 400 KB of items); each handler that needs
 * the items reads them from this row and checks it is the row planned. Pure: no AWS here.
 */
import { createHash } from 'node:crypto';
import { describeKey, type TaskKey } from './stuck-tasks';
import { canonical } from './undo-plan';

/** What a `dynamodb-items` restore puts back: the recorded items at these keys, never the items themselves. */
export interface RecordedItems {
  readonly count: number;
  readonly keys: TaskKey[];
  /** sha256 of the recorded items at these keys, in this order: what was approved is what is put. */
  readonly digest: string;
}

/** One key and its item: the whole item (read from a row or the table), or null when no item has the key. */
export interface ItemAtKey {
  readonly key: TaskKey;
  readonly item: Record<string, unknown> | null;
}

/** sha256 (hex) of plain JSON values, attribute order aside. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}

/** A key's item in a digest: a ledger row that must stay small holds this, not the item. */
export const itemDigest = (item: Record<string, unknown> | null): string | null => (item === null ? null : digestOf(item));

const sameKey = (a: TaskKey, b: TaskKey) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([name, v]) => b[name] === v);

/** The item whose key attributes equal the key (a table keyed by partition and sort key matches on both). */
export const itemAt = (items: readonly unknown[], key: TaskKey): Record<string, unknown> | undefined =>
  items.find((i): i is Record<string, unknown> => !!i && typeof i === 'object' && Object.entries(key).every(([name, v]) => (i as Record<string, unknown>)[name] === v));

/** Keys for a line a human reads: the first few, then how many more (the ledger row lists them all). */
export function describeKeys(keys: readonly TaskKey[], shown = 10): string {
  const listed = keys.slice(0, shown).map(describeKey).join(', ');
  return keys.length > shown ? `${listed} and ${keys.length - shown} more` : listed;
}

/** The fields of the cleanup's ledger row a restore reads. */
export interface SourceRow {
  readonly operation: string;
  readonly target: string;
  readonly status: string;
  readonly before: unknown;
  readonly after?: unknown;
  /** Set when the row's outcome was settled by reading the table again (its answer was lost). */
  readonly reconciledAt?: string;
}

/**
 * The recorded items at `keys`, read from the cleanup's row, or why that row cannot be the one the
 * undo planned: another table or operation, not finished, a key it did not delete, an item it does
 * not hold, or items that are not those approved (the digest). A row settled by a re-read (its
 * answer was lost, so the undo planned every task it read) gives only the keys it did delete.
 */
export function recordedItemsAt(row: SourceRow | undefined, sourceKey: string, planned: { target: string; keys: readonly TaskKey[]; digest?: string }): ItemAtKey[] | { why: string } {
  if (!row) return { why: `the ledger has no row ${sourceKey}` };
  if (row.operation !== 'dynamodb:DeleteItem') return { why: `the ledger row ${sourceKey} is a ${row.operation}, not the dynamodb:DeleteItem of the cleanup` };
  if (row.target !== planned.target) return { why: `the ledger row ${sourceKey} deleted from ${row.target}, not ${planned.target}` };
  if (row.status !== 'succeeded') return { why: `the ledger row ${sourceKey} did not finish (${row.status})` };
  const deleted = (row.after as { deleted?: unknown } | undefined)?.deleted;
  const items = (row.before as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(deleted)) return { why: `the ledger row ${sourceKey} does not list the keys it deleted` };
  const wasDeleted = (k: TaskKey) => deleted.some((d: unknown) => !!d && typeof d === 'object' && sameKey(k, d as TaskKey));
  const notDeleted = planned.keys.filter((k) => !wasDeleted(k));
  if (notDeleted.length > 0 && row.reconciledAt === undefined) return { why: `the ledger row ${sourceKey} did not delete ${describeKeys(notDeleted)}` };
  const out: ItemAtKey[] = [];
  for (const key of planned.keys) {
    const item = Array.isArray(items) ? itemAt(items, key) : undefined;
    if (!item) return { why: `the ledger row ${sourceKey} does not hold the deleted item ${describeKey(key)}` };
    out.push({ key, item });
  }
  if (planned.digest !== undefined && digestOf(out.map((o) => o.item)) !== planned.digest) {
    return { why: `the items of the ledger row ${sourceKey} are not the ones planned and approved (digest differs)` };
  }
  return out.filter((o) => wasDeleted(o.key));
}

/**
 * A notification's line for the rows that hold items (the cleanup's delete, the undo's put back):
 * the table, how many tasks and which keys, never the items. Undefined for any other row.
 */
export function itemsRowLine(row: { operation: string; status: string; before: unknown; after?: unknown; error?: string }): string | undefined {
  const unfinished = (was: string) => `${row.status}${row.error ? `: ${row.error}` : ''} (was ${was})`;
  const before = row.before as { items?: unknown; backupArn?: unknown } | unknown[] | null | undefined;
  const keysIn = (list: unknown) => (Array.isArray(list) ? (list as TaskKey[]) : []);
  if (row.operation === 'dynamodb:DeleteItem' && before && !Array.isArray(before) && Array.isArray(before.items)) {
    const was = `${before.items.length} task(s) read in full (kept in the ledger row${typeof before.backupArn === 'string' ? ` and in backup ${before.backupArn}` : ''})`;
    if (row.status !== 'succeeded') return unfinished(was);
    const after = (row.after ?? {}) as { deleted?: unknown; skipped?: unknown };
    const deleted = keysIn(after.deleted);
    const skipped = Array.isArray(after.skipped) ? after.skipped.length : 0;
    return `${was} -> deleted ${deleted.length}${deleted.length ? ` (${describeKeys(deleted)})` : ''}, skipped ${skipped}`;
  }
  if (row.operation === 'dynamodb:PutItem' && Array.isArray(before)) {
    const was = `${before.length} deleted key(s), ${before.filter((b) => (b as { item?: unknown })?.item === null).length} free`;
    if (row.status !== 'succeeded') return unfinished(was);
    const after = (row.after ?? {}) as { restored?: unknown; unchanged?: unknown; left?: unknown };
    const restored = keysIn(after.restored);
    const unchanged = keysIn(after.unchanged);
    const left = (Array.isArray(after.left) ? after.left : []).map((l: { key?: TaskKey }) => l.key ?? {});
    const parts = [`put back ${restored.length}${restored.length ? ` (${describeKeys(restored)})` : ''}`];
    if (unchanged.length) parts.push(`${unchanged.length} already back (${describeKeys(unchanged)})`);
    if (left.length) parts.push(`${left.length} created again, left as they are (${describeKeys(left)})`);
    return `${was} -> ${parts.join(', ')}`;
  }
  return undefined;
}

/**
 * The approval request's line for each `dynamodb-items` restore among an undo's restores: the
 * table, how many tasks and which keys, and the ledger row their items are read from.
 */
export function itemsRestoreLines(parameters: Readonly<Record<string, unknown>>): string[] {
  const restores = Array.isArray(parameters.restores) ? (parameters.restores as Record<string, unknown>[]) : [];
  return restores.filter((r) => r?.kind === 'dynamodb-items').map((r) => {
    const planned = (r.restoreTo ?? {}) as Partial<RecordedItems>;
    const keys = Array.isArray(planned.keys) ? planned.keys : [];
    return `Puts back ${keys.length} deleted task(s) into ${String(r.target)} (only where no item has the key now), as the ledger row ${String(r.sourceKey)} recorded them: ${describeKeys(keys)}`;
  });
}
