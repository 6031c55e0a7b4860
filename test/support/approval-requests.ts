/** Approval requests written to the ledger as the approval step and page leave them, for tests of the gated steps. */
import type { ApprovalStore, Gate, NewRequest, RequestStatus } from '../../lambdas/approval/store';
import { EXECUTION_ARN } from './fixtures';

export interface SeededRequest {
  readonly requestId: string;
  readonly incidentId: string;
  readonly gate: Gate;
  readonly status: RequestStatus;
  readonly requiredApprovals?: number;
}

/** Writes a request in the given status: approved or rejected as closed by a verdict, timed-out as the deadline path closes it. */
export async function seedApprovalRequest(store: ApprovalStore, seeded: SeededRequest): Promise<string> {
  const now = new Date();
  const request: NewRequest = {
    requestId: seeded.requestId, incidentId: seeded.incidentId, executionArn: EXECUTION_ARN, gate: seeded.gate, level: 'L1',
    requiredApprovals: seeded.requiredApprovals ?? 2, approvers: ['alice', 'bob'], startedBy: null,
    ifUnanswered: { nextLevel: 'L2', nextApprovers: [], onTimeout: 'abort' }, taskToken: 'token',
    createdAt: now.toISOString(), deadline: new Date(now.getTime() + 60_000).toISOString(),
  };
  if (seeded.status === 'approved' || seeded.status === 'rejected') {
    await store.create(request, { status: seeded.status, outcome: `test: ${seeded.status}` });
  } else {
    await store.create(request);
    if (seeded.status === 'timed-out') await store.expire(request, 'test: timed-out');
  }
  return seeded.requestId;
}
