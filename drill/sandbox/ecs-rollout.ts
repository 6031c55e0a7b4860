import { uuidFromHex } from './common';
import type { ServiceContext } from './model';
import type { AccountState, EcsDeploymentState, EcsFailureMode, EcsServiceState, EcsTaskState } from './state';

/**
 * How an ECS service moves: deployments start tasks, and each DescribeServices call brings a
 * rollout one step closer to its outcome (COMPLETED when the failure mode allows, FAILED when not),
 * so a drill is deterministic rather than timed. Counts always follow the tasks.
 */

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

/** A 19-digit id as ECS gives deployments and service revisions. */
const numericId = (ctx: ServiceContext, kind: string) => BigInt(`0x${ctx.id(kind).slice(0, 15)}`).toString().padStart(19, '0').slice(-19);

/**
 * The service deployment a new deployment is, in a service that keeps the history: a new revision
 * of its task definition, from the revision the previous primary deployed. One still in progress
 * is stopped by it, as ECS stops a deployment a newer one replaces.
 */
function recordServiceDeployment(ctx: ServiceContext, svc: EcsServiceState, deployment: EcsDeploymentState, previous: EcsDeploymentState | undefined): void {
  if (svc.serviceDeployments === undefined) return;
  const now = ctx.now().toISOString();
  const revision = numericId(ctx, 'ecs-revision');
  (svc.revisions ??= {})[revision] = { taskDefinition: deployment.taskDefinition, createdAt: now };
  const source = svc.serviceDeployments.find((d) => d.id === previous?.serviceDeploymentId)?.targetRevision;
  for (const d of svc.serviceDeployments) {
    if (d.status === 'IN_PROGRESS' || d.status === 'PENDING') Object.assign(d, { status: 'STOPPED', statusReason: 'Stopped by a newer service deployment.', finishedAt: now });
  }
  const id = ctx.id('ecs-service-deployment').slice(0, 21);
  svc.serviceDeployments.unshift({ id, status: 'IN_PROGRESS', createdAt: now, startedAt: now, targetRevision: revision, sourceRevisions: source ? [source] : [] });
  deployment.serviceDeploymentId = id;
}

/** The service deployment's outcome follows its rollout's (a rollback ECS runs is the same service deployment). */
function finishServiceDeployment(ctx: ServiceContext, svc: EcsServiceState, primary: EcsDeploymentState, succeeded: boolean, failedTasks: number): void {
  const record = svc.serviceDeployments?.find((d) => d.id === primary.serviceDeploymentId);
  if (record === undefined) return;
  record.failedTasks = (record.failedTasks ?? 0) + failedTasks;
  const next = ({
    IN_PROGRESS: succeeded ? 'SUCCESSFUL' : 'STOPPED',
    ROLLBACK_IN_PROGRESS: succeeded ? 'ROLLBACK_SUCCESSFUL' : 'ROLLBACK_FAILED',
  } as const)[record.status as 'IN_PROGRESS' | 'ROLLBACK_IN_PROGRESS'];
  if (next === undefined) return;
  record.status = next;
  record.finishedAt = ctx.now().toISOString();
  if (!succeeded) record.statusReason = 'ECS deployment circuit breaker: tasks failed to start.';
}

export function startDeployment(ctx: ServiceContext, name: string, svc: EcsServiceState, taskDefinition: string): void {
  const now = ctx.now().toISOString();
  const previous = primaryOf(svc);
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
  recordServiceDeployment(ctx, svc, deployment, previous);
  startTasks(ctx, name, svc, deployment);
  recount(svc, now);
}

export function scale(ctx: ServiceContext, name: string, svc: EcsServiceState, desiredCount: number): void {
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
      finishServiceDeployment(ctx, svc, primary, true, 0);
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
      addEvent(
        ctx,
        svc,
        `(service ${name}) (task ${t.taskId}) (port ${svc.containerPort}) is unhealthy in (target-group ${svc.targetGroupArn}) ` +
          'due to (reason Health checks failed with these codes: [502]).',
      );
    }
  }
  failed.forEach((t) => stopTask(ctx, t, failure.stopCode, failure.reason, failure.container));
  if (failed.length > 0) addEvent(ctx, svc, `(service ${name}) has stopped ${failed.length} running tasks: ${taskList(failed)}.`);
  primary.failedTasks += failed.length;
  if (primary.rolloutState === 'IN_PROGRESS') {
    finishServiceDeployment(ctx, svc, primary, false, failed.length);
    primary.rolloutState = 'FAILED';
    primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    addEvent(ctx, svc, `(service ${name}) (deployment ${primary.id}) deployment failed: tasks failed to start.`);
  }
  recount(svc, now);
}

export function advance(ctx: ServiceContext, name: string, svc: EcsServiceState): void {
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
