import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { EcsServiceClient } from '../../../lambdas/aws/ecs';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { ChangeRejected, InvalidInput } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { failedDeploymentOf } from '../failed-deployment';
import { shortTaskDefinition } from '../rollback-plan';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const assertAllowed = allowedTargets();
const services = new EcsServiceClient();
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('ROLLBACK_ON_TIMEOUT'));

const TASK_DEFINITION_ARN = /^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/;
const callSchema = z.strictObject({
  cluster: z.string().check(z.minLength(1)),
  service: z.string().check(z.minLength(1)),
  // A registered revision by ARN: never a bare family, which ECS resolves to its newest revision (the one that failed, often).
  taskDefinition: z.string().check(z.regex(TASK_DEFINITION_ARN, 'a task definition ARN with its revision')),
});
const inputSchema = z.extend(stepInputSchema, {
  call: callSchema, approval: approvalResultSchema,
  from: z.string().check(z.regex(TASK_DEFINITION_ARN, 'a task definition ARN with its revision')),
});

interface Running {
  readonly taskDefinition: string | null;
}

/**
 * Act (seed 002 "(h) Rollback": re-point the service at the previous release): UpdateService to the
 * task definition of the last successful deployment, as approved (the approval names exactly this
 * call). The task definition it replaces is recorded in the ledger before the call, for the undo.
 * Just before the call the service is read again: one that no longer runs the task definition that
 * failed (a new deployment, a human's rollback since the diagnosis) is refused (ChangeRejected). A
 * Retry or redrive finds the row, and a service already on the task definition is not updated twice.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, call, from, approval, dryRun }): Promise<ActionResult<Running, Running>> => {
  await assertAllowed(incident.target);
  const { key } = failedDeploymentOf(incident);
  if (call.cluster !== key.cluster || call.service !== key.service) throw new InvalidInput(`the rollback names ${call.cluster}/${call.service}, not ${incident.target}, the incident's service`);
  if (call.taskDefinition === from) throw new InvalidInput(`the rollback would deploy ${shortTaskDefinition(from)}, the task definition that failed`);
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: incident.runbook, step: 'rollback', operation: 'ecs:UpdateService', target: incident.target, parameters: call,
  }, { onTimeout, dryRun });
  const to: Running = { taskDefinition: call.taskDefinition };
  return performAction(ledger, incident, execution, {
    step: 'rollback',
    operation: 'ecs:UpdateService',
    target: incident.target,
    parameters: call,
    intended: to,
    readBefore: async () => ({ taskDefinition: (await services.describe(key)).taskDefinition }),
    mutate: async (_before, now) => {
      if (now.taskDefinition !== from) {
        throw new ChangeRejected(`not rolled back: ${incident.target} runs ${shortTaskDefinition(now.taskDefinition)} now, not ${shortTaskDefinition(from)} that failed (changed since the diagnosis)`);
      }
      return { taskDefinition: (await services.deployTaskDefinition(key, call.taskDefinition)).taskDefinition };
    },
    inEffect: (now) => (now.taskDefinition === call.taskDefinition ? to : undefined),
  }, { dryRun });
});
