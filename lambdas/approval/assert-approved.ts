import { isDeepStrictEqual } from 'node:util';
import * as z from '../shared/zod';
import { ChangeRejected, NotApproved } from '../shared/errors';
import { NOT_ASKED } from '../domain/approval';
import type { ApprovalStore, Gate } from './store';

/** The approval step's result as the state machine passes it on to the gated step (`$.approval`). */
export const approvalResultSchema = z.looseObject({
  decision: z.string(),
  requestId: z.optional(z.string()),
  /** A timed-out (expire) result names the requests it closed, the last level's last. */
  requestIds: z.optional(z.array(z.string())),
});
export type ApprovalResult = z.infer<typeof approvalResultSchema>;

/** The call a gated step is about to make, as its approval request must name it. */
export interface GatedCall {
  readonly incidentId: string;
  readonly runbook: string;
  readonly step: string;
  readonly operation: string;
  readonly target: string;
  readonly parameters: unknown;
}

export interface AssertApprovedOptions {
  /** The gate's onTimeout: a timed-out request lets the step proceed only when this is `proceed`. */
  readonly onTimeout: 'abort' | 'proceed';
  /**
   * Whether the approved gate covers the call. Default: the same operation, target and parameters
   * (deep equality). A gate that approves a plan of calls (the undo) says which of them it covers.
   */
  readonly covers?: (approved: Gate, call: GatedCall) => boolean;
  /**
   * A dry run's gate asks nobody (`not-asked`, statemachines/src/spine/approval.ts): the step then
   * plans its call and makes none, so it needs no approval. Without a dry run, `not-asked` is refused.
   */
  readonly dryRun?: boolean;
}

const sameCall = (approved: Gate, call: GatedCall): boolean =>
  approved.operation === call.operation && approved.target === call.target && isDeepStrictEqual(approved.parameters, call.parameters);

/**
 * Every gated step's check, before anything is read or changed: the decision handed over must be
 * approved (or timed out on a gate configured to proceed), and the ledger's request it names must
 * say the same (its row is the arbiter the page closed before telling Step Functions) and name
 * exactly this call: this incident, runbook, step, operation, target and parameters. So what runs
 * is what the approvers saw, and a step never acts on a decision the ledger does not hold.
 * Returns the request id (none for a dry run's gate, which asks nobody); throws NotApproved (no
 * approved decision) or ChangeRejected (the ledger does not cover this call).
 */
export async function assertApproved(
  approvals: Pick<ApprovalStore, 'get'>, approval: ApprovalResult | undefined, call: GatedCall, options: AssertApprovedOptions,
): Promise<string | undefined> {
  if (options.dryRun === true && approval?.decision === NOT_ASKED) return undefined;
  const timeoutProceeds = approval?.decision === 'timed-out' && options.onTimeout === 'proceed';
  if (approval?.decision !== 'approved' && !timeoutProceeds) {
    throw new NotApproved(`${call.step} (${call.operation} on ${call.target}) needs an approved decision; got ${approval?.decision ?? 'none'}`);
  }
  const requestId = approval.requestId ?? approval.requestIds?.at(-1);
  const request = requestId ? await approvals.get(requestId) : undefined;
  const settled = request?.status === (timeoutProceeds ? 'timed-out' : 'approved');
  const covered = request !== undefined && request.incidentId === call.incidentId && request.gate.runbook === call.runbook
    && request.gate.step === call.step && (options.covers ?? sameCall)(request.gate, call);
  if (!requestId || !settled || !covered) {
    throw new ChangeRejected(`No approval in the ledger covers ${call.operation} on ${call.target} for ${call.runbook}/${call.step} `
      + `(request ${requestId ?? 'none'}: ${request?.status ?? 'missing'}${request && settled ? ', for a different call' : ''})`);
  }
  return requestId;
}
