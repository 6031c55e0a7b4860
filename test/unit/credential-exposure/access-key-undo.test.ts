import { holds, inverseOf, type RecordedAction } from '../../../lambdas/domain/reversible';

const USER = 'alphaswarm-ci-deployer';
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const OTHER = 'AKIAI44QH8DHBEXAMPLE';

/** The deactivation's ledger row, as the deactivate handler records it. */
const row = (before: unknown, after: unknown = { [KEY]: 'Inactive' }): RecordedAction => ({
  actionKey: `deactivate#iam:UpdateAccessKey#${USER}`, operation: 'iam:UpdateAccessKey', target: USER, status: 'succeeded',
  before, after, executionArn: 'arn:aws:states:sa-east-1:111122223333:execution:m:e',
  parameters: { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' },
});

test('a deactivated key is made Active again on the same user and key: the status it had', () => {
  expect(inverseOf(row({ [KEY]: 'Active' }))).toEqual({
    kind: 'iam-access-key', operation: 'iam:UpdateAccessKey', target: USER,
    parameters: { UserName: USER, AccessKeyId: KEY, Status: 'Active' },
    expected: { [KEY]: 'Inactive' }, restoreTo: { [KEY]: 'Active' },
  });
});

test.each([
  ['the key was already inactive', row({ [KEY]: 'Inactive' }), `access key ${KEY} was already Inactive: the call changed nothing`],
  ['the row records no status for the key', row({ [OTHER]: 'Active' }), 'is not Active or Inactive'],
  ['the row names no key', { ...row({ [KEY]: 'Active' }), parameters: { UserName: USER } }, 'the recorded call names no access key'],
])('no inverse when %s', (_what, action, why) => {
  expect(inverseOf(action)).toEqual({ why: expect.stringContaining(why) });
});

test("holds compares only the keys a row names: the user's other key is not this change", () => {
  expect(holds('iam-access-key', { [KEY]: 'Inactive', [OTHER]: 'Active' }, { [KEY]: 'Inactive' })).toBe(true);
  expect(holds('iam-access-key', { [KEY]: 'Active', [OTHER]: 'Inactive' }, { [KEY]: 'Inactive' })).toBe(false);
  // The key deleted since: not the value the row describes.
  expect(holds('iam-access-key', { [OTHER]: 'Inactive' }, { [KEY]: 'Inactive' })).toBe(false);
});
