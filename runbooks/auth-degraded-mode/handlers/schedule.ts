import { atExpression, atInstant, ScheduleClient, type ScheduleView } from '../../../lambdas/aws/scheduler';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv, requirePositiveIntegerEnv } from '../../../lambdas/shared/env';
import { ChangeRejected } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { revertScheduleName } from '../auth-plan';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets();
const REVERT_AFTER_MINUTES = requirePositiveIntegerEnv('REVERT_AFTER_MINUTES');
/** The undo state machine: the scheduled revert is the same undo an operator starts early (npm run undo). */
const UNDO_STATE_MACHINE_ARN = requireEnv('UNDO_STATE_MACHINE_ARN');
/** The role EventBridge Scheduler assumes to start it (states:StartExecution on the undo only). */
const SCHEDULER_ROLE_ARN = requireEnv('SCHEDULER_ROLE_ARN');
const GROUP = 'default';
const schedules = new ScheduleClient();

interface Scheduled {
  readonly Name: string;
  readonly ScheduleExpression: string;
}

export interface ScheduleResult extends ActionResult<Scheduled | null, Scheduled> {
  readonly schedule: string;
  /** When the revert runs (UTC, ISO). */
  readonly revertAt: string;
  readonly summary: string;
}

/** The undo input a schedule carries, naming its incident: whose a schedule found by name is. */
const inputOf = (incidentId: string, name: string) => JSON.stringify({ incidentId, requestedBy: `scheduled revert (${name})` });
const isOurs = (found: ScheduleView | null, incidentId: string): found is ScheduleView => {
  try {
    return found !== null && (JSON.parse(found.Input ?? 'null') as { incidentId?: unknown } | null)?.incidentId === incidentId;
  } catch {
    return false;
  }
};

/**
 * Seed 001 D, post-incident: "If a hard rule was bypassed, schedule the revert as a P1 task". One
 * EventBridge Scheduler schedule per incident (auth-revert-<incident>), one-time (`at(...)`, UTC),
 * deleted after it runs, starting the undo of this incident: the same compared, verified restore an
 * operator's early `npm run undo` makes. A re-run or redrive finds it by name: a ConflictException
 * on a schedule that names this incident is carried on from; one that names another is refused.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident, execution, dryRun }): Promise<ScheduleResult> => {
  await assertAllowed(incident.target);
  const name = revertScheduleName(incident.id);
  const revertAt = new Date(Date.now() + REVERT_AFTER_MINUTES * 60_000);
  const schedule = {
    Name: name, GroupName: GROUP, ScheduleExpression: atExpression(revertAt),
    Target: { Arn: UNDO_STATE_MACHINE_ARN, RoleArn: SCHEDULER_ROLE_ARN, Input: inputOf(incident.id, name) },
    Description: `runbook-autopilot: revert ${incident.target} to enforced auth (incident ${incident.id})`,
  };
  const ours = (found: ScheduleView | null): Scheduled | undefined => (isOurs(found, incident.id) ? { Name: found.Name, ScheduleExpression: found.ScheduleExpression } : undefined);
  const action = await performAction<Scheduled | null, Scheduled, ScheduleView | null>(ledger, incident, execution, {
    step: 'schedule-revert',
    operation: 'scheduler:CreateSchedule',
    target: incident.target,
    parameters: { ...schedule, FlexibleTimeWindow: { Mode: 'OFF' }, ActionAfterCompletion: 'DELETE' },
    intended: { Name: name, ScheduleExpression: schedule.ScheduleExpression },
    readBefore: async () => ours(await schedules.get(name, GROUP)) ?? null,
    observe: () => schedules.get(name, GROUP),
    inEffect: (found) => ours(found),
    mutate: async () => {
      if (await schedules.create(schedule) === 'created') return { Name: name, ScheduleExpression: schedule.ScheduleExpression };
      const found = await schedules.get(name, GROUP);
      const existing = ours(found);
      if (!existing) throw new ChangeRejected(`schedule ${name} exists and does not revert incident ${incident.id}: not overwritten`);
      return existing;
    },
  }, { dryRun });
  const at = atInstant(action.after.ScheduleExpression);
  return {
    ...action, schedule: name, revertAt: at,
    summary: `the revert of ${incident.target} is scheduled for ${at} (EventBridge Scheduler ${name}, deleted after it runs)`,
  };
});
