/**
 * Undo planning: turns an incident's ledger action rows into the exact calls that put back what
 * the runbook replaced. Pure: no AWS here. Each restore is read from the row's recorded `before`
 * (the value the runbook replaced), never from a value carried elsewhere.
 */
import { digestOf, itemAt, recordedItemsAt, type RecordedItems } from './recorded-items';
import { describeKey, type TaskKey } from './stuck-tasks';

export type { ItemAtKey, RecordedItems } from './recorded-items';

/** The fields of a ledger action row the plan reads. */
export interface RecordedAction {
  readonly actionKey: string;
  readonly operation: string;
  readonly target: string;
  readonly status: string;
  readonly before: unknown;
  readonly after?: unknown;
  /** What the call meant to set: an unsettled row's change, if it took effect. */
  readonly intended?: unknown;
  /** An undo row: the key of the action it put back. */
  readonly undoes?: string;
  readonly executionArn: string;
}

/** What a restore compares and sets, per kind of resource. */
export type RestoreKind = 'lambda-reserved-concurrency' | 'dynamodb-capacity' | 'ssm-parameter' | 'dynamodb-items';

/** One restore call: the inverse of a finished action. */
export interface RestoreStep {
  /** The ledger key of the action being undone. */
  readonly sourceKey: string;
  /** The runbook step of that action ("stop", "switch"); the undo's own step is `undo-<step>`. */
  readonly sourceStep: string;
  readonly step: string;
  readonly kind: RestoreKind;
  /** The exact call, as "service:Operation", and its parameters as the API takes them. */
  readonly operation: string;
  readonly target: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** What the runbook set: the resource must still hold it, or someone changed it since. */
  readonly expected: unknown;
  /** What the runbook replaced: the value the restore puts back. */
  readonly restoreTo: unknown;
  /**
   * The newer changes to the same resource (their source keys), undone before this one: if any of
   * them was left (someone changed the resource since), this one is left too, whatever the value.
   */
  readonly newer: readonly string[];
  /**
   * True for the oldest change to the resource: its `restoreTo` is the resource as it was before
   * the runbook, so a resource already holding it needs nothing. A newer change's `restoreTo` is
   * only an intermediate value, which someone may have set again: that is a change since.
   */
  readonly restoresStart: boolean;
}

/** An action the plan does not restore, and why (listed, never silently dropped). */
export interface LeftAlone {
  readonly sourceKey: string;
  readonly operation: string;
  readonly target: string;
  readonly why: string;
}

export interface UndoPlan {
  /** Newest action first: undone in the reverse order they were made. */
  readonly restores: readonly RestoreStep[];
  /** Finished changes that have no earlier value to put back. */
  readonly notReversible: readonly LeftAlone[];
  /** Rows that need no restore: plans, failed calls, changes already reverted or undone. */
  readonly skipped: readonly LeftAlone[];
}

/** Rows whose outcome the ledger does not know (an answer lost): planned as if they took effect; the restore reads first. */
const unsettled = (a: RecordedAction) => a.status === 'unknown' || a.status === 'intent';

/**
 * An unsettled row as the change it meant to make: its `intended` is the `after` it would have left
 * (a cleanup meant to delete every task it read).
 */
function asIfInEffect(a: RecordedAction): RecordedAction | undefined {
  if (a.operation === 'dynamodb:DeleteItem') {
    const items = (a.before as { items?: unknown } | null | undefined)?.items;
    const intended = a.intended as { deleted?: unknown } | undefined;
    if (!Array.isArray(items) || !Array.isArray(intended?.deleted)) return undefined;
    const keys = (intended.deleted as TaskKey[]).filter((k) => isKey(k) && itemAt(items, k));
    return { ...a, after: { deleted: keys, skipped: [] } };
  }
  return a.intended === undefined ? undefined : { ...a, after: a.intended };
}

export const UNDO_STEP_PREFIX = 'undo-';

/** The step part of a ledger action key (`<step>#<operation>#<target>`). */
export const stepOf = (actionKey: string): string => actionKey.split('#')[0] ?? '';

const isUndoRow = (a: RecordedAction) => stepOf(a.actionKey).startsWith(UNDO_STEP_PREFIX);

/**
 * The undo step of a source row (`<step>#<operation>#<target>[#<n>]`): `undo-<step>`, and
 * `undo-<step>-<n>` for a later row of the same key (a re-run that acted again), so each change
 * has its own undo row.
 */
export function undoStepFor(sourceKey: string): string {
  const [step = '', , , generation] = sourceKey.split('#');
  return `${UNDO_STEP_PREFIX}${step}${generation ? `-${generation}` : ''}`;
}

/** Structural equality for ledger values (plain JSON). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]));
  }
  return value === undefined ? null : value;
}

interface IndexCapacity { indexName: string; readCapacityUnits: number | null; writeCapacityUnits: number | null }
interface CapacityRecord { billingMode?: unknown; readCapacityUnits?: unknown; writeCapacityUnits?: unknown; globalSecondaryIndexes?: unknown }

const isUnits = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

type Inverse = Omit<RestoreStep, 'sourceKey' | 'sourceStep' | 'step' | 'newer' | 'restoresStart'>;

/** The inverse call of one finished action, or why there is none. */
export function inverseOf(action: RecordedAction): Inverse | { why: string } {
  const { operation, target, before, after } = action;
  switch (operation) {
    case 'lambda:PutFunctionConcurrency': {
      if (before === null || before === undefined) {
        return { kind: 'lambda-reserved-concurrency', operation: 'lambda:DeleteFunctionConcurrency', target, parameters: { FunctionName: target }, expected: after, restoreTo: null };
      }
      if (typeof before !== 'number' || !Number.isInteger(before) || before < 0) return { why: `the recorded reserved concurrency ${JSON.stringify(before)} is not a number or "none"` };
      return {
        kind: 'lambda-reserved-concurrency', operation: 'lambda:PutFunctionConcurrency', target,
        parameters: { FunctionName: target, ReservedConcurrentExecutions: before }, expected: after, restoreTo: before,
      };
    }
    case 'dynamodb:UpdateTable': {
      const was = (before ?? {}) as CapacityRecord;
      if (was.billingMode === 'PAY_PER_REQUEST') return { why: 'the table was already on-demand: the switch changed nothing' };
      if (was.billingMode !== 'PROVISIONED') return { why: `the recorded billing mode ${JSON.stringify(was.billingMode)} is not PROVISIONED or PAY_PER_REQUEST` };
      const indexes = (Array.isArray(was.globalSecondaryIndexes) ? was.globalSecondaryIndexes : []) as IndexCapacity[];
      // AWS requires the throughput of the table and of every index when switching back to provisioned.
      if (!isUnits(was.readCapacityUnits) || !isUnits(was.writeCapacityUnits) || !indexes.every((i) => isUnits(i.readCapacityUnits) && isUnits(i.writeCapacityUnits))) {
        return { why: 'the recorded provisioned capacities are incomplete: switching back to provisioned needs the throughput of the table and every index' };
      }
      return {
        kind: 'dynamodb-capacity', operation: 'dynamodb:UpdateTable', target,
        parameters: {
          TableName: target,
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: { ReadCapacityUnits: was.readCapacityUnits, WriteCapacityUnits: was.writeCapacityUnits },
          ...(indexes.length > 0 ? {
            GlobalSecondaryIndexUpdates: indexes.map((i) => ({
              Update: { IndexName: i.indexName, ProvisionedThroughput: { ReadCapacityUnits: i.readCapacityUnits, WriteCapacityUnits: i.writeCapacityUnits } },
            })),
          } : {}),
        },
        expected: after,
        restoreTo: { billingMode: 'PROVISIONED', readCapacityUnits: was.readCapacityUnits, writeCapacityUnits: was.writeCapacityUnits, globalSecondaryIndexes: indexes },
      };
    }
    case 'ssm:PutParameter': {
      if (typeof before !== 'string') return { why: `the recorded parameter value ${JSON.stringify(before)} is not a string` };
      if (before === after) return { why: 'the parameter already held this value: the call changed nothing' };
      return {
        kind: 'ssm-parameter', operation: 'ssm:PutParameter', target,
        parameters: { Name: target, Value: before, Type: 'String', Overwrite: true }, expected: after, restoreTo: before,
      };
    }
    case 'dynamodb:DeleteItem':
      return itemsInverse(target, before, after);
    case 'dynamodb:CreateBackup':
      return { why: 'the on-demand backup is kept: it holds the tasks as they were before the delete, and the undo deletes nothing' };
    case 'ecs:UpdateService':
      return { why: 'a forced new deployment keeps the same task definition: there is no earlier value to put back (a service that reads a restored value at start picks it up at its next deployment)' };
    default:
      return { why: `no inverse is known for ${operation}` };
  }
}

/** Plain JSON all the way down: items are compared (and digested) as JSON, where a set or binary attribute is not itself. */
function jsonSafe(value: unknown): boolean {
  if (value instanceof Set || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
  if (Array.isArray(value)) return value.every(jsonSafe);
  if (value && typeof value === 'object') return Object.values(value).every(jsonSafe);
  return true;
}

interface DeleteRecord { items?: unknown; backupArn?: unknown }
interface DeleteSummary { deleted?: unknown; skipped?: unknown }

const isKey = (k: unknown): k is TaskKey => !!k && typeof k === 'object' && !Array.isArray(k) && Object.keys(k).length > 0
  && Object.values(k).every((v) => typeof v === 'string' || typeof v === 'number');

/**
 * The stuck-task cleanup (seed 003 §2): its row's `before.items` holds every task in full, read
 * just before the delete, and `after.deleted` the keys actually deleted. Only those are put back
 * (a skipped task was never deleted), each by a PutItem that only creates: a task someone created
 * again under the same key since is never overwritten. The step names the keys, their count and a
 * digest of the items, never the items: the restore reads them from the row (recorded-items.ts).
 */
function itemsInverse(target: string, before: unknown, after: unknown): Inverse | { why: string } {
  const was = (before ?? {}) as DeleteRecord;
  const done = (after ?? {}) as DeleteSummary;
  if (!Array.isArray(done.deleted) || !done.deleted.every(isKey)) return { why: 'the recorded delete does not list the keys it deleted' };
  if (done.deleted.length === 0) {
    const skipped = Array.isArray(done.skipped) ? done.skipped.length : 0;
    return { why: `no task was deleted (${skipped} skipped): nothing to put back` };
  }
  const items = Array.isArray(was.items) ? was.items : [];
  const backup = typeof was.backupArn === 'string' ? `; it is in backup ${was.backupArn}` : '';
  for (const key of done.deleted) {
    const item = itemAt(items, key);
    if (!item) return { why: `the ledger row does not hold the deleted item ${describeKey(key)}, so it cannot be put back from the ledger${backup}` };
    if (!jsonSafe(item)) return { why: `the deleted item ${describeKey(key)} holds a set or binary attribute, which the undo does not compare or put back${backup}` };
  }
  const keys = done.deleted;
  const recorded = recordedItemsAt({ operation: 'dynamodb:DeleteItem', target, status: 'succeeded', before, after }, target, { target, keys });
  if ('why' in recorded) return recorded;
  // Every item carries all its key attributes: "this key attribute does not exist" means "no item has this key".
  const keyAttribute = Object.keys(keys[0]!)[0]!;
  const restoreTo: RecordedItems = { count: keys.length, keys, digest: digestOf(recorded.map((r) => r.item)) };
  return {
    kind: 'dynamodb-items', operation: 'dynamodb:PutItem', target,
    parameters: { TableName: target, ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': keyAttribute } },
    // The runbook left no item at any of these keys.
    expected: { count: keys.length, item: null },
    restoreTo,
  };
}

/**
 * The undo plan of an incident. Finished changes are restored, and so are changes whose outcome is
 * unknown (an answer lost, a row left at intent after its execution ended): planned as if they took
 * effect, and the restore reads the resource first and settles the row (undo/restore.ts). A change
 * already put back inside its own runbook (a later action on the same target whose before/after
 * mirror it, like the guardrail's timed restore) is reverted by neither, and one already undone is
 * not undone twice. An unfinished undo row (failed, or cut off) is planned again: its restore is
 * keyed like the first attempt, so it resumes rather than repeats. Callers leave out (or refuse)
 * rows of intent whose call may still be in flight.
 */
export function planUndo(actions: readonly RecordedAction[]): UndoPlan {
  const undoRows = actions.filter(isUndoRow);
  const originals = actions.filter((a) => !isUndoRow(a));
  const restores: Omit<RestoreStep, 'newer' | 'restoresStart'>[] = [];
  const notReversible: LeftAlone[] = [];
  const skipped: LeftAlone[] = [];
  const leave = (list: LeftAlone[], a: RecordedAction, why: string) => list.push({ sourceKey: a.actionKey, operation: a.operation, target: a.target, why });

  const finished = originals.filter((a) => a.status === 'succeeded');
  const revertedBy = new Map<string, string>();
  finished.forEach((a, i) => {
    // Only a change with a known inverse can be put back; a redeploy followed by a redeploy is two rollouts.
    if (revertedBy.has(a.actionKey) || 'why' in inverseOf(a)) return;
    const revert = finished.slice(i + 1).find((b) => !revertedBy.has(b.actionKey) && b.operation === a.operation && b.target === a.target
      && sameValue(b.before, a.after) && sameValue(b.after, a.before));
    if (revert) {
      revertedBy.set(a.actionKey, revert.actionKey);
      revertedBy.set(revert.actionKey, a.actionKey);
    }
  });

  for (const a of [...originals].reverse()) {
    if (a.status === 'planned') { leave(skipped, a, 'dry run: the call was planned, never made'); continue; }
    const open = unsettled(a);
    if (a.status !== 'succeeded' && !open) { leave(skipped, a, `the call did not finish (${a.status}): there is no change of record to put back`); continue; }
    const pair = revertedBy.get(a.actionKey);
    if (pair) { leave(skipped, a, `already put back within the runbook (${stepOf(a.actionKey)} and ${stepOf(pair)} cancel out)`); continue; }
    const change = open ? asIfInEffect(a) : a;
    if (!change) { leave(skipped, a, `its outcome is unknown (${a.status}) and its row does not say what it meant to set`); continue; }
    const inverse = inverseOf(change);
    if ('why' in inverse) { leave(notReversible, a, open ? `${inverse.why} (its outcome is unknown: ${a.status})` : inverse.why); continue; }
    const sourceStep = stepOf(a.actionKey);
    const step = undoStepFor(a.actionKey);
    const done = undoRows.find((u) => u.status === 'succeeded' && (u.undoes !== undefined ? u.undoes === a.actionKey : stepOf(u.actionKey) === step && u.target === a.target));
    if (done) { leave(skipped, a, `already undone by ${done.executionArn}`); continue; }
    restores.push({ sourceKey: a.actionKey, sourceStep, step, ...inverse });
  }
  // Per resource, newest first: each restore waits on the newer ones, and only the oldest may find the resource already back.
  const sameResource = (x: { kind: RestoreKind; target: string }, y: { kind: RestoreKind; target: string }) => x.kind === y.kind && x.target === y.target;
  const ordered = restores.map((r, i) => ({
    ...r,
    newer: restores.slice(0, i).filter((n) => sameResource(n, r)).map((n) => n.sourceKey),
    restoresStart: !restores.slice(i + 1).some((o) => sameResource(o, r)),
  }));
  return { restores: ordered, notReversible, skipped };
}
