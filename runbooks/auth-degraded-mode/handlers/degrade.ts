import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { EcsServiceClient, parseServiceKey } from '../../../lambdas/aws/ecs';
import { TaskDefinitionClient, type TaskDefinitionView } from '../../../lambdas/aws/ecs-task-definitions';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { ChangeRejected, InvalidInput } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { isDerived, withVariable } from '../auth-plan';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const assertAllowed = allowedTargets();
const VARIABLE = requireEnv('AUTH_VARIABLE');
const PERMISSIVE = requireEnv('PERMISSIVE_VALUE');
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('DEGRADE_ON_TIMEOUT'));
const services = new EcsServiceClient();
const definitions = new TaskDefinitionClient();

const TASK_DEFINITION_ARN = /^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/;
const callSchema = z.strictObject({
  cluster: z.string().check(z.minLength(1)),
  service: z.string().check(z.minLength(1)),
  from: z.string().check(z.regex(TASK_DEFINITION_ARN, 'a task definition ARN with its revision')),
  container: z.string().check(z.minLength(1)),
  variable: z.string().check(z.minLength(1)),
  value: z.string(),
});
const inputSchema = z.extend(stepInputSchema, { call: callSchema, approval: approvalResultSchema });

interface Running {
  readonly taskDefinition: string | null;
}

export interface DegradeResult extends ActionResult<Running, Running> {
  /** The revision registered with the variable permissive (planned only in a dry run). */
  readonly registered: string;
  readonly from: string;
  readonly summary: string;
}

/** The next revision's ARN, for a dry run's plan (ECS numbers it at registration). */
const nextRevision = (arn: string) => arn.replace(/:(\d+)$/, (_, n: string) => `:${Number(n) + 1}`);

/**
 * Act (seed 001 D: "flip ALPHASWARM_AUTH_ENFORCE to permissive"), as approved: a new revision of
 * the running task definition with only that variable changed (RegisterTaskDefinition: every other
 * field, secret reference and tag as registered), then UpdateService to it. Each call has its ledger
 * row first; the UpdateService row records the task definition it replaces, which the revert puts
 * back. A retry finds its own revision (the family's newest, derived from the source) instead of
 * registering another; a service that no longer runs the task definition read at diagnosis is
 * refused (ChangeRejected), nothing deployed.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, call, approval, dryRun }): Promise<DegradeResult> => {
  await assertAllowed(incident.target);
  const key = parseServiceKey(incident.target);
  if (call.cluster !== key.cluster || call.service !== key.service) throw new InvalidInput(`the change names ${call.cluster}/${call.service}, not ${incident.target}, the incident's service`);
  if (call.variable !== VARIABLE || call.value !== PERMISSIVE) throw new InvalidInput(`the change sets ${call.variable}=${call.value}, not ${VARIABLE}=${PERMISSIVE}`);
  await assertApproved(approvals, approval, {
    incidentId: incident.id, runbook: incident.runbook, step: 'degrade-auth', operation: 'ecs:UpdateService', target: incident.target, parameters: call,
  }, { onTimeout, dryRun });

  const source = await definitions.describe(call.from);
  const derived = (candidate: TaskDefinitionView) => candidate.arn !== source.arn && isDerived(candidate.registration, source.registration, call.container, call.variable, call.value);
  const registered = await performAction<Running, Running, TaskDefinitionView>(ledger, incident, execution, {
    step: 'register',
    operation: 'ecs:RegisterTaskDefinition',
    target: incident.target,
    parameters: { family: source.family, from: source.arn, container: call.container, variable: call.variable, value: call.value },
    intended: { taskDefinition: nextRevision(source.arn) },
    readBefore: async () => ({ taskDefinition: source.arn }),
    // The family's newest revision: this run's own registration, if an earlier attempt made it.
    observe: () => definitions.describe(source.family),
    inEffect: (newest) => (derived(newest) ? { taskDefinition: newest.arn } : undefined),
    mutate: async () => ({ taskDefinition: (await definitions.register(withVariable(source.registration, call.container, call.variable, call.value))).arn }),
  }, { dryRun });
  const target = registered.after.taskDefinition ?? nextRevision(source.arn);

  const update = { cluster: key.cluster, service: key.service, taskDefinition: target };
  const deployed = await performAction<Running, Running>(ledger, incident, execution, {
    step: 'degrade-auth',
    operation: 'ecs:UpdateService',
    target: incident.target,
    parameters: update,
    intended: { taskDefinition: target },
    readBefore: async () => ({ taskDefinition: (await services.describe(key)).taskDefinition }),
    mutate: async (before) => {
      if (before.taskDefinition !== source.arn) {
        throw new ChangeRejected(`not degraded: ${incident.target} runs ${before.taskDefinition ?? 'no task definition'} now, not ${source.arn} read at diagnosis (changed since)`);
      }
      return { taskDefinition: (await services.deployTaskDefinition(key, target)).taskDefinition };
    },
    inEffect: (now) => (now.taskDefinition === target ? { taskDefinition: target } : undefined),
  }, { dryRun });
  return {
    ...deployed, registered: target, from: source.arn,
    summary: `${incident.target}: ${source.family}:${source.revision} -> ${target.split('/').at(-1) ?? target} (${call.variable}=${call.value}, nothing else changed)`,
  };
});
