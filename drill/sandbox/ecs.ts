import { AwsError } from './aws-error';
import { accessDeniedMessage, epochSeconds, uuidFromHex } from './common';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import {
  arn,
  type AccountState,
  type EcsClusterState,
  type EcsDeploymentState,
  type EcsFailureMode,
  type EcsServiceState,
  type EcsTaskState,
} from './state';

/**
 * ECS (JSON 1.1): services, deployments, events and tasks. Rollouts advance on DescribeServices
 * calls, not on the clock, so a drill is deterministic: a rollout settles after the service's
 * `describesToSettle` describes, COMPLETED when the failure mode allows it, FAILED otherwise.
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

// ---- mutations of the model ----------------------------------------------------------------

function addEvent(ctx: ServiceContext, svc: EcsServiceState, message: string): void {
  svc.events.unshift({ id: uuidFromHex(ctx.id('ecs-event')), createdAt: ctx.now().toISOString(), message });
  svc.events.splice(100);
}

function deploymentId(ctx: ServiceContext): string {
  return `ecs-svc/${BigInt(`0x${ctx.id('ecs-deployment').slice(0, 15)}`).toString().padStart(19, '0').slice(-19)}`;
}

function newTask(ctx: ServiceContext, svc: EcsServiceState, deployment: EcsDeploymentState, status: 'PENDING' | 'RUNNING'): EcsTaskState {
  const now = ctx.now().toISOString();
  const task: EcsTaskState = {
    taskId: ctx.id('ecs-task'),
    taskDefinition: deployment.taskDefinition,
    startedBy: deployment.id,
    lastStatus: status,
    desiredStatus: 'RUNNING',
    createdAt: now,
    ...(status === 'RUNNING' ? { startedAt: now } : {}),
    containers: [{ name: svc.containerName, image: svc.containerImage, lastStatus: status }],
  };
  svc.tasks.push(task);
  return task;
}

function stopTask(
  ctx: ServiceContext,
  task: EcsTaskState,
  stopCode: NonNullable<EcsTaskState['stopCode']>,
  reason: string,
  container: { exitCode?: number; reason?: string } = {},
): void {
  const now = ctx.now().toISOString();
  task.lastStatus = 'STOPPED';
  task.desiredStatus = 'STOPPED';
  task.stopCode = stopCode;
  task.stoppedReason = reason;
  task.stoppedAt = now;
  task.containers = task.containers.map((c) => ({ ...c, lastStatus: 'STOPPED', ...container }));
}

function liveTasks(svc: EcsServiceState, deployment: EcsDeploymentState, status?: 'PENDING' | 'RUNNING'): EcsTaskState[] {
  return svc.tasks.filter(
    (t) => t.startedBy === deployment.id && t.lastStatus !== 'STOPPED' && (status === undefined || t.lastStatus === status),
  );
}

function taskList(tasks: EcsTaskState[]): string {
  return tasks.map((t) => `(task ${t.taskId})`).join(' ');
}

/** Deployment and service counts follow the tasks. */
function recount(svc: EcsServiceState, now: string): void {
  for (const d of svc.deployments) {
    const running = liveTasks(svc, d, 'RUNNING').length;
    const pending = liveTasks(svc, d, 'PENDING').length;
    if (running !== d.runningCount || pending !== d.pendingCount) d.updatedAt = now;
    d.runningCount = running;
    d.pendingCount = pending;
  }
  svc.runningCount = svc.deployments.reduce((sum, d) => sum + d.runningCount, 0);
  svc.pendingCount = svc.deployments.reduce((sum, d) => sum + d.pendingCount, 0);
}

function primaryOf(svc: EcsServiceState): EcsDeploymentState | undefined {
  return svc.deployments.find((d) => d.status === 'PRIMARY');
}

function startTasks(ctx: ServiceContext, name: string, svc: EcsServiceState, deployment: EcsDeploymentState): void {
  const missing = deployment.desiredCount - liveTasks(svc, deployment).length;
  if (missing <= 0) return;
  const started = Array.from({ length: missing }, () => newTask(ctx, svc, deployment, 'PENDING'));
  addEvent(ctx, svc, `(service ${name}) has started ${started.length} tasks: ${taskList(started)}.`);
}

function startDeployment(ctx: ServiceContext, name: string, svc: EcsServiceState, taskDefinition: string): void {
  const now = ctx.now().toISOString();
  // A fresh set of tasks passes health checks again; a new image reference can fix a bad pull.
  if (svc.failure === 'health-check') svc.failure = 'none';
  if (svc.failure === 'image-pull' && taskDefinition !== svc.taskDefinition) svc.failure = 'none';
  for (const old of svc.deployments) {
    old.status = 'ACTIVE';
    delete old.describesLeft;
    for (const t of liveTasks(svc, old, 'PENDING')) {
      stopTask(ctx, t, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${old.id})`);
    }
  }
  svc.taskDefinition = taskDefinition;
  const id = deploymentId(ctx);
  const deployment: EcsDeploymentState = {
    id,
    status: 'PRIMARY',
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: `ECS deployment ${id} in progress.`,
    taskDefinition,
    desiredCount: svc.desiredCount,
    runningCount: 0,
    pendingCount: 0,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    describesLeft: svc.describesToSettle,
  };
  svc.deployments.unshift(deployment);
  startTasks(ctx, name, svc, deployment);
  recount(svc, now);
}

function scale(ctx: ServiceContext, name: string, svc: EcsServiceState, desiredCount: number): void {
  svc.desiredCount = desiredCount;
  const primary = primaryOf(svc);
  if (primary === undefined) return;
  primary.desiredCount = desiredCount;
  primary.describesLeft ??= svc.describesToSettle;
  startTasks(ctx, name, svc, primary);
  recount(svc, ctx.now().toISOString());
}

interface FailureShape {
  stopCode: NonNullable<EcsTaskState['stopCode']>;
  reason: string;
  container: { exitCode?: number; reason?: string };
}

/** How tasks stop under each failure mode, in the words ECS uses. */
function failureShape(mode: Exclude<EcsFailureMode, 'none'>, svc: EcsServiceState, state: AccountState): FailureShape {
  switch (mode) {
    case 'image-pull': {
      const reason = `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${svc.containerImage}: ${svc.containerImage}: not found`;
      return { stopCode: 'TaskFailedToStart', reason, container: { reason } };
    }
    case 'secrets': {
      const secret = `arn:aws:secretsmanager:${state.region}:${state.accountId}:secret:${svc.containerName}/prod/app-secrets`;
      const reason =
        'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ' +
        `unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${secret} ` +
        'from secrets manager: AccessDeniedException: User is not authorized to perform: secretsmanager:GetSecretValue';
      return { stopCode: 'TaskFailedToStart', reason, container: {} };
    }
    case 'health-check':
      return {
        stopCode: 'ServiceSchedulerInitiated',
        reason: `Task failed ELB health checks in (target-group ${svc.targetGroupArn})`,
        container: { exitCode: 137 },
      };
  }
}

/** The rollout (or scaling) reaches its outcome. */
function settle(ctx: ServiceContext, name: string, svc: EcsServiceState, primary: EcsDeploymentState): void {
  const now = ctx.now().toISOString();
  const scaling = `Scaling activity initiated by (deployment ${primary.id})`;
  delete primary.describesLeft;
  if (svc.failure === 'none' || primary.desiredCount === 0) {
    for (const t of liveTasks(svc, primary, 'PENDING')) {
      t.lastStatus = 'RUNNING';
      t.startedAt = now;
      t.containers = t.containers.map((c) => ({ ...c, lastStatus: 'RUNNING' }));
    }
    const surplus = liveTasks(svc, primary).slice(primary.desiredCount);
    const retired = svc.deployments.filter((d) => d !== primary).flatMap((d) => liveTasks(svc, d));
    const stopped = [...surplus, ...retired];
    stopped.forEach((t) => stopTask(ctx, t, 'ServiceSchedulerInitiated', scaling));
    if (stopped.length > 0) addEvent(ctx, svc, `(service ${name}) has stopped ${stopped.length} running tasks: ${taskList(stopped)}.`);
    svc.deployments = [primary];
    if (primary.rolloutState !== 'COMPLETED') {
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
      addEvent(ctx, svc, `(service ${name}) (deployment ${primary.id}) deployment completed.`);
    }
    recount(svc, now);
    addEvent(ctx, svc, `(service ${name}) has reached a steady state.`);
    return;
  }
  const failure = failureShape(svc.failure, svc, ctx.state);
  const failed = liveTasks(svc, primary);
  if (svc.failure === 'health-check') {
    for (const t of failed) {
      addEvent(ctx, svc, `(service ${name}) (task ${t.taskId}) (port ${svc.containerPort}) is unhealthy in (target-group ${svc.targetGroupArn}) due to (reason Health checks failed with these codes: [502]).`);
    }
  }
  failed.forEach((t) => stopTask(ctx, t, failure.stopCode, failure.reason, failure.container));
  if (failed.length > 0) addEvent(ctx, svc, `(service ${name}) has stopped ${failed.length} running tasks: ${taskList(failed)}.`);
  primary.failedTasks += failed.length;
  if (primary.rolloutState === 'IN_PROGRESS') {
    primary.rolloutState = 'FAILED';
    primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    addEvent(ctx, svc, `(service ${name}) (deployment ${primary.id}) deployment failed: tasks failed to start.`);
  }
  recount(svc, now);
}

function advance(ctx: ServiceContext, name: string, svc: EcsServiceState): void {
  const primary = primaryOf(svc);
  if (primary?.describesLeft === undefined || svc.status !== 'ACTIVE') return;
  primary.describesLeft -= 1;
  if (primary.describesLeft <= 0) settle(ctx, name, svc, primary);
}

/**
 * Makes a scenario's counts and tasks agree: service counts win over the primary deployment's,
 * and each deployment gets tasks for its running and pending counts.
 */
export function normaliseEcs(ctx: ServiceContext): void {
  for (const cluster of Object.values(ctx.state.ecs.clusters)) {
    for (const svc of Object.values(cluster.services)) {
      const primary = primaryOf(svc);
      if (primary !== undefined) {
        const others = svc.deployments.filter((d) => d !== primary);
        primary.runningCount = Math.max(0, svc.runningCount - others.reduce((s, d) => s + d.runningCount, 0));
        primary.pendingCount = Math.max(0, svc.pendingCount - others.reduce((s, d) => s + d.pendingCount, 0));
      }
      for (const d of svc.deployments) {
        for (const status of ['RUNNING', 'PENDING'] as const) {
          const want = status === 'RUNNING' ? d.runningCount : d.pendingCount;
          const have = liveTasks(svc, d, status);
          for (let i = have.length; i < want; i++) newTask(ctx, svc, d, status);
          have.slice(want).forEach((t) => stopTask(ctx, t, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${d.id})`));
        }
      }
      recount(svc, ctx.now().toISOString());
    }
  }
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
    .filter((t) => (desiredStatus === 'STOPPED' ? t.desiredStatus === 'STOPPED' : t.desiredStatus === 'RUNNING' && (desiredStatus === 'RUNNING' || t.lastStatus === 'PENDING')))
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
  service: 'ecs',
  protocol: 'awsJson1_1',
  target: 'AmazonEC2ContainerServiceV20141113',
  operations: {
    DescribeServices: { mutating: false, run: describeServices },
    UpdateService: { mutating: true, run: updateService },
    ListTasks: { mutating: false, run: listTasks },
    DescribeTasks: { mutating: false, run: describeTasks },
  },
  fault(kind, operation, input, ctx) {
    switch (kind) {
      case 'throttling':
        return new AwsError('ThrottlingException', 400, 'Rate exceeded');
      case 'access-denied': {
        const cluster = typeof input.cluster === 'string' ? input.cluster : 'default';
        const service = typeof input.service === 'string' ? input.service : undefined;
        const resource = service === undefined ? arn.ecsCluster(ctx.state, cluster) : arn.ecsService(ctx.state, cluster, service);
        return new AwsError('AccessDeniedException', 403, accessDeniedMessage(ctx, `ecs:${operation}`, resource));
      }
      case 'not-found':
        return operation === 'UpdateService' || operation === 'ListTasks' ? serviceNotFound() : clusterNotFound();
      case 'server-error':
        return new AwsError('ServerException', 500, 'Service Unavailable. Please try again later.');
    }
  },
  unknownOperation: (operation) => new AwsError('UnknownOperationException', 400, `Unknown operation ${operation}`),
};
