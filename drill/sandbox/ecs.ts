import { createHash } from 'node:crypto';
import { AwsError } from './aws-error';
import { epochSeconds } from './common';
import { advance, scale, startDeployment } from './ecs-rollout';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import { arn, type AccountState, type EcsClusterState, type EcsServiceDeploymentRecord, type EcsServiceState, type EcsTaskState } from './state';

/**
 * ECS (JSON 1.1): DescribeServices, UpdateService, ListTasks, DescribeTasks; a service's deployment
 * history (ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions) and
 * DescribeTaskDefinition and RegisterTaskDefinition (a family's next revision); see ecs-rollout.ts.
 */

interface Located {
  clusterName: string;
  serviceName: string;
  svc: EcsServiceState;
}

const invalidParameter = (message: string) => new AwsError('InvalidParameterException', 400, message);
const clusterNotFound = () => new AwsError('ClusterNotFoundException', 400, 'Cluster not found.');
const serviceNotFound = () => new AwsError('ServiceNotFoundException', 400, 'Service not found.');

function findCluster(state: AccountState, ref: string | undefined): { clusterName: string; cluster: EcsClusterState } {
  const clusterName = ref === undefined ? 'default' : (/^arn:aws:ecs:[a-z0-9-]+:\d{12}:cluster\/(.+)$/.exec(ref)?.[1] ?? ref);
  const cluster = state.ecs.clusters[clusterName];
  if (cluster === undefined) throw clusterNotFound();
  return { clusterName, cluster };
}

/** A service name, or its ARN in the long (service/CLUSTER/NAME) or short (service/NAME) form. */
function serviceNameOf(ref: string): string {
  const m = /^arn:aws:ecs:[a-z0-9-]+:\d{12}:service\/(?:[^/]+\/)?([^/]+)$/.exec(ref);
  return m?.[1] ?? ref;
}

function locate(state: AccountState, fields: Fields, member: 'service' | 'serviceName'): Located {
  const { clusterName, cluster } = findCluster(state, fields.optString('cluster'));
  const serviceName = serviceNameOf(fields.string(member));
  const svc = cluster.services[serviceName];
  if (svc === undefined) throw serviceNotFound();
  return { clusterName, serviceName, svc };
}

// ---- wire shapes -----------------------------------------------------------------------------

function taskDefinitionArn(state: AccountState, ref: string): string {
  return ref.startsWith('arn:') ? ref : `arn:aws:ecs:${state.region}:${state.accountId}:task-definition/${ref}`;
}

function serviceOutput(state: AccountState, clusterName: string, name: string, svc: EcsServiceState): Output {
  return {
    serviceArn: arn.ecsService(state, clusterName, name),
    serviceName: name,
    clusterArn: arn.ecsCluster(state, clusterName),
    loadBalancers: [{ targetGroupArn: svc.targetGroupArn, containerName: svc.containerName, containerPort: svc.containerPort }],
    status: svc.status,
    desiredCount: svc.desiredCount,
    runningCount: svc.runningCount,
    pendingCount: svc.pendingCount,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    platformFamily: 'Linux',
    taskDefinition: taskDefinitionArn(state, svc.taskDefinition),
    deploymentConfiguration: {
      deploymentCircuitBreaker: svc.circuitBreaker ?? { enable: true, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    },
    deployments: svc.deployments.map((d) => ({
      id: d.id,
      status: d.status,
      taskDefinition: taskDefinitionArn(state, d.taskDefinition),
      desiredCount: d.desiredCount,
      pendingCount: d.pendingCount,
      runningCount: d.runningCount,
      failedTasks: d.failedTasks,
      createdAt: epochSeconds(d.createdAt),
      updatedAt: epochSeconds(d.updatedAt),
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
    })),
    events: svc.events.map((e) => ({ id: e.id, createdAt: epochSeconds(e.createdAt), message: e.message })),
    createdAt: epochSeconds(svc.createdAt),
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    healthCheckGracePeriodSeconds: 60,
    enableExecuteCommand: false,
  };
}

function taskOutput(state: AccountState, clusterName: string, serviceName: string, t: EcsTaskState): Output {
  const taskArn = arn.ecsTask(state, clusterName, t.taskId);
  const opt = (key: string, iso: string | undefined) => (iso === undefined ? {} : { [key]: epochSeconds(iso) });
  return {
    taskArn,
    clusterArn: arn.ecsCluster(state, clusterName),
    taskDefinitionArn: taskDefinitionArn(state, t.taskDefinition),
    group: `service:${serviceName}`,
    startedBy: t.startedBy,
    launchType: 'FARGATE',
    availabilityZone: `${state.region}a`,
    cpu: '512',
    memory: '1024',
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    healthStatus: 'UNKNOWN',
    createdAt: epochSeconds(t.createdAt),
    ...opt('startedAt', t.startedAt),
    ...opt('stoppingAt', t.stoppedAt),
    ...opt('stoppedAt', t.stoppedAt),
    ...(t.stopCode === undefined ? {} : { stopCode: t.stopCode }),
    ...(t.stoppedReason === undefined ? {} : { stoppedReason: t.stoppedReason }),
    containers: t.containers.map((c, i) => ({
      containerArn: `arn:aws:ecs:${state.region}:${state.accountId}:container/${clusterName}/${t.taskId}/${i}`,
      taskArn,
      name: c.name,
      image: c.image,
      lastStatus: c.lastStatus,
      healthStatus: 'UNKNOWN',
      ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }),
      ...(c.reason === undefined ? {} : { reason: c.reason }),
    })),
  };
}

// ---- operations ------------------------------------------------------------------------------

function describeServices(input: Input, ctx: ServiceContext): Output {
  const { state } = ctx;
  const fields = new Fields(input, (m, c) => invalidParameter(`${m}: ${c}`));
  const { clusterName, cluster } = findCluster(state, fields.optString('cluster'));
  const refs = fields.optStrings('services') ?? [];
  if (refs.length === 0) throw invalidParameter('Services cannot be empty.');
  if (refs.length > 10) throw invalidParameter('Services cannot be more than 10.');
  const services: Output[] = [];
  const failures: Output[] = [];
  for (const ref of refs) {
    const name = serviceNameOf(ref);
    const svc = cluster.services[name];
    if (svc === undefined) {
      failures.push({ arn: arn.ecsService(state, clusterName, name), reason: 'MISSING' });
      continue;
    }
    advance(ctx, name, svc);
    services.push(serviceOutput(state, clusterName, name, svc));
  }
  return { services, failures };
}

/** Tags of a service, by its ARN (the only resource type the runbooks read tags of). */
function listTagsForResource(input: Input, { state }: ServiceContext): Output {
  const resourceArn = new Fields(input, (m, c) => invalidParameter(`${m}: ${c}`)).string('resourceArn');
  const m = /^arn:aws:ecs:([a-z0-9-]+):(\d{12}):service\/([^/]+)\/([^/]+)$/.exec(resourceArn);
  if (m === null || m[1] !== state.region || m[2] !== state.accountId) throw invalidParameter('The specified Amazon Resource Name (ARN) is not valid.');
  const cluster = state.ecs.clusters[m[3]!];
  if (cluster === undefined) throw clusterNotFound();
  const svc = cluster.services[m[4]!];
  if (svc === undefined) throw serviceNotFound();
  return { tags: Object.entries(svc.tags ?? {}).map(([key, value]) => ({ key, value })) };
}

/**
 * A task definition as a service records it (family:revision), refused as ECS refuses one that is
 * not registered, for the families the account registers.
 */
function registered(state: AccountState, ref: string | undefined): string | undefined {
  if (ref === undefined) return undefined;
  const short = /^arn:aws:ecs:[a-z0-9-]+:\d{12}:task-definition\/(.+)$/.exec(ref)?.[1] ?? ref;
  const family = short.split(':')[0];
  const known = Object.keys(state.ecs.taskDefinitions);
  if (known.some((k) => k.startsWith(`${family}:`)) && !known.includes(short)) throw invalidParameter('TaskDefinition not found.');
  return short;
}

function updateService(input: Input, ctx: ServiceContext): Output {
  const fields = new Fields(input, (m, c) => invalidParameter(`${m}: ${c}`));
  const { clusterName, serviceName, svc } = locate(ctx.state, fields, 'service');
  if (svc.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 400, 'Service was not ACTIVE.');
  const desired = fields.optInt('desiredCount');
  if (desired !== undefined && desired < 0) throw invalidParameter('Invalid desiredCount: must be greater than or equal to 0.');
  const taskDefinition = registered(ctx.state, fields.optString('taskDefinition'));
  if (desired !== undefined && desired !== svc.desiredCount) scale(ctx, serviceName, svc, desired);
  const newDefinition = taskDefinition !== undefined && taskDefinitionArn(ctx.state, taskDefinition) !== taskDefinitionArn(ctx.state, svc.taskDefinition);
  if (newDefinition || fields.optBool('forceNewDeployment') === true) {
    startDeployment(ctx, serviceName, svc, taskDefinition ?? svc.taskDefinition);
  }
  return { service: serviceOutput(ctx.state, clusterName, serviceName, svc) };
}

function listTasks(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input, (m, c) => invalidParameter(`${m}: ${c}`));
  const { clusterName, cluster } = findCluster(state, fields.optString('cluster'));
  const serviceRef = fields.optString('serviceName');
  const serviceName = serviceRef === undefined ? undefined : serviceNameOf(serviceRef);
  if (serviceName !== undefined && cluster.services[serviceName] === undefined) throw serviceNotFound();
  const desiredStatus = fields.optString('desiredStatus') ?? 'RUNNING';
  if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desiredStatus)) {
    throw invalidParameter(`desiredStatus: must be one of RUNNING, PENDING, STOPPED`);
  }
  const taskArns = Object.entries(cluster.services)
    .filter(([name]) => serviceName === undefined || name === serviceName)
    .flatMap(([, svc]) => [...svc.tasks].reverse())
    .filter((t) =>
      desiredStatus === 'STOPPED'
        ? t.desiredStatus === 'STOPPED'
        : t.desiredStatus === 'RUNNING' && (desiredStatus === 'RUNNING' || t.lastStatus === 'PENDING'),
    )
    .map((t) => arn.ecsTask(state, clusterName, t.taskId));
  return { taskArns };
}

function describeTasks(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input, (m, c) => invalidParameter(`${m}: ${c}`));
  const { clusterName, cluster } = findCluster(state, fields.optString('cluster'));
  const refs = fields.optStrings('tasks') ?? [];
  if (refs.length === 0) throw invalidParameter('Tasks cannot be empty.');
  if (refs.length > 100) throw invalidParameter('Tasks cannot be more than 100.');
  const tasks: Output[] = [];
  const failures: Output[] = [];
  for (const ref of refs) {
    const taskId = ref.split('/').at(-1) ?? ref;
    const found = Object.entries(cluster.services)
      .map(([name, svc]) => ({ name, task: svc.tasks.find((t) => t.taskId === taskId) }))
      .find((x) => x.task !== undefined);
    if (found?.task === undefined) failures.push({ arn: arn.ecsTask(state, clusterName, taskId), reason: 'MISSING' });
    else tasks.push(taskOutput(state, clusterName, found.name, found.task));
  }
  return { tasks, failures };
}

// ---- deployment history ----------------------------------------------------------------------

const SERVICE_DEPLOYMENT_STATUSES = [
  'PENDING', 'SUCCESSFUL', 'STOPPED', 'STOP_REQUESTED', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED',
];
/** DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs. */
const MAX_DESCRIBED = 20;

/** A service deployment or revision ARN: cluster, service and id, or undefined for anything else. */
function historyArn(state: AccountState, kind: 'service-deployment' | 'service-revision', ref: string): { clusterName: string; serviceName: string; id: string } | undefined {
  const m = new RegExp(`^arn:aws:ecs:([a-z0-9-]+):(\\d{12}):${kind}/([^/]+)/([^/]+)/([^/]+)$`).exec(ref);
  if (m === null || m[1] !== state.region || m[2] !== state.accountId) return undefined;
  return { clusterName: m[3]!, serviceName: m[4]!, id: m[5]! };
}

function arnList(fields: Fields, member: string): string[] {
  const refs = fields.optStrings(member) ?? [];
  if (refs.length === 0) throw invalidParameter(`${member} cannot be empty.`);
  if (refs.length > MAX_DESCRIBED) throw invalidParameter(`${member} cannot contain more than ${MAX_DESCRIBED} ARNs.`);
  return refs;
}

const revisionArn = (state: AccountState, clusterName: string, serviceName: string, id: string) => arn.ecsServiceRevision(state, clusterName, serviceName, id);

function deploymentBrief(state: AccountState, clusterName: string, serviceName: string, d: EcsServiceDeploymentRecord): Output {
  return {
    serviceDeploymentArn: arn.ecsServiceDeployment(state, clusterName, serviceName, d.id),
    serviceArn: arn.ecsService(state, clusterName, serviceName),
    clusterArn: arn.ecsCluster(state, clusterName),
    createdAt: epochSeconds(d.createdAt),
    ...(d.startedAt ? { startedAt: epochSeconds(d.startedAt) } : {}),
    ...(d.finishedAt ? { finishedAt: epochSeconds(d.finishedAt) } : {}),
    targetServiceRevisionArn: revisionArn(state, clusterName, serviceName, d.targetRevision),
    status: d.status,
    ...(d.statusReason ? { statusReason: d.statusReason } : {}),
  };
}

/** Newest first; filtered by status and creation time as the request asks. */
function listServiceDeployments(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input, (m, c) => invalidParameter(`${m}: ${c}`));
  const { clusterName, serviceName, svc } = locate(state, fields, 'service');
  const statuses = fields.optStrings('status');
  const unknown = statuses?.find((s) => !SERVICE_DEPLOYMENT_STATUSES.includes(s));
  if (unknown !== undefined) throw invalidParameter(`Invalid status: ${unknown}. Valid values are ${SERVICE_DEPLOYMENT_STATUSES.join(', ')}.`);
  const max = fields.optInt('maxResults') ?? 20;
  if (max < 1 || max > 100) throw invalidParameter('maxResults must be between 1 and 100.');
  const created = fields.optObject('createdAt');
  const [after, before] = [created?.optInt('after'), created?.optInt('before')];
  const start = Number(fields.optString('nextToken') ?? '0');
  if (!Number.isInteger(start) || start < 0) throw invalidParameter('The specified nextToken is invalid.');
  const matching = [...(svc.serviceDeployments ?? [])]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .filter((d) => (statuses === undefined || statuses.includes(d.status))
      && (after === undefined || epochSeconds(d.createdAt) >= after) && (before === undefined || epochSeconds(d.createdAt) <= before));
  const page = matching.slice(start, start + max);
  return {
    serviceDeployments: page.map((d) => deploymentBrief(state, clusterName, serviceName, d)),
    ...(start + max < matching.length ? { nextToken: String(start + max) } : {}),
  };
}

function describeServiceDeployments(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input, (m, c) => invalidParameter(`${m}: ${c}`));
  const serviceDeployments: Output[] = [];
  const failures: Output[] = [];
  for (const ref of arnList(fields, 'serviceDeploymentArns')) {
    const at = historyArn(state, 'service-deployment', ref);
    const svc = at && state.ecs.clusters[at.clusterName]?.services[at.serviceName];
    const d = at && svc?.serviceDeployments?.find((x) => x.id === at.id);
    if (!at || !svc || !d) { failures.push({ arn: ref, reason: 'MISSING' }); continue; }
    const count = (revision: string) => {
      const running = svc.deployments.filter((x) => x.serviceDeploymentId !== undefined && svc.serviceDeployments?.find((y) => y.id === x.serviceDeploymentId)?.targetRevision === revision);
      return {
        arn: revisionArn(state, at.clusterName, at.serviceName, revision),
        requestedTaskCount: running.reduce((n, x) => n + x.desiredCount, 0),
        runningTaskCount: running.reduce((n, x) => n + x.runningCount, 0),
        pendingTaskCount: running.reduce((n, x) => n + x.pendingCount, 0),
      };
    };
    const breaker = svc.circuitBreaker ?? { enable: true, rollback: false };
    const finished = d.finishedAt !== undefined;
    serviceDeployments.push({
      ...deploymentBrief(state, at.clusterName, at.serviceName, d),
      updatedAt: epochSeconds(d.finishedAt ?? d.startedAt ?? d.createdAt),
      ...(d.status === 'STOPPED' && d.finishedAt ? { stoppedAt: epochSeconds(d.finishedAt) } : {}),
      sourceServiceRevisions: d.sourceRevisions.map(count),
      targetServiceRevision: count(d.targetRevision),
      deploymentConfiguration: { deploymentCircuitBreaker: breaker, maximumPercent: 200, minimumHealthyPercent: 100 },
      deploymentCircuitBreaker: breaker.enable
        ? { status: (d.failedTasks ?? 0) >= 10 || d.status.startsWith('ROLLBACK') || d.status === 'STOPPED' ? 'TRIGGERED' : finished ? 'MONITORING_COMPLETE' : 'MONITORING', failureCount: d.failedTasks ?? 0, threshold: 10 }
        : { status: 'DISABLED', failureCount: d.failedTasks ?? 0, threshold: 10 },
      ...(d.rollback ? { rollback: { reason: d.rollback.reason, startedAt: epochSeconds(d.rollback.startedAt), serviceRevisionArn: revisionArn(state, at.clusterName, at.serviceName, d.rollback.revision) } } : {}),
    });
  }
  return { serviceDeployments, failures };
}

function describeServiceRevisions(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input, (m, c) => invalidParameter(`${m}: ${c}`));
  const serviceRevisions: Output[] = [];
  const failures: Output[] = [];
  for (const ref of arnList(fields, 'serviceRevisionArns')) {
    const at = historyArn(state, 'service-revision', ref);
    const svc = at && state.ecs.clusters[at.clusterName]?.services[at.serviceName];
    const r = at && svc?.revisions?.[at.id];
    if (!at || !svc || !r) { failures.push({ arn: ref, reason: 'MISSING' }); continue; }
    const definition = state.ecs.taskDefinitions[r.taskDefinition];
    serviceRevisions.push({
      serviceRevisionArn: ref,
      serviceArn: arn.ecsService(state, at.clusterName, at.serviceName),
      clusterArn: arn.ecsCluster(state, at.clusterName),
      taskDefinition: taskDefinitionArn(state, r.taskDefinition),
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      platformFamily: 'Linux',
      loadBalancers: [{ targetGroupArn: svc.targetGroupArn, containerName: svc.containerName, containerPort: svc.containerPort }],
      containerImages: (definition?.containers ?? []).map((c) => ({ containerName: c.name, imageDigest: c.imageDigest, image: c.image })),
      guardDutyEnabled: false,
      createdAt: epochSeconds(r.createdAt),
    });
  }
  return { serviceRevisions, failures };
}

/** A family (its newest revision), family:revision or the ARN; ECS answers an unknown one with ClientException. */
function describeTaskDefinition(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input, (m, c) => invalidParameter(`${m}: ${c}`));
  const ref = fields.string('taskDefinition');
  const short = /^arn:aws:ecs:[a-z0-9-]+:\d{12}:task-definition\/(.+)$/.exec(ref)?.[1] ?? ref;
  const key = short.includes(':') ? short : newestRevision(state, short);
  const definition = key === undefined ? undefined : state.ecs.taskDefinitions[key];
  if (key === undefined || definition === undefined) throw new AwsError('ClientException', 400, 'Unable to describe task definition.');
  const [family = '', revision = '0'] = key.split(':');
  const withTags = (fields.optStrings('include') ?? []).includes('TAGS');
  return {
    taskDefinition: {
      taskDefinitionArn: taskDefinitionArn(state, key),
      family,
      revision: Number(revision),
      containerDefinitions: definition.containers.map((c) => ({
        ...c.rest, name: c.name, image: c.image, essential: c.rest?.essential ?? true,
        ...(c.environment ? { environment: c.environment } : {}), ...(c.secrets ? { secrets: c.secrets } : {}),
      })),
      ...(definition.taskRoleArn ? { taskRoleArn: definition.taskRoleArn } : {}),
      ...(definition.executionRoleArn ? { executionRoleArn: definition.executionRoleArn } : {}),
      status: 'ACTIVE',
      requiresCompatibilities: ['FARGATE'],
      compatibilities: ['EC2', 'FARGATE'],
      networkMode: 'awsvpc',
      cpu: definition.cpu ?? '512',
      memory: definition.memory ?? '1024',
      registeredAt: epochSeconds(definition.registeredAt),
    },
    ...(withTags ? { tags: Object.entries(definition.tags ?? {}).map(([tagKey, value]) => ({ key: tagKey, value })) } : {}),
  };
}

function newestRevision(state: AccountState, family: string): string | undefined {
  return Object.keys(state.ecs.taskDefinitions).filter((k) => k.startsWith(`${family}:`)).sort((a, b) => Number(b.split(':')[1]) - Number(a.split(':')[1]))[0];
}

const clientException = (message: string) => new AwsError('ClientException', 400, message);
const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const MODELLED_CONTAINER_FIELDS = new Set(['name', 'image', 'environment', 'secrets']);

/**
 * A new revision of a family (the newest + 1, or 1), as ECS registers it: `family` and at least one
 * container with `name` and `image` are required; a Fargate definition needs task-level `cpu` and
 * `memory`; container secrets need an `executionRoleArn`; at most 50 tags. What the model does not
 * read of a container is kept as sent and answered by DescribeTaskDefinition.
 */
function registerTaskDefinition(input: Input, { state, now }: ServiceContext): Output {
  const fields = new Fields(input, (m, c) => clientException(`${m}: ${c}`));
  const family = fields.string('family');
  if (!FAMILY.test(family)) throw clientException('Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.');
  const raw = input.containerDefinitions;
  if (!Array.isArray(raw) || raw.length === 0) throw clientException('Container list cannot be empty.');
  const containers = raw.map((c: unknown) => {
    const container = (c ?? {}) as Record<string, unknown>;
    if (typeof container.name !== 'string' || container.name === '') throw clientException('Container.name should not be null or empty.');
    if (typeof container.image !== 'string' || container.image === '') throw clientException('Container.image should not be null or empty.');
    const pairs = <K extends string>(value: unknown, keys: [K, K]) => (Array.isArray(value) ? value.map((v) => {
      const o = (v ?? {}) as Record<string, unknown>;
      return { [keys[0]]: String(o[keys[0]] ?? ''), [keys[1]]: String(o[keys[1]] ?? '') } as Record<K, string>;
    }) : undefined);
    const environment = pairs(container.environment, ['name', 'value']) as { name: string; value: string }[] | undefined;
    const secrets = pairs(container.secrets, ['name', 'valueFrom']) as { name: string; valueFrom: string }[] | undefined;
    const rest = Object.fromEntries(Object.entries(container).filter(([k]) => !MODELLED_CONTAINER_FIELDS.has(k)));
    const known = Object.values(state.ecs.taskDefinitions).flatMap((d) => d.containers).find((k) => k.image === container.image);
    return {
      name: container.name, image: container.image,
      imageDigest: known?.imageDigest ?? `sha256:${createHash('sha256').update(container.image).digest('hex')}`,
      ...(environment ? { environment } : {}), ...(secrets ? { secrets } : {}), ...(Object.keys(rest).length > 0 ? { rest } : {}),
    };
  });
  const fargate = (fields.optStrings('requiresCompatibilities') ?? []).includes('FARGATE');
  const cpu = fields.optString('cpu');
  const memory = fields.optString('memory');
  if (fargate && cpu === undefined) throw clientException("Fargate requires that 'cpu' be defined at the task level.");
  if (fargate && memory === undefined) throw clientException("Fargate requires that 'memory' be defined at the task level.");
  const executionRoleArn = fields.optString('executionRoleArn');
  if (containers.some((c) => (c.secrets?.length ?? 0) > 0) && executionRoleArn === undefined) {
    throw clientException("When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.");
  }
  const tagList = Array.isArray(input.tags) ? (input.tags as { key?: unknown; value?: unknown }[]) : [];
  if (tagList.length > 50) throw invalidParameter('Tags cannot be more than 50.');
  const tags = Object.fromEntries(tagList.map((t) => [String(t.key ?? ''), String(t.value ?? '')] as const));
  const taskRoleArn = fields.optString('taskRoleArn');
  const newest = newestRevision(state, family);
  const key = `${family}:${newest === undefined ? 1 : Number(newest.split(':')[1]) + 1}`;
  state.ecs.taskDefinitions[key] = {
    containers, registeredAt: now().toISOString(),
    ...(taskRoleArn ? { taskRoleArn } : {}), ...(executionRoleArn ? { executionRoleArn } : {}),
    ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}), ...(tagList.length > 0 ? { tags } : {}),
  };
  return describeTaskDefinition({ taskDefinition: key, include: ['TAGS'] }, { state } as ServiceContext);
}

export const ecsModel: ServiceModel = {
  protocol: 'awsJson1_1',
  target: 'AmazonEC2ContainerServiceV20141113',
  operations: {
    DescribeServices: { mutating: false, run: describeServices },
    UpdateService: { mutating: true, run: updateService },
    ListTasks: { mutating: false, run: listTasks },
    DescribeTasks: { mutating: false, run: describeTasks },
    ListTagsForResource: { mutating: false, run: listTagsForResource },
    ListServiceDeployments: { mutating: false, run: listServiceDeployments },
    DescribeServiceDeployments: { mutating: false, run: describeServiceDeployments },
    DescribeServiceRevisions: { mutating: false, run: describeServiceRevisions },
    DescribeTaskDefinition: { mutating: false, run: describeTaskDefinition },
    RegisterTaskDefinition: { mutating: true, run: registerTaskDefinition },
  },
};
