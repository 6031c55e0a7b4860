/** What the undo handler tests share: a dynalite ledger and one undo handler loaded against it. */
import { randomBytes } from 'node:crypto';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { planUndo, type RestoreStep } from '../../../lambdas/domain/undo-plan';
import { seedApprovalRequest } from '../../support/approval-requests';
import type { lambdaContext } from '../../support/fixtures';
import { ledgerHarness, type LedgerHarness, type LedgerHarnessOptions } from '../../support/ledger-harness';

export const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
export const RUNBOOK_EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-lambda-runaway:run-1';
export const UNDO_EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-undo:undo-1';

export type UndoHandler = (event: unknown, context: typeof lambdaContext) => Promise<Record<string, unknown>>;

export interface UndoHarness extends LedgerHarness {
  /** The handler; a restore step without an approval gets one, approved in the ledger for exactly that step, as the gate leaves it. */
  readonly handler: UndoHandler;
  /** The handler as loaded: the input is passed on as it is. */
  readonly unapprovedHandler: UndoHandler;
  readonly approvals: ApprovalStore;
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
  const approvals = () => new ApprovalStore('ledger', ledger.dynamo.client);
  /** The undo's approval gate, passed: an approved request whose plan is this one restore. */
  const approved: UndoHandler = async (event, context) => {
    const e = event as { incident?: { id: string; runbook: string }; restore?: { operation?: string; target?: string }; approval?: unknown };
    if (e.approval !== undefined || !e.incident || !e.restore) return (handler as UndoHandler)(event, context);
    const requestId = await seedApprovalRequest(approvals(), {
      requestId: `apr-${randomBytes(16).toString('hex')}`, incidentId: e.incident.id, status: 'approved',
      gate: {
        runbook: e.incident.runbook, step: 'undo', summary: 'undo', firedAt: new Date().toISOString(), operation: e.restore.operation ?? '',
        target: e.restore.target ?? '', parameters: { restores: [e.restore] }, evidence: null, severity: 'P3',
      },
    });
    return (handler as UndoHandler)({ ...e, approval: { decision: 'approved', requestId } }, context);
  };
  return {
    get dynamo() { return ledger.dynamo; },
    get ledger() { return ledger.ledger; },
    get approvals() { return approvals(); },
    nextIncidentId: () => ledger.nextIncidentId(),
    get handler() { return approved; },
    get unapprovedHandler() { return handler as UndoHandler; },
  };
}

/** The restore step the plan makes from one finished action (the same path the state machine takes). */
export function restoreOf(step: string, operation: string, target: string, before: unknown, after: unknown): RestoreStep {
  const [restore] = planUndo([{ actionKey: `${step}#${operation}#${target}`, operation, target, before, after, status: 'succeeded', executionArn: RUNBOOK_EXEC }]).restores;
  return restore!;
}
