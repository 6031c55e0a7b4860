import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { parseServiceKey } from '../../../lambdas/aws/ecs';
import { TaskDefinitionClient, type TaskDefinitionView } from '../../../lambdas/aws/ecs-task-definitions';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { InvalidInput } from '../../../lambdas/shared/errors';
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

export interface RegisterResult extends ActionResult<Running, Running> {
  /** The revision registered with the variable permissive (planned only in a dry run): the deploy step deploys it. */
  readonly registered: string;
  readonly from: string;
  readonly summary: string;
}

/** The next revision's ARN, for a dry run's plan (ECS numbers it at registration). */
const nextRevision = (arn: string) => arn.replace(/:(\d+)$/, (_, n: string) => `:${Number(n) + 1}`);

/**
 * Act, first half (seed 001 D: "flip ALPHASWARM_AUTH_ENFORCE to permissive"), as approved: a new
 * revision of the running task definition with only that variable changed (RegisterTaskDefinition:
 * every other field, secret reference and tag as registered), its ledger row first with the
 * revision the service ran. A retry finds its own revision (the family's newest, derived from the
 * source) instead of registering another. The deploy step (deploy.ts) then points the service at it.
 */
export const handler = taskHandler(inputSchema, async ({ incident, execution, call, approval, dryRun }): Promise<RegisterResult> => {
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
  return {
    ...registered, registered: target, from: source.arn,
    summary: `${incident.target}: ${source.family}:${source.revision} -> ${target.split('/').at(-1) ?? target} (${call.variable}=${call.value}, nothing else changed)`,
  };
});
