import * as z from '../../../lambdas/shared/zod';
import { UNDO_STEP_PREFIX } from '../../../lambdas/domain/undo-plan';
import { performAction, type ActionResult, type ExecutionRef } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { NothingToRestore } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { logger } from '../../../lambdas/shared/logger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema, type Incident } from '../../../lambdas/shared/task-input';
import { ParameterClient } from '../../../lambdas/aws/ssm';

const MODEL_PARAMETER = requireEnv('MODEL_PARAMETER');
const CHEAPER_MODEL = requireEnv('CHEAPER_MODEL');
const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets();
const parameters = new ParameterClient();

const OPERATION = 'ssm:PutParameter';
/** The ledger key performAction gives a step's action (step#operation#target). */
const actionKey = (step: 'switch' | 'restore') => `${step}#${OPERATION}#${MODEL_PARAMETER}`;

const inputSchema = z.extend(stepInputSchema, { mode: z.enum(['switch', 'restore']) });

export type SwitchResult = ActionResult<string, string>;

export interface RestoreResult {
  readonly restored: boolean;
  readonly reason: string;
  readonly action: ActionResult<string, string> | null;
}

/** Seed 000: `aws ssm put-parameter --name <preference> --value <cheaper model> --overwrite`, the old value recorded first. */
function switchModel(incident: Incident, execution: ExecutionRef, dryRun: boolean): Promise<SwitchResult> {
  return performAction(ledger, incident, execution, {
    step: 'switch',
    operation: OPERATION,
    target: MODEL_PARAMETER,
    parameters: putParameters(CHEAPER_MODEL),
    intended: CHEAPER_MODEL,
    readBefore: () => parameters.read(MODEL_PARAMETER),
    mutate: () => parameters.write(MODEL_PARAMETER, CHEAPER_MODEL),
    inEffect: (value) => (value === CHEAPER_MODEL ? value : undefined),
  }, { dryRun });
}

/** The PutParameter call, as parameter-client.ts makes it. */
const putParameters = (value: string) => ({ Name: MODEL_PARAMETER, Value: value, Type: 'String', Overwrite: true });

/**
 * After the wait: writes back the value the switch recorded (the ledger row of the switch is the
 * undo record; the state machine carries no copy of it). A value that is neither what the
 * switch set nor (on a retried restore) what the restore writes was set by someone else, and
 * is theirs to keep.
 */
async function restoreModel(incident: Incident, execution: ExecutionRef): Promise<RestoreResult> {
  const switched = await ledger.latestAction(incident.id, actionKey('switch'));
  if (switched?.status !== 'succeeded' || typeof switched.before !== 'string' || typeof switched.after !== 'string') {
    throw new NothingToRestore(`incident ${incident.id} has no finished switch of ${MODEL_PARAMETER} in the ledger, so there is no recorded model to restore`);
  }
  const original = switched.before;
  const setBySwitch = switched.after;
  // An operator may undo the switch before the wait is over (npm run undo): the same record was
  // put back already, so there is nothing to write; the proxy still needs its redeploy to read it.
  const undone = await ledger.latestAction(incident.id, `${UNDO_STEP_PREFIX}switch#${OPERATION}#${MODEL_PARAMETER}`);
  if (undone?.status === 'succeeded' && (undone.undoes ?? switched.actionKey) === switched.actionKey) {
    return { restored: true, reason: `already restored to the recorded value by the undo ${undone.executionArn}`, action: null };
  }

  const begun = await ledger.latestAction(incident.id, actionKey('restore'));
  let current: string | undefined;
  if (begun?.status !== 'succeeded') {
    current = await parameters.read(MODEL_PARAMETER);
    // An unfinished restore may already have written the original: that is ours, not a human's.
    const ours = current === setBySwitch || (begun !== undefined && current === original);
    if (!ours) {
      const reason = `the model preference was changed to ${current} after the switch; left as it is`;
      logger.warn('Not restoring the model preference', { parameter: MODEL_PARAMETER, current, setBySwitch, original });
      return { restored: false, reason, action: null };
    }
  }
  const action = await performAction(ledger, incident, execution, {
    step: 'restore',
    operation: OPERATION,
    target: MODEL_PARAMETER,
    parameters: putParameters(original),
    intended: original,
    readBefore: async () => current ?? parameters.read(MODEL_PARAMETER),
    mutate: () => parameters.write(MODEL_PARAMETER, original),
    observe: () => parameters.read(MODEL_PARAMETER),
    inEffect: (value) => (value === original ? value : undefined),
  });
  return { restored: true, reason: 'restored', action };
}

/** Act and restore steps of llm-budget-guardrail: the model preference parameter, and only it. */
export const handler = taskHandler(inputSchema, async ({ incident, execution, mode, dryRun }, context): Promise<SwitchResult | RestoreResult> => {
  await assertAllowed(MODEL_PARAMETER, context.invokedFunctionArn);
  // A dry run never reaches the restore: it ends after planning the switch.
  return mode === 'switch' ? switchModel(incident, execution, dryRun) : restoreModel(incident, execution);
});
