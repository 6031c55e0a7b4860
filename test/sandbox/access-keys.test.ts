import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { CI_DEPLOYER_KEY, CI_DEPLOYER_OLD_KEY, CI_DEPLOYER_USER } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const sandbox = useSandbox();
const iam = () => new IAMClient(clientConfig(sandbox()));
const cloudtrail = () => new CloudTrailClient(clientConfig(sandbox()));
const statuses = async () => Object.fromEntries(((await iam().send(new ListAccessKeysCommand({ UserName: CI_DEPLOYER_USER }))).AccessKeyMetadata ?? [])
  .map((k) => [k.AccessKeyId, k.Status]));

describe('IAM access keys', () => {
  test("ListAccessKeys lists the user's keys with their statuses", async () => {
    const out = await iam().send(new ListAccessKeysCommand({ UserName: CI_DEPLOYER_USER }));

    expect(out.AccessKeyMetadata).toEqual([
      expect.objectContaining({ UserName: CI_DEPLOYER_USER, AccessKeyId: CI_DEPLOYER_KEY, Status: 'Active', CreateDate: expect.any(Date) }),
      expect.objectContaining({ UserName: CI_DEPLOYER_USER, AccessKeyId: CI_DEPLOYER_OLD_KEY, Status: 'Inactive' }),
    ]);
    expect(out.IsTruncated).toBe(false);
  });

  test('UpdateAccessKey sets one key inactive, never deletes it, and leaves the other key as it was', async () => {
    await iam().send(new UpdateAccessKeyCommand({ UserName: CI_DEPLOYER_USER, AccessKeyId: CI_DEPLOYER_KEY, Status: 'Inactive' }));

    expect(await statuses()).toEqual({ [CI_DEPLOYER_KEY]: 'Inactive', [CI_DEPLOYER_OLD_KEY]: 'Inactive' });
  });

  test.each([
    ['an unknown user', { UserName: 'nobody', AccessKeyId: CI_DEPLOYER_KEY, Status: 'Inactive' as const }, 'NoSuchEntityException', 404, 'The user with name nobody cannot be found.'],
    ["a key the user does not have", { UserName: CI_DEPLOYER_USER, AccessKeyId: 'AKIAJ000000000000000', Status: 'Inactive' as const }, 'NoSuchEntityException', 404, 'The Access Key with id AKIAJ000000000000000 cannot be found.'],
    ['a key id too short', { UserName: CI_DEPLOYER_USER, AccessKeyId: 'AKIA', Status: 'Inactive' as const }, 'ValidationError', 400, "Value 'AKIA' at 'accessKeyId' failed to satisfy constraint: Member must have length between 16 and 128"],
    ['a status IAM does not know', { UserName: CI_DEPLOYER_USER, AccessKeyId: CI_DEPLOYER_KEY, Status: 'Deleted' as 'Active' }, 'ValidationError', 400, 'Member must satisfy enum value set: [Active, Inactive]'],
    ['no user (the caller is a role)', { AccessKeyId: CI_DEPLOYER_KEY, Status: 'Inactive' as const }, 'ValidationError', 400, 'Must specify userName when calling with non-User credentials'],
  ])('UpdateAccessKey on %s is refused as IAM refuses it, and changes nothing', async (_what, input, name, status, message) => {
    const e = await rejectionOf(iam().send(new UpdateAccessKeyCommand(input)));

    expect({ name: e.name, status: e.$metadata?.httpStatusCode }).toEqual({ name, status });
    expect(e.message).toContain(message);
    expect(await statuses()).toEqual({ [CI_DEPLOYER_KEY]: 'Active', [CI_DEPLOYER_OLD_KEY]: 'Inactive' });
  });
});

describe('CloudTrail LookupEvents', () => {
  const byKey = [{ AttributeKey: 'AccessKeyId' as const, AttributeValue: CI_DEPLOYER_KEY }];

  test("a key's management events, newest first, each with its record", async () => {
    const out = await cloudtrail().send(new LookupEventsCommand({ LookupAttributes: byKey, MaxResults: 50 }));
    const events = out.Events ?? [];

    expect(events.map((e) => e.EventName)).toEqual(['AssumeRole', 'CreateAccessKey', 'ListBuckets', 'GetCallerIdentity', 'UpdateService', 'GetAuthorizationToken']);
    const times = events.map((e) => e.EventTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(JSON.parse(events[1]!.CloudTrailEvent!)).toEqual(expect.objectContaining({
      eventName: 'CreateAccessKey', sourceIPAddress: '198.51.100.23', errorCode: 'AccessDenied',
      userIdentity: expect.objectContaining({ accessKeyId: CI_DEPLOYER_KEY, userName: CI_DEPLOYER_USER }),
    }));
    expect(out.NextToken).toBeUndefined();
  });

  test('a page of MaxResults, then the rest by NextToken; a time window filters', async () => {
    const first = await cloudtrail().send(new LookupEventsCommand({ LookupAttributes: byKey, MaxResults: 2 }));
    const rest = await cloudtrail().send(new LookupEventsCommand({ LookupAttributes: byKey, MaxResults: 50, NextToken: first.NextToken }));
    const newest = first.Events![0]!.EventTime!.getTime();
    const lastHour = await cloudtrail().send(new LookupEventsCommand({ LookupAttributes: byKey, StartTime: new Date(newest - 3_600_000), EndTime: new Date(newest) }));

    expect(first.Events?.map((e) => e.EventName)).toEqual(['AssumeRole', 'CreateAccessKey']);
    expect(rest.Events?.map((e) => e.EventName)).toEqual(['ListBuckets', 'GetCallerIdentity', 'UpdateService', 'GetAuthorizationToken']);
    expect(lastHour.Events?.map((e) => e.EventName)).toEqual(['AssumeRole', 'CreateAccessKey', 'ListBuckets', 'GetCallerIdentity']);
  });

  test.each([
    ['MaxResults above 50', { LookupAttributes: byKey, MaxResults: 51 }, 'InvalidMaxResultsException'],
    ['MaxResults 0', { LookupAttributes: byKey, MaxResults: 0 }, 'InvalidMaxResultsException'],
    ['two lookup attributes', { LookupAttributes: [...byKey, { AttributeKey: 'EventName' as const, AttributeValue: 'ListBuckets' }] }, 'InvalidLookupAttributesException'],
    ['an attribute key CloudTrail does not know', { LookupAttributes: [{ AttributeKey: 'SourceIp' as 'AccessKeyId', AttributeValue: '1.2.3.4' }] }, 'InvalidLookupAttributesException'],
    ['a start after the end', { LookupAttributes: byKey, StartTime: new Date(), EndTime: new Date(Date.now() - 60_000) }, 'InvalidTimeRangeException'],
    ['a token it never gave', { LookupAttributes: byKey, NextToken: 'forged' }, 'InvalidNextTokenException'],
  ])('%s is refused as CloudTrail refuses it', async (_what, input, name) => {
    const e = await rejectionOf(cloudtrail().send(new LookupEventsCommand(input)));

    expect({ name: e.name, status: e.$metadata?.httpStatusCode }).toEqual({ name, status: 400 });
  });
});
