/**
 * credential-exposure (seed 004 "Credential Exposure: rotate immediately, audit access"), its IAM
 * access key path: a GuardDuty finding on a configured IAM user's access key, or AWS Health's
 * AWS_RISK_CREDENTIALS_EXPOSED naming it, deactivates the key at once (UpdateAccessKey Inactive,
 * never deleted, no approval in any environment: it is containment, like the emergency stop), checks
 * it is inactive, reads what the key did recently (CloudTrail LookupEvents) into the critical page.
 * The undo makes it Active again, only as approved, in every environment. The rotation of a
 * configured secret (seed 000 "Rotate Cloudflare origin secret": a new SecureString version and the
 * services' redeployments) is a second path this module does not have yet (docs/runbooks).
 */
import { z } from 'zod';
import { runbookBase } from '../config';
import { json, type Arns, type HandlerDef } from '../kit';
import { defineRunbook } from '../module';
import definition from './statemachine';

/** IAM user names: letters, digits and + = , . @ _ - (IAM's own rule), up to 64. */
const userName = z.string().min(1).max(64).regex(/^[\w+=,.@-]+$/, 'an IAM user name (letters, digits and + = , . @ _ -)');
/** An IAM path: / or /segments/. */
const iamPath = z.string().max(512).regex(/^\/([\w+=,.@-]+\/)*$/, 'an IAM path (/ or /a/b/)').default('/');

/**
 * GuardDuty's finding types on IAM credentials that start it (GuardDuty IAM finding types, resource
 * type AccessKey). InstanceCredentialExfiltration names an instance role's session credentials
 * (ASIA..., user type AssumedRole): such a finding reaches it only for a configured user's name, and
 * admit refuses it in one line (there is no key to deactivate; the role's sessions are revoked instead).
 */
const FINDING_TYPES = [
  'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
  'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
  'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
  'UnauthorizedAccess:IAMUser/TorIPCaller',
  'CredentialAccess:IAMUser/AnomalousBehavior',
  'InitialAccess:IAMUser/AnomalousBehavior',
  'Exfiltration:IAMUser/AnomalousBehavior',
  'Persistence:IAMUser/AnomalousBehavior',
  'PrivilegeEscalation:IAMUser/AnomalousBehavior',
];

const config = z.strictObject({
  ...runbookBase,
  /** The IAM users whose access keys it may deactivate. */
  targets: z.array(z.strictObject({ userName, path: iamPath })).min(1),
  /** Seed 004 "audit access": how far back, and how many of the key's newest management events, the page lists. */
  activity: z.strictObject({
    lookbackHours: z.number().int().min(1).max(24 * 90).default(72),
    /** LookupEvents returns at most 50 a page: one page is read. */
    maxEvents: z.number().int().min(1).max(50).default(50),
  }).default({ lookbackHours: 72, maxEvents: 50 }),
});
export type CredentialExposureConfig = z.infer<typeof config>;

const userNames = (c: CredentialExposureConfig) => c.targets.map((t) => t.userName);
const userArns = (c: CredentialExposureConfig, arns: Arns) => c.targets.map((t) => arns.iamUser(t.userName, t.path));

export default defineRunbook({
  name: 'credential-exposure',
  answers: ['credential-exposure'],
  config,
  targets: userNames,
  events: {
    kind: 'event',
    routes: [
      { event: 'guardduty-access-key-finding', detail: { type: FINDING_TYPES, resource: { resourceType: ['AccessKey'] } } },
      { event: 'health-credentials-exposed', detail: { service: ['RISK'], eventTypeCode: ['AWS_RISK_CREDENTIALS_EXPOSED'] } },
    ],
    // GuardDuty names the user: its rule matches the configured ones. Health's rule has no target field (it may name the key only).
    targetValues: ({ config: c }) => userNames(c),
  },
  // An operator who learns of a leak another way (a message, a scanner) starts it by hand on the user and key:
  // `autopilot start credential-exposure --target <user> --occurrence <access key id> --reason ...`.
  manualStart: { occurrence: "an IAM user's access key id (AKIA...)", pattern: '^AKIA[A-Z0-9]{16}$' },
  stateMachine: { definition },
  handlers: ({ config: c, arns }): HandlerDef[] => {
    const users = userArns(c, arns);
    return [
      {
        id: 'CredentialExposureInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/credential-exposure/handlers/inspect.ts', usesLedger: false,
        description: 'credential-exposure: read the exposed access key status', environment: {},
        permissions: [{ actions: ['iam:ListAccessKeys'], resources: users }],
      },
      {
        id: 'CredentialExposureDeactivate', substitution: 'DeactivateFunctionArn', entry: 'runbooks/credential-exposure/handlers/deactivate.ts', usesLedger: true,
        description: 'credential-exposure: deactivate the exposed access key (UpdateAccessKey Inactive, never deleted)',
        environment: { ALLOWED_TARGETS: json(userNames(c)) },
        permissions: [{ actions: ['iam:ListAccessKeys', 'iam:UpdateAccessKey'], resources: users }],
      },
      {
        id: 'CredentialExposureActivity', substitution: 'ActivityFunctionArn', entry: 'runbooks/credential-exposure/handlers/activity.ts', usesLedger: false,
        description: 'credential-exposure: read what the key did recently (CloudTrail management events, read-only)',
        environment: { LOOKBACK_HOURS: String(c.activity.lookbackHours), MAX_EVENTS: String(c.activity.maxEvents) },
        // LookupEvents has no resource type: "*" is its only resource.
        permissions: [{ actions: ['cloudtrail:LookupEvents'], resources: ['*'] }],
      },
    ];
  },
  undo: ({ config: c, arns }) => [{
    operation: 'iam:UpdateAccessKey', targets: userNames(c), resources: userArns(c, arns),
    restoreActions: ['iam:ListAccessKeys', 'iam:UpdateAccessKey'], verifyActions: ['iam:ListAccessKeys'],
  }],
  // Making a leaked key active again is never done unasked: one approver at least, in every environment.
  undoMinimumApprovals: 1,
  drill: {
    event: 'events/credential-exposure.event.json',
    samples: ['events/samples/credential-exposure-health.event.json', 'events/samples/credential-exposure-manual-start.json'],
    scenarios: ['drill/scenarios/access-key-already-inactive.json'],
    changes: { 'iam:UpdateAccessKey': { fields: ['accessKeys'] } },
    // admit -> read the key -> deactivate (reads, then updates) -> verify inactive -> what the key did -> notify
    calls: [
      { call: 'iam:ListAccessKeys', state: 'Read access key status' },
      { call: 'iam:UpdateAccessKey', state: 'Deactivate access key', mutates: true },
      { call: 'cloudtrail:LookupEvents', state: 'Read what the key did', bestEffort: true },
      { call: 'sns:Publish', state: 'Notify deactivated' },
    ],
  },
});
