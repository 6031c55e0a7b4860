import { planTimeout, targetTimeout } from '../../../runbooks/lambda-timeouts/timeout-plan';

const fn = (timeoutSeconds: number, lastUpdateStatus = 'Successful') => ({ functionName: 'tradai-prod-backtest-worker', timeoutSeconds, lastUpdateStatus });
const policy = { baselineSeconds: 30, targetSeconds: targetTimeout(30, 30, 120), ceilingSeconds: 120 };
const queue = (visibilityTimeout: number | null) => ({ queueArn: 'arn:aws:sqs:sa-east-1:111122223333:tradai-prod-backtest-jobs', visibilityTimeout });

test('the target is the baseline plus one step, never past the ceiling', () => {
  expect([targetTimeout(30, 30, 120), targetTimeout(100, 30, 120), targetTimeout(120, 30, 120)]).toEqual([60, 120, 120]);
});

test.each([
  ['a 30 s function under a roomy queue is raised to 60 s', fn(30), [queue(300)], { decision: 'raise', fromSeconds: 30, toSeconds: 60 }],
  ['raised already (a re-fired alarm) is not raised again', fn(60), [queue(300)], { decision: 'already-raised', toSeconds: null }],
  ['raised by hand past the target is never lowered', fn(90), [], { decision: 'already-raised', toSeconds: null }],
  ['at the ceiling', fn(120), [], { decision: 'at-ceiling', toSeconds: null }],
  ['a queue whose visibility timeout the target would reach', fn(30), [queue(300), queue(60)], { decision: 'source-limit', toSeconds: null }],
  ['a queue that does not exist', fn(30), [queue(null)], { decision: 'source-limit', toSeconds: null }],
  ['an update in progress', fn(30, 'InProgress'), [queue(300)], { decision: 'update-in-progress', toSeconds: null }],
])('%s', (_what, now, queues, expected) => {
  expect(planTimeout(now, policy, queues)).toMatchObject(expected);
});

test('a queue one second above the target leaves room; the escalation names the queue and its limit', () => {
  expect(planTimeout(fn(30), policy, [queue(61)]).decision).toBe('raise');
  expect(planTimeout(fn(30), policy, [queue(60)]).reason).toMatch(/tradai-prod-backtest-jobs \(60 s\)/);
});
