import 'aws-sdk-client-mock-jest';
import { AccessDeniedException, CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { IAMClient, ListAccessKeysCommand, NoSuchEntityException, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const iam = mockClient(IAMClient);
const cloudtrail = mockClient(CloudTrailClient);
const USER = 'alphaswarm-ci-deployer';
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const OTHER = 'AKIAI44QH8DHBEXAMPLE';
const h = ledgerHarness('c', { env: { ALLOWED_TARGETS: JSON.stringify([USER]), LOOKBACK_HOURS: '72', MAX_EVENTS: '50' } });
type Handler = (event: unknown, context: typeof lambdaContext) => Promise<Record<string, unknown>>;
let inspect: Handler;
let deactivate: Handler;
let activity: Handler;
let incidentId: string;

beforeAll(async () => {
  // The handlers read their environment at cold start, so they are imported after the harness sets it.
  inspect = (await import('../../../runbooks/credential-exposure/handlers/inspect')).handler as unknown as Handler;
  deactivate = (await import('../../../runbooks/credential-exposure/handlers/deactivate')).handler as unknown as Handler;
  activity = (await import('../../../runbooks/credential-exposure/handlers/activity')).handler as unknown as Handler;
});

beforeEach(() => {
  iam.reset();
  cloudtrail.reset();
  incidentId = h.nextIncidentId();
});

const input = (o: { target?: string; key?: string; dryRun?: boolean } = {}) => ({
  incident: incident({ id: incidentId, runbook: 'credential-exposure', target: o.target ?? USER, source: { name: 'GuardDuty Finding', occurrence: o.key ?? KEY } }),
  execution: { id: EXECUTION_ARN }, ...(o.dryRun ? { dryRun: true } : {}),
});
const keys = (statuses: Record<string, 'Active' | 'Inactive'>) => ({
  AccessKeyMetadata: Object.entries(statuses).map(([AccessKeyId, Status]) => ({ UserName: USER, AccessKeyId, Status })),
});

describe('deactivate', () => {
  test('records the key as Active before the call, then makes it Inactive (never deletes it); the other key is left alone', async () => {
    iam.on(ListAccessKeysCommand).resolves(keys({ [KEY]: 'Active', [OTHER]: 'Active' }));
    let intentAtCall: unknown;
    iam.on(UpdateAccessKeyCommand).callsFake(async () => {
      intentAtCall = await h.ledger.getAction(incidentId, `deactivate#iam:UpdateAccessKey#${USER}`);
      return {};
    });

    const result = await deactivate(input(), lambdaContext);

    expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 1);
    expect(iam).toHaveReceivedCommandWith(UpdateAccessKeyCommand, { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' });
    expect(intentAtCall).toMatchObject({ status: 'intent', before: { [KEY]: 'Active' } });
    expect(result).toMatchObject({ before: { [KEY]: 'Active' }, after: { [KEY]: 'Inactive' }, replayed: false });
    const [row] = await h.ledger.listActions(incidentId);
    expect(row).toMatchObject({ status: 'succeeded', parameters: { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' } });
  });

  test('a user outside the config is refused before any call', async () => {
    await expect(deactivate(input({ target: 'someone-else' }), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotAllowed' });
    expect(iam.calls()).toHaveLength(0);
  });

  test('a key the user does not have is TargetNotFound, nothing changed, no ledger row', async () => {
    iam.on(ListAccessKeysCommand).resolves(keys({ [OTHER]: 'Active' }));

    await expect(deactivate(input(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound', message: `IAM user ${USER} has no access key ${KEY}` });
    expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
    expect(await h.ledger.listActions(incidentId)).toEqual([]);
  });

  test('an incident naming temporary credentials is InvalidInput in one line, before any call', async () => {
    await expect(deactivate(input({ key: 'ASIAIOSFODNN7EXAMPLE' }), lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('names no IAM user access key (AKIA...)') });
    expect(iam.calls()).toHaveLength(0);
  });

  test('dry run: reads the status, records the exact call as planned, and makes no call', async () => {
    iam.on(ListAccessKeysCommand).resolves(keys({ [KEY]: 'Active' }));

    const result = await deactivate(input({ dryRun: true }), lambdaContext);

    expect(iam).toHaveReceivedCommandTimes(UpdateAccessKeyCommand, 0);
    expect(result).toMatchObject({ planned: true, before: { [KEY]: 'Active' }, after: { [KEY]: 'Inactive' } });
  });
});

describe('inspect', () => {
  test("the key's status", async () => {
    iam.on(ListAccessKeysCommand).resolves(keys({ [KEY]: 'Inactive', [OTHER]: 'Active' }));

    expect(await inspect(input(), lambdaContext)).toEqual({ userName: USER, accessKeyId: KEY, status: 'Inactive' });
    expect(iam).toHaveReceivedCommandWith(ListAccessKeysCommand, { UserName: USER });
  });

  test('a user IAM does not know is TargetNotFound naming it', async () => {
    iam.on(ListAccessKeysCommand).rejects(new NoSuchEntityException({ message: `The user with name ${USER} cannot be found.`, $metadata: { httpStatusCode: 404 } }));

    await expect(inspect(input(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound', message: expect.stringContaining(`The user with name ${USER} cannot be found.`) });
  });
});

describe('activity', () => {
  test('one bounded page of the key\'s events: one AccessKeyId attribute, MaxResults, the configured window', async () => {
    cloudtrail.on(LookupEventsCommand).resolves({
      Events: [{ EventName: 'ListBuckets', EventSource: 's3.amazonaws.com', EventTime: new Date('2026-12-06T21:15:00Z'), CloudTrailEvent: JSON.stringify({ sourceIPAddress: '198.51.100.23' }) }],
    });

    const result = await activity(input(), lambdaContext);

    const sent = cloudtrail.commandCalls(LookupEventsCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({ LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: KEY }], MaxResults: 50 });
    expect(sent.EndTime!.getTime() - sent.StartTime!.getTime()).toBe(72 * 3_600_000);
    expect(result).toMatchObject({ accessKeyId: KEY, calls: [expect.objectContaining({ eventName: 'ListBuckets', sourceIPAddress: '198.51.100.23' })] });
  });

  test('access denied is reported as evidence unavailable (the key stays inactive); throttling is thrown to be retried', async () => {
    cloudtrail.on(LookupEventsCommand).rejectsOnce(new AccessDeniedException({ message: 'not authorized', $metadata: { httpStatusCode: 400 } }))
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

    expect(await activity(input(), lambdaContext)).toMatchObject({ calls: [], summary: expect.stringMatching(/^evidence unavailable: /) });
    await expect(activity(input(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
  });
});
