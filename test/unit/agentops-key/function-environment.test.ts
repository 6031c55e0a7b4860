import { keyState, mergeVariable, redactVariables, restorePlan, restoredVariables, valueDigest } from '../../../lambdas/domain/function-environment';
import { inverseOf, holds } from '../../../lambdas/domain/reversible';
import { describeKeys, planKey } from '../../../runbooks/agentops-key/key-plan';

const FN = 'cabruca-segmentation-prod-qa-agent';
const KEY = 'ao-unit-secret-value-0001';
const before = { ENVIRONMENT: 'prod', STATE_TABLE: 'agent-state' };

describe('redaction', () => {
  test('keeps the names, sorted, and replaces every value by a digest that does not hold it', () => {
    const r = redactVariables(FN, { ...before, AGENTOPS_API_KEY: KEY });
    expect(Object.keys(r)).toEqual(['AGENTOPS_API_KEY', 'ENVIRONMENT', 'STATE_TABLE']);
    for (const d of Object.values(r)) expect(d).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(JSON.stringify(r)).not.toContain(KEY);
  });

  test('tells a changed value from the same one, and the same value on two functions apart', () => {
    expect(valueDigest(FN, 'A', 'x')).toBe(valueDigest(FN, 'A', 'x'));
    expect(valueDigest(FN, 'A', 'x')).not.toBe(valueDigest(FN, 'A', 'y'));
    expect(valueDigest(FN, 'A', 'x')).not.toBe(valueDigest('other-fn', 'A', 'x'));
  });
});

test('the key is missing, empty (blank too) or set', () => {
  expect(keyState(before, 'AGENTOPS_API_KEY')).toBe('missing');
  expect(keyState({ AGENTOPS_API_KEY: '' }, 'AGENTOPS_API_KEY')).toBe('empty');
  expect(keyState({ AGENTOPS_API_KEY: '  ' }, 'AGENTOPS_API_KEY')).toBe('empty');
  expect(keyState({ AGENTOPS_API_KEY: KEY }, 'AGENTOPS_API_KEY')).toBe('set');
});

test('the merge keeps every other variable (UpdateFunctionConfiguration replaces them all)', () => {
  expect(mergeVariable(before, 'AGENTOPS_API_KEY', KEY)).toEqual({ ...before, AGENTOPS_API_KEY: KEY });
  expect(mergeVariable({ AGENTOPS_API_KEY: '' }, 'AGENTOPS_API_KEY', KEY)).toEqual({ AGENTOPS_API_KEY: KEY });
});

describe('the undo from digests', () => {
  const recorded = (vars: Record<string, string>) => ({ variables: redactVariables(FN, vars) });

  test('an added variable is removed; one that was empty is emptied again; the rest is kept as it is now', () => {
    const added = restorePlan(FN, recorded(before), recorded({ ...before, AGENTOPS_API_KEY: KEY }));
    expect(added).toEqual({ remove: ['AGENTOPS_API_KEY'], empty: [] });
    const emptied = restorePlan(FN, recorded({ ...before, AGENTOPS_API_KEY: '' }), recorded({ ...before, AGENTOPS_API_KEY: KEY }));
    expect(emptied).toEqual({ remove: [], empty: ['AGENTOPS_API_KEY'] });
    const now = { ...before, AGENTOPS_API_KEY: KEY };
    expect(restoredVariables(now, { remove: ['AGENTOPS_API_KEY'], empty: [] })).toEqual(before);
    expect(restoredVariables(now, { remove: [], empty: ['AGENTOPS_API_KEY'] })).toEqual({ ...before, AGENTOPS_API_KEY: '' });
  });

  test('a value the change replaced (not empty), or a variable it removed, cannot come back from a digest: said, not guessed', () => {
    expect(restorePlan(FN, recorded({ ...before, AGENTOPS_API_KEY: 'old' }), recorded({ ...before, AGENTOPS_API_KEY: KEY }))).toEqual({ why: expect.stringContaining('replaced the value of AGENTOPS_API_KEY') });
    expect(restorePlan(FN, recorded(before), recorded({ ENVIRONMENT: 'prod' }))).toEqual({ why: expect.stringContaining('removed STATE_TABLE') });
  });

  test("the ledger row's inverse: the environment kind, not the timeout's; its parameters name digests, never a value", () => {
    const row = {
      actionKey: 'set-key#lambda:UpdateFunctionConfiguration#fn', operation: 'lambda:UpdateFunctionConfiguration', target: FN, status: 'succeeded', executionArn: 'arn',
      parameters: { FunctionName: FN, Environment: { Variables: recorded({ ...before, AGENTOPS_API_KEY: KEY }).variables }, RevisionId: 'r1' },
      before: { ...recorded(before), revisionId: 'r1' }, after: recorded({ ...before, AGENTOPS_API_KEY: KEY }),
    };
    const inverse = inverseOf(row);
    expect(inverse).toMatchObject({ kind: 'lambda-environment', operation: 'lambda:UpdateFunctionConfiguration', parameters: { removes: ['AGENTOPS_API_KEY'], empties: [] } });
    expect(JSON.stringify(inverse)).not.toContain(KEY);
    // A timeout's row of the same operation is still the configuration's.
    expect(inverseOf({ ...row, parameters: { FunctionName: FN, Timeout: 60 }, before: { Timeout: 30 }, after: { Timeout: 60 } })).toMatchObject({ kind: 'lambda-configuration' });
    // Compared on every digest: a variable changed since (a deploy) no longer holds what the change left.
    expect(holds('lambda-environment', recorded({ ...before, AGENTOPS_API_KEY: KEY }), row.after)).toBe(true);
    expect(holds('lambda-environment', recorded({ ...before, AGENTOPS_API_KEY: KEY, RELEASE: '42' }), row.after)).toBe(false);
    expect(holds('lambda-environment', recorded({ ...before, STATE_TABLE: 'moved', AGENTOPS_API_KEY: KEY }), row.after)).toBe(false);
  });
});

test('the plan: only the functions without the key, each with how it lacks it; all set is nothing to do', () => {
  const found = [
    { functionName: 'a', key: 'set' as const, lastUpdateStatus: 'Successful' },
    { functionName: 'b', key: 'missing' as const, lastUpdateStatus: 'Successful' },
    { functionName: 'c', key: 'empty' as const, lastUpdateStatus: 'Successful' },
  ];
  expect(planKey(found, 'AGENTOPS_API_KEY', 's')).toMatchObject({ decision: 'set-key', functions: ['b', 'c'], reason: 'b (missing), c (empty) lack AGENTOPS_API_KEY: set it from the secret s' });
  expect(planKey([found[0]!], 'AGENTOPS_API_KEY', 's')).toMatchObject({ decision: 'nothing-missing', functions: [] });
  expect(planKey([{ ...found[1]!, lastUpdateStatus: 'InProgress' }], 'AGENTOPS_API_KEY', 's')).toMatchObject({ decision: 'update-in-progress', functions: [] });
  expect(describeKeys(found, 'AGENTOPS_API_KEY')).toBe('a: AGENTOPS_API_KEY set; b: AGENTOPS_API_KEY missing; c: AGENTOPS_API_KEY empty');
});
