import { EcsServiceClient, parseServiceKey } from '../../../lambdas/aws/ecs';
import { TaskDefinitionClient } from '../../../lambdas/aws/ecs-task-definitions';
import { requireEnv, requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { TargetNotAllowed } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { hasContainer, planDegrade, variableOf, type AuthPlan } from '../auth-plan';
import { targetSettings } from '../settings';

const assertAllowed = allowedTargets();
const TARGETS = targetSettings();
const VARIABLE = requireEnv('AUTH_VARIABLE');
const PERMISSIVE = requireEnv('PERMISSIVE_VALUE');
const REVERT_AFTER_MINUTES = requirePositiveIntegerEnv('REVERT_AFTER_MINUTES');
const services = new EcsServiceClient();
const definitions = new TaskDefinitionClient();

export interface AuthDiagnosis {
  readonly service: string;
  /** The task definition the service runs (ARN with its revision): the revert puts it back. */
  readonly taskDefinition: string;
  readonly container: string;
  readonly variable: string;
  /** The variable's value there (never a secret: a mode), null when it is not set. */
  readonly value: string | null;
  readonly operatorUiFirewalled: boolean;
  readonly plan: AuthPlan;
  /** How long after the change the revert is scheduled. */
  readonly revertAfterMinutes: number;
  /** The change the approvers see: a new revision of the family with only this variable set, deployed to the service. */
  readonly call: { readonly cluster: string; readonly service: string; readonly from: string; readonly container: string; readonly variable: string; readonly value: string };
  readonly summary: string;
}

/**
 * Diagnose (seed 001 D "Auth0 JWKS returns 503"): the service (DescribeServices: the task definition
 * it runs, its rollout) and that task definition (DescribeTaskDefinition): what its container sets
 * the auth variable to; with the target's config fact (operator UI firewalled at the ingress), the plan.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<AuthDiagnosis> => {
  await assertAllowed(incident.target);
  const settings = TARGETS[incident.target];
  if (!settings) throw new TargetNotAllowed(`${incident.target} has no auth-degraded-mode settings`);
  const key = parseServiceKey(incident.target);
  const service = await services.describe(key);
  const running = service.primary?.taskDefinition ?? service.taskDefinition;
  if (!running) throw new TargetNotAllowed(`${incident.target} reports no task definition`);
  const definition = await definitions.describe(running);
  const value = variableOf(definition.registration, settings.container, VARIABLE);
  const plan = planDegrade({
    service: incident.target, operatorUiFirewalled: settings.operatorUiFirewalled, container: settings.container, variable: VARIABLE,
    value, containerFound: hasContainer(definition.registration, settings.container), permissive: PERMISSIVE, rolloutState: service.primary?.rolloutState ?? null,
  });
  return {
    service: incident.target, taskDefinition: definition.arn, container: settings.container, variable: VARIABLE, value: value ?? null,
    operatorUiFirewalled: settings.operatorUiFirewalled, plan, revertAfterMinutes: REVERT_AFTER_MINUTES,
    call: { cluster: key.cluster, service: key.service, from: definition.arn, container: settings.container, variable: VARIABLE, value: PERMISSIVE },
    summary: `${incident.target} runs ${definition.family}:${definition.revision} with ${VARIABLE}=${value ?? '(not set)'}; ${plan.reason}`,
  };
});
