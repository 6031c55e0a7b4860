/**
 * ECS service recovery, decided from the evidence seed 000 tells a human to read ("ECS Fargate
 * service down": the last 10 service events, then the stopped tasks' reasons). Pure: no AWS here.
 *
 * The message patterns follow the Amazon ECS Developer Guide ("CannotPullContainer task errors",
 * "Checking stopped tasks for errors", "Service event messages") and, for the
 * "ResourceInitializationError: unable to pull secrets or registry auth: ..." family, the wording
 * the ECS agent and Fargate put in stoppedReason.
 */
import { rolloutComplete, type PrimaryDeployment, type ServiceEventView, type ServiceState, type StoppedTaskView } from '../../lambdas/aws/ecs';

export type EcsCause =
  | 'image-pull'
  | 'secrets'
  | 'out-of-memory'
  | 'health-check'
  | 'essential-container-exited'
  | 'rollout-failed'
  | 'rollout-in-progress'
  | 'stale-heartbeat'
  | 'unknown'
  | 'none';

export interface EcsDiagnosis {
  readonly cause: EcsCause;
  readonly redeployCanFix: boolean;
  readonly healthy: boolean;
  /** One sentence for the notification, quoting the evidence it rests on. */
  readonly verdict: string;
}

interface CauseRule {
  readonly cause: Exclude<EcsCause, 'unknown' | 'none' | 'rollout-failed' | 'rollout-in-progress' | 'stale-heartbeat'>;
  readonly patterns: readonly RegExp[];
}

/**
 * In priority order: when the evidence holds several causes, the first one decides, so a pull or
 * secrets failure is never hidden behind the "Essential container in task exited" it also causes.
 */
const RULES: readonly CauseRule[] = [
  {
    cause: 'image-pull',
    patterns: [
      /CannotPullContainerError/i,
      /pull image manifest/i,
      /failed to resolve ref/i,
      /ref pull has been retried/i,
      // Checked before the secrets rule: this one arrives inside "unable to pull secrets or registry auth".
      /unable to retrieve ecr registry auth/i,
      /pull access denied/i,
    ],
  },
  {
    cause: 'secrets',
    patterns: [
      /unable to pull secrets or registry auth/i,
      /retrieve secrets? from (asm|ssm)/i,
      /registry auth from asm/i,
      /fetching secret/i,
      /secretsmanager:GetSecretValue/i,
      /ssm:GetParameters?\b/i,
    ],
  },
  { cause: 'out-of-memory', patterns: [/OutOfMemoryError/i, /killed due to memory usage/i] },
  { cause: 'health-check', patterns: [/failed (ELB|container) health checks/i, /is unhealthy in \(/i] },
  { cause: 'essential-container-exited', patterns: [/Essential container in task exited/i] },
];

/** Service events that say something is wrong without naming a cause. */
const UNEXPLAINED_FAILURE = /unable to consistently start tasks|was unable to place a task|deployment failed|rolling back|circuit breaker/i;
/** ECS reports this when the service is at its desired count and healthy again. */
const STEADY_STATE = /has reached a steady state/i;

const NOT_FIXABLE: ReadonlySet<EcsCause> = new Set(['image-pull', 'secrets']);

const shortTaskDefinition = (arn: string | null): string => (arn ?? 'an unknown task definition').replace(/^arn:[^/]+\//, '');

/**
 * A forced deployment redeploys the primary deployment's task definition. When that deployment's
 * rollout FAILED, it brings back the release that just failed (and replaces the failed deployment
 * a rollback must start from); while it is IN_PROGRESS, it restarts a rollout ECS is still
 * deciding. Either way a redeploy is the wrong change: escalate, changing nothing.
 */
function unsettledRollout(primary: PrimaryDeployment | null, counts: string): EcsDiagnosis | undefined {
  const deployment = primary ? `deployment ${primary.id} (${shortTaskDefinition(primary.taskDefinition)})` : '';
  if (primary?.rolloutState === 'FAILED') {
    return {
      cause: 'rollout-failed', redeployCanFix: false, healthy: false,
      verdict: `The rollout of ${deployment} FAILED (${counts}): it needs a rollback to the last task definition that worked, not a redeploy of the same task definition; nothing was changed.`,
    };
  }
  if (primary?.rolloutState === 'IN_PROGRESS') {
    return {
      cause: 'rollout-in-progress', redeployCanFix: false, healthy: false,
      verdict: `The rollout of ${deployment} is still IN_PROGRESS (${counts}): a forced deployment would restart it with the same task definition; if it fails it needs a rollback, not a redeploy; nothing was changed.`,
    };
  }
  return undefined;
}

export function classifyMessage(text: string): CauseRule['cause'] | undefined {
  return RULES.find((rule) => rule.patterns.some((p) => p.test(text)))?.cause;
}

interface Evidence {
  readonly cause: CauseRule['cause'];
  readonly text: string;
}

const rank = (cause: CauseRule['cause']) => RULES.findIndex((rule) => rule.cause === cause);

/** The highest-priority cause in the texts, with the first (most recent) text that shows it. */
function strongest(texts: readonly string[]): Evidence | undefined {
  let best: Evidence | undefined;
  for (const text of texts) {
    const cause = classifyMessage(text);
    if (cause && (!best || rank(cause) < rank(best.cause))) best = { cause, text };
  }
  return best;
}

/** Events since the most recent steady state: anything older was already resolved. */
export function eventsSinceSteadyState(events: readonly ServiceEventView[]): ServiceEventView[] {
  const steady = events.findIndex((e) => STEADY_STATE.test(e.message));
  return steady === -1 ? [...events] : events.slice(0, steady);
}

/**
 * Stopped tasks are listed for about an hour across deployments; those another deployment
 * started say nothing about the current one.
 */
function currentDeploymentTasks(tasks: readonly StoppedTaskView[], primary: PrimaryDeployment | null): StoppedTaskView[] {
  if (!primary) return [...tasks];
  return tasks.filter((t) => !t.startedBy?.startsWith('ecs-svc/') || t.startedBy === primary.id);
}

const quote = (text: string) => `"${text.trim()}"`;

function verdictFor(evidence: Evidence): string {
  const said = quote(evidence.text);
  switch (evidence.cause) {
    case 'image-pull':
      return `A redeploy cannot fix an image pull failure: ${said}`;
    case 'secrets':
      return `A redeploy cannot fix a secrets resolution failure: ${said}`;
    case 'out-of-memory':
      return `A container ran out of memory; a fresh deployment restarts it, but the memory limit may need raising: ${said}`;
    case 'health-check':
      return `Tasks are failing health checks; a fresh deployment may recover them: ${said}`;
    case 'essential-container-exited':
      return `An essential container exited; a fresh deployment may recover it: ${said}`;
  }
}

/**
 * `events` newest first (DescribeServices order), the last 10 the seed reads; `stoppedTasks`
 * newest first. Stopped-task reasons come before events: they name the cause, events the effect.
 * A primary deployment whose rollout FAILED or is IN_PROGRESS is never redeployed.
 * `staleHeartbeat` names the alarm that started the run when it is the service's heartbeat alarm
 * (seed 004 "Stale Heartbeat: check ECS task, restart if needed"): a service ECS reports healthy
 * is then restarted all the same, since what stopped is the application in its running tasks.
 */
export function diagnoseService(
  state: ServiceState,
  events: readonly ServiceEventView[],
  stoppedTasks: readonly StoppedTaskView[],
  staleHeartbeat?: string,
): EcsDiagnosis {
  const recent = eventsSinceSteadyState(events);
  const failing = recent.filter((e) => classifyMessage(e.message) !== undefined || UNEXPLAINED_FAILURE.test(e.message));
  const counts = `${state.runningCount} of ${state.desiredCount} tasks running`;
  const rollout = state.primary?.rolloutState ? `rollout ${state.primary.rolloutState}` : 'no rollout state reported';

  if (state.runningCount >= state.desiredCount && rolloutComplete(state) && failing.length === 0) {
    if (staleHeartbeat !== undefined) {
      return {
        cause: 'stale-heartbeat', redeployCanFix: true, healthy: false,
        verdict: `ECS reports the service healthy (${counts}, ${rollout}), but its heartbeat alarm ${staleHeartbeat} is in ALARM: the application in its running tasks stopped reporting; a fresh deployment restarts them.`,
      };
    }
    return { cause: 'none', redeployCanFix: true, healthy: true, verdict: `Healthy: ${counts}, ${rollout}, no failure in the recent service events.` };
  }

  const taskTexts = currentDeploymentTasks(stoppedTasks, state.primary)
    .flatMap((t) => [...t.containerReasons, t.stoppedReason ?? ''])
    .filter((text) => text !== '');
  const evidence = strongest([...taskTexts, ...failing.map((e) => e.message)]);
  // A cause no redeploy can fix says most; otherwise an unsettled rollout rules out a redeploy.
  if (!evidence || !NOT_FIXABLE.has(evidence.cause)) {
    const unsettled = unsettledRollout(state.primary, counts);
    if (unsettled) return unsettled;
  }
  if (!evidence) {
    const seen = failing[0] ? `; latest event: ${quote(failing[0].message)}` : '';
    return {
      cause: 'unknown', redeployCanFix: true, healthy: false,
      verdict: `Unhealthy (${counts}, ${rollout}) with no known cause in the service events or stopped tasks${seen}.`,
    };
  }
  return { cause: evidence.cause, redeployCanFix: !NOT_FIXABLE.has(evidence.cause), healthy: false, verdict: verdictFor(evidence) };
}
