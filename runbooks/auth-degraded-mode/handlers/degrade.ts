import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { EcsServiceClient, parseServiceKey } from '../../../lambdas/aws/ecs';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { ChangeRejected, InvalidInput } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const assertAllowed = allowedTargets();
const VARIABLE = requireEnv('AUTH_VARIABLE');
const PERMISSIVE = requireEnv('PERMISSIVE_VALUE');
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('DEGRADE_ON_TIMEOUT'));
const services = new EcsServiceClient();

const TASK_DEFINITION_ARN = /^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/;
const callSchema = z.strictObject({
  cluster: z.string().check(z.minLength(1)),
  service: z.string().check(z.minLength(1)),
  from: z.string().check(z.regex(TASK_DEFINITION_ARN, 'a task definition ARN with its revision')),
  container: z.string().check(z.minLength(1)),
  variable: z.string().check(z.minLength(1)),
  value: z.string(),
});
const inputSchema = z.extend(stepInputSchema, {
  call: callSchema, approval: approvalResultSchema,
  /** The revision the register step registered (or planned): deployed here. */
  registered: z.string().check(z.regex(TASK_DEFINITION_ARN, 'a task definition ARN with its revision')),
  /** Its one line, carried into this step's result. */
  summary: z.string(),
});

interface Running {
  readonly taskDefinition: string | null;
}

export interface DegradeResult extends ActionResult<Running, Running> {
  /** The permissive revision the service now runs (planned only in a dry run). */
  readonly registered: string;
  /** The revision it ran, which the revert puts back. */
  readonly from: string;
  readonly summary: string;
}

/**
 * Act, second half, as approved: UpdateService to the permissive revision the register step made.
 * Its ledger row records the task definition it replaces first, which the revert puts back. A
 * service that no longer runs the task definition read at diagnosis is refused (ChangeRejected),
 * nothing deployed; a retry or redrive finds its row and the service already on it.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, call, approval, registered, summary, dryRun }): Promise<DegradeResult> => {
  await assertAllowed(incident.target);
  const key = parseServiceKey(incident.target);
  if (call.cluster !== key.cluster || call.service !== key.service) throw new InvalidInput(`the change names ${call.cluster}/${call.service}, not ${incident.target}, the incident's service`);
  if (call.variable !== VARIABLE || call.value !== PERMISSIVE) throw new InvalidInput(`the change sets ${call.variable}=${call.value}, not ${VARIABLE}=${PERMISSIVE}`);
  if (registered.split(':').slice(0, -1).join(':') !== call.from.split(':').slice(0, -1).join(':') || registered === call.from) {
    throw new InvalidInput(`${registered} is not a new revision of ${call.from}'s family`);
  }
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: incident.runbook, step: 'degrade-auth', operation: 'ecs:UpdateService', target: incident.target, parameters: call,
  }, { onTimeout, dryRun });

  const deployed = await performAction<Running, Running>(ledger, incident, execution, {
    step: 'degrade-auth',
    operation: 'ecs:UpdateService',
    target: incident.target,
    parameters: { cluster: key.cluster, service: key.service, taskDefinition: registered },
    intended: { taskDefinition: registered },
    readBefore: async () => ({ taskDefinition: (await services.describe(key)).taskDefinition }),
    mutate: async (before) => {
      if (before.taskDefinition !== call.from) {
        throw new ChangeRejected(`not degraded: ${incident.target} runs ${before.taskDefinition ?? 'no task definition'} now, not ${call.from} read at diagnosis (changed since)`);
      }
      return { taskDefinition: (await services.deployTaskDefinition(key, registered)).taskDefinition };
    },
    inEffect: (now) => (now.taskDefinition === registered ? { taskDefinition: registered } : undefined),
  }, { dryRun });
  return { ...deployed, registered, from: call.from, summary };
});
