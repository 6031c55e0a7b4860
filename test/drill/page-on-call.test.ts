import type { AwsCallReceived } from '../../drill/drill';
import { SEED_PROCEDURES } from '../../runbooks/seed-procedures';
import { runDrill, scenario } from './run-drill';
import { NAT_INSTANCE } from '../../drill/sandbox/seed-nat-instance';
import { CLOUDTRAIL_LOG_GROUP, INTRUDER_SECRET_ID, INTRUDER_SESSION_KEY, UNAUTHORIZED_PATTERN } from '../../drill/sandbox/seed-unauthorized-calls';

const callsOf = (r: unknown) => (r as { calls: AwsCallReceived[] }).calls;
const of = (calls: readonly AwsCallReceived[], service: string, operation: string) => calls.filter((c) => c.service === service && c.operation === operation);
const published = (calls: readonly AwsCallReceived[], topic: 'critical' | 'info') => of(calls, 'sns', 'Publish').filter((c) => String(c.input.TopicArn).endsWith(`-${topic}`));
/** Every call besides admit's switch reads, the ledger's, the notifications, the report and the signing key of the links: none. */
const others = (calls: readonly AwsCallReceived[]) => calls.filter((c) => !['GetParameters', 'Publish', 'PutObject', 'GetSecretValue'].includes(c.operation) && c.service !== 'dynamodb');

const NAT_EVENT = 'events/samples/page-on-call-nat-instance-down.alarm.json';
const UNAUTHORIZED_EVENT = 'events/samples/page-on-call-unauthorized-access.alarm.json';
// The contract suite's run of its recorded event and samples (the same command runs once).
const EVENTS = [
  'events/page-on-call.alarm.json', 'events/samples/page-on-call-position-stuck.alarm.json', 'events/samples/page-on-call-break-glass.assume-role-with-saml.json', NAT_EVENT, UNAUTHORIZED_EVENT,
].flatMap((e) => ['--event', e]).concat(['--json', '--calls']);

/** Each page of a level, a notification of its own on the critical topic; then the run's end. */
const PAGES = [1, 2, 3].map(() => ({ outcome: 'escalated', topic: 'critical' }));

test("each configured alarm pages with its seed procedure's steps and the alarm, L1 -> L2 -> L3 while nobody acknowledges, each escalation in the ledger; nothing read, nothing changed", async () => {
  const { code, results: [crashLoop, positionStuck] } = await runDrill(EVENTS);
  expect(code).toBe(0);
  expect(crashLoop).toMatchObject({
    runbook: 'page-on-call', outcome: 'escalated', notifications: [...PAGES, { outcome: 'escalated', topic: 'critical' }], actions: [],
    reason: expect.stringMatching(/^Nobody acknowledged the page at L1, L2 or L3: Seed 001 "Scenario A: single pod crashes": alarm alphaswarm-prod-core-crashloop went to ALARM at 2026-12-06T03:12:41\.377\+0000 on ContainerInsights pod_number_of_container_restarts \{ClusterName=alphaswarm-prod, Namespace=alphaswarm, PodName=alphaswarm-core\} \(Sum, 60 s\)\./),
  });
  // One request per level, each closed by its deadline, the last closed unacknowledged.
  expect(crashLoop!.approvalRequests.map((q) => [q.step, q.level, q.status, q.outcome])).toEqual([
    ['acknowledge', 'L1', 'timed-out', 'no decision by the deadline; escalated to L2'],
    ['acknowledge', 'L2', 'timed-out', 'no decision by the deadline; escalated to L3'],
    ['acknowledge', 'L3', 'timed-out', 'no decision by the deadline at L3; the step is aborted'],
  ]);
  const levels = published(callsOf(crashLoop), 'critical').map((c) => String(c.input.Message));
  for (const level of ['L1', 'L2', 'L3']) expect([level, levels.some((m) => m.includes(`${level}: Seed 001`))]).toEqual([level, true]);
  const page = levels.join('\n');
  for (const step of SEED_PROCEDURES['pod-crashes'].steps) expect(page).toContain(step);
  expect(page).toContain('Threshold Crossed: 3 out of the last 3 datapoints');
  expect(others(callsOf(crashLoop))).toEqual([]);

  expect(positionStuck).toMatchObject({
    outcome: 'escalated', notifications: [...PAGES, { outcome: 'escalated', topic: 'critical' }],
    reason: expect.stringContaining('Seed 004 "Position Stuck" (Critical): alarm tradai-prod-position-stuck went to ALARM'),
  });
  expect(positionStuck!.reason).toContain('expression stuck = open - tracked (positions open on the exchange that the strategy does not track); TradAI/Trading ExchangeOpenPositions {Environment=prod} (Maximum, 300 s)');
  expect(others(callsOf(positionStuck))).toEqual([]);
});

test('switched off, the alarm pages nobody: the info topic is told why', async () => {
  const { results: [r] } = await runDrill(['--scenario', scenario('page-on-call-switched-off'), '--event', 'events/page-on-call.alarm.json', '--json', '--calls']);
  expect(r).toMatchObject({ outcome: 'skipped', notifications: [{ outcome: 'skipped', topic: 'info' }], reason: expect.stringContaining('page-on-call is switched off') });
  expect(published(callsOf(r), 'critical')).toEqual([]);
});

test('acknowledged at L1: the page stops escalating, and the ledger records who acknowledged it and when', async () => {
  // The contract suite's run with an approver (the same command runs once): alice opens her own link and acknowledges.
  const { results: [r] } = await runDrill(['--event', 'events/page-on-call.alarm.json', '--env', 'staging', '--approve', 'alice', '--json', '--calls']);
  expect(r).toMatchObject({
    outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }, { outcome: 'escalated', topic: 'critical' }],
    reason: expect.stringMatching(/^Acknowledged by alice at L1: the page stops escalating\. Seed 001 "Scenario A: single pod crashes"/),
    approvals: [{ approver: 'alice', decision: 'acknowledged', level: 'L1' }],
  });
  expect(r!.approvalRequests.map((q) => [q.level, q.status])).toEqual([['L1', 'acknowledged']]);
  // Besides the pages: the acknowledgement told to the step.
  expect(others(callsOf(r)).map((c) => `${c.service}:${c.operation}`)).toEqual(['states:SendTaskSuccess']);
});

test("a level with a pager topic of its own is paged there, the level named; a level without, on the critical topic", async () => {
  const { results: [r] } = await runDrill(['--scenario', scenario('page-on-call-level-topics'), '--event', 'events/page-on-call.alarm.json', '--json', '--calls']);
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringMatching(/^Nobody acknowledged the page at L1, L2 or L3/) });
  const pages = of(callsOf(r), 'sns', 'Publish').filter((c) => !String(c.input.TopicArn).endsWith('-approvals'))
    .map((c) => [String(c.input.TopicArn).split(':').at(-1), (/escalated - (L[123]): Seed 001/.exec(String(c.input.Message)) ?? [])[1] ?? 'end']);
  expect(pages).toEqual([
    ['runbook-autopilot-drill-critical', 'L1'], ['alphaswarm-prod-oncall-senior', 'L2'], ['alphaswarm-prod-oncall-platform', 'L3'], ['runbook-autopilot-drill-critical', 'end'],
  ]);
});

test("seed 000's break-glass role: its assumption pages with who, from where, when and the session, L1 -> L2 -> L3; nothing changed, and its credentials reach nothing", async () => {
  // The contract suite's run of this sample (the same command runs once).
  const { code, stdout, results: [r] } = await runDrill(['--event', 'events/samples/page-on-call-break-glass.assume-role-with-saml.json', '--json', '--calls']);
  expect(code).toBe(0);
  expect(r).toMatchObject({
    runbook: 'page-on-call', outcome: 'escalated', notifications: [...PAGES, { outcome: 'escalated', topic: 'critical' }], actions: [],
    reason: expect.stringMatching(/^Nobody acknowledged the page at L1, L2 or L3: Seed 000 "The break-glass role alarms on every assumption": dana\.ops@alphaswarm\.example assumed the break-glass role arn:aws:iam::111122223333:role\/aws-reserved\/sso\.amazonaws\.com\/sa-east-1\/AWSReservedSSO_AlphaSwarm-BreakGlass_4c2d9a7e1b0f3865 in account 111122223333 at 2026-12-06T04:02:17Z from 198\.51\.100\.23 \(Mozilla\/5\.0 .+\) by AssumeRoleWithSAML; session arn:aws:sts::111122223333:assumed-role\/AWSReservedSSO_AlphaSwarm-BreakGlass_4c2d9a7e1b0f3865\/dana\.ops@alphaswarm\.example/),
  });
  expect(r!.approvalRequests.map((q) => [q.level, q.status])).toEqual([['L1', 'timed-out'], ['L2', 'timed-out'], ['L3', 'timed-out']]);
  const levels = published(callsOf(r), 'critical').map((c) => String(c.input.Message));
  for (const level of ['L1', 'L2', 'L3']) expect([level, levels.some((m) => m.includes(`${level}: Seed 000`) && m.includes("dana.ops@alphaswarm.example assumed the break-glass role"))]).toEqual([level, true]);
  // The page as a person reads it (the message's email text).
  const page = levels.map((m) => (JSON.parse(m) as { email: string }).email).join('\n');
  for (const step of SEED_PROCEDURES['break-glass-assumed'].steps!) expect(page).toContain(step);
  // Nothing read, nothing changed: the pages, the ledger and the report only.
  expect(others(callsOf(r))).toEqual([]);
  // The record's response holds the session's credentials, as CloudTrail records them: none reaches a page, the ledger, the report or the output.
  expect([stdout.includes('DRILL-BREAKGLASS-SESSION-TOKEN'), stdout.includes('ASIAXBREAKGLASSDRILL')]).toEqual([false, false]);
});

/** What a person reads: each page's email text on the critical topic. */
const pagesOf = (r: unknown) => published(callsOf(r), 'critical').map((c) => (JSON.parse(String(c.input.Message)) as { email: string }).email);

test("seed 004's NAT Instance Down: the page carries the instance's status checks, scheduled events, state and the subnets that lose egress; it reads EC2 only, changes nothing", async () => {
  const { code, results: [, , , nat] } = await runDrill(EVENTS);
  expect(code).toBe(0);
  expect(nat).toMatchObject({ runbook: 'page-on-call', outcome: 'escalated', actions: [], notifications: [...PAGES, { outcome: 'escalated', topic: 'critical' }] });
  const evidence = /Evidence: (.*?) No machine runs this procedure/s.exec(nat!.reason)?.[1];
  expect(evidence).toBe(`instance ${NAT_INSTANCE} (alphaswarm-prod-nat-a) in sa-east-1a is running; system status check impaired (reachability failed since 2026-12-06T05:19:30.000Z), `
    + 'instance status check insufficient-data; scheduled instance-retirement from 2026-12-08T05:00:00.000Z: The instance is running on degraded hardware; '
    + '2 route table(s) send traffic through it: rtb-0d4e5f6a7b8c9d0e1 (0.0.0.0/0; subnets subnet-0a1b2c3d4e5f60718), rtb-0e5f6a7b8c9d0e1f2 (0.0.0.0/0; subnets subnet-0b2c3d4e5f6071829): '
    + 'subnets subnet-0a1b2c3d4e5f60718, subnet-0b2c3d4e5f6071829 lose internet egress while it is down; source/destination check off, as a NAT instance needs.');
  // Every level's page carries it, with the seed's steps.
  const pages = pagesOf(nat);
  expect(pages.filter((m) => m.includes(evidence!) && m.includes(SEED_PROCEDURES['nat-instance-down'].steps![2]!)).length).toBe(4);
  // Its reads, as sent (at once: in any order): the instance's checks whatever its state, the instance, the route tables through it; nothing else.
  expect(others(callsOf(nat)).map((c) => [c.service, c.operation, c.input]).sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : 1))).toEqual([
    ['ec2', 'DescribeInstanceStatus', { InstanceId: [NAT_INSTANCE], IncludeAllInstances: 'true' }],
    ['ec2', 'DescribeInstances', { InstanceId: [NAT_INSTANCE] }],
    ['ec2', 'DescribeRouteTables', { MaxResults: '100', Filter: [{ Name: 'route.instance-id', Value: [NAT_INSTANCE] }] }],
  ]);
});

test("seed 004's Unauthorized Access: the page lists the denied calls in the alarm's window per caller, and no credential, session or request field of the records reaches a page, the ledger or the output", async () => {
  const { code, stdout, results: [, , , , denied] } = await runDrill(EVENTS);
  expect(code).toBe(0);
  expect(denied).toMatchObject({ runbook: 'page-on-call', outcome: 'escalated', actions: [] });
  expect(denied!.reason).toContain('Evidence: 8 denied call(s) between 2026-12-06T04:10:00.000Z and 2026-12-06T04:15:09.602Z in CloudTrail log group aws-cloudtrail-logs-111122223333-management, by 2 caller(s): '
    + 'arn:aws:sts::111122223333:assumed-role/alphaswarm-deploy/intruder from 198.51.100.23: 7 denied, 2026-12-06T04:10:12Z to 2026-12-06T04:13:40Z '
    + '(ec2:DescribeInstances Client.UnauthorizedOperation x2, secretsmanager:GetSecretValue AccessDenied x2, ec2:DescribeSecurityGroups Client.UnauthorizedOperation, iam:ListUsers AccessDenied, s3:GetBucketPolicy AccessDenied); '
    + 'arn:aws:iam::111122223333:user/alphaswarm-ci-deployer from 198.51.100.23: 1 denied, at 2026-12-06T04:14:18Z (iam:CreateAccessKey AccessDenied).');
  expect(pagesOf(denied).every((m) => m.includes('by 2 caller(s)') && m.includes(SEED_PROCEDURES['unauthorized-access'].steps![2]!))).toBe(true);
  // The read, as sent: the configured group, the alarm's pattern, its window.
  expect(others(callsOf(denied)).map((c) => [c.service, c.operation, c.input])).toEqual([['logs', 'FilterLogEvents', {
    logGroupName: CLOUDTRAIL_LOG_GROUP, filterPattern: UNAUTHORIZED_PATTERN, startTime: Date.parse('2026-12-06T04:10:00Z'), endTime: Date.parse('2026-12-06T04:15:09.602Z'), limit: 1000,
  }]]);
  // The records hold the session's access key id, its context, request parameters (a secret's name, a bucket) and TLS details: none is shown.
  const output = stdout.split('\n').filter((line) => line.includes('alphaswarm-prod-unauthorized-api-calls')).join('\n');
  expect(output.length).toBeGreaterThan(0);
  for (const field of [INTRUDER_SESSION_KEY, 'AKIAIOSFODNN7EXAMPLE', INTRUDER_SECRET_ID, 'alphaswarm-prod-terraform-state', 'AROAJEXAMPLEDEPLOY01', 'sessionContext', 'requestParameters', 'tlsDetails', 'TLS_AES_128_GCM_SHA256']) {
    expect([field, stdout.includes(field)]).toEqual([field, false]);
  }
});

test('evidence is best-effort: a read refused pages with the refusal named; a read that keeps failing after its retries pages without the evidence, saying so', async () => {
  const { code, results: [nat, denied] } = await runDrill([
    '--event', NAT_EVENT, '--event', UNAUTHORIZED_EVENT, '--fault', 'ec2:DescribeRouteTables=access-deniedx1', '--fault', 'logs:FilterLogEvents=server-errorx100', '--json', '--calls',
  ]);
  expect(code).toBe(0);
  expect(nat).toMatchObject({ outcome: 'escalated', notifications: [...PAGES, { outcome: 'escalated', topic: 'critical' }] });
  // The status checks and state were read: only the route tables are said to be unread.
  expect(nat!.reason).toContain(`Evidence: instance ${NAT_INSTANCE} (alphaswarm-prod-nat-a) in sa-east-1a is running; system status check impaired`);
  expect(nat!.reason).toContain(`source/destination check off, as a NAT instance needs; could not read the route tables through it (AwsAccessDenied: ec2:DescribeRouteTables through ${NAT_INSTANCE}: UnauthorizedOperation: You are not authorized to perform this operation.`);
  expect(nat!.reason).not.toContain('no route table sends traffic through it');
  expect(denied).toMatchObject({ outcome: 'escalated', notifications: [...PAGES, { outcome: 'escalated', topic: 'critical' }] });
  expect(denied!.reason).toMatch(/^Nobody acknowledged the page at L1, L2 or L3: The evidence could not be read \(AwsUnavailable\): look it up by hand\. Seed 004 "Unauthorized Access" \(Critical\): alarm alphaswarm-prod-unauthorized-api-calls went to ALARM/);
  expect(of(callsOf(denied), 'logs', 'FilterLogEvents').length).toBeGreaterThan(1);
});
