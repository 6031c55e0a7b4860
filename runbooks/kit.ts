/**
 * What a runbook module is written with, and what the stack and the drill build from it: IAM
 * statements, handler definitions, ARNs, alarms and cdk-nag acknowledgements as plain data (no CDK
 * constructs here, so the drill and the tests can load every module).
 */
import type { TargetTags, VerifyConfig } from './config';

/** One IAM statement: the only actions and resources a handler may use. */
export interface Permission {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Record<string, Record<string, string | string[]>>;
}

export interface HandlerDef {
  /** Construct id and function name suffix, e.g. "QueueBacklogDrain": the runbook's name in PascalCase, then the step. */
  readonly id: string;
  /** The ASL substitution this handler's ARN fills, e.g. "StopFunctionArn". */
  readonly substitution: string;
  /** Entry file, from the repository root: runbooks/<name>/handlers/<step>.ts, or lambdas/<shared>/... */
  readonly entry: string;
  readonly description: string;
  /** Reads and writes the remediation ledger. */
  readonly usesLedger: boolean;
  /** Sends approval requests: the approvals topic, the link-signing secret and the page URL. */
  readonly usesApprovals?: boolean;
  readonly environment: Readonly<Record<string, string>>;
  readonly permissions: readonly Permission[];
}

/** A state machine as the stack deploys it and the drill runs it: its file, its functions, its substitutions. */
export interface RunbookDef {
  /** A runbook, or the undo state machine (started by hand, never by an event). */
  readonly name: string;
  /** statemachines/<file>. */
  readonly definitionFile: string;
  readonly handlers: readonly HandlerDef[];
  /** Substitutions besides the handler ARNs: names (e.g. the agent proxy service) and the partition. */
  readonly substitutions: Readonly<Record<string, string>>;
  /** What the state machine's own role may do besides invoking its functions (service integrations). */
  readonly stateMachinePermissions?: readonly Permission[];
  /** Roles an AWS service assumes for it (EventBridge Scheduler starting a timed revert). */
  readonly serviceRoles?: readonly ServiceRoleDef[];
}

/**
 * A role an AWS service assumes on a runbook's behalf (the schedule of a timed revert): a fixed
 * name, so the handler that passes it names its ARN without a reference across nested stacks, and
 * only these permissions. Its trust policy admits the service for this account only.
 */
export interface ServiceRoleDef {
  /** The construct's id, `<id>Role`. */
  readonly id: string;
  readonly roleName: string;
  /** The service principal, e.g. scheduler.amazonaws.com. */
  readonly service: string;
  readonly description: string;
  readonly permissions: readonly Permission[];
}

/** Builds ARNs for a partition/account/region (CDK tokens in the stack, literals in the drill). */
export interface Arns {
  lambdaFunction(name: string): string;
  dynamodbTable(name: string): string;
  ecsCluster(cluster: string): string;
  ecsService(cluster: string, service: string): string;
  ecsTask(cluster: string): string;
  /** Every service deployment of a service (DescribeServiceDeployments' resource). */
  ecsServiceDeployments(cluster: string, service: string): string;
  /** Every service revision of a service (DescribeServiceRevisions' resource). */
  ecsServiceRevisions(cluster: string, service: string): string;
  ssmParameter(name: string): string;
  /** A rule ARN on an event bus ("default" has no bus segment); name may be "*". */
  eventRule(bus: string, name: string): string;
  s3Bucket(name: string): string;
  stateMachine(name: string): string;
  /** Every execution of a state machine (GetExecutionHistory's resource). */
  executions(stateMachineName: string): string;
  /** An SQS queue; name may be "*". */
  sqsQueue(name: string): string;
  /** A log group (CloudWatch Logs also names it with a trailing :* for most actions). */
  logGroup(name: string): string;
  /** An Application Auto Scaling scalable target; its id is AWS's own, so mostly "*". */
  scalableTarget(id: string): string;
  /** An RDS DB instance, by its identifier. */
  rdsInstance(id: string): string;
  /** An RDS DB cluster (Aurora or Multi-AZ DB cluster), by its identifier. */
  rdsCluster(id: string): string;
  /** An RDS DB parameter group (an instance's; a cluster's is a cluster-pg), by its name; may be "*". */
  rdsParameterGroup(name: string): string;
  /** A Secrets Manager secret by its name: AWS appends six random characters to the ARN, matched by -?????? (its IAM guidance). */
  secret(name: string): string;
  /** An IAM user by its path and name (IAM is global: no region in the ARN). */
  iamUser(name: string, path?: string): string;
  /** A Bedrock AgentCore gateway, by its id. */
  agentcoreGateway(id: string): string;
  /** A Bedrock AgentCore policy engine, by its id. */
  agentcorePolicyEngine(id: string): string;
  /** An IAM role by its path and name (IAM is global: no region in the ARN). */
  iamRole(name: string, path?: string): string;
  /** Every revision of an ECS task definition family (RegisterTaskDefinition's resource). */
  ecsTaskDefinitionFamily(family: string): string;
  /** An EventBridge Scheduler schedule in a group; name may end in "*". */
  schedule(group: string, name: string): string;
  readonly account: string;
  /** aws, aws-cn, aws-us-gov: the definitions' integration ARNs (arn:${Partition}:states:::lambda:invoke) use it. */
  readonly partition: string;
}

/** The partition a region belongs to (China and GovCloud have their own). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function literalArns(partition: string, region: string, account: string): Arns {
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
  return {
    lambdaFunction: (name) => arn('lambda', `function:${name}`),
    dynamodbTable: (name) => arn('dynamodb', `table/${name}`),
    ecsCluster: (cluster) => arn('ecs', `cluster/${cluster}`),
    ecsService: (cluster, service) => arn('ecs', `service/${cluster}/${service}`),
    ecsTask: (cluster) => arn('ecs', `task/${cluster}/*`),
    ecsServiceDeployments: (cluster, service) => arn('ecs', `service-deployment/${cluster}/${service}/*`),
    ecsServiceRevisions: (cluster, service) => arn('ecs', `service-revision/${cluster}/${service}/*`),
    ssmParameter: (name) => arn('ssm', `parameter${name.startsWith('/') ? name : `/${name}`}`),
    eventRule: (bus, name) => arn('events', `rule/${bus === 'default' ? '' : `${bus}/`}${name}`),
    s3Bucket: (name) => `arn:${partition}:s3:::${name}`,
    stateMachine: (name) => arn('states', `stateMachine:${name}`),
    executions: (name) => arn('states', `execution:${name}:*`),
    sqsQueue: (name) => arn('sqs', name),
    logGroup: (name) => arn('logs', `log-group:${name}`),
    scalableTarget: (id) => arn('application-autoscaling', `scalable-target/${id}`),
    rdsInstance: (id) => arn('rds', `db:${id}`),
    rdsCluster: (id) => arn('rds', `cluster:${id}`),
    rdsParameterGroup: (name) => arn('rds', `pg:${name}`),
    secret: (name) => arn('secretsmanager', `secret:${name}-??????`),
    iamUser: (name, path = '/') => `arn:${partition}:iam::${account}:user${path}${name}`,
    agentcoreGateway: (id) => arn('bedrock-agentcore', `gateway/${id}`),
    agentcorePolicyEngine: (id) => arn('bedrock-agentcore', `policy-engine/${id}`),
    iamRole: (name, path = '/') => `arn:${partition}:iam::${account}:role${path}${name}`,
    ecsTaskDefinitionFamily: (family) => arn('ecs', `task-definition/${family}:*`),
    schedule: (group, name) => arn('scheduler', `schedule/${group}/${name}`),
    account,
    partition,
  };
}

export const json = (value: unknown): string => JSON.stringify(value);

/**
 * What ecs:UpdateService changes, the same for every runbook that calls it (the drill compares an
 * undo on these fields): which of its changes has an inverse is read from each ledger row
 * (lambdas/domain/reversible.ts).
 */
export const ECS_UPDATE_SERVICE_CHANGES = {
  fields: ['taskDefinition', 'desiredCount'],
  note: 'a forced new deployment has no inverse (its new tasks stay; the service keeps its task definition and desired count); a task definition change is put back to the one the service ran',
};

/** DescribeScalableTargets takes no resource-level permission: `*`. */
export const DESCRIBE_SCALABLE_TARGETS: Permission = { actions: ['application-autoscaling:DescribeScalableTargets'], resources: ['*'] };

/**
 * RegisterScalableTarget on ECS services' desired counts: Application Auto Scaling names a scalable
 * target by an id of its own, so its ARN cannot name the service; the grant is limited to ECS
 * desired counts by condition (the handler to its configured services).
 */
export const registerEcsScalableTarget = (arns: Arns): Permission => ({
  actions: ['application-autoscaling:RegisterScalableTarget'], resources: [arns.scalableTarget('*')],
  conditions: { StringEquals: { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' } },
});

/** The undo state machine's catalog name; deployed as `runbook-autopilot-<env>-undo`. */
export const UNDO_MACHINE = 'undo';

/**
 * The name the stack gives a runbook's state machine: fixed, so an operator finds it in the console
 * by its runbook, `npm run undo` (and a runbook that starts the undo) by its name, and grants name
 * it without a reference across the runbooks' nested stacks.
 */
export const stateMachineNameOf = (environment: string, runbook: string) => `runbook-autopilot-${environment}-${runbook}`;

export const undoStateMachineName = (environment: string) => stateMachineNameOf(environment, UNDO_MACHINE);

/** The CloudFormation stack of an environment (bin/app.ts), as its resources are tagged and the command line names it. */
export const stackNameOf = (environment: string) => `RunbookAutopilot-${environment}`;

/**
 * Blast radius by tag: the same actions on every resource of the type (`pattern`) that carries
 * all the allowlisted tags. Lambda functions, DynamoDB tables and ECS services all support the
 * aws:ResourceTag/<key> condition key on these actions (Service Authorization Reference).
 */
export function byTag(actions: readonly string[], pattern: readonly string[], tags: TargetTags | undefined): Permission[] {
  if (!tags) return [];
  const condition = Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
  return [{ actions, resources: pattern, conditions: { StringEquals: condition } }];
}

/** Reading a candidate's tags: any resource of the type (read-only), so an untagged one can be refused. */
export function tagReads(action: string, pattern: readonly string[], tags: TargetTags | undefined): Permission[] {
  return tags ? [{ actions: [action], resources: pattern }] : [];
}

/** A statement only where it names a resource: a runbook without (say) a tasks table grants nothing for it. */
export const scoped = (list: readonly Permission[]): Permission[] => list.filter((p) => p.resources.length > 0);

/** The verify step's policy, as its handler reads it (VERIFY_POLICY). */
export const verifyPolicy = (v: VerifyConfig): string =>
  json({ waitSeconds: v.waitMinutes * 60, pollSeconds: v.pollSeconds, checks: v.checks, insufficientData: v.insufficientData });

/** One CloudWatch metric, as an alarm reads it. */
export interface MetricSpec {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly statistic: string;
  readonly periodMinutes: number;
}

/** Metric math over named metrics. */
export interface MathSpec {
  readonly expression: string;
  readonly metrics: Readonly<Record<string, MetricSpec>>;
  readonly label: string;
  readonly periodMinutes: number;
}

/** An alarm the stack creates for a runbook (lib/constructs/alarms.ts builds it). */
export interface AlarmSpec {
  /** Construct id, unique in the stack, e.g. "<function>-concurrency". */
  readonly id: string;
  readonly description: string;
  readonly metric: MetricSpec | MathSpec;
  readonly threshold: number;
  readonly comparison: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData: 'breaching' | 'notBreaching' | 'ignore' | 'missing';
  /** Notifies the info topic and starts nothing. The others start the runbook: EventBridge routes them by metric. */
  readonly informs?: boolean;
  /** Tags on the alarm: the tag router starts the runbook an alarm names (runbook-autopilot:runbook, :target) where its metric names no target. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** One accepted cdk-nag finding and why (lib/nag.ts applies them). */
export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}
