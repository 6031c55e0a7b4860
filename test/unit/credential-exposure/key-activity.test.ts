import { keyActivity, unavailableActivity } from '../../../runbooks/credential-exposure/key-activity';
import type { TrailEvent } from '../../../lambdas/aws/cloudtrail';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SINCE = new Date('2026-12-03T21:00:00.000Z');
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const event = (eventName: string, eventTime: string, record: Record<string, unknown> | string, eventSource = 'iam.amazonaws.com'): TrailEvent => ({
  eventName, eventSource, eventTime, record: typeof record === 'string' ? record : JSON.stringify(record),
});

test('each call as name, service, time, source IP and error code, newest first, and a line naming them', () => {
  const a = keyActivity(KEY, SINCE, [
    event('ListBuckets', '2026-12-06T21:15:00.000Z', { sourceIPAddress: '198.51.100.23' }, 's3.amazonaws.com'),
    event('CreateAccessKey', '2026-12-06T21:20:00.000Z', { sourceIPAddress: '198.51.100.23', errorCode: 'AccessDenied' }),
  ], 50);

  expect(a.calls).toEqual([
    { eventName: 'CreateAccessKey', eventSource: 'iam.amazonaws.com', eventTime: '2026-12-06T21:20:00.000Z', sourceIPAddress: '198.51.100.23', errorCode: 'AccessDenied' },
    { eventName: 'ListBuckets', eventSource: 's3.amazonaws.com', eventTime: '2026-12-06T21:15:00.000Z', sourceIPAddress: '198.51.100.23', errorCode: null },
  ]);
  expect(a.truncated).toBe(false);
  expect(a.summary).toBe(`2 CloudTrail management events by ${KEY} since 2026-12-03T21:00:00.000Z (newest 2026-12-06T21:20:00.000Z): iam:CreateAccessKey, s3:ListBuckets; from 198.51.100.23`);
});

test('never a secret: request parameters and response elements of a record stay out of the result', () => {
  const a = keyActivity(KEY, SINCE, [event('CreateAccessKey', '2026-12-06T21:20:00.000Z', {
    sourceIPAddress: '198.51.100.23', requestParameters: { userName: 'x' },
    responseElements: { accessKey: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: SECRET } },
  })], 50);

  expect(JSON.stringify(a)).not.toContain(SECRET);
  expect(JSON.stringify(a)).not.toContain('responseElements');
});

test('a full page says only the newest were read', () => {
  const a = keyActivity(KEY, SINCE, [event('GetCallerIdentity', '2026-12-06T21:00:00.000Z', {}, 'sts.amazonaws.com')], 1);

  expect(a.truncated).toBe(true);
  expect(a.summary).toMatch(/^the newest 1 CloudTrail management event by /);
  expect(a.summary).toContain('from no recorded IP');
});

test('no calls, and a record that is not JSON, are said as such', () => {
  expect(keyActivity(KEY, SINCE, [], 50).summary).toBe(`no CloudTrail management events by ${KEY} since 2026-12-03T21:00:00.000Z`);
  expect(keyActivity(KEY, SINCE, [event('ListUsers', '2026-12-06T21:00:00.000Z', 'not json')], 50).calls[0]).toMatchObject({ sourceIPAddress: null, errorCode: null });
});

test('unreadable: the page says evidence unavailable and why', () => {
  expect(unavailableActivity(KEY, SINCE, 'AwsAccessDenied: no').summary).toBe(`evidence unavailable: what ${KEY} did could not be read (AwsAccessDenied: no); look it up in CloudTrail`);
});
