import { AwsError } from './aws-error';
import { epochSeconds } from './common';
import { advance, scale, startDeployment } from './ecs-rollout';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import { arn, type AccountState, type EcsClusterState, type EcsServiceState, type EcsTaskState } from './state';

/** ECS (JSON 1.1): DescribeServices, UpdateService, ListTasks, DescribeTasks; see ecs-rollout.ts. */

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
      deploymentCircuitBreaker: { enable: true, rollback: false },
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

function updateService(input: Input, ctx: ServiceContext): Output {
  const fields = new Fields(input, (m, c) => invalidParameter(`${m}: ${c}`));
  const { clusterName, serviceName, svc } = locate(ctx.state, fields, 'service');
  if (svc.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 400, 'Service was not ACTIVE.');
  const desired = fields.optInt('desiredCount');
  if (desired !== undefined && desired < 0) throw invalidParameter('Invalid desiredCount: must be greater than or equal to 0.');
  const taskDefinition = fields.optString('taskDefinition');
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

export const ecsModel: ServiceModel = {
  protocol: 'awsJson1_1',
  target: 'AmazonEC2ContainerServiceV20141113',
  operations: {
    DescribeServices: { mutating: false, run: describeServices },
    UpdateService: { mutating: true, run: updateService },
    ListTasks: { mutating: false, run: listTasks },
    DescribeTasks: { mutating: false, run: describeTasks },
    ListTagsForResource: { mutating: false, run: listTagsForResource },
  },
};
