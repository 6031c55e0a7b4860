import { alarmStep, checkStep, describeAction, formatDuration, type VerifyPolicy } from '../../../lambdas/domain/verification';

const policy = (insufficientData: VerifyPolicy['insufficientData']): VerifyPolicy => ({ waitSeconds: 120, pollSeconds: 30, checks: 2, insufficientData });
const reading = (state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA') => ({ name: 'a', type: 'MetricAlarm' as const, state, reason: '' });

test('INSUFFICIENT_DATA: cleared where the metric goes silent, not cleared otherwise', () => {
  expect(alarmStep(policy('cleared'), 1, 'a', reading('INSUFFICIENT_DATA'), null).status).toBe('verified');
  expect(alarmStep(policy('not-cleared'), 1, 'a', reading('INSUFFICIENT_DATA'), null).status).toBe('pending');
  const last = alarmStep(policy('not-cleared'), 2, 'a', reading('INSUFFICIENT_DATA'), null);
  expect(last.status).toBe('not-verified');
  expect(last.reason).toBe('alarm a has no data 2.5 min after the action (ALARM -> INSUFFICIENT_DATA): the fix cannot be confirmed');
});

test('elapsed time follows the configured wait and polls', () => {
  expect(alarmStep(policy('cleared'), 2, 'a', reading('OK'), null).elapsedSeconds).toBe(150);
  expect(formatDuration(45)).toBe('45 s');
  expect(formatDuration(150)).toBe('2.5 min');
});

test('a resource check ends verified, pending or not verified', () => {
  const reasons = { ok: 'ok{after} x', pending: 'wait{after} x', notOk: 'no{after} x' };
  expect(checkStep(policy('cleared'), 1, true, reasons)).toMatchObject({ status: 'verified', reason: 'ok 2 min after x' });
  expect(checkStep(policy('cleared'), 1, false, reasons)).toMatchObject({ status: 'pending', attempt: 2, waitSeconds: 30 });
  expect(checkStep(policy('cleared'), 2, false, reasons)).toMatchObject({ status: 'not-verified', reason: 'no 2.5 min after x' });
});

test('the action reads as operation, target and before -> after', () => {
  expect(describeAction({ operation: 'ssm:PutParameter', target: '/p', before: 'a', after: 'b' })).toBe('ssm:PutParameter on /p (a -> b)');
  expect(describeAction(undefined)).toBe('the action');
});
