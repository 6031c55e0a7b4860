import { describeCaughtError, partLines } from '../../../lambdas/domain/message';

describe('describeCaughtError', () => {
  test("a Lambda error's Cause (JSON) gives its errorMessage", () => {
    const Cause = JSON.stringify({ errorType: 'AwsThrottled', errorMessage: 'lambda:PutFunctionConcurrency throttled', trace: [] });
    expect(describeCaughtError({ Error: 'AwsThrottled', Cause })).toBe('AwsThrottled: lambda:PutFunctionConcurrency throttled');
  });

  test('a Cause in plain text (States.Timeout...) is kept as it is', () => {
    expect(describeCaughtError({ Error: 'States.Timeout', Cause: 'The task timed out.' })).toBe('States.Timeout: The task timed out.');
  });

  test('a Cause that is JSON but no Lambda error (null, a number, an object without errorMessage) is kept as it is', () => {
    expect(describeCaughtError({ Error: 'E', Cause: 'null' })).toBe('E: null');
    expect(describeCaughtError({ Error: 'E', Cause: '42' })).toBe('E: 42');
    expect(describeCaughtError({ Error: 'E', Cause: '{"errorMessage":7}' })).toBe('E: {"errorMessage":7}');
  });
});

describe('partLines', () => {
  test("each part in the machine's order: its outcome, a dry run's plan, and a caught error's message out of its Cause", () => {
    const Cause = JSON.stringify({ errorType: 'TargetNotFound', errorMessage: 'AgentCore gateway gw-1 does not exist', trace: [] });
    expect(partLines({
      gateway: { part: 'gateway', done: false, outcome: 'not halted', error: { Error: 'TargetNotFound', Cause } },
      proxy: { part: 'proxy', done: true, outcome: 'scaled to zero', planned: true },
      killSwitch: { part: 'kill switch', done: true, outcome: '/halt: halted (200)', planned: false },
    })).toEqual([
      'gateway: not halted (TargetNotFound: AgentCore gateway gw-1 does not exist)',
      'proxy: scaled to zero (planned, not made: dry run)',
      'kill switch: /halt: halted (200)',
    ]);
  });
});
