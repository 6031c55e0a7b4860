import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { APPROVAL_REJECTED, DECISION_VALUES, type ApprovalOutcome } from '../domain/approval';
import { decisionList, type ApprovalRequest, type Verdict } from './store';

/** Step Functions' answers for a token whose task is over (answered already, timed out, or unknown). */
export const TASK_OVER_ERRORS: ReadonlySet<string> = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

/** What the gated step receives (`$.approval`), built from the closed request row alone: every teller sends the same. */
export function outcomeOf(request: ApprovalRequest & { status: Verdict }): ApprovalOutcome {
  return {
    decision: request.status, requestId: request.requestId, level: request.level, requiredApprovals: request.requiredApprovals,
    autoApproved: request.requiredApprovals === 0, approvals: decisionList(request),
  };
}

export const isDecided = (r: ApprovalRequest): r is ApprovalRequest & { status: Verdict } => (DECISION_VALUES as readonly string[]).includes(r.status);

/**
 * Sends a closed request's verdict on a task token: SendTaskSuccess with every decision (approved or acknowledged), or
 * SendTaskFailure `ApprovalRejected` with them as the cause. Step Functions keeps the first answer
 * a task gets; a later one is refused with TaskTimedOut, so telling twice decides nothing twice.
 */
export async function tellVerdict(sfn: SFNClient, taskToken: string, request: ApprovalRequest & { status: Verdict }): Promise<void> {
  const outcome = outcomeOf(request);
  if (request.status !== 'rejected') await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(outcome) }));
  else await sfn.send(new SendTaskFailureCommand({ taskToken, error: APPROVAL_REJECTED, cause: JSON.stringify(outcome) }));
}
