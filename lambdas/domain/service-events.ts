/**
 * Runbooks started by AWS service events on EventBridge (not by alarms): the event kinds a runbook
 * may name, each with its source and detail-type, its shape (zod, from the service's documented
 * event), how it names the target, and what makes one occurrence (a redelivery of it is a
 * duplicate). The stack's rules, the drill's routing and admit all read these definitions, so an
 * event reaches the same runbook, with the same target, in the drill as in the account. Pure.
 */
import * as z from '../shared/zod';
import { firstIssue } from './first-issue';
import { assertEventPattern, InvalidEventPattern, matchesPattern, type EventPattern, type PatternMatcher } from './event-pattern';

/** The EventBridge envelope every AWS service event has ("AWS service events" in the EventBridge user guide). */
const envelope = <D extends z.ZodMiniType>(source: string, detailType: string, detail: D) => z.object({
  version: z.optional(z.string()),
  id: z.string().check(z.minLength(1)),
  source: z.literal(source),
  'detail-type': z.literal(detailType),
  account: z.optional(z.string()),
  time: z.string().check(z.minLength(1)),
  region: z.optional(z.string()),
  resources: z._default(z.array(z.string()), []),
  detail,
});

const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
const STATE_MACHINE_ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:stateMachine:([^:]+)$/;
const EXECUTION_ARN = /^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;

/** Step Functions: a Standard workflow's execution changed status (dates are epoch milliseconds). */
const sfnExecutionStatus = envelope('aws.states', 'Step Functions Execution Status Change', z.object({
  executionArn: z.string().check(z.regex(EXECUTION_ARN, 'expected an execution ARN')),
  stateMachineArn: z.string().check(z.regex(STATE_MACHINE_ARN, 'expected a state machine ARN')),
  name: z.string().check(z.minLength(1)),
  status: z.enum(EXECUTION_STATUSES),
  startDate: z.optional(z.nullable(z.number())),
  stopDate: z.optional(z.nullable(z.number())),
  error: z.optional(z.nullable(z.string())),
  cause: z.optional(z.nullable(z.string())),
  /** 0 for the first run, one more per redrive (absent in events from before redrive existed). */
  redriveCount: z.optional(z.int().check(z.gte(0))),
}));

const ECS_SERVICE_ARN = /^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:service\/([^/]+\/[^/]+)$/;

/** ECS: a service deployment started, completed or failed ("ECS Deployment State Change"). */
const ecsDeploymentState = envelope('aws.ecs', 'ECS Deployment State Change', z.object({
  eventType: z.enum(['INFO', 'WARN', 'ERROR']),
  eventName: z.string().check(z.minLength(1)),
  deploymentId: z.string().check(z.minLength(1)),
  updatedAt: z.string().check(z.minLength(1)),
  reason: z.optional(z.string()),
}));

/**
 * RDS: an event of a DB instance or a DB cluster (failover, availability, ...), as RDS sends it to
 * EventBridge ("RDS DB Instance Event", "RDS DB Cluster Event"): the same detail for both.
 */
const rdsDetail = z.object({
  EventCategories: z._default(z.array(z.string()), []),
  SourceType: z.optional(z.string()),
  SourceArn: z.string().check(z.minLength(1)),
  Date: z.string().check(z.minLength(1)),
  Message: z.optional(z.string()),
  SourceIdentifier: z.string().check(z.minLength(1)),
  EventID: z.optional(z.string()),
});
const rdsInstanceEvent = envelope('aws.rds', 'RDS DB Instance Event', rdsDetail);
const rdsClusterEvent = envelope('aws.rds', 'RDS DB Cluster Event', rdsDetail);

/**
 * One RDS event's occurrence: its source, its event id (RDS-EVENT-0049, ...) and when it happened.
 * The target is read from SourceArn (`...:db:<id>`, `...:cluster:<id>`): AWS's documented examples
 * give SourceIdentifier as "rds:<id>", events from accounts as the bare identifier.
 */
const rdsOccurrence = (kind: 'db' | 'cluster') => (e: z.infer<typeof rdsInstanceEvent>): ServiceEventOccurrence | string => {
  const target = new RegExp(`^arn:[a-z-]+:rds:[a-z0-9-]+:\\d{12}:${kind}:([^:]+)$`).exec(e.detail.SourceArn)?.[1];
  if (target === undefined) return `names no DB ${kind === 'db' ? 'instance' : 'cluster'} ARN in SourceArn (${e.detail.SourceArn})`;
  return {
    target,
    identity: `${e.detail.SourceArn}|${e.detail.EventID ?? ''}|${e.detail.Date}`,
    summary: `RDS event ${e.detail.EventID ?? '?'} on DB ${kind === 'db' ? 'instance' : 'cluster'} ${target} (${e.detail.EventCategories.join(', ') || 'no category'})`,
    arn: e.detail.SourceArn, ...(e.detail.Message ? { reason: e.detail.Message } : {}),
  };
};

/**
 * S3 through CloudTrail ("AWS API Call via CloudTrail", source aws.s3): an S3 API call the trail
 * recorded. Object-level calls (PutObject, GetObject) are data events: they reach EventBridge only
 * when a trail logs the bucket's data events. The principal is the role a session assumed
 * (sessionContext.sessionIssuer), else the identity's own ARN.
 */
const s3ApiCall = envelope('aws.s3', 'AWS API Call via CloudTrail', z.object({
  eventSource: z.literal('s3.amazonaws.com'),
  eventName: z.string().check(z.minLength(1)),
  eventID: z.string().check(z.minLength(1)),
  eventTime: z.string().check(z.minLength(1)),
  errorCode: z.optional(z.nullable(z.string())),
  errorMessage: z.optional(z.nullable(z.string())),
  userIdentity: z.object({
    type: z.optional(z.string()),
    arn: z.optional(z.string()),
    sessionContext: z.optional(z.object({ sessionIssuer: z.optional(z.object({ type: z.optional(z.string()), arn: z.optional(z.string()) })) })),
  }),
  requestParameters: z.record(z.string(), z.unknown()),
}));

/** An IAM access key id: AKIA for a user's long-term key, ASIA for temporary credentials (a session). */
export const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/;
/** An IAM user's ARN, its path and name: arn:aws:iam::123456789012:user/path/name. */
const IAM_USER_ARN = /^arn:[a-z-]+:iam::\d{12}:user\/(?:[^/]+\/)*([\w+=,.@-]+)$/;

/**
 * GuardDuty: a finding ("GuardDuty Finding"), as GuardDuty sends it to EventBridge. Findings on IAM
 * access keys (resourceType AccessKey) name the key and its user in resource.accessKeyDetails.
 * GuardDuty sends a finding again as it updates it (the same id, a later updatedAt, a higher count).
 */
const guardDutyFinding = envelope('aws.guardduty', 'GuardDuty Finding', z.object({
  id: z.string().check(z.minLength(1)),
  type: z.string().check(z.minLength(1)),
  severity: z.optional(z.number()),
  updatedAt: z.optional(z.string()),
  title: z.optional(z.string()),
  resource: z.object({
    resourceType: z.string(),
    accessKeyDetails: z.object({
      accessKeyId: z.optional(z.string()),
      userName: z.optional(z.string()),
      userType: z.optional(z.string()),
      principalId: z.optional(z.string()),
    }),
  }),
}));

/**
 * AWS Health: an account event ("AWS Health Event"). AWS_RISK_CREDENTIALS_EXPOSED names the exposed
 * key as an affected entity (entityValue: the access key id); the user, where the event names it,
 * is an IAM user ARN in `resources` or in an affected entity.
 */
const healthEvent = envelope('aws.health', 'AWS Health Event', z.object({
  eventArn: z.string().check(z.minLength(1)),
  service: z.string(),
  eventTypeCode: z.string().check(z.minLength(1)),
  eventTypeCategory: z.optional(z.string()),
  startTime: z.optional(z.string()),
  affectedEntities: z._default(z.array(z.object({ entityValue: z.string() })), []),
}));

/** The user and access key a credential event names: an IAM user's own key (AKIA...), which UpdateAccessKey can deactivate. */
export function exposedKeyOf(values: { accessKeyId?: string | undefined; userName?: string | undefined; userType?: string | undefined }): { accessKeyId: string; userName: string } | string {
  const { accessKeyId, userName, userType } = values;
  if (accessKeyId === undefined || accessKeyId.length === 0) return 'names no access key id';
  if (!ACCESS_KEY_ID.test(accessKeyId)) return `names ${JSON.stringify(accessKeyId)}, which is not an access key id`;
  if (accessKeyId.startsWith('ASIA') || (userType !== undefined && userType !== 'IAMUser')) {
    return `names temporary credentials (${accessKeyId}, user type ${userType ?? 'unknown'}): UpdateAccessKey deactivates an IAM user's own keys only; revoke the role's sessions instead`;
  }
  if (userName === undefined || userName.length === 0) return `names access key ${accessKeyId} but no IAM user: nothing changed; find its user (aws iam get-access-key-last-used --access-key-id ${accessKeyId}) and deactivate it by hand`;
  return { accessKeyId, userName };
}

/** The S3 call a CloudTrail event records, as a runbook that reads it needs it. */
export interface ApiCall {
  /** The IAM action, "s3:PutObject". */
  readonly action: string;
  /** Who made it: the assumed role's ARN (arn:aws:iam::...:role/...), else the identity's ARN; absent when CloudTrail names none. */
  readonly principal?: string;
  readonly errorCode?: string;
  /** Its string request parameters as CloudTrail records them (bucketName, key, x-amz-server-side-encryption, ...). */
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * CloudWatch: an alarm changed state, read by the alarm's own name rather than its metric (a
 * runbook that pages for alarms a team already has, whatever they measure).
 */
const cloudwatchAlarmState = envelope('aws.cloudwatch', 'CloudWatch Alarm State Change', z.object({
  alarmName: z.string().check(z.minLength(1)),
  state: z.object({ value: z.string(), reason: z.optional(z.string()), timestamp: z.string().check(z.minLength(1)) }),
}));

/**
 * STS through CloudTrail ("AWS API Call via CloudTrail", source aws.sts): a role assumed
 * (AssumeRoleWithSAML for an IAM Identity Center permission set, whose role is
 * AWSReservedSSO_<PermissionSetName>_<hash>; AssumeRole for a plain role). Only what a page says
 * is read: who, from where, when, the session's ARN. The response's credentials are never read
 * (the schema drops every field it does not name).
 */
export const stsAssumeRoleSchema = envelope('aws.sts', 'AWS API Call via CloudTrail', z.object({
  eventSource: z.literal('sts.amazonaws.com'),
  eventName: z.enum(['AssumeRoleWithSAML', 'AssumeRole']),
  eventID: z.string().check(z.minLength(1)),
  eventTime: z.string().check(z.minLength(1)),
  awsRegion: z.optional(z.string()),
  recipientAccountId: z.optional(z.string()),
  sourceIPAddress: z.optional(z.string()),
  userAgent: z.optional(z.string()),
  errorCode: z.optional(z.nullable(z.string())),
  errorMessage: z.optional(z.nullable(z.string())),
  userIdentity: z.object({
    type: z.optional(z.string()),
    principalId: z.optional(z.string()),
    userName: z.optional(z.string()),
    arn: z.optional(z.string()),
    identityProvider: z.optional(z.string()),
  }),
  requestParameters: z.object({
    roleArn: z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'expected a role ARN')),
    principalArn: z.optional(z.string()),
    roleSessionName: z.optional(z.string()),
    sourceIdentity: z.optional(z.string()),
  }),
  responseElements: z.optional(z.nullable(z.object({
    assumedRoleUser: z.optional(z.object({ arn: z.string(), assumedRoleId: z.optional(z.string()) })),
    subject: z.optional(z.string()),
    subjectType: z.optional(z.string()),
    issuer: z.optional(z.string()),
    sourceIdentity: z.optional(z.string()),
  }))),
}));
export type StsAssumeRoleEvent = z.infer<typeof stsAssumeRoleSchema>;

/** An IAM Identity Center role's name: AWSReservedSSO_<PermissionSetName>_<16 hex digits>. */
const SSO_ROLE = /^(.*\/AWSReservedSSO_.+_)[0-9a-f]{16}$/;

/**
 * The role an assumption is of, as config names it: a permission set's role ARN up to its name's
 * last underscore (the hash differs per account and changes when the set is reprovisioned), any
 * other role by its whole ARN.
 */
export const assumedRoleKey = (roleArn: string): string => SSO_ROLE.exec(roleArn)?.[1] ?? roleArn;

/** Who assumed the role, as the record names them: the SAML subject or source identity, else the caller's name or principal. */
export function assumerOf(d: StsAssumeRoleEvent['detail']): string {
  return d.responseElements?.subject ?? d.responseElements?.sourceIdentity ?? d.requestParameters.sourceIdentity
    ?? d.userIdentity.userName ?? d.userIdentity.arn ?? d.userIdentity.principalId ?? 'an unnamed caller';
}

/** One occurrence, as a runbook reads it: the target key, what identifies it, a line for a human. */
export interface ServiceEventOccurrence {
  /** The target key as config names it (a state machine's name, "cluster/service", a DB instance). */
  readonly target: string;
  /** The same for every delivery of this occurrence, and only for it. */
  readonly identity: string;
  readonly summary: string;
  /** The resource the event is about (the execution, the service, the DB instance). */
  readonly arn: string;
  /** One line of what happened (status and error, the deployment's reason, the RDS message). */
  readonly reason?: string;
  /** What the event names besides its resource, where a runbook acts on that (an ECS deployment's id). */
  readonly occurrence?: string;
  /** The API call a CloudTrail event records (a runbook diagnosing a refused call reads its principal and request). */
  readonly apiCall?: ApiCall;
  /** Every occurrence is acted on (its kind's everyOccurrence): no cooldown or flapping rail holds it. */
  readonly everyOccurrence?: true;
  /** What fired, by name, where that is not the event's detail-type: an alarm taken by its name. */
  readonly name?: string;
}

interface ServiceEventKind<S extends z.ZodMiniType> {
  readonly source: string;
  readonly detailType: string;
  readonly schema: S;
  /** Where the event names the target, as the rule filters it: a pattern path. */
  readonly targetField: readonly string[];
  /** How the docs name its target. @default "a configured target" */
  readonly targetInWords?: string;
  /** The value at targetField for a target key (the rule's filter values are built from the configured targets). */
  readonly read: (event: z.infer<S>) => ServiceEventOccurrence | string;
  /** What an operator must set up for the event to reach EventBridge at all (the docs say it where a runbook is started by it). */
  readonly note?: string;
  /**
   * Each occurrence must reach a person (a break-glass role's every assumption): admit's cooldown
   * and flapping rails, which hold repeated changes to one target, do not hold it. The dedupe of a
   * redelivery and the hourly cap still do.
   */
  readonly everyOccurrence?: true;
  /** What an occurrence is to admit when it is not a service event: an alarm taken by its name enters ALARM, an alarm transition. */
  readonly triggerKind?: 'alarm';
}

const kind = <S extends z.ZodMiniType>(k: ServiceEventKind<S>) => k;

/** The AWS service events a runbook may be started by, by the name its module gives them. */
export const SERVICE_EVENTS = {
  'sfn-execution-status': kind({
    source: 'aws.states', detailType: 'Step Functions Execution Status Change', schema: sfnExecutionStatus,
    targetField: ['detail', 'stateMachineArn'],
    read: (e) => {
      const d = e.detail;
      const machine = STATE_MACHINE_ARN.exec(d.stateMachineArn)?.[1] ?? '';
      const why = [d.error, d.cause].filter((x): x is string => typeof x === 'string' && x.length > 0).join(': ');
      return {
        target: machine,
        // One run's end: a redriven execution that fails again is a new occurrence (its redriveCount is one more).
        identity: `${d.executionArn}|${d.redriveCount ?? 0}|${d.status}`,
        summary: `Step Functions execution ${d.name} of ${machine} ended ${d.status}`,
        arn: d.executionArn,
        ...(why ? { reason: `${d.status}: ${why}` } : { reason: d.status }),
      };
    },
  }),
  'ecs-deployment-state': kind({
    source: 'aws.ecs', detailType: 'ECS Deployment State Change', schema: ecsDeploymentState,
    targetField: ['resources'],
    read: (e) => {
      const arn = e.resources.find((r) => ECS_SERVICE_ARN.test(r));
      if (!arn) return 'names no ECS service ARN in resources';
      const service = ECS_SERVICE_ARN.exec(arn)![1]!;
      return {
        target: service, identity: `${arn}|${e.detail.deploymentId}|${e.detail.eventName}`,
        summary: `ECS deployment ${e.detail.deploymentId} of ${service}: ${e.detail.eventName}`,
        arn, occurrence: e.detail.deploymentId, ...(e.detail.reason ? { reason: e.detail.reason } : {}),
      };
    },
  }),
  'cloudwatch-alarm-named': kind({
    source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', schema: cloudwatchAlarmState, triggerKind: 'alarm',
    targetField: ['detail', 'alarmName'], targetInWords: 'a configured alarm, by its name',
    read: (e) => {
      const arn = e.resources[0] ?? e.detail.alarmName;
      return {
        target: e.detail.alarmName, name: e.detail.alarmName,
        // One transition, as the alarm-routed runbooks dedupe it: the alarm and the timestamp of the state it entered.
        identity: `${arn}|${e.detail.state.timestamp}`,
        summary: `CloudWatch alarm ${e.detail.alarmName} went to ${e.detail.state.value}`,
        arn, ...(e.detail.state.reason ? { reason: e.detail.state.reason } : {}),
      };
    },
  }),
  'rds-instance-event': kind({
    source: 'aws.rds', detailType: 'RDS DB Instance Event', schema: rdsInstanceEvent,
    targetField: ['detail', 'SourceArn'], read: rdsOccurrence('db'),
  }),
  'rds-cluster-event': kind({
    source: 'aws.rds', detailType: 'RDS DB Cluster Event', schema: rdsClusterEvent,
    targetField: ['detail', 'SourceArn'], read: rdsOccurrence('cluster'),
  }),
  's3-api-call': kind({
    source: 'aws.s3', detailType: 'AWS API Call via CloudTrail', schema: s3ApiCall,
    targetField: ['detail', 'requestParameters', 'bucketName'],
    note: "S3 object calls (GetObject, PutObject) are CloudTrail data events: they reach EventBridge only when a trail logs the bucket's data events",
    read: (e) => {
      const d = e.detail;
      const bucket = d.requestParameters.bucketName;
      if (typeof bucket !== 'string' || bucket.length === 0) return 'names no bucket in requestParameters.bucketName';
      const key = typeof d.requestParameters.key === 'string' ? d.requestParameters.key : undefined;
      const principal = d.userIdentity.sessionContext?.sessionIssuer?.arn ?? d.userIdentity.arn;
      const parameters = Object.fromEntries(Object.entries(d.requestParameters).filter((p): p is [string, string] => typeof p[1] === 'string'));
      const arn = `arn:aws:s3:::${bucket}${key === undefined ? '' : `/${key}`}`;
      return {
        target: bucket,
        // One incident per caller, call and bucket in a clock hour: a refused client retries and
        // repeats (each record its own eventID), and a page per record would be a storm of them.
        identity: `${principal ?? 'unknown caller'}|s3:${d.eventName}|${bucket}|${d.eventTime.slice(0, 13)}`,
        summary: `S3 ${d.eventName} on ${key === undefined ? bucket : `${bucket}/${key}`}${d.errorCode ? ` failed: ${d.errorCode}` : ''}${principal ? ` (${principal})` : ''}`,
        arn, ...(d.errorMessage ? { reason: d.errorMessage } : {}),
        apiCall: { action: `s3:${d.eventName}`, ...(principal ? { principal } : {}), ...(d.errorCode ? { errorCode: d.errorCode } : {}), parameters },
      };
    },
  }),
  'sts-role-assumed': kind({
    source: 'aws.sts', detailType: 'AWS API Call via CloudTrail', schema: stsAssumeRoleSchema,
    targetField: ['detail', 'requestParameters', 'roleArn'], everyOccurrence: true, targetInWords: "a configured role, by its ARN (a permission set's up to the hash)",
    note: "STS calls are CloudTrail management events: the rule must be in the region CloudTrail records the call in (us-east-1 for the global endpoint sts.amazonaws.com where it is not served regionally, else the regional endpoint's region), and a trail must be logging",
    read: (e) => {
      const d = e.detail;
      const session = d.responseElements?.assumedRoleUser?.arn;
      return {
        target: assumedRoleKey(d.requestParameters.roleArn),
        // One incident per assumption: every assumption pages, and a redelivery of the record is the same one.
        identity: `sts|${d.eventID}`,
        summary: `${assumerOf(d)} ${d.errorCode ? `tried to assume (${d.errorCode})` : 'assumed'} ${d.requestParameters.roleArn} from ${d.sourceIPAddress ?? 'an unrecorded address'} at ${d.eventTime}`,
        arn: session ?? d.requestParameters.roleArn, occurrence: d.eventID,
        ...(d.errorMessage ? { reason: d.errorMessage } : {}),
      };
    },
  }),
  'guardduty-access-key-finding': kind({
    source: 'aws.guardduty', detailType: 'GuardDuty Finding', schema: guardDutyFinding,
    targetField: ['detail', 'resource', 'accessKeyDetails', 'userName'],
    note: 'GuardDuty must be enabled in the account and region; it sends each finding to EventBridge as it creates and updates it',
    read: (e) => {
      const d = e.detail;
      if (d.resource.resourceType !== 'AccessKey') return `is about a ${d.resource.resourceType}, not an access key`;
      const key = exposedKeyOf(d.resource.accessKeyDetails);
      if (typeof key === 'string') return key;
      return {
        target: key.userName,
        // One incident per finding and key: GuardDuty sends the same finding again as it updates it.
        identity: `guardduty|${d.id}|${key.accessKeyId}`,
        summary: `GuardDuty ${d.type} on access key ${key.accessKeyId} of IAM user ${key.userName}`,
        arn: `arn:aws:iam::${e.account ?? ''}:user/${key.userName}`,
        reason: d.title ?? d.type, occurrence: key.accessKeyId,
      };
    },
  }),
  'health-credentials-exposed': kind({
    source: 'aws.health', detailType: 'AWS Health Event', schema: healthEvent,
    // The event names a key, not always its user: no target filter, admit holds the user to the configured ones.
    targetField: [],
    read: (e) => {
      const d = e.detail;
      const values = [...e.resources, ...d.affectedEntities.map((a) => a.entityValue)];
      const accessKeyId = values.find((v) => ACCESS_KEY_ID.test(v));
      const userName = values.map((v) => IAM_USER_ARN.exec(v)?.[1]).find((n) => n !== undefined);
      const key = exposedKeyOf({ accessKeyId, userName });
      if (typeof key === 'string') return key;
      return {
        target: key.userName,
        identity: `health|${d.eventArn}|${key.accessKeyId}`,
        summary: `AWS Health ${d.eventTypeCode}: access key ${key.accessKeyId} of IAM user ${key.userName} is exposed`,
        arn: d.eventArn, reason: d.eventTypeCode, occurrence: key.accessKeyId,
      };
    },
  }),
} as const;
export type ServiceEventName = keyof typeof SERVICE_EVENTS;
export const SERVICE_EVENT_NAMES = Object.keys(SERVICE_EVENTS) as ServiceEventName[];

/**
 * One kind of event that starts a runbook: its name in SERVICE_EVENTS and the fixed filters on
 * its detail (the same for every target, e.g. the statuses); the configured targets' filter is
 * added per environment.
 */
export interface EventRoute {
  readonly event: ServiceEventName;
  readonly detail?: EventPattern;
}

export const eventRouteSchema = z.object({
  event: z.enum(SERVICE_EVENT_NAMES as [ServiceEventName, ...ServiceEventName[]]),
  detail: z.optional(z.custom<EventPattern>((value) => {
    try {
      assertEventPattern(value);
      return true;
    } catch (e: unknown) {
      if (e instanceof InvalidEventPattern) return false;
      throw e;
    }
  }, 'an event pattern of the detail')),
});

/**
 * The EventBridge pattern of one route for the configured targets: source, detail-type, the
 * route's detail filters and, at the event's target field, the values that name the targets (or
 * any value, for a runbook that allowlists by tag: admit decides).
 */
export function eventRulePattern(route: EventRoute, targetValues: readonly PatternMatcher[] | 'any'): EventPattern {
  const k = SERVICE_EVENTS[route.event];
  const values: PatternMatcher[] = targetValues === 'any' ? [{ exists: true }] : [...targetValues];
  const pattern: Record<string, unknown> = { source: [k.source], 'detail-type': [k.detailType], ...(route.detail ? { detail: { ...route.detail } } : {}) };
  // The target field goes beside the fixed filters: detail.<field>, or a top-level field (resources).
  const [head, ...rest] = k.targetField;
  if (head === undefined) return pattern as EventPattern;
  let node = pattern;
  for (const key of [head, ...rest].slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[k.targetField.at(-1)!] = values;
  return pattern as EventPattern;
}

/** The event is not one of this runbook's routes, or is malformed: admit rejects it, nothing changes. */
export class UnreadableServiceEvent extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableServiceEvent';
  }
}

/** What admit reads of a service event: its occurrence and the time it happened. */
export interface ServiceEventRead extends ServiceEventOccurrence {
  readonly time: string;
  readonly detailType: string;
  /** Its kind's triggerKind: an alarm taken by its name. */
  readonly triggerKind?: 'alarm';
}

/**
 * Reads an event by the first route whose source and detail-type it has: parsed with the kind's
 * schema (a malformed event is one line naming the first bad field), held against the route's
 * detail filters, then its target and identity read. Undefined when no route has its source and
 * detail-type.
 */
export function readServiceEvent(routes: readonly EventRoute[], event: unknown): ServiceEventRead | undefined {
  const head = event as { source?: unknown; 'detail-type'?: unknown } | null;
  const route = routes.find((r) => SERVICE_EVENTS[r.event].source === head?.source && SERVICE_EVENTS[r.event].detailType === head?.['detail-type']);
  if (!route) return undefined;
  const k = SERVICE_EVENTS[route.event];
  const parsed = k.schema.safeParse(event);
  if (!parsed.success) {
    throw new UnreadableServiceEvent(`malformed ${k.detailType} event: ${firstIssue(parsed.error)}`);
  }
  if (route.detail && !matchesPattern({ detail: route.detail }, event)) {
    throw new UnreadableServiceEvent(`${k.detailType} event does not match this runbook's filter ${JSON.stringify(route.detail)}`);
  }
  const occurrence = (k.read as (e: unknown) => ServiceEventOccurrence | string)(parsed.data);
  if (typeof occurrence === 'string') throw new UnreadableServiceEvent(`${k.detailType} event ${occurrence}`);
  if (occurrence.target.length === 0) throw new UnreadableServiceEvent(`${k.detailType} event names no target`);
  return {
    ...occurrence, ...('everyOccurrence' in k && k.everyOccurrence ? { everyOccurrence: true as const } : {}), ...('triggerKind' in k ? { triggerKind: k.triggerKind } : {}),
    time: (parsed.data as { time: string }).time, detailType: k.detailType,
  };
}
