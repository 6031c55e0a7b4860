import type { AliasState, FunctionVersion } from '../../../lambdas/aws/lambda';
import { planRollback, routesAs } from '../../../runbooks/lambda-errors-rollback/rollback-plan';

const FN = 'cabruca-segmentation-prod-manager-agent';
const alias = (functionVersion: string, additionalVersionWeights: Record<string, number> = {}): AliasState =>
  ({ functionName: FN, alias: 'live', functionVersion, additionalVersionWeights, revisionId: 'rev-1' });
/** $LATEST and versions 1..n, each with its own code unless `same` says which share one. */
const versions = (n: number, same: Record<string, string> = {}): FunctionVersion[] => [
  { version: '$LATEST', codeSha256: same.$LATEST ?? `sha-${n}`, description: '', lastModified: '' },
  ...Array.from({ length: n }, (_, i) => String(i + 1)).map((v) => ({ version: v, codeSha256: same[v] ?? `sha-${v}`, description: `release 1.${v}`, lastModified: '' })),
];
const none = { rolledBackFrom: [], rolledBackTo: [] };

test('an alias on version 7 goes back to 6, weights cleared', () => {
  expect(planRollback(alias('7'), versions(7), none)).toMatchObject({
    decision: 'rollback', suspect: '7', from: { functionVersion: '7', additionalVersionWeights: {} }, to: { functionVersion: '6', additionalVersionWeights: {} }, knownGood: false,
  });
});

test('a canary (6, with 10% to 7) goes back to all traffic on 6', () => {
  expect(planRollback(alias('6', { 7: 0.1 }), versions(7), none)).toMatchObject({ decision: 'rollback', suspect: '7', to: { functionVersion: '6', additionalVersionWeights: {} } });
});

test('an alias on $LATEST goes back to the newest published version with other code', () => {
  // $LATEST holds what version 7 holds: 7 is no rollback.
  expect(planRollback(alias('$LATEST'), versions(7, { $LATEST: 'sha-7' }), none)).toMatchObject({ decision: 'rollback', suspect: '$LATEST', to: { functionVersion: '6' } });
});

test('an older version with the same code is skipped', () => {
  expect(planRollback(alias('7'), versions(7, { 6: 'sha-7' }), none)).toMatchObject({ decision: 'rollback', to: { functionVersion: '5' } });
});

test('the oldest version has nothing older: none, and the reason says so', () => {
  expect(planRollback(alias('1'), versions(3), none)).toEqual({ decision: 'none', reason: expect.stringContaining('has no published version older than 1') });
});

test('older versions all with the same code: none', () => {
  expect(planRollback(alias('3'), versions(3, { 1: 'sha-3', 2: 'sha-3' }), none)).toEqual({ decision: 'none', reason: expect.stringContaining('same code') });
});

test('a version an earlier rollback left is not gone back to', () => {
  expect(planRollback(alias('7'), versions(7), { rolledBackFrom: ['6'], rolledBackTo: ['5'] })).toMatchObject({ decision: 'rollback', to: { functionVersion: '5' }, knownGood: true });
});

test('an alias already on the version an earlier rollback chose is not rolled back further', () => {
  expect(planRollback(alias('6'), versions(7), { rolledBackFrom: ['7'], rolledBackTo: ['6'] }))
    .toEqual({ decision: 'none', reason: expect.stringContaining('earlier rollback chose as the previous good version') });
});

test('routesAs compares the version and the weights that carry traffic', () => {
  expect(routesAs({ functionVersion: '6', additionalVersionWeights: {} }, { functionVersion: '6', additionalVersionWeights: {} })).toBe(true);
  expect(routesAs({ functionVersion: '6', additionalVersionWeights: { 7: 0 } }, { functionVersion: '6', additionalVersionWeights: {} })).toBe(true);
  expect(routesAs({ functionVersion: '6', additionalVersionWeights: { 7: 0.1 } }, { functionVersion: '6', additionalVersionWeights: {} })).toBe(false);
  expect(routesAs({ functionVersion: '7', additionalVersionWeights: {} }, { functionVersion: '6', additionalVersionWeights: {} })).toBe(false);
});
