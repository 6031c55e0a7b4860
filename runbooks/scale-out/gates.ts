import type { GatePages, LiveRead } from '../../lambdas/approval/gate-words';
import type { GateWordsProvider } from '../../lambdas/approval/words';
import { parseServiceKey } from '../../lambdas/aws/ecs';
import type { CapacityDiagnosis } from './handlers/inspect';
import { ServiceCapacity } from './service-capacity';

let capacity: ServiceCapacity | undefined;

/** The service's counts and scalable target now (DescribeServices, DescribeScalableTargets: read-only). */
const liveCapacity: LiveRead = async (gate) => {
  const now = await (capacity ??= new ServiceCapacity()).read(parseServiceKey(gate.target));
  return { desiredCount: now.desiredCount, runningCount: now.runningCount, scalableTarget: now.scalableTarget };
};

const rangeText = (r: { minCapacity: number; maxCapacity: number } | null | undefined) => (r ? `min ${r.minCapacity}, max ${r.maxCapacity}` : 'no scalable target');

function capacityNow(live: unknown, d: CapacityDiagnosis | undefined): string {
  const read = (live ?? {}) as { desiredCount?: number; runningCount?: number; scalableTarget?: { minCapacity: number; maxCapacity: number } | null; unreadable?: string };
  const then = d ? `${d.runningCount} of ${d.desiredCount} tasks running, ${rangeText(d.scalableTarget)}` : 'unknown';
  if (live === undefined) return `${then} when the alarm was diagnosed`;
  if (read.unreadable) return `could not be read just now (${read.unreadable}); ${then} when the alarm was diagnosed`;
  return `${read.runningCount} of ${read.desiredCount} tasks running, ${rangeText(read.scalableTarget)} (${then} when the alarm was diagnosed)`;
}

/** scale-out's gate (seed 001 C "scale workers up", seed 004 "ECS Memory High: scale service"). */
export const scaleApprovalWords: GateWordsProvider = ({ gate, live }) => {
  const d = (gate.evidence as { diagnosis?: CapacityDiagnosis } | undefined)?.diagnosis;
  const p = gate.parameters as { MinCapacity?: number; MaxCapacity?: number; desiredCount?: number };
  const viaTarget = p.MinCapacity !== undefined;
  const to = viaTarget ? p.MinCapacity : p.desiredCount;
  const backlog = d?.queue ? `; ${d.queue.messagesVisible} messages wait in ${d.queue.queueArn.split(':').pop()}` : '';
  return {
    headline: `Scale ${gate.target} out to ${to} tasks?`,
    now: capacityNow(live, d),
    risk: `More tasks cost more while they run, and put more load on what the workers call (databases, APIs)${backlog}. The ceiling is ${d?.ceilingTasks ?? 'configured'} tasks.`,
    approve: viaTarget
      ? `sets the scalable target's minimum to ${p.MinCapacity} (max ${p.MaxCapacity}), so ECS runs at least ${p.MinCapacity} tasks (RegisterScalableTarget); the old range is recorded, and the undo puts it back (scale-in).`
      : `sets the desired count to ${p.desiredCount} (UpdateService); the old count is recorded, and the undo puts it back (scale-in).`,
    reject: 'the capacity stays as it is and the run escalates, so a human decides (seed 004: or bigger tasks).',
    unanswered: 'the capacity stays as it is',
  };
};

export const GATES: GatePages = { scale: { words: scaleApprovalWords, live: liveCapacity } };
