/** What the drill records of a run, shared by the drill, its result and its undo's result. */
import type { Outcome } from '../lambdas/domain/message';

/** Something the approval step did that the state machine's own events do not show. */
export interface ApprovalNote {
  readonly executionArn: string;
  readonly at: number;
  readonly state: string;
  readonly event: 'requested' | 'scanned' | 'decided' | 'timed out';
  readonly detail: string;
}

/** A mutating call that reached the account (the sandbox or a target table), and whether it took effect. */
export interface MutationReceived {
  readonly service: string;
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** False when it was refused; true when it was applied, its answer lost or not. */
  readonly applied: boolean;
}

/** A mutating call the sandbox received, and whether its ledger row of intent was already there. */
export interface AuditCheck {
  readonly operation: string;
  readonly target: string;
  readonly intentRecorded: boolean;
}

export interface DrillAction {
  readonly operation: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly status: string;
  /** The ledger held this action's row of intent when the call reached AWS (null: no call in this input: a plan, or a row an earlier run made). */
  readonly auditedBeforeCall: boolean | null;
  /** A dry run's plan: the exact call, not made. */
  readonly planned?: true;
  /** Recorded from a read, no call: the change was found in effect after this action's own call was refused. */
  readonly foundInEffect?: true;
  readonly parameters?: unknown;
}

export interface TimelineEntry {
  readonly elapsedMs: number;
  readonly state: string;
  /** `heard`: the execution-failure rule's notifier; `redriven`: a redrive starts the next run. */
  readonly event: 'done' | 'retried' | 'caught' | 'failed' | 'heard' | 'redriven' | ApprovalNote['event'];
  readonly detail: string;
}

/** Per touched resource: its starting state, after the runbook and after the undo, on the fields the runbook changed. */
export interface UndoResource {
  readonly name: string;
  /** The fields compared (what the runbook's calls change); empty when the change has no inverse. */
  readonly fields: readonly string[];
  readonly start: unknown;
  readonly afterRunbook: unknown;
  readonly afterUndo: unknown;
  /** Null when the resource cannot be compared (its change is not reversible): see `note`. */
  readonly equalsStart: boolean | null;
  readonly note?: string;
}

export interface UndoResult {
  readonly outcome: Outcome;
  readonly reason: string;
  readonly executionArn: string | null;
  /** Who asked for the undo: a person (`npm run undo`, --then-undo) or a runbook (not verified). */
  readonly requestedBy: string | null;
  readonly actions: readonly DrillAction[];
  readonly notReversible: readonly { operation: string; target: string; why: string }[];
  readonly resources: readonly UndoResource[];
  /** Every reversible touched resource equals its starting state (and at least one change was reversible, or nothing changed). */
  readonly restored: boolean;
  readonly timeline: readonly TimelineEntry[];
}
