/**
 * What ecs-deployment-rollback does about a failed deployment (seed 002 "(h) Rollback", seed 000
 * "Roll back to the previous tag"), decided from what diagnosis read. Pure: no AWS here.
 */
import type { ServiceDeploymentView, ServiceRevisionView } from '../../lambdas/aws/ecs-deployments';
import type { DeploymentView } from '../../lambdas/aws/ecs';

export type RollbackDecision = 'rollback' | 'circuit-breaker' | 'superseded' | 'no-older-version';

/** The service as DescribeServices showed it, and the deployment the event names. */
export interface RollbackFacts {
  /** The event's deployment id ("ecs-svc/..."). */
  readonly failedDeploymentId: string;
  readonly serviceTaskDefinition: string | null;
  readonly circuitBreaker: { readonly enable: boolean; readonly rollback: boolean };
  readonly deployments: readonly DeploymentView[];
  /** ListServiceDeployments, newest first. */
  readonly history: readonly ServiceDeploymentView[];
  /** The revisions those deployments deployed. */
  readonly revisions: readonly ServiceRevisionView[];
}

export interface RollbackTarget {
  readonly taskDefinition: string;
  /** The successful service deployment that deployed it. */
  readonly serviceDeploymentArn: string;
  readonly finishedAt: string | null;
  readonly revision: ServiceRevisionView;
}

export interface RollbackPlan {
  readonly decision: RollbackDecision;
  readonly reason: string;
  /** The task definition the failed deployment deployed (null when the event's deployment is not listed). */
  readonly failedTaskDefinition: string | null;
  readonly target: RollbackTarget | null;
}

/** "family:revision" of a task definition ARN, for people. */
export const shortTaskDefinition = (arn: string | null | undefined): string => (arn ?? 'none').replace(/^arn:[^/]+\//, '');

/**
 * With the circuit breaker's rollback on, ECS rolls back itself: watch it, change nothing. A
 * failed deployment that is no longer the service's primary, or a service that no longer runs its
 * task definition, was superseded (a new deployment, a human's rollback): nothing to do. Otherwise
 * the newest SUCCESSFUL service deployment whose revision ran another task definition is the one
 * to go back to (a ROLLBACK_SUCCESSFUL one deployed the revision that failed); none: say so.
 */
export function planRollback(f: RollbackFacts): RollbackPlan {
  const failed = f.deployments.find((d) => d.id === f.failedDeploymentId);
  const failedTaskDefinition = failed?.taskDefinition ?? null;
  const base = { failedTaskDefinition, target: null };
  if (f.circuitBreaker.enable && f.circuitBreaker.rollback) {
    return {
      ...base, decision: 'circuit-breaker',
      reason: `the deployment circuit breaker rolls back (rollback: true): ECS rolls ${f.failedDeploymentId} (${shortTaskDefinition(failedTaskDefinition)}) back itself; watching that rollback, changing nothing`,
    };
  }
  if (!failed || failed.status !== 'PRIMARY' || failed.taskDefinition !== f.serviceTaskDefinition) {
    return {
      ...base, decision: 'superseded',
      reason: `${f.failedDeploymentId} is no longer the service's primary deployment (it runs ${shortTaskDefinition(f.serviceTaskDefinition)} now): a newer deployment or a rollback replaced it; nothing rolled back`,
    };
  }
  const revisionOf = new Map(f.revisions.map((r) => [r.arn, r]));
  const good = f.history.filter((d) => d.status === 'SUCCESSFUL' && d.targetRevisionArn !== null);
  for (const d of good) {
    const revision = revisionOf.get(d.targetRevisionArn!);
    if (!revision || revision.taskDefinition === failedTaskDefinition) continue;
    return {
      ...base, decision: 'rollback',
      target: { taskDefinition: revision.taskDefinition, serviceDeploymentArn: d.arn, finishedAt: d.finishedAt, revision },
      reason: `${f.failedDeploymentId} failed on ${shortTaskDefinition(failedTaskDefinition)}; the last successful deployment ran ${shortTaskDefinition(revision.taskDefinition)}${d.finishedAt ? ` (finished ${d.finishedAt})` : ''}: rolling back to it`,
    };
  }
  const seen = good.length === 0 ? 'the service has no successful deployment in its history' : `every successful deployment in its history ran ${shortTaskDefinition(failedTaskDefinition)} too`;
  return {
    ...base, decision: 'no-older-version',
    reason: `nothing to roll back to: ${seen} (ECS keeps deployments since October 2024); ${shortTaskDefinition(failedTaskDefinition)} left as it is`,
  };
}

export interface ImagePin {
  readonly containerName: string;
  readonly image: string;
  readonly pinned: boolean;
  /** What the tag resolved to when the successful deployment ran (DescribeServiceRevisions). */
  readonly deployedDigest: string | null;
}

/** Whether each container image of the task definition is pinned by digest (`@sha256:`): a tag may point at other code now. */
export function imagePins(containers: readonly { name: string; image: string }[], revision: ServiceRevisionView | null): ImagePin[] {
  return containers.map((c) => ({
    containerName: c.name, image: c.image, pinned: /@sha256:[0-9a-f]{64}$/.test(c.image),
    deployedDigest: revision?.containerImages.find((i) => i.containerName === c.name)?.imageDigest ?? null,
  }));
}

/** One sentence for the approval page and the notification; empty when every image is pinned. */
export function pinWarning(pins: readonly ImagePin[]): string {
  const loose = pins.filter((p) => !p.pinned);
  if (loose.length === 0) return '';
  const each = loose.map((p) => `${p.containerName} runs ${p.image}${p.deployedDigest ? ` (${p.deployedDigest} when it last deployed)` : ''}`).join('; ');
  return `Not pinned by digest: ${each}. A task-definition rollback with a mutable tag deploys whatever the tag points at now, which may not be the code that ran then.`;
}
