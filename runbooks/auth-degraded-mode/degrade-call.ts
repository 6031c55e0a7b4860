import * as z from '../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../lambdas/approval/store';
import { parseServiceKey, type ServiceKey } from '../../lambdas/aws/ecs';
import { requireEnv } from '../../lambdas/shared/env';
import { InvalidInput } from '../../lambdas/shared/errors';
import { allowedTargets } from '../../lambdas/shared/targets';
import { stepInputSchema, type Incident } from '../../lambdas/shared/task-input';

export const TASK_DEFINITION_ARN = /^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/;

/** The change the degrade-auth gate approves, as the diagnosis planned it: both act steps take it. */
const callSchema = z.strictObject({
  cluster: z.string().check(z.minLength(1)),
  service: z.string().check(z.minLength(1)),
  from: z.string().check(z.regex(TASK_DEFINITION_ARN, 'a task definition ARN with its revision')),
  container: z.string().check(z.minLength(1)),
  variable: z.string().check(z.minLength(1)),
  value: z.string(),
});
export type DegradeCall = z.infer<typeof callSchema>;

/** The input of both act steps (register, then deploy): the planned change and the gate's result. */
export const degradeInputSchema = z.extend(stepInputSchema, { call: callSchema, approval: approvalResultSchema });

/** A step's ledger view of the service: the task definition it runs. */
export interface Running {
  readonly taskDefinition: string | null;
}

/**
 * What both act steps check before anything is read or changed: the incident's service is allowed,
 * the planned change is this service's and sets the configured variable to the permissive value,
 * and the degrade-auth gate approved exactly it.
 */
export function degradeCheck(): (incident: Incident, call: DegradeCall, approval: z.infer<typeof approvalResultSchema>, dryRun: boolean | undefined) => Promise<ServiceKey> {
  const approvals = new ApprovalStore(requireEnv('LEDGER_TABLE'));
  const assertAllowed = allowedTargets();
  const variable = requireEnv('AUTH_VARIABLE');
  const permissive = requireEnv('PERMISSIVE_VALUE');
  const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('DEGRADE_ON_TIMEOUT'));
  return async (incident, call, approval, dryRun) => {
    await assertAllowed(incident.target);
    const key = parseServiceKey(incident.target);
    if (call.cluster !== key.cluster || call.service !== key.service) throw new InvalidInput(`the change names ${call.cluster}/${call.service}, not ${incident.target}, the incident's service`);
    if (call.variable !== variable || call.value !== permissive) throw new InvalidInput(`the change sets ${call.variable}=${call.value}, not ${variable}=${permissive}`);
    await assertApproved(approvals, approval, {
      incidentId: incident.id, runbook: incident.runbook, step: 'degrade-auth', operation: 'ecs:UpdateService', target: incident.target, parameters: call,
    }, { onTimeout, dryRun });
    return key;
  };
}
