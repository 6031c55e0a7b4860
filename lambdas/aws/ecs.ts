/**
 * ECS services as runbooks read and change them: the service's state and events, its stopped
 * tasks, a forced new deployment, and when a rollout is over. Shared by every runbook that looks
 * at or redeploys a service (the redeploy step itself: ecs-redeploy.ts).
 */
import type { ECSClient, Service, Task, UpdateServiceCommandInput } from '@aws-sdk/client-ecs';
import { classifyAwsError, hasErrorName, InvalidInput, TargetNotFound } from '../shared/errors';
import { readsAndMutations, type SdkOf } from '../shared/lazy-sdk';
import { ecsSdk } from '../shared/sdk-modules';

/** ECS's SDK module (shared/sdk-modules.ts), as the ECS clients of lambdas/aws/ use it. */
export type EcsSdk = SdkOf<typeof ecsSdk>;
/** One caller's ECS clients, made at their first call. */
export const ecsClients = (reads?: ECSClient, mutations?: ECSClient) =>
  readsAndMutations(ecsSdk, (m, settings) => new m.ECSClient(settings), reads, mutations);

export interface ServiceEventView {
  readonly createdAt: string;
  readonly message: string;
}

export interface StoppedTaskView {
  readonly taskArn: string;
  readonly stoppedReason: string | null;
  readonly stopCode: string | null;
  /** "<container>: <reason>" for each container that reported one. */
  readonly containerReasons: readonly string[];
  /** The deployment that started the task ("ecs-svc/..."), when a service started it. */
  readonly startedBy: string | null;
}

export interface PrimaryDeployment {
  readonly id: string;
  /** COMPLETED | IN_PROGRESS | FAILED; null when ECS does not report one (not a rolling update). */
  readonly rolloutState: string | null;
  readonly taskDefinition: string | null;
}

export interface ServiceState {
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  readonly primary: PrimaryDeployment | null;
  /** Deployments ECS lists (PRIMARY and ACTIVE ones still draining). */
  readonly deploymentCount: number;
}

/** A rollout is over when ECS says COMPLETED or, where it reports no state, one deployment is left. */
export function rolloutComplete(state: Pick<ServiceState, 'primary' | 'deploymentCount'>): boolean {
  const rollout = state.primary?.rolloutState ?? null;
  return rollout === null ? state.deploymentCount <= 1 : rollout === 'COMPLETED';
}

export interface RolloutProgress {
  readonly attempt: number;
  readonly done: boolean;
  readonly failed: boolean;
  readonly timedOut: boolean;
}

/**
 * Verify the forced deployment: done when it completed with every desired task running, and on the
 * task definition the caller waits for (`onWantedRevision`: a rollout to another one is not done).
 */
export function rolloutProgress(
  state: Pick<ServiceState, 'desiredCount' | 'runningCount' | 'primary' | 'deploymentCount'>,
  attempt: number,
  pollSeconds: number,
  timeoutSeconds: number,
  onWantedRevision = true,
): RolloutProgress {
  const next = attempt + 1;
  const done = onWantedRevision && rolloutComplete(state) && state.runningCount === state.desiredCount;
  const failed = state.primary?.rolloutState === 'FAILED';
  return { attempt: next, done, failed, timedOut: !done && next * pollSeconds >= timeoutSeconds };
}

/** The target key config and admit use for a service: "cluster/service". */
export const SERVICE_KEY = /^[^/\s]+\/[^/\s]+$/;

export interface ServiceKey {
  readonly cluster: string;
  readonly service: string;
}

export function parseServiceKey(key: string): ServiceKey {
  if (!SERVICE_KEY.test(key)) throw new InvalidInput(`ECS target ${JSON.stringify(key)} is not a "cluster/service" key`);
  const [cluster = '', service = ''] = key.split('/');
  return { cluster, service };
}

export interface ServiceView extends ServiceState {
  readonly cluster: string;
  readonly service: string;
  readonly status: string;
  readonly taskDefinition: string | null;
  /** Newest first, as DescribeServices returns them. */
  readonly events: readonly ServiceEventView[];
  /** deploymentConfiguration.deploymentCircuitBreaker: with rollback, ECS rolls a failed deployment back itself. */
  readonly circuitBreaker: { readonly enable: boolean; readonly rollback: boolean };
  /** Every deployment ECS lists (PRIMARY first, then ACTIVE ones), with its task definition. */
  readonly deployments: readonly DeploymentView[];
}

export interface DeploymentView {
  readonly id: string;
  readonly status: string;
  readonly rolloutState: string | null;
  readonly taskDefinition: string | null;
}

/** DescribeTasks takes at most 100 tasks per call. */
const DESCRIBE_TASKS_MAX = 100;

export class EcsServiceClient {
  /** UpdateService: no SDK retry (see mutation-client.ts); a second forced deployment is a second rollout. */
  private readonly clients: ReturnType<typeof ecsClients>;

  constructor(ecs?: ECSClient, mutations?: ECSClient) {
    this.clients = ecsClients(ecs, mutations);
  }

  async describe(key: ServiceKey): Promise<ServiceView> {
    let out;
    try {
      const { m, client } = await this.clients.reads.get();
      out = await client.send(new m.DescribeServicesCommand({ cluster: key.cluster, services: [key.service] }));
    } catch (e: unknown) {
      throw this.mapError(e, key, 'DescribeServices');
    }
    // A missing service is not an error here: DescribeServices lists it under failures (reason MISSING).
    const failure = out.failures?.[0];
    if (failure) throw new TargetNotFound(`ECS service ${key.cluster}/${key.service} not found (${failure.reason ?? 'unknown reason'})`);
    const service = out.services?.[0];
    if (!service) throw new TargetNotFound(`ECS service ${key.cluster}/${key.service} not found (DescribeServices returned none)`);
    if (service.status === 'INACTIVE' || service.status === 'DRAINING') {
      throw new TargetNotFound(`ECS service ${key.cluster}/${key.service} is ${service.status}`);
    }
    return serviceView(key, service);
  }

  /** The service's stopped tasks, newest first (ECS keeps them for about an hour). */
  async stoppedTasks(key: ServiceKey, limit: number): Promise<StoppedTaskView[]> {
    try {
      const { m, client } = await this.clients.reads.get();
      const listed = await client.send(new m.ListTasksCommand({ cluster: key.cluster, serviceName: key.service, desiredStatus: 'STOPPED' }));
      const arns = (listed.taskArns ?? []).slice(0, DESCRIBE_TASKS_MAX);
      if (arns.length === 0) return [];
      const described = await client.send(new m.DescribeTasksCommand({ cluster: key.cluster, tasks: arns }));
      return (described.tasks ?? [])
        .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
        .slice(0, limit)
        .map(stoppedTaskView);
    } catch (e: unknown) {
      throw this.mapError(e, key, 'ListTasks/DescribeTasks');
    }
  }

  /** Seed 000 step 3: a fresh rollout of the same task definition (sidecars included). */
  forceNewDeployment(key: ServiceKey): Promise<ServiceView> {
    return this.update(key, { forceNewDeployment: true });
  }

  /** Points the service at another task definition: ECS starts a deployment of it (seed 002 "(h) Rollback"). */
  deployTaskDefinition(key: ServiceKey, taskDefinition: string): Promise<ServiceView> {
    return this.update(key, { taskDefinition });
  }

  /** Sets the desired count (an absolute value); ECS starts or stops tasks to reach it. */
  setDesiredCount(key: ServiceKey, desiredCount: number): Promise<ServiceView> {
    return this.update(key, { desiredCount });
  }

  /** One UpdateService with the one change it makes, sent as a mutation (retried only when throttled). */
  private async update(key: ServiceKey, change: Pick<UpdateServiceCommandInput, 'forceNewDeployment' | 'taskDefinition' | 'desiredCount'>): Promise<ServiceView> {
    let out;
    try {
      const { m, client } = await this.clients.mutations.get();
      out = await client.send(new m.UpdateServiceCommand({ cluster: key.cluster, service: key.service, ...change }));
    } catch (e: unknown) {
      throw this.mapError(e, key, 'UpdateService');
    }
    if (!out.service) throw new TargetNotFound(`ECS service ${key.cluster}/${key.service}: UpdateService returned no service`);
    return serviceView(key, out.service);
  }

  private mapError(e: unknown, key: ServiceKey, operation: string): Error {
    const name = `${key.cluster}/${key.service}`;
    if (hasErrorName(e, 'ClusterNotFoundException')) return new TargetNotFound(`ECS cluster ${key.cluster} does not exist (${operation})`);
    if (hasErrorName(e, 'ServiceNotFoundException')) return new TargetNotFound(`ECS service ${name} does not exist (${operation})`);
    if (hasErrorName(e, 'ServiceNotActiveException')) return new TargetNotFound(`ECS service ${name} is not active (${operation})`);
    return classifyAwsError(e, `ecs:${operation} on ${name}`);
  }
}

function serviceView(key: ServiceKey, service: Service): ServiceView {
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  return {
    cluster: key.cluster,
    service: key.service,
    status: service.status ?? 'UNKNOWN',
    taskDefinition: service.taskDefinition ?? null,
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    primary: primary?.id
      ? { id: primary.id, rolloutState: primary.rolloutState ?? null, taskDefinition: primary.taskDefinition ?? null }
      : null,
    deploymentCount: deployments.length,
    events: (service.events ?? []).map((e) => ({ createdAt: e.createdAt?.toISOString() ?? '', message: e.message ?? '' })),
    circuitBreaker: {
      enable: service.deploymentConfiguration?.deploymentCircuitBreaker?.enable ?? false,
      rollback: service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback ?? false,
    },
    deployments: deployments.map((d) => ({ id: d.id ?? '', status: d.status ?? 'UNKNOWN', rolloutState: d.rolloutState ?? null, taskDefinition: d.taskDefinition ?? null })),
  };
}

function stoppedTaskView(task: Task): StoppedTaskView {
  return {
    taskArn: task.taskArn ?? '',
    stoppedReason: task.stoppedReason ?? null,
    stopCode: task.stopCode ?? null,
    containerReasons: (task.containers ?? []).filter((c) => c.reason).map((c) => `${c.name ?? 'container'}: ${c.reason}`),
    startedBy: task.startedBy ?? null,
  };
}
