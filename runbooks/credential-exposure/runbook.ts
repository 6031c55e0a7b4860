/**
 * credential-exposure (seed 004 "Credential Exposure: rotate immediately, audit access"), its IAM
 * access key path: a GuardDuty finding on a configured IAM user's access key, or AWS Health's
 * AWS_RISK_CREDENTIALS_EXPOSED naming it, deactivates the key at once (UpdateAccessKey Inactive,
 * never deleted, no approval in any environment: it is containment, like the emergency stop), checks
 * it is inactive, reads what the key did recently (CloudTrail LookupEvents) into the critical page.
 * The undo makes it Active again, only as approved, in every environment.
 * Its second path (seed 000 "Rotate Cloudflare origin secret"): an operator names a configured
 * SecureString and the version that leaked; as approved, a new version of 32 random bytes is
 * written and the services that read it are redeployed one at a time, each rollout watched. Its
 * ledger rows and pages hold versions, never a value, and it has no undo.
 */
import { z } from 'zod';
import { gatePolicy, runbookBase } from '../config';
import { ECS_UPDATE_SERVICE_CHANGES, json, scoped, type Arns, type HandlerDef } from '../kit';
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

/** An SSM parameter name: a path of letters, digits and _ . - segments (SSM's rule), up to 1011 characters. */
const parameterName = z.string().max(1011).regex(/^\/[\w.-]+(\/[\w.-]+)*$/, 'an SSM parameter name with a leading slash (/a/b/c)');
/** A KMS key's ARN, the one the parameter is encrypted with (not an alias: the grant names the key). */
const kmsKeyArn = z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/mrk-[0-9a-f]{32}$/, "a KMS key's ARN (arn:aws:kms:<region>:<account>:key/<id>)");
const serviceRef = z.strictObject({ clusterName: z.string().min(1).max(255), serviceName: z.string().min(1).max(255) });

const config = z.strictObject({
  ...runbookBase,
  /** The IAM users whose access keys it may deactivate. */
  targets: z.array(z.strictObject({ userName, path: iamPath })).min(1),
  /**
   * Seed 000 "Rotate Cloudflare origin secret": the SecureStrings an operator may have rotated, each
   * with the key it is encrypted with (AWS's default aws/ssm key when absent) and the services that
   * read it, redeployed in this order.
   */
  secrets: z.array(z.strictObject({ parameter: parameterName, kmsKeyArn: kmsKeyArn.optional(), services: z.array(serviceRef).min(1) })).default([]),
  /** The rotation's gate (P1: the secret is exposed until the rotation). */
  rotate: z.strictObject({ approval: gatePolicy.default({ severity: 'P1', onTimeout: 'abort' }) }).default({ approval: { severity: 'P1', onTimeout: 'abort' } }),
  /** Each redeployed service's rollout, watched this long at most. */
  rollout: z.strictObject({
    pollSeconds: z.number().int().min(5).max(300).default(30),
    timeoutMinutes: z.number().int().min(1).max(120).default(20),
  }).default({ pollSeconds: 30, timeoutMinutes: 20 }),
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
const parameterNames = (c: CredentialExposureConfig) => c.secrets.map((s) => s.parameter);
const parameterArns = (c: CredentialExposureConfig, arns: Arns) => c.secrets.map((s) => arns.ssmParameter(s.parameter));
/** A service as the redeploy step and its allowlist name it: "cluster/service". */
const serviceKey = (v: { clusterName: string; serviceName: string }) => `${v.clusterName}/${v.serviceName}`;
const serviceKeys = (c: CredentialExposureConfig) => [...new Set(c.secrets.flatMap((s) => s.services.map(serviceKey)))];
/** Reading a configured secret's version, never its value (the diagnosis, the verify and the approval page). */
const readVersion = (c: CredentialExposureConfig, arns: Arns) => ({ actions: ['ssm:GetParameter'], resources: parameterArns(c, arns) });
const serviceArns = (c: CredentialExposureConfig, arns: Arns) => [...new Set(c.secrets.flatMap((s) => s.services.map((v) => arns.ecsService(v.clusterName, v.serviceName))))];
/** What the secret path's functions know of each secret (SECRETS): no value, ever. */
const secretsEnv = (c: CredentialExposureConfig) => json(c.secrets.map((s) => ({
  parameter: s.parameter, keyId: s.kmsKeyArn ?? 'alias/aws/ssm', services: s.services.map(serviceKey),
})));

export default defineRunbook({
  name: 'credential-exposure',
  answers: ['credential-exposure', 'rotate-origin-secret'],
  config,
  // The users whose keys it deactivates, and the secrets it rotates.
  targets: (c) => [...userNames(c), ...parameterNames(c)],
  events: {
    kind: 'event',
    routes: [
      { event: 'guardduty-access-key-finding', detail: { type: FINDING_TYPES, resource: { resourceType: ['AccessKey'] } } },
      { event: 'health-credentials-exposed', detail: { service: ['RISK'], eventTypeCode: ['AWS_RISK_CREDENTIALS_EXPOSED'] } },
    ],
    // GuardDuty names the user: its rule matches the configured ones. Health's rule has no target field (it may name the key only).
    targetValues: ({ config: c }) => userNames(c),
  },
  // An operator who learns of a leak another way (a message, a scanner) starts it by hand on the user and key,
  // `autopilot start credential-exposure --target <user> --occurrence <access key id> --reason ...`, or on a
  // configured secret and the version of it that leaked: `--target <parameter> --occurrence <version>`.
  manualStart: {
    occurrence: "an IAM user's access key id (AKIA...), or for a configured secret the parameter version that leaked (a number)",
    pattern: '^(AKIA[A-Z0-9]{16}|[1-9][0-9]{0,9})$',
  },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({ RotateApprovalTimeoutSeconds: String(deadlineSeconds(c.rotate.approval.severity)) }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    const users = userArns(c, arns);
    const keys = c.secrets.flatMap((s) => (s.kmsKeyArn ? [s.kmsKeyArn] : []));
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
      // The secret path's functions exist with no secret configured (the state machine names them), and may then touch nothing.
      ...[
        {
          id: 'CredentialExposureSecret', substitution: 'SecretFunctionArn', entry: 'runbooks/credential-exposure/handlers/secret.ts', usesLedger: false,
          description: "credential-exposure: read a configured secret's type and version (never its value)",
          environment: { SECRETS: secretsEnv(c) }, permissions: scoped([readVersion(c, arns)]),
        },
        ctx.approvalRequest('CredentialExposureApprovalRequest'),
        {
          id: 'CredentialExposureRotate', substitution: 'RotateFunctionArn', entry: 'runbooks/credential-exposure/handlers/rotate.ts', usesLedger: true,
          description: 'credential-exposure: write a new SecureString version of a configured secret, as approved',
          environment: { SECRETS: secretsEnv(c), ROTATE_ON_TIMEOUT: c.rotate.approval.onTimeout },
          // No kms:Decrypt: it writes a value it made, and never reads one back.
          permissions: scoped([{ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: parameterArns(c, arns) }, { actions: ['kms:Encrypt'], resources: keys }]),
        },
        {
          id: 'CredentialExposureRedeploy', substitution: 'RedeployFunctionArn', entry: 'runbooks/credential-exposure/handlers/redeploy.ts', usesLedger: true,
          description: 'credential-exposure: force a new deployment of a service that reads the rotated secret',
          environment: { ALLOWED_TARGETS: json(serviceKeys(c)) },
          permissions: scoped([{ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: serviceArns(c, arns) }]),
        },
        {
          id: 'CredentialExposureRollout', substitution: 'RolloutFunctionArn', entry: 'runbooks/credential-exposure/handlers/rollout.ts', usesLedger: false,
          description: "credential-exposure: watch a redeployed service's rollout",
          environment: { POLL_SECONDS: String(c.rollout.pollSeconds), ROLLOUT_TIMEOUT_SECONDS: String(c.rollout.timeoutMinutes * 60) },
          permissions: scoped([{ actions: ['ecs:DescribeServices'], resources: serviceArns(c, arns) }]),
        },
      ],
    ];
  },
  // The rotate page re-reads the parameter's version (never its value).
  approvalPage: { permissions: ({ config: c, arns }) => scoped([readVersion(c, arns)]) },
  gates: [{ step: 'rotate', policyAt: ['rotate', 'approval'], reachedBy: 'events/samples/credential-exposure-rotate-secret.manual-start.json' }],
  undo: ({ config: c, arns }) => [{
    operation: 'iam:UpdateAccessKey', targets: userNames(c), resources: userArns(c, arns),
    restoreActions: ['iam:ListAccessKeys', 'iam:UpdateAccessKey'], verifyActions: ['iam:ListAccessKeys'],
  }],
  // Making a leaked key active again is never done unasked: one approver at least, in every environment.
  undoMinimumApprovals: 1,
  drill: {
    event: 'events/credential-exposure.event.json',
    samples: [
      'events/samples/credential-exposure-health.event.json', 'events/samples/credential-exposure-manual-start.json',
      'events/samples/credential-exposure-rotate-secret.manual-start.json',
    ],
    scenarios: ['drill/scenarios/access-key-already-inactive.json', 'drill/scenarios/origin-secret-rollout-fails.json', 'drill/scenarios/origin-secret-already-rotated.json'],
    changes: {
      'iam:UpdateAccessKey': { fields: ['accessKeys'] },
      'ssm:PutParameter': { fields: ['version'], note: 'a new SecureString version: the leaked one is never written back' },
      'ecs:UpdateService': ECS_UPDATE_SERVICE_CHANGES,
    },
    // admit -> read the key -> deactivate (reads, then updates) -> verify inactive -> what the key did -> notify
    calls: [
      { call: 'iam:ListAccessKeys', state: 'Read access key status' },
      { call: 'iam:UpdateAccessKey', state: 'Deactivate access key', mutates: true },
      { call: 'cloudtrail:LookupEvents', state: 'Read what the key did', bestEffort: true },
      { call: 'sns:Publish', state: 'Notify deactivated' },
    ],
  },
});
