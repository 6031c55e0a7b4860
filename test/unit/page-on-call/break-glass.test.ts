import * as fs from 'node:fs';
import * as path from 'node:path';
import { matchesPattern } from '../../../lambdas/domain/event-pattern';
import { assumedRoleKey, readServiceEvent, stsAssumeRoleSchema, UnreadableServiceEvent, type EventRoute } from '../../../lambdas/domain/service-events';
import { eventRoutes, literalArns, MODULES } from '../../../lib/catalog';
import { loadConfig } from '../../../lib/config/load';
import { pageForAssumption } from '../../../runbooks/page-on-call/page';
import { SEED_PROCEDURES } from '../../../runbooks/seed-procedures';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const ROOT = path.join(__dirname, '..', '..', '..');
/** The recorded CloudTrail record of an IAM Identity Center user assuming the break-glass permission set (its response holds credentials, as AWS records them). */
const recorded = JSON.parse(fs.readFileSync(path.join(ROOT, 'events', 'samples', 'page-on-call-break-glass.assume-role-with-saml.json'), 'utf8')) as Record<string, unknown> & { detail: Record<string, unknown> };
const TOKEN = 'DRILL-BREAKGLASS-SESSION-TOKEN-IQoJb3JpZ2luX2VjEXAMPLEMARKER';
const KEY_ID = 'ASIAXBREAKGLASSDRILL';
const ROLE = 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/sa-east-1/AWSReservedSSO_AlphaSwarm-BreakGlass_4c2d9a7e1b0f3865';
const PREFIX = 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/sa-east-1/AWSReservedSSO_AlphaSwarm-BreakGlass_';
const SESSION = 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AlphaSwarm-BreakGlass_4c2d9a7e1b0f3865/dana.ops@alphaswarm.example';
const ROUTE: EventRoute = { event: 'sts-role-assumed', detail: { eventSource: ['sts.amazonaws.com'], eventName: ['AssumeRoleWithSAML', 'AssumeRole'] } };

const withDetail = (detail: Record<string, unknown>) => ({ ...recorded, detail: { ...recorded.detail, ...detail } });
const withRole = (roleArn: string) => withDetail({ requestParameters: { ...(recorded.detail.requestParameters as object), roleArn } });

describe('the record of a break-glass assumption', () => {
  test('is one incident per record, of the permission set named up to its hash; the credentials are not read', () => {
    const read = readServiceEvent([ROUTE], recorded)!;
    expect(read).toMatchObject({ target: PREFIX, identity: 'sts|a9d2c4e6-1b3f-4a58-9c7e-2d4f6b8a0c15', arn: SESSION, occurrence: 'a9d2c4e6-1b3f-4a58-9c7e-2d4f6b8a0c15' });
    expect(read.summary).toBe(`dana.ops@alphaswarm.example assumed ${ROLE} from 198.51.100.23 at 2026-12-06T04:02:17Z`);
    // Another assumption of the same role, a second later: its own incident.
    expect(readServiceEvent([ROUTE], withDetail({ eventID: 'b0e3d5f7-2c4a-4b69-8d8f-3e5a7c9b1d26' }))!.identity).not.toBe(read.identity);
    const parsed = JSON.stringify(stsAssumeRoleSchema.parse(recorded));
    expect([parsed.includes(TOKEN), parsed.includes(KEY_ID)]).toEqual([false, false]);
  });

  test("a permission set's role is keyed without its hash, any other role by its whole ARN", () => {
    expect(assumedRoleKey(ROLE)).toBe(PREFIX);
    expect(assumedRoleKey('arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_0123456789abcdef')).toBe('arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_');
    expect(assumedRoleKey('arn:aws:iam::111122223333:role/BreakGlass')).toBe('arn:aws:iam::111122223333:role/BreakGlass');
  });

  test('another call of STS, or a record without a role ARN, is refused in one line', () => {
    expect(() => readServiceEvent([ROUTE], withDetail({ eventName: 'GetCallerIdentity' }))).toThrow(UnreadableServiceEvent);
    expect(() => readServiceEvent([ROUTE], withDetail({ requestParameters: {} }))).toThrow(/^malformed AWS API Call via CloudTrail event: .*roleArn/);
  });
});

describe("page-on-call's rule for the break-glass role", () => {
  const config = loadConfig('drill');
  const patterns = eventRoutes(config, literalArns('aws', config.region, '111122223333')).find((r) => r.runbook === 'page-on-call')!.patterns;
  const rule = patterns.find((p) => (p.source as unknown[])[0] === 'aws.sts')!;

  test('matches the configured permission set by its role ARN prefix, AssumeRoleWithSAML and AssumeRole, and no other role', () => {
    expect(rule).toEqual({
      source: ['aws.sts'], 'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['sts.amazonaws.com'], eventName: ['AssumeRoleWithSAML', 'AssumeRole'], requestParameters: { roleArn: [{ prefix: PREFIX }] } },
    });
    expect(matchesPattern(rule, recorded)).toBe(true);
    expect(matchesPattern(rule, withDetail({ eventName: 'AssumeRole' }))).toBe(true);
    expect(matchesPattern(rule, withRole(ROLE.replace('AlphaSwarm-BreakGlass', 'AlphaSwarm-ReadOnly')))).toBe(false);
    expect(matchesPattern(rule, withDetail({ eventName: 'GetCallerIdentity' }))).toBe(false);
  });

  test('a longer permission set name the prefix also matches is not admitted: its key is not a configured target', () => {
    const longer = withRole(ROLE.replace('AlphaSwarm-BreakGlass_', 'AlphaSwarm-BreakGlass_Audit_'));
    expect(matchesPattern(rule, longer)).toBe(true);
    const pageOnCall = MODULES.find((m) => m.name === 'page-on-call')!;
    const targets = pageOnCall.targets(pageOnCall.config.parse(config.runbooks['page-on-call']));
    expect(targets).toContain(PREFIX);
    expect(targets).not.toContain(readServiceEvent([ROUTE], longer)!.target);
  });

  test('without break-glass roles in config, the route has no rule (an empty filter is no pattern EventBridge takes)', () => {
    const bare = { ...config, runbooks: { ...config.runbooks, 'page-on-call': { ...config.runbooks['page-on-call'], breakGlassRoles: [] } } };
    const without = eventRoutes(bare, literalArns('aws', config.region, '111122223333')).find((r) => r.runbook === 'page-on-call')!.patterns;
    expect(without.map((p) => (p.source as unknown[])[0])).toEqual(['aws.cloudwatch']);
  });

  test('config refuses a permission set ARN that runs past its name into the hash', () => {
    const pageOnCall = MODULES.find((m) => m.name === 'page-on-call')!;
    const parsed = pageOnCall.config.safeParse({ enabled: true, breakGlassRoles: [ROLE] });
    expect(parsed.success).toBe(false);
  });
});

describe('the page of an assumption', () => {
  test('says who, from where, when, the session and the seed steps, and holds no credential', () => {
    const page = pageForAssumption(stsAssumeRoleSchema.parse(recorded));
    expect(page.procedure).toMatchObject({ id: 'break-glass-assumed', seed: '000', steps: SEED_PROCEDURES['break-glass-assumed'].steps });
    expect(page.assumption).toEqual({
      call: 'AssumeRoleWithSAML', who: 'dana.ops@alphaswarm.example', identityType: 'SAMLUser',
      principalId: 'Fq1x7T0Zx9h2ExampleIdPQualifier=:dana.ops@alphaswarm.example', identityProvider: 'Fq1x7T0Zx9h2ExampleIdPQualifier=',
      sourceIp: '198.51.100.23', userAgent: expect.stringMatching(/^Mozilla\/5\.0/), at: '2026-12-06T04:02:17Z', roleArn: ROLE,
      account: '111122223333', region: 'sa-east-1', session: SESSION, eventId: 'a9d2c4e6-1b3f-4a58-9c7e-2d4f6b8a0c15',
    });
    expect(page.subject).toBe(SESSION);
    expect(page.summary).toMatch(/^Seed 000 "The break-glass role alarms on every assumption": dana\.ops@alphaswarm\.example assumed the break-glass role arn:aws:iam::111122223333:role\/.+ in account 111122223333 at 2026-12-06T04:02:17Z from 198\.51\.100\.23 \(Mozilla/);
    for (const step of SEED_PROCEDURES['break-glass-assumed'].steps!) expect(page.summary).toContain(step);
    const text = JSON.stringify(page);
    expect([text.includes(TOKEN), text.includes(KEY_ID)]).toEqual([false, false]);
  });

  test('a refused assumption pages too, saying it was refused', () => {
    const page = pageForAssumption(stsAssumeRoleSchema.parse(withDetail({ errorCode: 'AccessDenied', errorMessage: 'Not authorized', responseElements: null })));
    expect(page.summary).toContain('tried to assume the break-glass role (refused: AccessDenied)');
    expect(page.subject).toBe(ROLE);
  });
});

describe('the handler', () => {
  beforeAll(() => {
    process.env.ALARM_PROCEDURES = JSON.stringify({ 'alphaswarm-prod-core-crashloop': 'pod-crashes' });
  });

  test('pages the STS record by its source, and names a bad field of it', async () => {
    const { handler } = await import('../../../runbooks/page-on-call/handlers/read-alarm');
    const input = (event: unknown) => ({ incident: incident({ runbook: 'page-on-call' }), execution: { id: EXECUTION_ARN }, event });
    const page = await handler(input(recorded), lambdaContext);
    expect(page).toMatchObject({ procedure: { id: 'break-glass-assumed' }, subject: SESSION, alarm: null });
    expect(JSON.stringify(page)).not.toContain(TOKEN);
    await expect(handler(input(withDetail({ eventTime: 7 })), lambdaContext)).rejects.toThrow('Invalid task input at event.detail.eventTime');
  });
});
