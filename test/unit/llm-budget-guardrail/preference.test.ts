import 'aws-sdk-client-mock-jest';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const ssm = mockClient(SSMClient);
const PARAMETER = '/alphaswarm/prod/llm_model_preference';
const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU = 'anthropic.claude-haiku-4-5-20251022-v1:0';
const OPUS = 'anthropic.claude-opus-4-1-20250805-v1:0';
const SWITCH_KEY = `switch#ssm:PutParameter#${PARAMETER}`;
const RESTORE_KEY = `restore#ssm:PutParameter#${PARAMETER}`;
const h = ledgerHarness('b', { env: { MODEL_PARAMETER: PARAMETER, CHEAPER_MODEL: HAIKU, ALLOWED_TARGETS: JSON.stringify([PARAMETER]) } });
let handler: (event: unknown, context: typeof lambdaContext) => Promise<Record<string, unknown>>;
let incidentId: string;

beforeAll(async () => {
  // The handler reads its environment at cold start, so it is imported after the harness sets it.
  handler = (await import('../../../runbooks/llm-budget-guardrail/handlers/preference')).handler as unknown as typeof handler;
});

beforeEach(() => {
  ssm.reset();
  incidentId = h.nextIncidentId();
});

const input = (mode: string) => ({
  incident: incident({ id: incidentId, runbook: 'llm-budget-guardrail', target: 'alphaswarm-prod-monthly' }),
  execution: { id: EXECUTION_ARN },
  mode,
});
const currentValue = (value: string) => ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Type: 'String', Value: value } });

/** Runs the switch step from SONNET to HAIKU, then forgets the calls it made. */
async function switched(): Promise<void> {
  currentValue(SONNET);
  ssm.on(PutParameterCommand).resolves({ Version: 2, Tier: 'Standard' });
  await handler(input('switch'), lambdaContext);
  ssm.reset();
}

describe('switch', () => {
  test('records the current model before writing the cheaper one', async () => {
    currentValue(SONNET);
    let intentAtCall: unknown;
    ssm.on(PutParameterCommand).callsFake(async () => {
      intentAtCall = await h.ledger.getAction(incidentId, SWITCH_KEY);
      return { Version: 2, Tier: 'Standard' };
    });

    const result = await handler(input('switch'), lambdaContext);

    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([
      { Name: PARAMETER, Value: HAIKU, Type: 'String', Overwrite: true },
    ]);
    expect(intentAtCall).toMatchObject({ status: 'intent', before: SONNET, operation: 'ssm:PutParameter', target: PARAMETER });
    expect(result).toEqual({
      operation: 'ssm:PutParameter', target: PARAMETER, before: SONNET, after: HAIKU, replayed: false, planned: false,
      parameters: { Name: PARAMETER, Value: HAIKU, Type: 'String', Overwrite: true },
    });
    expect(await h.ledger.getAction(incidentId, SWITCH_KEY)).toMatchObject({ status: 'succeeded', before: SONNET, after: HAIKU, executionArn: EXECUTION_ARN });
  });

  test('a retried switch does not write again once the ledger holds it as done', async () => {
    await switched();
    currentValue(HAIKU);

    const again = await handler(input('switch'), lambdaContext);

    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    expect(again).toMatchObject({ before: SONNET, after: HAIKU, replayed: true });
  });

  test('a missing parameter is TargetNotFound and changes nothing', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "The parameter couldn't be found.", $metadata: { httpStatusCode: 400 } }));

    await expect(handler(input('switch'), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound' });
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    expect(await h.ledger.listActions(incidentId)).toEqual([]);
  });

  test('throttling on the write is AwsThrottled and the intent row is marked failed', async () => {
    currentValue(SONNET);
    ssm.on(PutParameterCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

    await expect(handler(input('switch'), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
    expect(await h.ledger.getAction(incidentId, SWITCH_KEY)).toMatchObject({ status: 'failed', before: SONNET });
  });
});

describe('restore', () => {
  test('writes back the recorded model, after recording the cheaper one it replaces', async () => {
    await switched();
    currentValue(HAIKU);
    let intentAtCall: unknown;
    ssm.on(PutParameterCommand).callsFake(async () => {
      intentAtCall = await h.ledger.getAction(incidentId, RESTORE_KEY);
      return { Version: 3, Tier: 'Standard' };
    });

    const result = await handler(input('restore'), lambdaContext);

    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([
      { Name: PARAMETER, Value: SONNET, Type: 'String', Overwrite: true },
    ]);
    expect(intentAtCall).toMatchObject({ status: 'intent', before: HAIKU });
    expect(result).toEqual({
      restored: true, reason: 'restored',
      action: {
        operation: 'ssm:PutParameter', target: PARAMETER, before: HAIKU, after: SONNET, replayed: false, planned: false,
        parameters: { Name: PARAMETER, Value: SONNET, Type: 'String', Overwrite: true },
      },
    });
  });

  test('leaves a model a human chose after the switch as it is', async () => {
    await switched();
    currentValue(OPUS);

    const result = await handler(input('restore'), lambdaContext);

    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    expect(result).toEqual({
      restored: false, reason: `the model preference was changed to ${OPUS} after the switch; left as it is`, action: null,
    });
    expect(await h.ledger.getAction(incidentId, RESTORE_KEY)).toBeUndefined();
  });

  test('a retried restore does not write again, though the parameter now holds the original', async () => {
    await switched();
    currentValue(HAIKU);
    ssm.on(PutParameterCommand).resolves({ Version: 3 });
    await handler(input('restore'), lambdaContext);
    ssm.reset();
    currentValue(SONNET);

    const again = await handler(input('restore'), lambdaContext);

    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    expect(again).toMatchObject({ restored: true, action: { before: HAIKU, after: SONNET, replayed: true } });
  });

  test('a restore retried after a failed write writes the recorded value again', async () => {
    await switched();
    currentValue(HAIKU);
    ssm.on(PutParameterCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })).resolves({ Version: 3 });
    await expect(handler(input('restore'), lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });

    const retried = await handler(input('restore'), lambdaContext);

    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Value)).toEqual([SONNET, SONNET]);
    expect(retried).toMatchObject({ restored: true, action: { before: HAIKU, after: SONNET, replayed: false } });
    expect(await h.ledger.getAction(incidentId, RESTORE_KEY)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  test('a restore whose timed-out write did land is finished, not mistaken for a human change', async () => {
    await switched();
    currentValue(HAIKU);
    ssm.on(PutParameterCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })).resolves({ Version: 3 });
    await expect(handler(input('restore'), lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
    currentValue(SONNET);

    const retried = await handler(input('restore'), lambdaContext);

    expect(retried).toMatchObject({ restored: true, action: { before: HAIKU, after: SONNET } });
  });

  test('a switch already undone by an operator is not written again: the restore reads the same record', async () => {
    await switched();
    const undoExecution = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-undo:by-hand';
    const undoKey = `undo-switch#ssm:PutParameter#${PARAMETER}`;
    await h.ledger.recordIntent({
      incidentId, actionKey: undoKey, runbook: 'llm-budget-guardrail', operation: 'ssm:PutParameter', target: PARAMETER,
      executionArn: undoExecution, before: HAIKU, parameters: { Name: PARAMETER, Value: SONNET, Type: 'String', Overwrite: true },
    });
    await h.ledger.completeAction(incidentId, undoKey, SONNET);
    currentValue(SONNET);

    const result = await handler(input('restore'), lambdaContext);

    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    expect(result).toEqual({ restored: true, reason: `already restored to the recorded value by the undo ${undoExecution}`, action: null });
    expect(await h.ledger.getAction(incidentId, RESTORE_KEY)).toBeUndefined();
  });

  test('without a finished switch in the ledger there is nothing to restore, and nothing is called', async () => {
    await expect(handler(input('restore'), lambdaContext)).rejects.toMatchObject({
      name: 'NothingToRestore', message: expect.stringContaining(`incident ${incidentId} has no finished switch`),
    });
    expect(ssm.calls()).toHaveLength(0);
  });
});

test('an unknown mode is InvalidInput naming the field', async () => {
  await expect(handler(input('toggle'), lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('mode') });
  expect(ssm.calls()).toHaveLength(0);
});
