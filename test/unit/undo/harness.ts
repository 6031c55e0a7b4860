/** What the undo handler tests share: a dynalite ledger and one undo handler loaded against it. */
import { planUndo, type RestoreStep } from '../../../lambdas/domain/undo-plan';
import type { lambdaContext } from '../../support/fixtures';
import { ledgerHarness, type LedgerHarness, type LedgerHarnessOptions } from '../../support/ledger-harness';

export const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
export const RUNBOOK_EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-lambda-runaway:run-1';
export const UNDO_EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-undo:undo-1';

export type UndoHandler = (event: unknown, context: typeof lambdaContext) => Promise<Record<string, unknown>>;

export interface UndoHarness extends LedgerHarness {
  readonly handler: UndoHandler;
}

/**
 * The ledger harness (test/support/ledger-harness.ts), then the handler module imported only once
 * its environment is set, as Lambda would cold-start it.
 */
export function undoHarness(load: () => Promise<{ handler: unknown }>, fill: string, options: LedgerHarnessOptions = {}): UndoHarness {
  const ledger = ledgerHarness(fill, options);
  let handler: UndoHandler | undefined;
  beforeAll(async () => {
    handler = (await load()).handler as UndoHandler;
  });
  return {
    get dynamo() { return ledger.dynamo; },
    get ledger() { return ledger.ledger; },
    nextIncidentId: () => ledger.nextIncidentId(),
    get handler() { return handler as UndoHandler; },
  };
}

/** The restore step the plan makes from one finished action (the same path the state machine takes). */
export function restoreOf(step: string, operation: string, target: string, before: unknown, after: unknown): RestoreStep {
  const [restore] = planUndo([{ actionKey: `${step}#${operation}#${target}`, operation, target, before, after, status: 'succeeded', executionArn: RUNBOOK_EXEC }]).restores;
  return restore!;
}
