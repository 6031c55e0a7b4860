/**
 * page-on-call: the procedures no machine should run (seed 001 A pod CrashLoop, B HPA thrash, E
 * ingress 503 and seed 000's Celery drain act on Kubernetes; seed 004 "Position Stuck" is closed
 * with the exchange). When a configured alarm goes to ALARM, the runbook pages the critical topic
 * with the seed procedure config names for it, its steps as the seed writes them, and the alarm's
 * reason, metrics, dimensions and time. The alarms are the team's own, routed by their names.
 * Seed 000's break-glass role "alarms on every assumption": each CloudTrail record of a configured
 * break-glass role being assumed pages the same way, with who, from where, when and the session.
 * Seed 004's "NAT Instance Down" and "Unauthorized Access" it answers: their alarms page the same
 * way, with the evidence read first (the NAT instance's status checks, state and the route tables
 * through it; the denied calls in the CloudTrail log group, per caller), best-effort: a failed read
 * is said in the page, which goes out anyway. No failover, no isolation: a person decides those.
 * Read-only: it changes nothing (and assumes nothing: the seed's `break-glass` stays a person's).
 */
import { z } from 'zod';
import { alarmName, runbookBase, SEVERITIES } from '../config';
import { json, scoped, type HandlerDef } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';
import { EVIDENCE_PROCEDURE_IDS, PAGE_ONLY_PROCEDURES, PAGED_PROCEDURES } from './page';
import { CIS_UNAUTHORIZED_PATTERN } from './denied-calls';

/**
 * A break-glass role as the assumption's record names it: a permission set's role ARN up to the
 * last underscore of AWSReservedSSO_<PermissionSetName>_ (the hash after it differs per account),
 * or a plain role's whole ARN. The rule matches the record's requestParameters.roleArn by prefix.
 */
const breakGlassRole = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*(?:AWSReservedSSO_[\w+=,.@-]+_|[\w+=,.@-]+)$/, "a role ARN: arn:aws:iam::<account>:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_<PermissionSet>_ for a permission set, or a role's ARN")
  .refine((arn) => !/AWSReservedSSO_/.test(arn) || arn.endsWith('_'), "a permission set's role ARN ends at the underscore before its hash (AWSReservedSSO_<PermissionSet>_)");

/** A CloudWatch Logs log group name: 1-512 of [.-_/#A-Za-z0-9] (CreateLogGroup). */
const logGroupName = z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'a log group name (1-512 of letters, digits and . - _ / #)');

const topicArn = z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN');

const config = z.strictObject({
  ...runbookBase,
  /** Each alarm this runbook pages for, by its name, with the seed procedure the person paged follows. */
  alarms: z.record(alarmName, z.enum(PAGED_PROCEDURES)).default({}),
  /** Seed 000's break-glass roles: every assumption of one pages with seed procedure break-glass-assumed. */
  breakGlassRoles: z.array(breakGlassRole).default([]),
  /**
   * What the pages of the procedures it answers read first (seed 004): a NAT instance's checks come
   * from the alarm's InstanceId dimension, with nothing to configure; the denied calls behind the
   * unauthorized-calls alarm from the log group CloudTrail delivers to (unset: the page says so).
   */
  evidence: z.strictObject({
    cloudTrailLogGroup: logGroupName.optional(),
    /** The pattern of the alarm's metric filter: the calls it counts are the ones the page lists. */
    unauthorizedPattern: z.string().min(1).max(1024).default(CIS_UNAUTHORIZED_PATTERN),
    /** One FilterLogEvents page: at most this many denied calls are read. */
    maxEvents: z.number().int().min(1).max(10_000).default(1000),
  }).default({ unauthorizedPattern: CIS_UNAUTHORIZED_PATTERN, maxEvents: 1000 }),
  /**
   * Until someone acknowledges the page, it escalates L1 -> L2 -> L3 (seed 004) at the deadline of
   * this severity (config approvals.deadlineMinutes: seed 003's response time, P1 15 minutes); the
   * people of each level are config approvals.approvers.
   */
  acknowledgement: z.strictObject({
    severity: z.enum(SEVERITIES).default('P1'),
    /** A level's own SNS topic (its pager), where a team has one; a level without pages on the critical topic, the level named. */
    levelTopics: z.strictObject({ L1: topicArn.optional(), L2: topicArn.optional(), L3: topicArn.optional() }).default({}),
  }).default({ severity: 'P1', levelTopics: {} }),
});
export type PageOnCallConfig = z.infer<typeof config>;

/** The CloudTrail log group the unauthorized-access page reads, when an alarm is routed to it and config names one. */
const trailLogGroup = (c: PageOnCallConfig): string[] => (routesTo(c, 'unauthorized-access') && c.evidence.cloudTrailLogGroup ? [c.evidence.cloudTrailLogGroup] : []);

/** Some configured alarm is routed to this procedure. */
const routesTo = (c: PageOnCallConfig, procedure: string): boolean => Object.values(c.alarms).includes(procedure as PageOnCallConfig['alarms'][string]);

export default defineRunbook({
  name: 'page-on-call',
  answers: EVIDENCE_PROCEDURE_IDS,
  pages: PAGE_ONLY_PROCEDURES,
  config,
  targets: (c) => [...Object.keys(c.alarms), ...c.breakGlassRoles],
  events: {
    kind: 'event',
    // Routed by the alarm's name: these alarms measure what a team chose (pods, HPAs, positions), on no metric a runbook owns.
    routes: [
      { event: 'cloudwatch-alarm-named', detail: { state: { value: ['ALARM'] } } },
      // Seed 000's break-glass role: its every assumption, refused ones too (someone tried), by the role's ARN prefix.
      { event: 'sts-role-assumed', detail: { eventSource: ['sts.amazonaws.com'], eventName: ['AssumeRoleWithSAML', 'AssumeRole'] } },
    ],
    targetValues: ({ config: c }, route) => route.event === 'sts-role-assumed' ? c.breakGlassRoles.map((prefix) => ({ prefix })) : Object.keys(c.alarms),
  },
  stateMachine: {
    definition,
    substitutions: (ctx) => ({
      AcknowledgeTimeoutSeconds: String(ctx.deadlineSeconds(ctx.config.acknowledgement.severity)),
      // Each an ARN or empty (the critical topic, the level named): plain text, as substitutions are.
      ...Object.fromEntries((['L1', 'L2', 'L3'] as const).map((level) => [`LevelTopic${level}`, ctx.config.acknowledgement.levelTopics[level] ?? ''])),
    }),
  },
  gates: [{ step: 'acknowledge', policyAt: ['acknowledgement'], acknowledge: true }],
  handlers: (ctx): HandlerDef[] => [ctx.approvalRequest('PageOnCallAcknowledgement'), {
    id: 'PageOnCallReadAlarm', substitution: 'ReadAlarmFunctionArn', entry: 'runbooks/page-on-call/handlers/read-alarm.ts', usesLedger: false,
    description: 'page-on-call: the seed procedure an alarm calls for, with its steps, and what the alarm says; or who assumed a break-glass role',
    environment: { ALARM_PROCEDURES: json(ctx.config.alarms) },
    // Everything it needs is in the event and its bundle.
    permissions: [],
  }, {
    id: 'PageOnCallEvidence', substitution: 'EvidenceFunctionArn', entry: 'runbooks/page-on-call/handlers/gather-evidence.ts', usesLedger: false,
    description: "page-on-call: read a NAT instance's status checks and routes, or the denied calls behind the unauthorized-calls alarm, into the page (read-only)",
    environment: {
      ALARM_PROCEDURES: json(ctx.config.alarms),
      EVIDENCE: json({ ...(ctx.config.evidence.cloudTrailLogGroup ? { cloudTrailLogGroup: ctx.config.evidence.cloudTrailLogGroup } : {}), unauthorizedPattern: ctx.config.evidence.unauthorizedPattern, maxEvents: ctx.config.evidence.maxEvents }),
    },
    // Only what a configured alarm calls for. EC2's Describe* have no resource-level permissions: "*" is their only resource.
    permissions: scoped([
      { actions: ['ec2:DescribeInstanceStatus', 'ec2:DescribeInstances', 'ec2:DescribeRouteTables'], resources: routesTo(ctx.config, 'nat-instance-down') ? ['*'] : [] },
      {
        actions: ['logs:FilterLogEvents'],
        // The log group by both its ARNs: CloudWatch Logs documents the one with the trailing :* for most actions.
        resources: trailLogGroup(ctx.config).flatMap((group) => [ctx.arns.logGroup(group), `${ctx.arns.logGroup(group)}:*`]),
      },
    ]),
  }, {
    id: 'PageOnCallPageLevel', substitution: 'PageLevelFunctionArn', entry: 'runbooks/page-on-call/handlers/page-level.ts', usesLedger: false,
    description: "page-on-call: page a level on its own topic (its pager), where config names one",
    environment: {},
    // Only the configured levels' topics; none configured, it is never invoked and may publish nowhere.
    permissions: scoped([{ actions: ['sns:Publish'], resources: Object.values(ctx.config.acknowledgement.levelTopics).filter((t): t is string => t !== undefined) }]),
  }],
  nag: ({ config: c, arns }) => trailLogGroup(c).map((group) => ({
    id: `AwsSolutions-IAM5[Resource::${arns.logGroup(group)}:*]`,
    reason: `page-on-call reads the denied calls behind the unauthorized-calls alarm (logs:FilterLogEvents, read-only) in CloudTrail's log group ${group}; CloudWatch Logs names a log group in IAM with the trailing :*, which covers its streams only.`,
  })),
  drill: {
    event: 'events/page-on-call.alarm.json',
    // Seed 004's Position Stuck, on a metric math alarm: another alarm, another procedure's page.
    // Seed 004's NAT Instance Down and Unauthorized Access: pages with the evidence read first.
    samples: [
      'events/samples/page-on-call-position-stuck.alarm.json', 'events/samples/page-on-call-break-glass.assume-role-with-saml.json',
      'events/samples/page-on-call-nat-instance-down.alarm.json', 'events/samples/page-on-call-unauthorized-access.alarm.json',
    ],
    scenarios: ['drill/scenarios/page-on-call-switched-off.json', 'drill/scenarios/page-on-call-level-topics.json'],
    changes: {},
    // The page is what it does, in a dry run too; nothing in the account changes.
    ends: 'escalated',
    // admit -> the page at L1 -> its acknowledgement request (nobody answers in the drill: L2, L3) -> closed unacknowledged
    calls: [
      { call: 'sns:Publish', state: 'Page the level' },
    ],
  },
});
