/**
 * What workflow-stuck does about a failed execution, decided from what diagnosis read: redrive it
 * (gated), or say why not. Pure.
 */
import { createHash } from 'node:crypto';
import { OWN_STATE_MACHINE_TAG } from '../../lambdas/domain/own-resources';

export type RedriveDecision = 'redrive' | 'own-state-machine' | 'not-failed' | 'not-redrivable' | 'cap-reached';

export interface RedrivePlan {
  readonly decision: RedriveDecision;
  readonly reason: string;
}

/** The execution as DescribeExecution showed it, and what else the decision reads. */
export interface RedriveFacts {
  readonly executionArn: string;
  readonly status: string;
  readonly redriveStatus: string | null;
  readonly redriveStatusReason: string | null;
  /** The state machine's tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** Redrives of this execution this runbook has made so far (the ledger's count). */
  readonly redrivesSoFar: number;
  readonly maxRedrives: number;
}

const FAILED = ['FAILED', 'TIMED_OUT', 'ABORTED'];

export function planRedrive(f: RedriveFacts): RedrivePlan {
  const own = f.tags[OWN_STATE_MACHINE_TAG];
  if (own !== undefined) {
    return {
      decision: 'own-state-machine',
      reason: `refused: the state machine of ${f.executionArn} is one of runbook-autopilot's own (tagged ${OWN_STATE_MACHINE_TAG}=${own}); redriving its own runs would loop, whatever the config says. Its failure is escalated by the execution-failure rule`,
    };
  }
  if (!FAILED.includes(f.status)) return { decision: 'not-failed', reason: `the execution is ${f.status} now (redriven or ended since the event): nothing to redrive` };
  if (f.redriveStatus === 'NOT_REDRIVABLE') {
    return { decision: 'not-redrivable', reason: `Step Functions says it is not redrivable: ${f.redriveStatusReason ?? 'no reason given'}` };
  }
  if (f.redrivesSoFar >= f.maxRedrives) {
    return { decision: 'cap-reached', reason: `workflow-stuck has redriven this execution ${f.redrivesSoFar} time(s), the configured cap (redrive.maxPerExecution ${f.maxRedrives}): a human decides now` };
  }
  return { decision: 'redrive', reason: `${f.status}, redrivable; redrive ${f.redrivesSoFar + 1} of at most ${f.maxRedrives} by this runbook` };
}

/**
 * The client token of a redrive: the same for every attempt of one incident's redrive of one run
 * (a Retry or a redriven step sends the same, so Step Functions redrives once), different for the
 * next run's failure. Step Functions takes 1 to 64 printable characters.
 */
export function redriveToken(incidentId: string, executionArn: string, redriveCount: number): string {
  return createHash('sha256').update(`${incidentId}|${executionArn}|${redriveCount}`).digest('hex');
}
