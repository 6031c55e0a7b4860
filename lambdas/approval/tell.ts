import type { SFNClient } from '@aws-sdk/client-sfn';
import { sfnSdk } from '../shared/sdk-modules';
import { APPROVAL_REJECTED, DECISION_VALUES, type ApprovalOutcome } from '../domain/approval';
import { LazyClient } from '../shared/lazy-sdk';
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

/** The client verdicts are told with, made (Step Functions' SDK loaded) at the first verdict told (lazy-sdk.ts): a page view tells none. */
export const verdictClient = (given?: SFNClient) => new LazyClient(sfnSdk, (m) => new m.SFNClient({}), given);

export const isDecided = (r: ApprovalRequest): r is ApprovalRequest & { status: Verdict } => (DECISION_VALUES as readonly string[]).includes(r.status);

/**
 * Sends a closed request's verdict on a task token: SendTaskSuccess with every decision (approved or acknowledged), or
 * SendTaskFailure `ApprovalRejected` with them as the cause. Step Functions keeps the first answer
 * a task gets; a later one is refused with TaskTimedOut, so telling twice decides nothing twice.
 */
export async function tellVerdict(sfn: ReturnType<typeof verdictClient>, taskToken: string, request: ApprovalRequest & { status: Verdict }): Promise<void> {
  const outcome = outcomeOf(request);
  const { m, client } = await sfn.get();
  if (request.status !== 'rejected') await client.send(new m.SendTaskSuccessCommand({ taskToken, output: JSON.stringify(outcome) }));
  else await client.send(new m.SendTaskFailureCommand({ taskToken, error: APPROVAL_REJECTED, cause: JSON.stringify(outcome) }));
}
