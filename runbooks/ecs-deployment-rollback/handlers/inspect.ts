import { EcsServiceClient } from '../../../lambdas/aws/ecs';
import { EcsDeploymentHistory, type ServiceDeploymentDetail } from '../../../lambdas/aws/ecs-deployments';
import { requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { failedDeploymentOf } from '../failed-deployment';
import { imagePins, pinWarning, planRollback, type ImagePin, type RollbackPlan } from '../rollback-plan';

const assertAllowed = allowedTargets();
const HISTORY_SIZE = requirePositiveIntegerEnv('HISTORY_SIZE');
const services = new EcsServiceClient();
const history = new EcsDeploymentHistory();

export interface RollbackDiagnosis {
  readonly service: string;
  readonly deploymentId: string;
  readonly plan: RollbackPlan;
  /** The newest service deployment (the failed one) in full: its status, reason and circuit breaker. */
  readonly failed: ServiceDeploymentDetail | null;
  /** The rollback target's images and whether each is pinned by digest (only when the plan is a rollback). */
  readonly images: readonly ImagePin[];
  /** Empty when every image is pinned by digest. */
  readonly pinWarning: string;
  /** The exact UpdateService the rollback makes (the approvers see it). */
  readonly call: { readonly cluster: string; readonly service: string; readonly taskDefinition: string } | null;
  readonly from: string | null;
  readonly to: string | null;
  /** One line for the notification. */
  readonly summary: string;
}

/** Every read settles before the first failure is thrown, so none is left running after the step ends. */
async function allRead<T extends readonly unknown[]>(reads: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(reads);
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * Diagnose (seed 002 "(h) Rollback"): the service (DescribeServices: its circuit breaker and
 * deployments), its recent service deployments (ListServiceDeployments), the newest in full
 * (DescribeServiceDeployments), the revisions they deployed (DescribeServiceRevisions), and, for
 * the task definition chosen, its images (DescribeTaskDefinition): pinned by digest or not.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<RollbackDiagnosis> => {
  await assertAllowed(incident.target);
  const { key, deploymentId } = failedDeploymentOf(incident);
  // Reads that do not need each other's answers go together: a retry of this step makes every read
  // again, so a chain of five would stack five bursts of throttling where three suffice.
  const [service, recent] = await allRead([services.describe(key), history.recent(key, HISTORY_SIZE)]);
  const revisionArns = [...new Set(recent.map((d) => d.targetRevisionArn).filter((a): a is string => a !== null))];
  const [failed, revisions] = await allRead([
    recent[0] ? history.deployment(key, recent[0].arn) : Promise.resolve(null),
    revisionArns.length > 0 ? history.revisions(key, revisionArns) : Promise.resolve([]),
  ]);
  const plan = planRollback({
    failedDeploymentId: deploymentId, serviceTaskDefinition: service.taskDefinition, circuitBreaker: service.circuitBreaker,
    deployments: service.deployments, history: recent, revisions,
  });
  const target = plan.decision === 'rollback' ? plan.target : null;
  const images = target ? imagePins(await history.taskDefinitionContainers(key, target.taskDefinition), target.revision) : [];
  const warning = pinWarning(images);
  return {
    service: incident.target, deploymentId, plan, failed, images, pinWarning: warning,
    call: target ? { cluster: key.cluster, service: key.service, taskDefinition: target.taskDefinition } : null,
    from: plan.failedTaskDefinition, to: target?.taskDefinition ?? null,
    summary: `${incident.target}: ${plan.reason}.${warning ? ` ${warning}` : ''}`,
  };
});
