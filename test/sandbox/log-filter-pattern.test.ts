/**
 * CloudWatch Logs filter patterns in the sandbox: the JSON patterns a metric filter on CloudTrail's
 * log group uses (the CIS unauthorized-calls pattern), and the refusal of what is not modelled.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { compileFilterPattern } from '../../drill/sandbox/log-filter-pattern';
import { CLOUDTRAIL_LOG_GROUP, UNAUTHORIZED_PATTERN } from '../../drill/sandbox/seed-unauthorized-calls';
import { clientConfig, rejectionOf, useSandbox } from './support';

const record = (fields: Record<string, unknown>) => JSON.stringify({ eventName: 'X', ...fields });

test('the CIS pattern: a suffix or a prefix wildcard on errorCode, either one', () => {
  const denied = compileFilterPattern(UNAUTHORIZED_PATTERN);
  expect(['Client.UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'ThrottlingException', 'UnauthorizedOperationX', 'NotAccessDenied']
    .map((errorCode) => denied(record({ errorCode })))).toEqual([true, true, true, false, false, false]);
  expect([denied(record({})), denied('AccessDenied in plain text'), denied(record({ errorCode: null }))]).toEqual([false, false, false]);
});

test('selectors, numbers, && over ||, parentheses, IS and NOT EXISTS', () => {
  const doc = record({ user: { id: 7, tags: ['a', 'b'] }, ok: true, ip: '123.123.4.5' });
  const m = (p: string) => compileFilterPattern(p)(doc);
  expect([m('{ $.user.id = 7 }'), m('{ $.user.id >= 8 }'), m('{ $.user.tags[1] = "b" }'), m('{ $.ip != 123.123.* }'), m('{ $.ip = 123.123.* }')]).toEqual([true, false, true, false, true]);
  expect([m('{ $.ok IS TRUE }'), m('{ $.ok IS FALSE }'), m('{ $.gone NOT EXISTS }'), m('{ $.ok NOT EXISTS }'), m('{ $.gone != "x" }')]).toEqual([true, false, true, false, false]);
  // a || b && c is a || (b && c): true here because a holds; (a || b) && c is false because c does not.
  expect([m('{ $.ok IS TRUE || $.user.id = 1 && $.ip = "x" }'), m('{ ($.ok IS TRUE || $.user.id = 1) && $.ip = "x" }')]).toEqual([true, false]);
});

test('phrases and terms match as before; what the sandbox does not model is refused, not matched silently wrong', () => {
  expect([compileFilterPattern('"Task timed out"')('2026 Task timed out after 30 s'), compileFilterPattern('ERROR db')('ERROR: db down'), compileFilterPattern('')('x')]).toEqual([true, true, true]);
  for (const p of ['{ $.a = %ab+% }', '[ip, user]', '{ $.a = "x" ', '{ $.a ~ 1 }', '{ a = 1 }', '?ERROR ?WARN']) {
    expect(() => compileFilterPattern(p)).toThrow(/^Invalid filter pattern /);
  }
});

describe('FilterLogEvents on the seeded CloudTrail log group', () => {
  const sandbox = useSandbox();
  const logs = () => new CloudWatchLogsClient(clientConfig(sandbox()));

  test("the alarm's window: the denied calls in it, not the allowed or throttled ones, not the earlier denial", async () => {
    const out = await logs().send(new FilterLogEventsCommand({
      logGroupName: CLOUDTRAIL_LOG_GROUP, filterPattern: UNAUTHORIZED_PATTERN,
      startTime: Date.parse('2026-12-06T04:10:00Z'), endTime: Date.parse('2026-12-06T04:15:09Z'),
    }));
    const seen = (out.events ?? []).map((e) => JSON.parse(e.message!) as { eventName: string; errorCode: string });
    expect(seen.map((r) => `${r.eventName}:${r.errorCode}`)).toEqual([
      'DescribeInstances:Client.UnauthorizedOperation', 'DescribeSecurityGroups:Client.UnauthorizedOperation', 'ListUsers:AccessDenied',
      'GetSecretValue:AccessDenied', 'GetSecretValue:AccessDenied', 'DescribeInstances:Client.UnauthorizedOperation', 'GetBucketPolicy:AccessDenied', 'CreateAccessKey:AccessDenied',
    ]);
  });

  test('a pattern it cannot read is InvalidParameterException, whatever the group holds', async () => {
    const e = await rejectionOf(logs().send(new FilterLogEventsCommand({ logGroupName: CLOUDTRAIL_LOG_GROUP, filterPattern: '{ $.errorCode = %Denied% }' })));
    expect([e.name, e.$metadata?.httpStatusCode]).toEqual(['InvalidParameterException', 400]);
  });
});
