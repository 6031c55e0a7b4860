import * as z from '../../../lambdas/shared/zod';
import { performAction, type ActionResult, type ExecutionRef } from '../../../lambdas/shared/act';
import { requireEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { restoreRecorded, type RestoreOutcome } from '../../../lambdas/shared/restore-recorded';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema, type Incident } from '../../../lambdas/shared/task-input';
import { ParameterClient } from '../../../lambdas/aws/ssm';

const MODEL_PARAMETER = requireEnv('MODEL_PARAMETER');
const CHEAPER_MODEL = requireEnv('CHEAPER_MODEL');
const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets();
const parameters = new ParameterClient();

const OPERATION = 'ssm:PutParameter';
const inputSchema = z.extend(stepInputSchema, { mode: z.enum(['switch', 'restore']) });

export type SwitchResult = ActionResult<string, string>;

export type RestoreResult = RestoreOutcome<string>;

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
 * undo record), unless someone set another value since (theirs to keep).
 */
function restoreModel(incident: Incident, execution: ExecutionRef): Promise<RestoreResult> {
  return restoreRecorded(ledger, incident, execution, {
    changedBy: 'switch', step: 'restore', operation: OPERATION, target: MODEL_PARAMETER, what: 'the model preference',
    isValue: (v): v is string => typeof v === 'string',
    read: () => parameters.read(MODEL_PARAMETER),
    write: (value) => parameters.write(MODEL_PARAMETER, value),
    parameters: putParameters,
  });
}

/** Act and restore steps of llm-budget-guardrail: the model preference parameter, and only it. */
export const handler = taskHandler(inputSchema, async ({ incident, execution, mode, dryRun }, context): Promise<SwitchResult | RestoreResult> => {
  await assertAllowed(MODEL_PARAMETER, context.invokedFunctionArn);
  // A dry run never reaches the restore: it ends after planning the switch.
  return mode === 'switch' ? switchModel(incident, execution, dryRun) : restoreModel(incident, execution);
});
