import type { ItemKey } from '../domain/item-keys';

/** What an items restore did, per key (the undo row's `after`). */
export interface ItemsRestored {
  /** Put back by this restore (or by an earlier attempt of it). */
  readonly restored: ItemKey[];
  /** Already held the recorded item before the undo: nothing to put. */
  readonly unchanged: ItemKey[];
  /** An item was created again under the key since the delete: left as it is, never overwritten. */
  readonly left: { key: ItemKey; reason: string }[];
}

/** What one restore of the undo did: its result in the state machine, checked by the undo's finish. */
export interface RestoreOutcome {
  readonly sourceKey: string;
  readonly operation: string;
  readonly target: string;
  /** `restored`: put back now (or by an earlier attempt); `unchanged`: it already held the recorded value; `changed-since`: left alone. */
  readonly outcome: 'restored' | 'unchanged' | 'changed-since';
  readonly reason: string;
  readonly expected: unknown;
  readonly found: unknown;
  readonly restoredTo: unknown;
  readonly replayed: boolean;
  /** An items restore: which keys were put back and which left as they are. */
  readonly items?: ItemsRestored;
}
