/**
 * Executions that run too long (seed 004 "Workflow Stuck", the ExecutionTime alarm): which of a
 * workflow's recent executions still run past the limit, which ran past it and closed, and the
 * state a running one is in now. Pure. A running execution is not failed, so it is not redrivable;
 * nothing here stops one either: the seed gives no reason to, and a stop loses the run's work.
 */
import type { ExecutionListed } from '../../lambdas/aws/sfn';
import type { HistoryEventView } from './failure-point';

export interface ExecutionAge {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: string;
  /** Minutes from its start to its stop, or to now while it runs. */
  readonly minutes: number;
  /** The state a running execution is in now (from its history); null when not read or not found. */
  readonly state: string | null;
}

export interface LongRunning {
  /** RUNNING past the limit, longest first. */
  readonly runningLong: readonly ExecutionAge[];
  /** Closed after running past the limit (ExecutionTime is published when an execution closes), newest first. */
  readonly ranLong: readonly ExecutionAge[];
}

const ageOf = (e: ExecutionListed, now: Date): ExecutionAge | undefined => {
  if (e.startDate === null) return undefined;
  const end = e.stopDate === null ? now.getTime() : Date.parse(e.stopDate);
  return { executionArn: e.executionArn, name: e.name, status: e.status, startDate: e.startDate, minutes: Math.floor((end - Date.parse(e.startDate)) / 60_000), state: null };
};

/** The executions past `limitMinutes`, running and closed. */
export function longRunning(executions: readonly ExecutionListed[], limitMinutes: number, now: Date): LongRunning {
  const ages = executions.flatMap((e) => ageOf(e, now) ?? []).filter((a) => a.minutes > limitMinutes);
  return {
    runningLong: ages.filter((a) => a.status === 'RUNNING').sort((a, b) => b.minutes - a.minutes),
    ranLong: ages.filter((a) => a.status !== 'RUNNING'),
  };
}

/** The state an execution is in now, from its history newest first: the newest state entered and not exited since. */
export function currentState(newestFirst: readonly HistoryEventView[]): string | null {
  const exited = new Set<string>();
  for (const e of newestFirst) {
    const type = e.type ?? '';
    const name = (e[type.endsWith('StateExited') ? 'stateExitedEventDetails' : 'stateEnteredEventDetails'] as { name?: string } | undefined)?.name;
    if (name === undefined) continue;
    if (type.endsWith('StateExited')) exited.add(name);
    else if (type.endsWith('StateEntered') && !exited.has(name)) return name;
  }
  return null;
}

const running = (a: ExecutionAge) => `${a.name} (started ${a.startDate}, ${a.minutes} min${a.state ? `, now in "${a.state}"` : ''})`;

/** One line for the notification, and whether it pages (executions still running past the limit) or informs. */
export function longRunningVerdict(machine: string, limitMinutes: number, found: LongRunning): { escalate: boolean; summary: string } {
  if (found.runningLong.length > 0) {
    return {
      escalate: true,
      summary: `${found.runningLong.length} execution(s) of ${machine} still run past ${limitMinutes} min: ${found.runningLong.map(running).join('; ')}. A running execution is not failed, so it is not redrivable; none was stopped (seed 004 gives no reason to stop one): a person decides`,
    };
  }
  const closed = found.ranLong.map((a) => `${a.name} ran ${a.minutes} min and ended ${a.status}`).join('; ');
  return {
    escalate: false,
    summary: `no execution of ${machine} runs past ${limitMinutes} min now${closed ? `; ExecutionTime is published when an execution closes: ${closed}` : ' among its recent executions'}; nothing was changed`,
  };
}
