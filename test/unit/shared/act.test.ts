/**
 * performAction against a real ledger (dynalite) and a target modelled as one value: what each row
 * status leads to, which errors leave a row unknown, and that a dry run never calls.
 */
import { performAction, type ActionSpec } from '../../../lambdas/shared/act';
import type { ActionRecord } from '../../../lambdas/shared/ledger';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident } from '../../support/fixtures';

const h = ledgerHarness('5');
const OTHER_RUN = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-lambda-runaway:other-run';
const KEY = 'stop#lambda:PutFunctionConcurrency#fn';

/** The target: a value, and every call that reached it (applied or not). */
interface Target { value: number | null; calls: number; fail?: () => Error; failAfterApplying?: () => Error }
let target: Target;
let incidentId: string;

beforeEach(() => {
  target = { value: null, calls: 0 };
  incidentId = h.nextIncidentId();
});

const spec = (overrides: Partial<ActionSpec<number | null, number>> = {}): ActionSpec<number | null, number> => ({
  step: 'stop', operation: 'lambda:PutFunctionConcurrency', target: 'fn', parameters: { FunctionName: 'fn', ReservedConcurrentExecutions: 0 }, intended: 0,
  readBefore: async () => target.value,
  mutate: async () => {
    target.calls += 1;
    if (target.fail) throw target.fail();
    target.value = 0;
    if (target.failAfterApplying) throw target.failAfterApplying();
    return 0;
  },
  inEffect: (value) => (value === 0 ? 0 : undefined),
  ...overrides,
});
const act = (options: { executionArn?: string; dryRun?: boolean; spec?: Partial<ActionSpec<number | null, number>> } = {}) =>
  performAction(h.ledger, incident({ id: incidentId }), options.executionArn ?? EXECUTION_ARN, spec(options.spec), { dryRun: options.dryRun ?? false });
const rows = () => h.ledger.listActions(incidentId);
const sdkError = (name: string, status: number) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
const lost = () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });

describe('an answer lost, or a 5xx: the row is unknown, and the next attempt reads the target first', () => {
  test.each([['a lost answer', lost], ['a 5xx', () => sdkError('InternalServerError', 500)]])('%s leaves the row unknown, not failed', async (_name, error) => {
    target.failAfterApplying = error;

    await expect(act()).rejects.toMatchObject({ name: 'AwsUnavailable' });

    expect(await rows()).toEqual([expect.objectContaining({ status: 'unknown', before: null, intended: 0 })]);
  });

  test('the retry finds the change in effect: the row completes with what it read, and no second call is made', async () => {
    target.failAfterApplying = lost;
    await expect(act()).rejects.toMatchObject({ name: 'AwsUnavailable' });
    target.failAfterApplying = undefined;

    const result = await act();

    expect(target.calls).toBe(1);
    expect(result).toMatchObject({ before: null, after: 0, replayed: true });
    expect(await rows()).toEqual([expect.objectContaining({ status: 'succeeded', after: 0, attempts: 1, reconciledAt: expect.any(String) })]);
  });

  test('the retry finds it not in effect: the row is failed by the read, then retried with the first before', async () => {
    target.fail = lost;
    await expect(act()).rejects.toMatchObject({ name: 'AwsUnavailable' });
    target.fail = undefined;
    target.value = 7; // the first before was null; what the retry replaces is still recorded as null

    const result = await act();

    expect(target.calls).toBe(2);
    expect(result).toMatchObject({ before: null, after: 0, replayed: false });
    expect(await rows()).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 2, before: null })]);
  });

  test('the retry\'s call sees the target as it is now, while the row keeps the first before: what someone set since is not acted on blindly', async () => {
    target.fail = lost;
    await expect(act()).rejects.toMatchObject({ name: 'AwsUnavailable' });
    target.fail = undefined;
    target.value = 7; // set by someone between the attempts
    const seen: { before: number | null; current: number | null }[] = [];

    await act({ spec: { mutate: async (before, current) => { seen.push({ before, current }); target.calls += 1; target.value = 0; return 0; } } });

    expect(seen).toEqual([{ before: null, current: 7 }]);
    expect(await rows()).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 2, before: null })]);
  });

  test('a retry whose read of the target fails leaves the row as it was and calls nothing', async () => {
    target.fail = () => sdkError('ThrottlingException', 400);
    await expect(act()).rejects.toMatchObject({ name: 'AwsThrottled' });
    target.fail = undefined;
    // A step that checks whether it is in effect one way (observe) and reads what it replaces another: the latter fails.
    const readBefore = async () => { throw sdkError('ServiceUnavailableException', 503); };

    await expect(act({ spec: { readBefore, observe: async () => target.value } })).rejects.toMatchObject({ name: 'AwsUnavailable' });

    expect(target.calls).toBe(1);
    expect(await rows()).toEqual([expect.objectContaining({ status: 'failed', attempts: 1 })]);
  });

  test.each([['a refused row', () => sdkError('ThrottlingException', 400)], ['an unknown row', lost]])('%s: a retry reads the target once, for both the check and the call', async (_row, error) => {
    target.fail = error;
    await expect(act()).rejects.toBeDefined();
    target.fail = undefined;
    target.value = 7;
    let reads = 0;
    const seen: (number | null)[] = [];

    await act({ spec: { readBefore: async () => { reads += 1; return target.value; }, mutate: async (_before, current) => { seen.push(current); target.calls += 1; return 0; } } });

    expect(reads).toBe(1);
    expect(seen).toEqual([7]);
  });

  test('a read that fails leaves the row unknown and calls nothing', async () => {
    target.failAfterApplying = lost;
    await expect(act()).rejects.toMatchObject({ name: 'AwsUnavailable' });

    await expect(act({ spec: { observe: async () => { throw sdkError('ServiceUnavailableException', 503); } } })).rejects.toMatchObject({ name: 'AwsUnavailable' });

    expect(target.calls).toBe(1);
    expect(await rows()).toEqual([expect.objectContaining({ status: 'unknown' })]);
  });

  test('a change of several calls found partly done stays unknown, and a refusal of the rest does not make it failed', async () => {
    target.failAfterApplying = lost;
    await expect(act()).rejects.toMatchObject({ name: 'AwsUnavailable' });
    target.failAfterApplying = undefined;
    target.fail = () => sdkError('AccessDeniedException', 400);
    const partly = { inEffect: () => undefined, partlyInEffect: () => true };

    await expect(act({ spec: partly })).rejects.toMatchObject({ name: 'AwsAccessDenied' });

    expect(target.calls).toBe(2);
    expect(await rows()).toEqual([expect.objectContaining({ status: 'unknown', attempts: 2, error: expect.stringContaining('AwsAccessDenied') })]);
  });
});

describe('refusals: nothing took effect', () => {
  test.each([
    ['throttling', sdkError('ThrottlingException', 400), 'AwsThrottled'],
    ['access denied', sdkError('AccessDeniedException', 400), 'AwsAccessDenied'],
    ['validation', sdkError('ValidationException', 400), 'ValidationException'],
  ])('%s leaves the row failed', async (_name, error, name) => {
    target.fail = () => error;

    await expect(act()).rejects.toMatchObject({ name });

    expect(await rows()).toEqual([expect.objectContaining({ status: 'failed', error: expect.stringContaining(name) })]);
  });
});

describe('a retry or redrive after a refusal reads the target first', () => {
  test('still not in effect: the call is made again, with the first before', async () => {
    target.fail = () => sdkError('ThrottlingException', 400);
    await expect(act()).rejects.toMatchObject({ name: 'AwsThrottled' });
    target.fail = undefined;

    const result = await act();

    expect(target.calls).toBe(2);
    expect(result).toMatchObject({ replayed: false, before: null, after: 0 });
    expect(await rows()).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 2 })]);
  });

  test('fixed by hand since: no call; the refused row stays failed, and a new row records the change found in effect, which the step reports', async () => {
    target.fail = () => sdkError('ThrottlingException', 400);
    await expect(act()).rejects.toMatchObject({ name: 'AwsThrottled' });
    target.fail = undefined;
    target.value = 0;

    const result = await act();

    expect(target.calls).toBe(1);
    // The step's result is the newest row's: what the target held when read, and no call made.
    expect(result).toMatchObject({ replayed: true, before: 0, after: 0 });
    expect((await rows()).map((r) => [r.actionKey, r.status, r.before, r.after ?? null, r.attempts, r.executionArn])).toEqual([
      [KEY, 'failed', null, null, 1, EXECUTION_ARN],
      [`${KEY}#2`, 'succeeded', 0, 0, 0, EXECUTION_ARN],
    ]);
    expect(await h.ledger.latestAction(incidentId, KEY)).toMatchObject({ status: 'succeeded', reconciledAt: expect.any(String) });
    // A Retry after that replays the new row: no read needed, no call, no third row.
    target.value = 3;
    expect(await act()).toMatchObject({ replayed: true, before: 0, after: 0 });
    expect(target.calls).toBe(1);
    expect(await rows()).toHaveLength(2);
  });

  test('already in effect before the first attempt (a function at 0 already), the call refused: the retry makes no call and the newest row says succeeded, not the refusal', async () => {
    target.value = 0;
    target.fail = () => sdkError('ThrottlingException', 400);
    await expect(act()).rejects.toMatchObject({ name: 'AwsThrottled' });
    target.fail = undefined;

    const result = await act();

    expect(target.calls).toBe(1);
    expect(result).toMatchObject({ replayed: true, before: 0, after: 0 });
    const newest = await h.ledger.latestAction(incidentId, KEY);
    expect(newest).toMatchObject({ actionKey: `${KEY}#2`, status: 'succeeded', before: 0, after: 0, attempts: 0 });
  });

  test('two attempts find it in effect at once: one new row between them, both report it', async () => {
    target.fail = () => sdkError('ThrottlingException', 400);
    await expect(act()).rejects.toMatchObject({ name: 'AwsThrottled' });
    target.fail = undefined;
    target.value = 0;

    const both = await Promise.all([act(), act({ executionArn: OTHER_RUN })]);

    expect(target.calls).toBe(1);
    for (const result of both) expect(result).toMatchObject({ replayed: true, after: 0 });
    expect((await rows()).map((r) => [r.actionKey, r.status])).toEqual([[KEY, 'failed'], [`${KEY}#2`, 'succeeded']]);
  });
});

describe('a redriven run takes its incident back before acting', () => {
  const claim = (executionArn = EXECUTION_ARN) => h.ledger.claimIncident({
    incidentId, runbook: 'lambda-runaway', target: 'fn', dedupeKey: incidentId, executionArn, summary: 'alarm', firedAt: '2026-11-23T03:00:00Z',
  });
  const redriven = (redriveCount: number) => performAction(h.ledger, incident({ id: incidentId }), { id: EXECUTION_ARN, redriveCount }, spec());

  test('failed -> admitted for this run, then it acts; a later step of the same run takes nothing again', async () => {
    await claim();
    await h.ledger.markIncidentFailed(incidentId, EXECUTION_ARN, 0, 'Stop function', 'failed at Stop function');

    await redriven(1);
    const after = await h.ledger.getIncident(incidentId);
    await redriven(1);

    expect(target.calls).toBe(1);
    expect(after).toMatchObject({ status: 'admitted', redriveCount: 1 });
    expect(after).not.toHaveProperty('reason');
    expect(await h.ledger.getIncident(incidentId)).toMatchObject({ status: 'admitted', redriveCount: 1, updatedAt: after?.updatedAt });
  });

  test('the first run (redrive count 0) and a bare execution ARN (the undo) take nothing', async () => {
    await claim();
    await h.ledger.markIncidentFailed(incidentId, EXECUTION_ARN, 0, 'Stop function', 'failed');

    await performAction(h.ledger, incident({ id: incidentId }), { id: EXECUTION_ARN, redriveCount: 0 }, spec());
    await performAction(h.ledger, incident({ id: incidentId }), EXECUTION_ARN, spec());

    expect(await h.ledger.getIncident(incidentId)).toMatchObject({ status: 'failed' });
  });

  test('taken over by another execution: acts on nothing', async () => {
    await claim();
    await h.ledger.markIncidentFailed(incidentId, EXECUTION_ARN, 0, 'Stop function', 'failed');
    expect(await claim(OTHER_RUN)).toEqual({ claimed: true });

    await expect(redriven(1)).rejects.toMatchObject({ name: 'IncidentNotResumed', message: expect.stringContaining(`now handled by ${OTHER_RUN}`) });

    expect(target.calls).toBe(0);
    expect(await rows()).toEqual([]);
    expect(await h.ledger.getIncident(incidentId)).toMatchObject({ status: 'admitted', executionArn: OTHER_RUN });
  });

  test('while its undo runs: acts on nothing', async () => {
    await claim();
    await h.ledger.markIncidentFailed(incidentId, EXECUTION_ARN, 0, 'Stop function', 'failed');
    expect(await h.ledger.claimUndo(incidentId, 'arn:aws:states:sa-east-1:111122223333:execution:undo:u-1', 'maria')).toEqual({ claimed: true });

    await expect(redriven(1)).rejects.toMatchObject({ name: 'IncidentNotResumed', message: expect.stringContaining('being undone') });

    expect(target.calls).toBe(0);
    expect(await h.ledger.getIncident(incidentId)).toMatchObject({ status: 'failed', redriveCount: 0 });
  });

  test("a failure heard late never overwrites a later run's record", async () => {
    await claim();
    await redriven(1);
    await h.ledger.finishIncident(incidentId, EXECUTION_ARN, 'remediated', 'stopped', 1);

    expect(await h.ledger.markIncidentFailed(incidentId, EXECUTION_ARN, 0, 'Stop function', 'failed')).toMatchObject({ marked: false });
    await expect(h.ledger.finishIncident(incidentId, EXECUTION_ARN, 'escalated', 'an earlier run', 0)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });

    expect(await h.ledger.getIncident(incidentId)).toMatchObject({ status: 'remediated', redriveCount: 1 });
  });
});

describe('a re-run of the incident (another execution)', () => {
  test('finds the change still in effect: replayed, no call', async () => {
    await act({ executionArn: OTHER_RUN });

    const result = await act();

    expect(target.calls).toBe(1);
    expect(result).toMatchObject({ replayed: true, after: 0 });
    expect(await rows()).toHaveLength(1);
  });

  test('finds the change no longer in effect (undone since): a new row of the key acts again, with the value it replaces now', async () => {
    await act({ executionArn: OTHER_RUN });
    target.value = 3;

    const result = await act();

    expect(target.calls).toBe(2);
    expect(result).toMatchObject({ replayed: false, before: 3, after: 0 });
    expect((await rows()).map((r: ActionRecord) => [r.actionKey, r.status, r.before, r.executionArn])).toEqual([
      [KEY, 'succeeded', null, OTHER_RUN],
      [`${KEY}#2`, 'succeeded', 3, EXECUTION_ARN],
    ]);
  });

  test('the same execution (a Retry, a redrive) replays its own finished row without reading the target', async () => {
    await act();
    target.value = 3;

    const result = await act();

    expect(target.calls).toBe(1);
    expect(result).toMatchObject({ replayed: true, before: null, after: 0 });
  });

  test('an acting run after a dry run plans nothing again: it makes the call, as a new row', async () => {
    await act({ executionArn: OTHER_RUN, dryRun: true });

    const result = await act();

    expect(target.calls).toBe(1);
    expect(result).toMatchObject({ planned: false, replayed: false });
    expect((await rows()).map((r) => [r.actionKey, r.status])).toEqual([[KEY, 'planned'], [`${KEY}#2`, 'succeeded']]);
  });
});

describe('a dry run never calls, whatever the ledger holds', () => {
  test.each([['failed', () => sdkError('AccessDeniedException', 400)], ['unknown', lost]])('an acting run left the row %s: the dry run reads (an unknown row is settled), plans a new row and calls nothing', async (_status, error) => {
    target.fail = error;
    await expect(act({ executionArn: OTHER_RUN })).rejects.toBeDefined();
    target.fail = undefined;
    const calls = target.calls;

    const result = await act({ dryRun: true });

    expect(target.calls).toBe(calls);
    expect(result).toMatchObject({ planned: true, after: 0 });
    expect((await rows()).map((r) => [r.actionKey, r.status])).toEqual([[KEY, 'failed'], [`${KEY}#2`, 'planned']]);
  });

  test('the same execution replays its plan and still calls nothing', async () => {
    await act({ dryRun: true });

    expect(await act({ dryRun: true })).toMatchObject({ planned: true, replayed: true });
    expect(target.calls).toBe(0);
  });
});
