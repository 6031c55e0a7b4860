import { executionArnOf, WorkflowClient } from '../../../lambdas/aws/sfn';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { retrainingName } from '../drift-plan';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets();
const MACHINE = requireEnv('RETRAINING_MACHINE_ARN');
const workflows = new WorkflowClient();
const DAY_MS = 86_400_000;

/** An execution of the retraining workflow: its status, or none of that name. */
interface Run { readonly status: string | null }

export interface RetrainResult {
  /** The retraining watched: the one this incident started, or one that was already running. */
  readonly executionArn: string;
  readonly name: string;
  readonly startedByThisRun: boolean;
  readonly reason: string;
  /** The ledger's record of the start; null when a running retraining was watched instead. */
  readonly action: ActionResult<Run, Run> | null;
}

/**
 * Seed 004 "Significant Drift: trigger retraining": StartExecution of the configured workflow,
 * named after the incident, so a Retry, a redrive or a re-run of the incident starts it once (Step
 * Functions starts one execution of a name). Before this incident has started one, a retraining of
 * the workflow already running (a nightly one, or another incident's) is watched instead, and
 * nothing is started twice; once it has, its own is the one, whatever else runs since.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident, execution, dryRun }): Promise<RetrainResult> => {
  await assertAllowed(incident.target);
  const name = retrainingName(incident.id);
  const own = executionArnOf(MACHINE, name);
  const operation = 'states:StartExecution';
  // Once this incident has a start recorded (a Retry, a redrive), its own retraining is the one: the ledger settles it.
  if (await ledger.latestAction(incident.id, `retrain#${operation}#${own}`) === undefined) {
    const other = (await workflows.running(MACHINE)).find((r) => r.name !== name);
    if (other !== undefined) {
      return {
        executionArn: other.executionArn, name: other.name, startedByThisRun: false, action: null,
        reason: `a retraining was already running (${other.name}, started ${other.startDate ?? 'at an unknown time'}): watched, not started again`,
      };
    }
  }
  // The same input on every attempt: Step Functions answers a repeated start of the name with the same execution.
  const input = JSON.stringify({ model: incident.target, incidentId: incident.id, reason: incident.summary, requestedBy: 'runbook-autopilot model-drift' });
  // This incident's execution, if it started: after its alarm fired, so the listing (newest first) stops at
  // executions older than that (a day earlier still, against clocks that disagree).
  const since = new Date(Date.parse(incident.firedAt) - DAY_MS);
  const read = async (): Promise<Run> => ({ status: (await workflows.startedSince(MACHINE, name, since))?.status ?? null });
  const action = await performAction(ledger, incident, execution, {
    step: 'retrain',
    operation,
    target: own,
    parameters: { stateMachineArn: MACHINE, name, input },
    intended: { status: 'RUNNING' },
    // Before this incident's first start there is no execution of its name: the row of intent is written
    // before every start, so one made earlier would have left a row, and that row is settled by reading (observe).
    readBefore: async () => ({ status: null }),
    observe: read,
    mutate: async () => {
      const started = await workflows.start(MACHINE, name, input);
      // Started earlier by this incident (its answer lost): what it is now is the record.
      return started.existed ? read() : { status: 'RUNNING' };
    },
    inEffect: (observed) => (observed.status === null ? undefined : observed),
  }, { dryRun });
  return { executionArn: own, name, startedByThisRun: true, action, reason: `started the retraining ${name}` };
});
