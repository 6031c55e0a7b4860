import * as z from '../shared/zod';
import { describeKeys, itemDigest, recordedItemsAt, type ItemAtKey, type RecordedItems } from '../domain/recorded-items';
import { itemKeySchema, type ItemKey } from '../domain/item-keys';
import { canonical, sameValue, undoStepFor, type RestoreStep } from '../domain/undo-plan';
import { performAction } from '../shared/act';
import { afterPartOfTheChange, InvalidInput } from '../shared/errors';
import { isUnsettled, type Ledger } from '../shared/ledger';
import { logger } from '../shared/logger';
import type { Incident } from '../shared/task-input';
import type { ItemsRestored, RestoreOutcome } from './restore-outcome';
import { newerLeftAlone } from './newer-changes';
import type { UndoResources } from './resources';

/**
 * What each key held when the undo first read it (the undo row's `before`): a digest of the item,
 * or null when none. A digest, not the item: the undo's own row stays small whatever the tasks hold.
 */
export interface DigestAtKey {
  readonly key: ItemKey;
  readonly item: string | null;
}

const atKeys = (found: readonly ItemAtKey[]): DigestAtKey[] => found.map(({ key, item }) => ({ key, item: itemDigest(item) }));

/** The call the plan makes (undo-plan.ts): anything else, a put without its only-create condition above all, is refused. */
const itemsRestoreSchema = z.object({
  sourceKey: z.string().check(z.minLength(1)),
  step: z.string().check(z.minLength(1)),
  operation: z.literal('dynamodb:PutItem'),
  target: z.string().check(z.minLength(1)),
  parameters: z.strictObject({
    TableName: z.string().check(z.minLength(1)),
    ConditionExpression: z.literal('attribute_not_exists(#key)'),
    ExpressionAttributeNames: z.strictObject({ '#key': z.string().check(z.minLength(1)) }),
  }),
  restoreTo: z.strictObject({ count: z.int().check(z.gte(1)), keys: z.array(itemKeySchema).check(z.minLength(1)), digest: z.string().check(z.regex(/^[0-9a-f]{64}$/)) }),
}).check(
  z.refine((r) => r.parameters.TableName === r.target, { message: 'parameters.TableName must be the target', path: ['parameters', 'TableName'] }),
  z.refine((r) => r.restoreTo.count === r.restoreTo.keys.length, { message: 'count must be the number of keys', path: ['restoreTo', 'count'] }),
  z.refine((r) => new Set(r.restoreTo.keys.map((k) => JSON.stringify(canonical(k)))).size === r.restoreTo.keys.length, { message: 'a key is named twice', path: ['restoreTo', 'keys'] }),
  z.refine((r) => r.step === undoStepFor(r.sourceKey), { message: "must be the undo of the source row's step", path: ['step'] }),
);

function checked(step: RestoreStep): RecordedItems {
  const parsed = itemsRestoreSchema.safeParse(step);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInput(`Invalid task input at restore.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.restoreTo;
}

/**
 * The items to put back, from the cleanup's ledger row the step names (`sourceKey`): the row must
 * be that delete, on this table, finished, with these keys among those it deleted and these items
 * as approved (the digest). Otherwise a one-line InvalidInput, before any read of the table or put.
 */
export async function recordedItems(ledger: Ledger, incidentId: string, step: RestoreStep): Promise<ItemAtKey[]> {
  const planned = checked(step);
  const row = await ledger.getAction(incidentId, step.sourceKey);
  const recorded = recordedItemsAt(row, step.sourceKey, { target: step.target, keys: planned.keys, digest: planned.digest });
  if ('why' in recorded) throw new InvalidInput(`Cannot put back the items of ${step.target}: ${recorded.why}`);
  return recorded;
}

/** What a restore's result says of the items: how many keys and the digest, not the keys again or the items. */
const brief = (step: RestoreStep) => {
  const planned = step.restoreTo as RecordedItems;
  return { count: planned.count, digest: planned.digest };
};

/**
 * Compare and restore, item by item, the tasks the cleanup deleted, read from its ledger row. Only
 * keys no item holds are put back (a conditional PutItem that only creates); a task someone created
 * again under its key is left as it is and reported. The undo's row of intent holds what each key
 * held before the first put (a digest), so a retry or redrive after a partial restore tells its own
 * earlier puts (the recorded item, where the row says none) from someone's re-creation, and puts
 * nothing twice. A cleanup whose outcome the ledger does not know (an answer lost) is settled first
 * from the table: the tasks gone are the ones it deleted, and only those are put back.
 */
export async function restoreItems(ledger: Ledger, resources: UndoResources, incident: Incident, executionArn: string, step: RestoreStep): Promise<RestoreOutcome> {
  const base = { sourceKey: step.sourceKey, operation: step.operation, target: step.target, expected: step.expected, restoredTo: brief(step) };
  const begun = await ledger.latestAction(incident.id, `${step.step}#${step.operation}#${step.target}`);
  if (begun?.status === 'succeeded') {
    const after = begun.after as ItemsRestored;
    return { ...base, ...outcomeOf(after), reason: `restored by ${begun.executionArn}: ${describe(step.target, after)}`, found: summary(begun.before as DigestAtKey[]), replayed: true, items: after };
  }
  if (!begun) {
    const left = await newerLeftAlone(ledger, incident.id, step);
    if (left) return { ...base, outcome: 'changed-since', reason: `${step.target}: ${left}, so the items of its earlier cleanup are left as they are too`, found: null, replayed: false };
    const settled = await settleCleanup(ledger, resources, incident.id, step);
    if (settled === 'not-in-effect') {
      return { ...base, outcome: 'unchanged', reason: `${step.target}: the cleanup's deletes did not take effect (its answer was lost; every task read again is there): nothing to put back`, found: null, replayed: false };
    }
  }
  const recorded = await recordedItems(ledger, incident.id, step);
  if (recorded.length === 0) {
    return { ...base, outcome: 'unchanged', reason: `${step.target}: the cleanup deleted none of these tasks (read again): nothing to put back`, found: null, replayed: false };
  }
  const found = await resources.readItems(step.target, recorded.map((r) => r.key));
  const foundNow = summary(atKeys(found));
  if (!begun && found.every((f) => f.item !== null)) {
    // No key is free: nothing to put, and no row to write.
    const left = found.filter((f, i) => !sameValue(f.item, recorded[i]?.item));
    const items: ItemsRestored = { restored: [], unchanged: found.filter((f) => !left.includes(f)).map((f) => f.key), left: left.map((f) => ({ key: f.key, reason: RECREATED })) };
    if (left.length > 0) logger.warn('Not restoring: every deleted item was created again since', { target: step.target, keys: describeKeys(left.map((f) => f.key)) });
    return { ...base, ...outcomeOf(items), reason: describe(step.target, items), found: foundNow, replayed: false, items };
  }
  const action = await performAction<DigestAtKey[], ItemsRestored, ItemAtKey[]>(ledger, incident, executionArn, {
    step: step.step,
    operation: step.operation,
    target: step.target,
    parameters: step.parameters,
    intended: { restored: recorded.map((r) => r.key), unchanged: [], left: [] },
    undoes: step.sourceKey,
    readBefore: async () => atKeys(found),
    mutate: (before) => putBack(resources, step, recorded, before, found),
    observe: () => resources.readItems(step.target, recorded.map((r) => r.key)),
    // In effect once no key the undo found free is free still (a put whose answer was lost shows as the recorded item).
    inEffect: (now, before) => {
      const verdicts = compare(recorded, before, now);
      return verdicts.some((v) => v.verdict === 'free') ? undefined : tally(verdicts);
    },
    partlyInEffect: (now, before) => compare(recorded, before, now).some((v) => v.verdict === 'restored'),
  });
  const items = action.after;
  return { ...base, ...outcomeOf(items), reason: action.replayed ? `restored by an earlier attempt: ${describe(step.target, items)}` : describe(step.target, items), found: foundNow, replayed: action.replayed, items };
}

/**
 * A cleanup row whose outcome is unknown (its answer lost, or its row left at intent): every task
 * it read and that is gone now is one it deleted; the others it did not. The row is settled so
 * (succeeded with those deletes, or failed when none), before anything is put back.
 */
async function settleCleanup(ledger: Ledger, resources: UndoResources, incidentId: string, step: RestoreStep): Promise<'settled' | 'not-in-effect' | 'finished'> {
  const planned = checked(step);
  const row = await ledger.getAction(incidentId, step.sourceKey);
  if (!row || !isUnsettled(row.status)) return 'finished';
  // The row must be the one planned (items and digest) before the table is read.
  const asPlanned = recordedItemsAt({ ...row, status: 'succeeded', after: { deleted: planned.keys } }, step.sourceKey, { target: step.target, keys: planned.keys, digest: planned.digest });
  if ('why' in asPlanned) throw new InvalidInput(`Cannot put back the items of ${step.target}: ${asPlanned.why}`);
  const now = await resources.readItems(step.target, planned.keys);
  const deleted = now.filter((n) => n.item === null).map((n) => n.key);
  const missing = ((row.before as { missing?: ItemKey[] } | null)?.missing ?? []).map((key) => ({ key, reason: 'gone before the delete step read it' }));
  const kept = now.filter((n) => n.item !== null).map((n) => ({ key: n.key, reason: 'still there when the undo read the table again: not deleted (the cleanup ended without a record)' }));
  const settled = await ledger.settleAction(incidentId, step.sourceKey, deleted.length > 0
    ? { inEffect: true, after: { deleted, skipped: [...missing, ...kept] } }
    : { inEffect: false, reason: `reconciled by the undo: no task the cleanup read is gone from ${step.target}` });
  return settled.status === 'failed' ? 'not-in-effect' : 'settled';
}

/** How many of the keys held an item when read (the item itself is in the table, the recorded one in the cleanup's row). */
function summary(found: readonly DigestAtKey[] | undefined): { count: number; withItem: number } {
  const list = Array.isArray(found) ? found : [];
  return { count: list.length, withItem: list.filter((f) => f.item !== null).length };
}

const RECREATED = 'an item was created again under this key since the runbook deleted it: left as it is';

type Verdict = 'restored' | 'unchanged' | 'left' | 'free';

/**
 * Per recorded item: `before`, each key as the undo's first attempt read it (recorded in its row of
 * intent); `now`, as read since. A key that held an item before the first attempt is someone
 * else's (or never deleted); one that was free and now holds the recorded item was put back by an
 * earlier attempt; one still free needs its put.
 */
function compare(recorded: readonly ItemAtKey[], before: readonly DigestAtKey[], now: readonly ItemAtKey[]): { key: ItemKey; item: Record<string, unknown>; verdict: Verdict }[] {
  const out: { key: ItemKey; item: Record<string, unknown>; verdict: Verdict }[] = [];
  for (const [i, { key, item }] of recorded.entries()) {
    if (!item) continue;
    const was = before[i]?.item ?? null;
    const current = now[i]?.item ?? null;
    const verdict: Verdict = was !== null ? (was === itemDigest(item) ? 'unchanged' : 'left')
      : current !== null ? (sameValue(current, item) ? 'restored' : 'left')
      : 'free';
    out.push({ key, item, verdict });
  }
  return out;
}

function tally(verdicts: readonly { key: ItemKey; verdict: Verdict }[], reasons: ReadonlyMap<ItemKey, string> = new Map()): ItemsRestored {
  const out: ItemsRestored = { restored: [], unchanged: [], left: [] };
  for (const { key, verdict } of verdicts) {
    if (verdict === 'restored') out.restored.push(key);
    else if (verdict === 'unchanged') out.unchanged.push(key);
    else if (verdict === 'left') out.left.push({ key, reason: reasons.get(key) ?? RECREATED });
  }
  return out;
}

/** Puts the free keys' items back, one conditional PutItem each; never overwrites. */
async function putBack(resources: UndoResources, step: RestoreStep, recorded: readonly ItemAtKey[], before: readonly DigestAtKey[], now: readonly ItemAtKey[]): Promise<ItemsRestored> {
  const verdicts = compare(recorded, before, now);
  const reasons = new Map<ItemKey, string>();
  for (const v of verdicts) {
    if (v.verdict !== 'free') continue;
    let put: boolean;
    try {
      put = await resources.putItemIfAbsent(step, v.item);
    } catch (e: unknown) {
      // Some items are back already: whatever this put's error says, the restore's outcome is unknown, not failed.
      throw verdicts.some((o) => o.verdict === 'restored') && e instanceof Error ? afterPartOfTheChange(e) : e;
    }
    if (put) {
      v.verdict = 'restored';
      continue;
    }
    // ConditionalCheckFailed: an item took the key between the read and the put. Never overwritten.
    const [taken] = await resources.readItems(step.target, [v.key]);
    v.verdict = sameValue(taken?.item ?? null, v.item) ? 'restored' : 'left';
    if (v.verdict === 'left') reasons.set(v.key, `${RECREATED} (the put found it: ConditionalCheckFailed)`);
  }
  return tally(verdicts, reasons);
}

function outcomeOf(items: ItemsRestored): Pick<RestoreOutcome, 'outcome'> {
  if (items.left.length > 0) return { outcome: 'changed-since' };
  return { outcome: items.restored.length > 0 ? 'restored' : 'unchanged' };
}

/** One line: which keys were put back and which left, as finish and the notification report it. */
function describe(target: string, items: ItemsRestored): string {
  const parts = [
    items.restored.length ? `put back ${items.restored.length} deleted item(s) (${describeKeys(items.restored)})` : '',
    items.unchanged.length ? `${items.unchanged.length} already held the recorded item (${describeKeys(items.unchanged)})` : '',
    items.left.length ? `${items.left.length} created again since the runbook deleted them, left as they are (${describeKeys(items.left.map((l) => l.key))})` : '',
  ].filter(Boolean);
  return `${target}: ${parts.join('; ')}`;
}

/** Verify's reading of a `dynamodb-items` restore: counts and a digest, and the keys not back (never the items). */
export interface ItemsCheck {
  readonly expected: { count: number; digest: string };
  readonly found: { count: number; asRecorded: number };
  readonly restored: boolean;
  readonly notBack: ItemKey[];
}

/** Re-reads every key of the restore and compares it with the item the cleanup's row recorded (read again, checked as the restore checks it). */
export async function checkItems(ledger: Ledger, resources: UndoResources, incidentId: string, step: RestoreStep): Promise<ItemsCheck> {
  // A cleanup found, on a re-read, to have deleted nothing: nothing was to be put back.
  if ((await ledger.getAction(incidentId, step.sourceKey))?.status === 'failed') {
    return { expected: brief(step), found: { count: 0, asRecorded: 0 }, restored: true, notBack: [] };
  }
  const recorded = await recordedItems(ledger, incidentId, step);
  const now = await resources.readItems(step.target, recorded.map((r) => r.key));
  const notBack = recorded.filter((r, i) => !sameValue(now[i]?.item ?? null, r.item)).map((r) => r.key);
  return { expected: brief(step), found: { count: recorded.length, asRecorded: recorded.length - notBack.length }, restored: notBack.length === 0, notBack };
}

/** Verify's line for items that do not read back as recorded: the keys, not every item in full. */
export function itemsNotBack(target: string, keys: readonly ItemKey[]): string {
  return `${target}: ${describeKeys(keys)} do not hold the recorded item after the restore`;
}
