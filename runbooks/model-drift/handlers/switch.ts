import * as z from '../../../lambdas/shared/zod';
import { approvalResultSchema, assertApproved } from '../../../lambdas/approval/assert-approved';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { MetricReader } from '../../../lambdas/aws/cloudwatch';
import { ParameterClient } from '../../../lambdas/aws/ssm';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv, requireJsonEnv } from '../../../lambdas/shared/env';
import { ChangeRejected, InvalidInput } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { restoreRecorded, type RestoreOutcome } from '../../../lambdas/shared/restore-recorded';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { describePositions } from '../drift-plan';
import { openPositionsSchema, readPositions } from '../open-positions';
import { SWITCH_OPERATION } from '../switch-keys';

const table = requireEnv('LEDGER_TABLE');
const ledger = new Ledger(table);
const approvals = new ApprovalStore(table);
const assertAllowed = allowedTargets();
const TRADING_SWITCH = requireEnv('TRADING_SWITCH');
const PAUSED_VALUE = requireEnv('PAUSED_VALUE');
const POSITIONS = requireJsonEnv('OPEN_POSITIONS', (raw) => openPositionsSchema.parse(raw));
const onTimeout = z.enum(['abort', 'proceed']).parse(requireEnv('RESUME_ON_TIMEOUT'));
const parameters = new ParameterClient();
const metrics = new MetricReader();

const inputSchema = z.extend(stepInputSchema, { mode: z.enum(['pause', 'resume']), approval: z.optional(approvalResultSchema) });

/** The PutParameter call, as ParameterClient makes it. */
const putParameters = (value: string) => ({ Name: TRADING_SWITCH, Value: value, Type: 'String', Overwrite: true });

/**
 * Seed 004 "Significant Drift: pause trading": the paused value on the switch the application
 * reads, the value it replaces recorded first. Just before the write the open positions are read
 * again (a position opened since the assessment is stranded by a pause, seed 004 "Position
 * Stuck"), and a switch someone paused since is not this run's to pause: both refused.
 */
function pause(incident: z.infer<typeof inputSchema>['incident'], execution: z.infer<typeof inputSchema>['execution'], dryRun: boolean): Promise<ActionResult<string, string>> {
  return performAction(ledger, incident, execution, {
    step: 'pause',
    operation: SWITCH_OPERATION,
    target: TRADING_SWITCH,
    parameters: putParameters(PAUSED_VALUE),
    intended: PAUSED_VALUE,
    readBefore: () => parameters.read(TRADING_SWITCH),
    mutate: async (_before, now) => {
      if (now === PAUSED_VALUE) throw new ChangeRejected(`not paused: ${TRADING_SWITCH} already holds ${PAUSED_VALUE}, set by someone since the assessment; their pause is not this run's to lift`);
      const positions = await readPositions(metrics, POSITIONS, new Date());
      if (positions.kind !== 'none') throw new ChangeRejected(`not paused: ${describePositions(positions)} just before the pause (seed 004 "Position Stuck": a human decides)`);
      return parameters.write(TRADING_SWITCH, PAUSED_VALUE);
    },
    inEffect: (value) => (value === PAUSED_VALUE ? value : undefined),
  }, { dryRun });
}

/** Resume, as approved: the switch back to the value the pause recorded, unless someone changed it since the pause. */
function resume(input: z.infer<typeof inputSchema>): Promise<RestoreOutcome<string>> {
  const { incident, execution, approval } = input;
  if (approval === undefined) throw new InvalidInput('Invalid task input at approval: the resume needs the approval step\'s result');
  return restoreRecorded(ledger, incident, execution, {
    changedBy: 'pause', step: 'resume', operation: SWITCH_OPERATION, target: TRADING_SWITCH, what: `the trading switch ${TRADING_SWITCH}`,
    isValue: (v): v is string => typeof v === 'string',
    read: () => parameters.read(TRADING_SWITCH),
    write: (value) => parameters.write(TRADING_SWITCH, value),
    parameters: putParameters,
    // The approvers saw the switch and the value the pause recorded: exactly that write is covered.
    beforeRestore: async (original) => {
      await assertApproved(approvals, approval, {
        incidentId: incident.id, runbook: 'model-drift', step: 'resume', operation: SWITCH_OPERATION, target: TRADING_SWITCH,
        parameters: { Name: TRADING_SWITCH, Value: original },
      }, { onTimeout });
    },
  });
}

/** The pause and resume steps of model-drift: the trading switch, and only it. */
export const handler = taskHandler(inputSchema, async (input): Promise<ActionResult<string, string> | RestoreOutcome<string>> => {
  await assertAllowed(input.incident.target);
  // A dry run never reaches the resume: it ends after planning the pause.
  return input.mode === 'pause' ? pause(input.incident, input.execution, input.dryRun) : resume(input);
});
