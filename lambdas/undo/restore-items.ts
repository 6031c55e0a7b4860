import { z } from 'zod';
import { describeKey, taskKeySchema, type TaskKey } from '../domain/stuck-tasks';
import { sameValue, type ItemAtKey, type RestoreStep } from '../domain/undo-plan';
import { performAction } from '../shared/act';
import { InvalidInput } from '../shared/errors';
import type { Ledger } from '../shared/ledger';
import { logger } from '../shared/logger';
import type { Incident } from '../shared/task-input';
import type { RestoreOutcome } from './restore';
import type { UndoResources } from './resources';

/** What a `dynamodb-items` restore did, per key (the undo row's `after`). */
export interface ItemsRestored {
  /** Put back by this restore (or by an earlier attempt of it). */
  readonly restored: TaskKey[];
  /** Already held the recorded item before the undo: nothing to put. */
  readonly unchanged: TaskKey[];
  /** An item was created again under the key since the delete: left as it is, never overwritten. */
  readonly left: { key: TaskKey; reason: string }[];
}

const keysOf = (keys: readonly TaskKey[]) => keys.map(describeKey).join(', ');

/** The call the plan makes (undo-plan.ts): anything else, a put without its only-create condition above all, is refused. */
const itemsRestoreSchema = z.object({
  operation: z.literal('dynamodb:PutItem'),
  target: z.string().min(1),
  parameters: z.object({
    TableName: z.string().min(1),
    ConditionExpression: z.literal('attribute_not_exists(#key)'),
    ExpressionAttributeNames: z.object({ '#key': z.string().min(1) }).strict(),
  }),
  restoreTo: z.array(z.object({ key: taskKeySchema, item: z.record(z.string(), z.unknown()) })).min(1),
}).refine((r) => r.parameters.TableName === r.target, { message: 'parameters.TableName must be the target', path: ['parameters', 'TableName'] });

function checked(step: RestoreStep): void {
  const parsed = itemsRestoreSchema.safeParse(step);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInput(`Invalid task input at restore.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
}

/**
 * Compare and restore, item by item, the tasks the cleanup deleted. Only keys no item holds are
 * put back (a conditional PutItem that only creates); a task someone created again under its key
 * is left as it is and reported. The undo's row of intent holds what each key held before the
 * first put, so a retry or redrive after a partial restore tells its own earlier puts (the
 * recorded item, where the row says none) from someone's re-creation, and puts nothing twice.
 */
export async function restoreItems(ledger: Ledger, resources: UndoResources, incident: Incident, executionArn: string, step: RestoreStep): Promise<RestoreOutcome> {
  checked(step);
  const recorded = step.restoreTo as ItemAtKey[];
  const base = { sourceKey: step.sourceKey, operation: step.operation, target: step.target, expected: step.expected, restoredTo: step.restoreTo };
  const begun = await ledger.getAction(incident.id, `${step.step}#${step.operation}#${step.target}`);
  if (begun?.status === 'succeeded') {
    const after = begun.after as ItemsRestored;
    return { ...base, ...outcomeOf(after), reason: `restored by ${begun.executionArn}: ${describe(step.target, after)}`, found: begun.before, replayed: true, items: after };
  }
  const found = (await resources.read('dynamodb-items', step.target, recorded)) as ItemAtKey[];
  if (!begun && found.every((f) => f.item !== null)) {
    // No key is free: nothing to put, and no row to write.
    const left = found.filter((f, i) => !sameValue(f.item, recorded[i]?.item));
    const items: ItemsRestored = { restored: [], unchanged: found.filter((f) => !left.includes(f)).map((f) => f.key), left: left.map((f) => ({ key: f.key, reason: RECREATED })) };
    if (left.length > 0) logger.warn('Not restoring: every deleted item was created again since', { target: step.target, keys: keysOf(left.map((f) => f.key)) });
    return { ...base, ...outcomeOf(items), reason: describe(step.target, items), found, replayed: false, items };
  }
  const action = await performAction<ItemAtKey[], ItemsRestored>(ledger, incident, executionArn, {
    step: step.step,
    operation: step.operation,
    target: step.target,
    parameters: step.parameters,
    intended: { restored: recorded.map((r) => r.key), unchanged: [], left: [] },
    readBefore: async () => found,
    mutate: (before) => putBack(resources, step, recorded, before, found),
  });
  const items = action.after;
  return { ...base, ...outcomeOf(items), reason: action.replayed ? `restored by an earlier attempt: ${describe(step.target, items)}` : describe(step.target, items), found, replayed: action.replayed, items };
}

const RECREATED = 'an item was created again under this key since the runbook deleted it: left as it is';

/**
 * `before`: each key as the undo's first attempt read it (recorded in its row of intent);
 * `now`: as this attempt read it. A key that held an item before the first attempt is someone
 * else's; one that was free and now holds the recorded item was put back by an earlier attempt.
 */
async function putBack(resources: UndoResources, step: RestoreStep, recorded: readonly ItemAtKey[], before: readonly ItemAtKey[], now: readonly ItemAtKey[]): Promise<ItemsRestored> {
  const out: ItemsRestored = { restored: [], unchanged: [], left: [] };
  for (const [i, { key, item }] of recorded.entries()) {
    const was = before[i]?.item ?? null;
    const current = now[i]?.item ?? null;
    if (!item) continue;
    if (was !== null) {
      if (sameValue(was, item)) out.unchanged.push(key);
      else out.left.push({ key, reason: RECREATED });
    } else if (current !== null) {
      if (sameValue(current, item)) out.restored.push(key);
      else out.left.push({ key, reason: RECREATED });
    } else if (await resources.putItemIfAbsent(step, item)) {
      out.restored.push(key);
    } else {
      // ConditionalCheckFailed: an item took the key between the read and the put. Never overwritten.
      const [taken] = await resources.readItems(step.target, [key]);
      if (sameValue(taken?.item ?? null, item)) out.restored.push(key);
      else out.left.push({ key, reason: `${RECREATED} (the put found it: ConditionalCheckFailed)` });
    }
  }
  return out;
}

function outcomeOf(items: ItemsRestored): Pick<RestoreOutcome, 'outcome'> {
  if (items.left.length > 0) return { outcome: 'changed-since' };
  return { outcome: items.restored.length > 0 ? 'restored' : 'unchanged' };
}

/** One line: which keys were put back and which left, as finish and the notification report it. */
function describe(target: string, items: ItemsRestored): string {
  const parts = [
    items.restored.length ? `put back ${items.restored.length} deleted item(s) (${keysOf(items.restored)})` : '',
    items.unchanged.length ? `${items.unchanged.length} already held the recorded item (${keysOf(items.unchanged)})` : '',
    items.left.length ? `${items.left.length} created again since the runbook deleted them, left as they are (${keysOf(items.left.map((l) => l.key))})` : '',
  ].filter(Boolean);
  return `${target}: ${parts.join('; ')}`;
}

/** Verify's line for items that do not read back as recorded: the keys, not every item in full. */
export function itemsNotBack(target: string, found: unknown, recorded: unknown): string {
  const now = (Array.isArray(found) ? found : []) as ItemAtKey[];
  const keys = ((Array.isArray(recorded) ? recorded : []) as ItemAtKey[])
    .filter((r, i) => !sameValue(now[i]?.item ?? null, r.item)).map((r) => r.key);
  return `${target}: ${keysOf(keys)} do not hold the recorded item after the restore`;
}
