/**
 * A forced new deployment of an ECS service as a runbook step: the handler of every runbook that
 * redeploys a service is this step, with that runbook's allowlist (runbooks/<name>/handlers/redeploy.ts).
 */
import * as z from '../shared/zod';
import { performAction, type ActionResult } from '../shared/act';
import { requireEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { Ledger } from '../shared/ledger';
import { allowedTargets, type TaggedTargets } from '../shared/targets';
import { stepInputSchema } from '../shared/task-input';
import { EcsServiceClient, parseServiceKey, SERVICE_KEY, type ServiceView } from './ecs';

/** The target comes from the payload: a runbook may redeploy a service other than its incident's target (a proxy). */
const redeployInputSchema = z.extend(stepInputSchema, {
  step: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/, 'a step name (lowercase letters, digits, dashes)')),
  target: z.string().check(z.regex(SERVICE_KEY, 'a "cluster/service" key')),
});

export interface DeploymentBefore {
  readonly taskDefinition: string | null;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly deploymentId: string | null;
}

export interface DeploymentAfter {
  readonly deploymentId: string | null;
  readonly taskDefinition: string | null;
}

const after = (s: ServiceView): DeploymentAfter => ({
  deploymentId: s.primary?.id ?? null,
  taskDefinition: s.primary?.taskDefinition ?? s.taskDefinition,
});

/**
 * Seed 000 "ECS Fargate service down", step 3: force a new deployment, after recording the
 * deployment it replaces (its task definition and counts). `tagged`: the runbook also allowlists
 * services by tag (ALLOWED_TARGET_TAGS).
 */
export function redeployHandler(tagged?: TaggedTargets) {
  const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
  const assertAllowed = allowedTargets(tagged);
  const services = new EcsServiceClient();
  return taskHandler(redeployInputSchema, async ({ incident, execution, step, target, dryRun }, context): Promise<ActionResult<DeploymentBefore, DeploymentAfter>> => {
    await assertAllowed(target, context.invokedFunctionArn);
    const key = parseServiceKey(target);
    return performAction<DeploymentBefore, DeploymentAfter, ServiceView>(ledger, incident, execution, {
      step,
      operation: 'ecs:UpdateService',
      target,
      parameters: { cluster: key.cluster, service: key.service, forceNewDeployment: true },
      // A new deployment of the same task definition; its id is ECS's to give.
      intended: { deploymentId: null, taskDefinition: null },
      readBefore: async () => {
        const service = await services.describe(key);
        return {
          taskDefinition: service.taskDefinition,
          desiredCount: service.desiredCount,
          runningCount: service.runningCount,
          deploymentId: service.primary?.id ?? null,
        };
      },
      mutate: async () => after(await services.forceNewDeployment(key)),
      observe: () => services.describe(key),
      // A PRIMARY deployment other than the one recorded before is that redeploy (its answer may have
      // been lost): forcing another would roll the service twice.
      inEffect: (service, before) => (service.primary && service.primary.id !== before.deploymentId ? after(service) : undefined),
    }, { dryRun });
  });
}
