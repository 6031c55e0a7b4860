import { TaskDefinitionClient, type TaskDefinitionView } from '../../../lambdas/aws/ecs-task-definitions';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { isDerived, withVariable } from '../auth-plan';
import { degradeCheck, degradeInputSchema, type Running } from '../degrade-call';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const check = degradeCheck();
const definitions = new TaskDefinitionClient();

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
 * source) instead of registering another. The deploy step (degrade.ts) then points the service at it.
 */
export const handler = taskHandler(degradeInputSchema, async ({ incident, execution, call, approval, dryRun }): Promise<RegisterResult> => {
  await check(incident, call, approval, dryRun);

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
