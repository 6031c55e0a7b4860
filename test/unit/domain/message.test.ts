import { describeCaughtError } from '../../../lambdas/domain/message';

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
