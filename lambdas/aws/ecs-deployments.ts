/**
 * An ECS service's deployment history as a runbook reads it: its service deployments
 * (ListServiceDeployments, DescribeServiceDeployments), the revisions they deployed
 * (DescribeServiceRevisions: the task definition, each container's image and the digest it resolved
 * to) and a task definition's images (DescribeTaskDefinition). Read-only. ECS keeps this history for
 * deployments since October 2024.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { classifyAwsError, hasErrorName, TargetNotFound } from '../shared/errors';
import { type EcsSdk, type ServiceKey } from './ecs';
import { ecsSdk } from '../shared/sdk-modules';
import { LazyClient } from '../shared/lazy-sdk';

export interface ServiceDeploymentView {
  readonly arn: string;
  readonly status: string;
  readonly statusReason: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly targetRevisionArn: string | null;
}

export interface ServiceDeploymentDetail extends ServiceDeploymentView {
  readonly sourceRevisionArns: readonly string[];
  /** A rollback ECS started, and to which revision. */
  readonly rollback: { readonly reason: string | null; readonly revisionArn: string | null } | null;
  readonly circuitBreaker: { readonly status: string | null; readonly failureCount: number; readonly threshold: number } | null;
}

export interface ContainerImageView {
  readonly containerName: string;
  readonly image: string;
  /** The digest ECS resolved the image to when it deployed the revision. */
  readonly imageDigest: string | null;
}

export interface ServiceRevisionView {
  readonly arn: string;
  readonly taskDefinition: string;
  readonly containerImages: readonly ContainerImageView[];
}

export interface TaskDefinitionContainer {
  readonly name: string;
  readonly image: string;
}

/** DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs per call. */
const DESCRIBE_MAX = 20;
const iso = (d: Date | undefined) => d?.toISOString() ?? null;

export class EcsDeploymentHistory {
  private readonly ecs: LazyClient<EcsSdk, ECSClient>;

  constructor(client?: ECSClient) {
    this.ecs = new LazyClient(ecsSdk, (m) => new m.ECSClient({}), client);
  }

  /** The service's most recent deployments, newest first (sorted here: the API does not promise an order). */
  async recent(key: ServiceKey, maxResults: number): Promise<ServiceDeploymentView[]> {
    const out = await this.call(key, 'ListServiceDeployments', (m, ecs) => ecs.send(new m.ListServiceDeploymentsCommand({ cluster: key.cluster, service: key.service, maxResults })));
    return (out.serviceDeployments ?? [])
      .map((d): ServiceDeploymentView => ({
        arn: d.serviceDeploymentArn ?? '', status: d.status ?? 'UNKNOWN', statusReason: d.statusReason ?? null,
        createdAt: iso(d.createdAt) ?? '', finishedAt: iso(d.finishedAt), targetRevisionArn: d.targetServiceRevisionArn ?? null,
      }))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** One service deployment in full (its source revisions, rollback and circuit breaker); null when ECS lists it as a failure. */
  async deployment(key: ServiceKey, arn: string): Promise<ServiceDeploymentDetail | null> {
    const out = await this.call(key, 'DescribeServiceDeployments', (m, ecs) => ecs.send(new m.DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })));
    const d = out.serviceDeployments?.[0];
    if (!d) return null;
    return {
      arn: d.serviceDeploymentArn ?? arn, status: d.status ?? 'UNKNOWN', statusReason: d.statusReason ?? null,
      createdAt: iso(d.createdAt) ?? '', finishedAt: iso(d.finishedAt), targetRevisionArn: d.targetServiceRevision?.arn ?? null,
      sourceRevisionArns: (d.sourceServiceRevisions ?? []).map((r) => r.arn ?? '').filter((a) => a !== ''),
      rollback: d.rollback ? { reason: d.rollback.reason ?? null, revisionArn: d.rollback.serviceRevisionArn ?? null } : null,
      circuitBreaker: d.deploymentCircuitBreaker
        ? { status: d.deploymentCircuitBreaker.status ?? null, failureCount: d.deploymentCircuitBreaker.failureCount ?? 0, threshold: d.deploymentCircuitBreaker.threshold ?? 0 }
        : null,
    };
  }

  /** The revisions (their task definitions and images); ones ECS cannot describe are left out. */
  async revisions(key: ServiceKey, arns: readonly string[]): Promise<ServiceRevisionView[]> {
    const found: ServiceRevisionView[] = [];
    for (let i = 0; i < arns.length; i += DESCRIBE_MAX) {
      const batch = arns.slice(i, i + DESCRIBE_MAX);
      const out = await this.call(key, 'DescribeServiceRevisions', (m, ecs) => ecs.send(new m.DescribeServiceRevisionsCommand({ serviceRevisionArns: batch })));
      for (const r of out.serviceRevisions ?? []) {
        if (!r.serviceRevisionArn || !r.taskDefinition) continue;
        found.push({
          arn: r.serviceRevisionArn, taskDefinition: r.taskDefinition,
          containerImages: (r.containerImages ?? []).map((c) => ({ containerName: c.containerName ?? '', image: c.image ?? '', imageDigest: c.imageDigest ?? null })),
        });
      }
    }
    return found;
  }

  /** A task definition's containers and their images, as registered. */
  async taskDefinitionContainers(key: ServiceKey, taskDefinition: string): Promise<TaskDefinitionContainer[]> {
    const out = await this.call(key, 'DescribeTaskDefinition', (m, ecs) => ecs.send(new m.DescribeTaskDefinitionCommand({ taskDefinition })));
    return (out.taskDefinition?.containerDefinitions ?? []).map((c) => ({ name: c.name ?? '', image: c.image ?? '' }));
  }

  private async call<T>(key: ServiceKey, operation: string, send: (m: EcsSdk, ecs: ECSClient) => Promise<T>): Promise<T> {
    try {
      const { m, client } = await this.ecs.get();
      return await send(m, client);
    } catch (e: unknown) {
      const name = `${key.cluster}/${key.service}`;
      if (hasErrorName(e, 'ClusterNotFoundException')) throw new TargetNotFound(`ECS cluster ${key.cluster} does not exist (${operation})`);
      if (hasErrorName(e, 'ServiceNotFoundException')) throw new TargetNotFound(`ECS service ${name} does not exist (${operation})`);
      // ECS answers a task definition it does not have with ClientException ("Unable to describe task definition.").
      if (hasErrorName(e, 'ClientException') && operation === 'DescribeTaskDefinition') throw new TargetNotFound(`a task definition of ${name} does not exist (${e.message})`);
      throw classifyAwsError(e, `ecs:${operation} on ${name}`);
    }
  }
}
