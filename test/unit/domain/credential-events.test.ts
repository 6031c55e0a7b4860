import * as fs from 'node:fs';
import * as path from 'node:path';
import { matchesPattern } from '../../../lambdas/domain/event-pattern';
import { eventRulePattern, readServiceEvent, UnreadableServiceEvent, type EventRoute } from '../../../lambdas/domain/service-events';
import credentialExposure from '../../../runbooks/credential-exposure/runbook';

const ROOT = path.join(__dirname, '..', '..', '..');
/** A recorded event, loosely typed: the tests change its fields to make the shapes AWS may send. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const load = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as Json;
const FINDING = load('events/credential-exposure.event.json');
const HEALTH = load('events/samples/credential-exposure-health.event.json');
const ROUTES = credentialExposure.events!.routes;
const [GUARDDUTY, HEALTH_ROUTE] = ROUTES as [EventRoute, EventRoute];
const USER = 'alphaswarm-ci-deployer';
const KEY = 'AKIAIOSFODNN7EXAMPLE';

/** The recorded event with its detail changed by `edit`. */
const changed = (event: Json, edit: (e: Json) => void) => {
  const copy = structuredClone(event);
  edit(copy);
  return copy;
};

describe('GuardDuty finding on an access key', () => {
  test('names the user as the target and the key as the occurrence; one incident per finding and key', () => {
    const read = readServiceEvent(ROUTES, FINDING)!;

    expect(read).toMatchObject({ target: USER, occurrence: KEY, identity: `guardduty|${FINDING.detail.id}|${KEY}`, time: FINDING.time });
    expect(read.summary).toBe(`GuardDuty CredentialAccess:IAMUser/AnomalousBehavior on access key ${KEY} of IAM user ${USER}`);
  });

  test('GuardDuty sending the finding again as it updates it is the same occurrence', () => {
    const updated = changed(FINDING, (e) => {
      e.id = 'another-delivery'; e.detail.updatedAt = '2026-12-06T22:10:00.000Z'; e.detail.service.count = 4;
    });

    expect(readServiceEvent(ROUTES, updated)!.identity).toBe(readServiceEvent(ROUTES, FINDING)!.identity);
  });

  test.each([
    ['temporary credentials (an instance role session)', (e: Json) => {
      e.detail.type = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS';
      e.detail.resource.accessKeyDetails = { accessKeyId: 'ASIAIOSFODNN7EXAMPLE', userName: USER, userType: 'AssumedRole' };
    }, 'names temporary credentials (ASIAIOSFODNN7EXAMPLE, user type AssumedRole)'],
    ['no key id', (e: Json) => { delete e.detail.resource.accessKeyDetails.accessKeyId; }, 'names no access key id'],
    ['a key id that is none', (e: Json) => { e.detail.resource.accessKeyDetails.accessKeyId = 'GeneratedFindingAccessKeyId'; }, 'is not an access key id'],
    ['no user', (e: Json) => { delete e.detail.resource.accessKeyDetails.userName; }, `names access key ${KEY} but no IAM user: nothing changed`],
  ])('a finding with %s is refused in one line', (_what, edit, message) => {
    expect(() => readServiceEvent(ROUTES, changed(FINDING, edit))).toThrow(UnreadableServiceEvent);
    expect(() => readServiceEvent(ROUTES, changed(FINDING, edit))).toThrow(message);
  });

  test('a finding without resource.accessKeyDetails is malformed, naming the field', () => {
    expect(() => readServiceEvent(ROUTES, changed(FINDING, (e) => { delete e.detail.resource.accessKeyDetails; })))
      .toThrow(/malformed GuardDuty Finding event: detail\.resource\.accessKeyDetails/);
  });

  test("the rule matches the configured users' findings of the listed types only", () => {
    const pattern = eventRulePattern(GUARDDUTY, [USER]);

    expect(matchesPattern(pattern, FINDING)).toBe(true);
    expect(matchesPattern(pattern, changed(FINDING, (e) => { e.detail.resource.accessKeyDetails.userName = 'someone-else'; }))).toBe(false);
    expect(matchesPattern(pattern, changed(FINDING, (e) => { e.detail.type = 'Recon:IAMUser/MaliciousIPCaller'; }))).toBe(false);
    expect(matchesPattern(pattern, changed(FINDING, (e) => { e.detail.resource.resourceType = 'Instance'; }))).toBe(false);
  });
});

describe('AWS Health AWS_RISK_CREDENTIALS_EXPOSED', () => {
  test('the key from the affected entity, the user from the IAM user ARN in resources', () => {
    expect(readServiceEvent(ROUTES, HEALTH)).toMatchObject({ target: USER, occurrence: KEY, identity: `health|${HEALTH.detail.eventArn}|${KEY}` });
  });

  test('a user ARN with a path, given as an affected entity, names the user', () => {
    const withPath = changed(HEALTH, (e) => {
      e.resources = [];
      e.detail.affectedEntities = [{ entityValue: KEY }, { entityValue: `arn:aws:iam::111122223333:user/ci/${USER}` }];
    });

    expect(readServiceEvent(ROUTES, withPath)).toMatchObject({ target: USER, occurrence: KEY });
  });

  test('the key alone (AWS documents this shape) is refused in one line that says what to do, nothing changed', () => {
    const keyOnly = changed(HEALTH, (e) => { e.resources = []; });

    expect(() => readServiceEvent(ROUTES, keyOnly))
      .toThrow(`AWS Health Event event names access key ${KEY} but no IAM user: nothing changed; find its user (aws iam get-access-key-last-used --access-key-id ${KEY}) and deactivate it by hand`);
  });

  test('the rule has no target filter (the event may not name the user) and matches this event type only', () => {
    const pattern = eventRulePattern(HEALTH_ROUTE, [USER]);

    expect(pattern).toEqual({ source: ['aws.health'], 'detail-type': ['AWS Health Event'], detail: { service: ['RISK'], eventTypeCode: ['AWS_RISK_CREDENTIALS_EXPOSED'] } });
    expect(matchesPattern(pattern, HEALTH)).toBe(true);
    expect(matchesPattern(pattern, changed(HEALTH, (e) => { e.detail.eventTypeCode = 'AWS_EC2_OPERATIONAL_ISSUE'; }))).toBe(false);
  });
});
