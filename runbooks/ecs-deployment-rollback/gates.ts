import type { GatePages, LiveRead } from '../../lambdas/approval/gate-words';
import type { GateWordsProvider } from '../../lambdas/approval/words';
import { EcsServiceClient, parseServiceKey } from '../../lambdas/aws/ecs';
import type { RollbackDiagnosis } from './handlers/inspect';
import { shortTaskDefinition } from './rollback-plan';

let services: EcsServiceClient | undefined;

/** The service now (DescribeServices, read-only): a deployment or a rollback by someone else since shows here. */
const liveService: LiveRead = async (gate) => {
  const now = await (services ??= new EcsServiceClient()).describe(parseServiceKey(gate.target));
  return { taskDefinition: now.taskDefinition, rolloutState: now.primary?.rolloutState ?? null, runningCount: now.runningCount, desiredCount: now.desiredCount };
};

function serviceNow(live: unknown, d: RollbackDiagnosis | undefined): string {
  const read = (live ?? {}) as { taskDefinition?: string | null; rolloutState?: string | null; runningCount?: number; desiredCount?: number; unreadable?: string };
  const then = d ? `runs ${shortTaskDefinition(d.from)} when diagnosed` : 'as diagnosed';
  if (live === undefined) return then;
  if (read.unreadable) return `could not be read just now (${read.unreadable}); ${then}`;
  const changed = d && read.taskDefinition !== d.from ? ': changed since the diagnosis, the rollback will be refused' : '';
  return `runs ${shortTaskDefinition(read.taskDefinition)} (rollout ${read.rolloutState ?? 'state unknown'}, ${read.runningCount ?? '?'} of ${read.desiredCount ?? '?'} tasks running)${changed}`;
}

/** ecs-deployment-rollback's gate (seed 002 "(h) Rollback"; prod: two distinct approvers, the 4-eyes rule). */
export const rollbackApprovalWords: GateWordsProvider = ({ gate, live }) => {
  const d = (gate.evidence as { diagnosis?: RollbackDiagnosis } | undefined)?.diagnosis;
  const why = d?.failed?.statusReason ? ` (${d.failed.statusReason})` : '';
  return {
    headline: `Roll ${gate.target} back from ${shortTaskDefinition(d?.from)} to ${shortTaskDefinition(d?.to)}?`,
    now: serviceNow(live, d),
    risk: `Deployment ${d?.deploymentId ?? '?'} failed${why}; ${shortTaskDefinition(d?.to)} is what the last successful deployment ran.${d?.pinWarning ? ` ${d.pinWarning}` : ' Every image is pinned by digest: the rollback brings back the exact images.'}`,
    approve: `calls UpdateService with task definition ${shortTaskDefinition(d?.to)} and watches the rollout. The undo can point the service back at ${shortTaskDefinition(d?.from)}.`,
    reject: 'the service stays on the deployment that failed and the run escalates: a human rolls back (seed 002: re-apply the previous image tag).',
    unanswered: 'the service stays on the deployment that failed',
  };
};

export const GATES: GatePages = { rollback: { words: rollbackApprovalWords, live: liveService } };
