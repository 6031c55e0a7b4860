/**
 * page-on-call's evidence for seed 004's NAT Instance Down and Unauthorized Access: the NAT
 * instance in words (checks, events, state, routes, a source/destination check left on), the
 * denied calls per caller with nothing of a record but who, where, what and when, the alarm's
 * window, and a read that fails said in the page.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AwsAccessDenied, AwsThrottled } from '../../../lambdas/shared/errors';
import { CIS_UNAUTHORIZED_PATTERN, deniedCalls } from '../../../runbooks/page-on-call/denied-calls';
import { alarmWindow, gatherEvidence, type Readers } from '../../../runbooks/page-on-call/evidence';
import { natEvidence } from '../../../runbooks/page-on-call/nat-evidence';
import { alarmStateChangeSchema, pageFor } from '../../../runbooks/page-on-call/page';
import type { InstanceStatusView, InstanceView, RouteTableView } from '../../../lambdas/aws/ec2';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const ROOT = path.join(__dirname, '..', '..', '..');
const recorded = (name: string) => alarmStateChangeSchema.parse(JSON.parse(fs.readFileSync(path.join(ROOT, 'events', 'samples', name), 'utf8')));
const NAT_EVENT = recorded('page-on-call-nat-instance-down.alarm.json');
const DENIED_EVENT = recorded('page-on-call-unauthorized-access.alarm.json');
const PROCEDURES = { 'alphaswarm-prod-nat-a-status-check': 'nat-instance-down', 'alphaswarm-prod-unauthorized-api-calls': 'unauthorized-access' } as const;
const NAT = 'i-0a7f3c9e21b4d5068';

const running: InstanceView = { instanceId: NAT, state: 'running', stateReason: null, stateTransitionReason: null, sourceDestCheck: false, availabilityZone: 'sa-east-1a', name: 'nat-a' };
const impaired: InstanceStatusView = {
  system: { status: 'impaired', reachability: 'failed', impairedSince: '2026-12-06T05:19:30.000Z' },
  instance: { status: 'ok', reachability: 'passed', impairedSince: null }, events: [],
};
const table = (id: string, subnets: string[], main = false): RouteTableView => ({ routeTableId: id, main, subnets, destinations: ['0.0.0.0/0'] });
const ok = <T>(value: T) => ({ ok: true, value }) as const;
const refused = (error: string) => ({ ok: false, error }) as const;

describe('the NAT instance in words', () => {
  test('its checks, the route tables through it and the subnets that lose egress, once each', () => {
    const e = natEvidence(NAT, ok(running), ok(impaired), ok([table('rtb-a', ['subnet-a', 'subnet-c']), table('rtb-b', ['subnet-b', 'subnet-c'])]));
    expect(e.subnetsLosingEgress).toEqual(['subnet-a', 'subnet-c', 'subnet-b']);
    expect(e.warnings).toEqual([]);
    expect(e.summary).toBe(`instance ${NAT} (nat-a) in sa-east-1a is running; system status check impaired (reachability failed since 2026-12-06T05:19:30.000Z), instance status check ok (reachability passed); `
      + '2 route table(s) send traffic through it: rtb-a (0.0.0.0/0; subnets subnet-a, subnet-c), rtb-b (0.0.0.0/0; subnets subnet-b, subnet-c): subnets subnet-a, subnet-c, subnet-b lose internet egress while it is down; '
      + 'source/destination check off, as a NAT instance needs.');
  });

  test('a source/destination check left on, and a main route table, are warned of; a stopped instance says why', () => {
    const stopped = { ...running, state: 'stopped', stateReason: 'Client.UserInitiatedShutdown: User initiated shutdown', sourceDestCheck: true };
    const e = natEvidence(NAT, ok(stopped), ok(null), ok([table('rtb-main', [], true)]));
    expect(e.warnings).toEqual([
      `its source/destination check is ON: a NAT instance must have it off (aws ec2 modify-instance-attribute --instance-id ${NAT} --no-source-dest-check), or it drops the traffic it should forward`,
      "rtb-main is the VPC's main route table: every subnet without a table of its own sends its egress through this instance too",
    ]);
    expect(e.summary).toMatch(/^instance i-0a7f3c9e21b4d5068 \(nat-a\) in sa-east-1a is stopped \(Client\.UserInitiatedShutdown: User initiated shutdown\); EC2 reports no status checks for it; .* Warning: its source\/destination check is ON/);
    expect(e.summary).not.toContain('as a NAT instance needs');
  });

  test('an instance EC2 does not know, and one no route goes through', () => {
    expect(natEvidence(NAT, ok(null), ok(null), ok([])).summary).toBe(`EC2 does not know instance ${NAT} (terminated long ago, or another account or region); no route table sends traffic through it.`);
  });

  test('a read that failed is said, and its part is not read as none: the other reads stand', () => {
    const e = natEvidence(NAT, ok(running), ok(impaired), refused('AwsAccessDenied: no'));
    expect([e.read, e.routeTables, e.unread]).toEqual(['partial', null, ['the route tables through it (AwsAccessDenied: no)']]);
    expect(e.summary).toBe(`instance ${NAT} (nat-a) in sa-east-1a is running; system status check impaired (reachability failed since 2026-12-06T05:19:30.000Z), instance status check ok (reachability passed); `
      + 'source/destination check off, as a NAT instance needs; could not read the route tables through it (AwsAccessDenied: no): look it up by hand.');
    expect(natEvidence(NAT, refused('a'), refused('b'), ok([])).summary).toBe(`instance ${NAT}; no route table sends traffic through it; could not read its state (a), its status checks (b): look it up by hand.`);
  });
});

const trail = (fields: Record<string, unknown>) => JSON.stringify({
  eventTime: '2026-12-06T04:11:00Z', eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', errorCode: 'Client.UnauthorizedOperation', sourceIPAddress: '198.51.100.23',
  userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/r/s', accessKeyId: 'ASIASECRETKEYID00001', sessionContext: { sessionIssuer: { arn: 'x' } } },
  requestParameters: { secretId: 'the-secret-name' }, responseElements: { credentials: { sessionToken: 'TOKEN-VALUE' } }, ...fields,
});
const WINDOW = { logGroup: 'trail', filterPattern: CIS_UNAUTHORIZED_PATTERN, from: new Date('2026-12-06T04:10:00Z'), to: new Date('2026-12-06T04:15:00Z'), truncated: false };

describe('the denied calls, per caller', () => {
  test('grouped by principal and address, counted per call and error, the most denied first, with first and last times', () => {
    const e = deniedCalls([
      trail({}), trail({ eventTime: '2026-12-06T04:13:00Z' }), trail({ eventName: 'ListUsers', eventSource: 'iam.amazonaws.com', errorCode: 'AccessDenied', eventTime: '2026-12-06T04:12:00Z' }),
      trail({ sourceIPAddress: '203.0.113.9' }),
      trail({ userIdentity: { type: 'AWSService', invokedBy: 'config.amazonaws.com' } }),
      'not json', JSON.stringify({ no: 'fields' }),
    ], WINDOW);
    expect(e.callers).toEqual([
      {
        principal: 'arn:aws:sts::111122223333:assumed-role/r/s', sourceIp: '198.51.100.23', count: 3, first: '2026-12-06T04:11:00Z', last: '2026-12-06T04:13:00Z',
        calls: [{ call: 'ec2:DescribeInstances', errorCode: 'Client.UnauthorizedOperation', count: 2 }, { call: 'iam:ListUsers', errorCode: 'AccessDenied', count: 1 }],
      },
      { principal: 'arn:aws:sts::111122223333:assumed-role/r/s', sourceIp: '203.0.113.9', count: 1, first: '2026-12-06T04:11:00Z', last: '2026-12-06T04:11:00Z', calls: [{ call: 'ec2:DescribeInstances', errorCode: 'Client.UnauthorizedOperation', count: 1 }] },
      { principal: 'AWSService config.amazonaws.com', sourceIp: '198.51.100.23', count: 1, first: '2026-12-06T04:11:00Z', last: '2026-12-06T04:11:00Z', calls: [{ call: 'ec2:DescribeInstances', errorCode: 'Client.UnauthorizedOperation', count: 1 }] },
    ]);
    expect([e.denied, e.unreadable]).toEqual([5, 2]);
    expect(e.summary).toBe('5 denied call(s) between 2026-12-06T04:10:00.000Z and 2026-12-06T04:15:00.000Z in CloudTrail log group trail, by 3 caller(s): '
      + 'arn:aws:sts::111122223333:assumed-role/r/s from 198.51.100.23: 3 denied, 2026-12-06T04:11:00Z to 2026-12-06T04:13:00Z (ec2:DescribeInstances Client.UnauthorizedOperation x2, iam:ListUsers AccessDenied); '
      + 'arn:aws:sts::111122223333:assumed-role/r/s from 203.0.113.9: 1 denied, at 2026-12-06T04:11:00Z (ec2:DescribeInstances Client.UnauthorizedOperation); '
      + 'AWSService config.amazonaws.com from 198.51.100.23: 1 denied, at 2026-12-06T04:11:00Z (ec2:DescribeInstances Client.UnauthorizedOperation); 2 record(s) unreadable.');
    // Nothing of a record but who, where, what and when: no key id, session, request or response.
    const text = JSON.stringify(e);
    for (const field of ['ASIASECRETKEYID00001', 'sessionContext', 'the-secret-name', 'TOKEN-VALUE', 'requestParameters']) expect([field, text.includes(field)]).toEqual([field, false]);
  });

  test('none in the window says the calls may not be delivered yet; a read cut short says its counts are a floor', () => {
    expect(deniedCalls([], WINDOW).summary).toBe('CloudTrail log group trail holds no denied call between 2026-12-06T04:10:00.000Z and 2026-12-06T04:15:00.000Z: the calls may not have been delivered yet; look again in CloudTrail.');
    expect(deniedCalls([trail({})], { ...WINDOW, truncated: true }).summary).toMatch(/^1\+ denied call\(s\) .*; more were not read \(one bounded read\)\.$/);
  });

  test('at most ten callers and five calls each are named; the evidence keeps 25 callers and ten calls each, and counts the rest', () => {
    const many = Array.from({ length: 12 }, (_, i) => Array.from({ length: 7 }, (_x, j) => trail({ sourceIPAddress: `192.0.2.${i}`, eventName: `Call${j}` }))).flat();
    const e = deniedCalls(many, WINDOW);
    expect([e.callers.length, e.callers[0]!.calls.length, e.callersNotListed, e.denied]).toEqual([12, 7, 0, 84]);
    expect(e.summary).toContain('ec2:Call4 Client.UnauthorizedOperation and 2 more)');
    expect(e.summary).toMatch(/; and 2 more caller\(s\)\.$/);
    const more = deniedCalls(Array.from({ length: 30 }, (_, i) => Array.from({ length: 12 }, (_x, j) => trail({ sourceIPAddress: `192.0.2.${i}`, eventName: `Call${j}` }))).flat(), WINDOW);
    expect([more.callers.length, more.callers[0]!.calls.length, more.callersNotListed, more.denied]).toEqual([25, 10, 5, 360]);
  });
});

describe("the alarm's window", () => {
  test('from the start of the data it evaluated (reasonData) to its state change', () => {
    expect(alarmWindow(DENIED_EVENT)).toEqual({ from: new Date('2026-12-06T04:10:00Z'), to: new Date('2026-12-06T04:15:09.602Z') });
  });

  test('without reasonData, or with one it cannot read: one period of its metric before the change', () => {
    const state = (reasonData?: string) => ({ ...DENIED_EVENT, detail: { ...DENIED_EVENT.detail, state: { ...DENIED_EVENT.detail.state, reasonData } } });
    for (const reasonData of [undefined, 'not json', '{"startDate":"2026-12-06T05:00:00.000+0000"}']) {
      expect(alarmWindow(state(reasonData))).toEqual({ from: new Date('2026-12-06T04:10:09.602Z'), to: new Date('2026-12-06T04:15:09.602Z') });
    }
  });
});

describe('gathering the evidence: best-effort', () => {
  const config = { cloudTrailLogGroup: 'trail', unauthorizedPattern: CIS_UNAUTHORIZED_PATTERN, maxEvents: 50 };
  const readers = (overrides: Partial<Readers['ec2'] & Readers['logs']> = {}): Readers & { sent: unknown[] } => {
    const sent: unknown[] = [];
    return {
      sent,
      ec2: {
        status: overrides.status ?? (async (id) => { sent.push(['status', id]); return impaired; }),
        instance: overrides.instance ?? (async (id) => { sent.push(['instance', id]); return running; }),
        routeTablesThrough: overrides.routeTablesThrough ?? (async (id) => { sent.push(['routes', id]); return [table('rtb-a', ['subnet-a'])]; }),
      },
      logs: { filterWindow: overrides.filterWindow ?? (async (...args) => { sent.push(['logs', ...args]); return { events: [{ timestamp: '', message: trail({}) }], truncated: false }; }) },
    };
  };

  test("the NAT instance is the alarm's InstanceId dimension; the denied calls are read with the configured pattern over the alarm's window", async () => {
    const r = readers();
    const nat = await gatherEvidence('nat-instance-down', pageFor(NAT_EVENT, PROCEDURES), NAT_EVENT, config, r);
    expect(nat).toMatchObject({ kind: 'nat-instance', read: 'ok', instanceId: NAT, subnetsLosingEgress: ['subnet-a'] });
    const denied = await gatherEvidence('unauthorized-access', pageFor(DENIED_EVENT, PROCEDURES), DENIED_EVENT, config, r);
    expect(denied).toMatchObject({ kind: 'unauthorized-calls', read: 'ok', denied: 1 });
    expect(r.sent).toEqual([['status', NAT], ['instance', NAT], ['routes', NAT], ['logs', 'trail', CIS_UNAUTHORIZED_PATTERN, new Date('2026-12-06T04:10:00Z'), new Date('2026-12-06T04:15:09.602Z'), 50]]);
  });

  test('nothing to read: no InstanceId on the alarm, no log group in config; the page says so and reads nothing', async () => {
    const r = readers();
    const noInstance = { ...NAT_EVENT, detail: { ...NAT_EVENT.detail, configuration: { metrics: [] } } };
    await expect(gatherEvidence('nat-instance-down', pageFor(noInstance, PROCEDURES), noInstance, config, r)).resolves.toEqual({
      kind: 'nat-instance', read: 'skipped', summary: 'alarm alphaswarm-prod-nat-a-status-check names no InstanceId dimension: no instance to read; find the NAT instance in the EC2 console.',
    });
    await expect(gatherEvidence('unauthorized-access', pageFor(DENIED_EVENT, PROCEDURES), DENIED_EVENT, { ...config, cloudTrailLogGroup: undefined }, r)).resolves.toMatchObject({ read: 'skipped', summary: expect.stringContaining('no CloudTrail log group') });
    expect(r.sent).toEqual([]);
  });

  test('a refused read is said in the evidence, the others stand; all three refused is a failed read; throttling is thrown for the retries', async () => {
    const denied = async () => { throw new AwsAccessDenied('ec2:DescribeRouteTables through i-0a7f3c9e21b4d5068: UnauthorizedOperation: no'); };
    await expect(gatherEvidence('nat-instance-down', pageFor(NAT_EVENT, PROCEDURES), NAT_EVENT, config, readers({ routeTablesThrough: denied }))).resolves.toMatchObject({
      kind: 'nat-instance', read: 'partial', instance: running, status: impaired, routeTables: null,
      unread: ['the route tables through it (AwsAccessDenied: ec2:DescribeRouteTables through i-0a7f3c9e21b4d5068: UnauthorizedOperation: no)'],
    });
    await expect(gatherEvidence('nat-instance-down', pageFor(NAT_EVENT, PROCEDURES), NAT_EVENT, config, readers({ routeTablesThrough: denied, status: denied, instance: denied })))
      .resolves.toMatchObject({ kind: 'nat-instance', read: 'failed', summary: expect.stringMatching(/^instance i-0a7f3c9e21b4d5068; could not read its state \(AwsAccessDenied: /) });
    await expect(gatherEvidence('unauthorized-access', pageFor(DENIED_EVENT, PROCEDURES), DENIED_EVENT, config, readers({ filterWindow: async () => { throw new AwsAccessDenied('logs:FilterLogEvents on trail: AccessDeniedException: no'); } })))
      .resolves.toEqual({
        kind: 'unauthorized-calls', read: 'failed', error: 'AwsAccessDenied: logs:FilterLogEvents on trail: AccessDeniedException: no',
        summary: 'The denied calls in CloudTrail log group trail could not be read (AwsAccessDenied: logs:FilterLogEvents on trail: AccessDeniedException: no); look it up by hand.',
      });
    const throttled = readers({ filterWindow: async () => { throw new AwsThrottled('logs:FilterLogEvents on trail: ThrottlingException: Rate exceeded'); } });
    await expect(gatherEvidence('unauthorized-access', pageFor(DENIED_EVENT, PROCEDURES), DENIED_EVENT, config, throttled)).rejects.toThrow(AwsThrottled);
  });
});

describe('the evidence handler', () => {
  let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;
  beforeAll(async () => {
    process.env.ALARM_PROCEDURES = JSON.stringify({ ...PROCEDURES, 'alphaswarm-prod-core-crashloop': 'pod-crashes' });
    process.env.EVIDENCE = JSON.stringify({ unauthorizedPattern: CIS_UNAUTHORIZED_PATTERN, maxEvents: 50 });
    handler = (await import('../../../runbooks/page-on-call/handlers/gather-evidence')).handler as unknown as typeof handler;
  });
  const input = (event: unknown) => ({ incident: incident({ runbook: 'page-on-call', target: 'alphaswarm-prod-nat-a-status-check', source: { name: 'alphaswarm-prod-nat-a-status-check' } }), execution: { id: EXECUTION_ARN }, event });

  test('an event without the alarm is refused as invalid input naming the field', async () => {
    await expect(handler(input({ detail: { state: { value: 'ALARM', timestamp: 't' } } }), lambdaContext)).rejects.toThrow('Invalid task input at event.detail.alarmName');
  });

  test('a page-only procedure is paged without evidence; one it answers says why nothing was read', async () => {
    const crash = { ...NAT_EVENT, detail: { ...NAT_EVENT.detail, alarmName: 'alphaswarm-prod-core-crashloop' } };
    await expect(handler(input(crash), lambdaContext)).resolves.toMatchObject({ procedure: { id: 'pod-crashes' }, evidence: null });
    await expect(handler(input(DENIED_EVENT), lambdaContext)).resolves.toMatchObject({
      procedure: { id: 'unauthorized-access' }, evidence: { kind: 'unauthorized-calls', read: 'skipped' }, summary: expect.stringContaining('Evidence: no CloudTrail log group'),
    });
  });
});
