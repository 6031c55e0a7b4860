/** The failed execution an incident of workflow-stuck is about, checked against its target. */
import type { Incident } from '../../lambdas/shared/task-input';
import { TargetNotAllowed } from '../../lambdas/shared/errors';

const EXECUTION_ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:execution:([^:]+):[^:]+$/;

/**
 * The execution ARN the event named (admit puts it on the incident), refused unless it is an
 * execution of the incident's state machine: a hand-started run with another ARN acts on nothing.
 */
export function executionOf(incident: Incident): string {
  const arn = incident.source.arn ?? '';
  const machine = EXECUTION_ARN.exec(arn)?.[1];
  if (machine === undefined) throw new TargetNotAllowed(`the incident names no Step Functions execution (${arn || 'no ARN'})`);
  if (machine !== incident.target) throw new TargetNotAllowed(`${arn} is not an execution of ${incident.target}`);
  return arn;
}

/** The execution's state machine ARN, from the execution ARN. */
export const stateMachineOf = (executionArn: string): string => executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, '');

/** The ledger key that counts this runbook's redrives of one execution, across incidents. */
export const redriveSlots = (executionArn: string): string => `REDRIVE#${executionArn}`;
