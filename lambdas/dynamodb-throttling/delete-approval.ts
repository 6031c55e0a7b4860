import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { ApprovalStore } from '../approval/store';
import type { TaskKey } from '../domain/stuck-tasks';
import { ChangeRejected, NotApproved } from '../shared/errors';

/** The approval step's result as the state machine passes it on ($.approval). */
export const deleteApprovalSchema = z.object({
  decision: z.string(),
  requestId: z.string().optional(),
  /** A timed-out decision names the requests it closed, the last level's last. */
  requestIds: z.array(z.string()).optional(),
}).loose();
export type DeleteApproval = z.infer<typeof deleteApprovalSchema>;

export interface DeleteCall {
  readonly incidentId: string;
  readonly tableName: string;
  readonly keys: readonly TaskKey[];
  readonly backupArn: string;
}

/**
 * The delete runs only as approved: the decision handed over must be approved (or timed out on a
 * gate configured to proceed), and the ledger's request it names must be settled the same way
 * and name exactly this call (this incident, this table, these keys in this order, this backup),
 * so what is deleted is what the approvers saw. Throws before anything is read or deleted.
 */
export async function assertDeleteApproved(
  approvals: ApprovalStore, approval: DeleteApproval | undefined, call: DeleteCall, onTimeout: 'abort' | 'proceed',
): Promise<string> {
  const timeoutProceeds = approval?.decision === 'timed-out' && onTimeout === 'proceed';
  if (approval?.decision !== 'approved' && !timeoutProceeds) {
    throw new NotApproved(`deleting stuck tasks needs an approved decision; got ${approval?.decision ?? 'none'}`);
  }
  const requestId = approval.requestId ?? approval.requestIds?.[approval.requestIds.length - 1];
  const request = requestId ? await approvals.get(requestId) : undefined;
  const settled = request?.status === 'approved' || (timeoutProceeds && request?.status === 'timed-out');
  const p = request?.gate.parameters;
  const exact = request !== undefined && request.incidentId === call.incidentId && request.gate.runbook === 'dynamodb-throttling'
    && request.gate.step === 'delete-stuck' && request.gate.operation === 'dynamodb:DeleteItem' && request.gate.target === call.tableName
    && p?.TableName === call.tableName && p.BackupArn === call.backupArn && isDeepStrictEqual(p.Keys, call.keys);
  if (!settled || !exact) {
    throw new ChangeRejected(`No approval in the ledger covers deleting these ${call.keys.length} tasks of ${call.tableName} `
      + `(request ${requestId ?? 'none'}: ${request?.status ?? 'missing'}${request && settled ? ', for a different call' : ''})`);
  }
  return requestId!;
}
