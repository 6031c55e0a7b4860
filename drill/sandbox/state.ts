/**
 * The modelled account: plain JSON (ISO timestamps, no classes) so a scenario can be written as a
 * literal, overridden, cloned and printed.
 */

export interface LambdaFunctionState {
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  /** null: no reserved concurrency, the function draws on the unreserved pool. */
  reservedConcurrency: number | null;
  lastModified: string;
  description: string;
  environment: Record<string, string>;
  tags: Record<string, string>;
  /** The function's resource-based policy statements (who may invoke it); none when absent. */
  policy?: LambdaPolicyStatement[];
  /** The last configuration update (lambda-configuration.ts): absent is Successful. */
  lastUpdate?: LambdaUpdateState;
  /** Published versions by number ("1", "2", ...); absent: none published (only $LATEST). */
  versions?: Record<string, LambdaVersionState>;
  /** The code $LATEST holds now (CodeSha256 compares it with a version's). @default the newest version's */
  latestCodeSha256?: string;
  /** Whether $LATEST's code fails its invocations (see LambdaVersionState.failing). */
  latestFailing?: boolean;
  /** Aliases by name. */
  aliases?: Record<string, LambdaAliasState>;
}

/** A published version: an immutable snapshot of the function's code and configuration. */
export interface LambdaVersionState {
  codeSha256: string;
  description: string;
  lastModified: string;
  /**
   * A scenario knob: invocations routed to this version fail, so the function's Errors metric
   * breaches while an alias sends traffic here (alarm-evaluation.ts).
   */
  failing?: boolean;
}

/** An alias: a name for a version, optionally with a second version weighted in (a canary). */
export interface LambdaAliasState {
  functionVersion: string;
  /** Version -> share of invocations (0..1); at most one entry. */
  additionalVersionWeights?: Record<string, number>;
  description: string;
  /** Changes on every update: UpdateAlias with another answers PreconditionFailedException. */
  revisionId: string;
}

/** A configuration update in progress: Lambda answers InProgress until it settles. */
export interface LambdaUpdateState {
  status: 'InProgress' | 'Successful' | 'Failed';
  /** Reads that still see InProgress: the modelled delay, counted in reads so a drill is deterministic. */
  readsInProgress: number;
  reason?: string;
}

/** One statement of a function's resource-based policy, as AddPermission writes it. */
export interface LambdaPolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: { Service: string } | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

/** An event source mapping (SQS, Kinesis, DynamoDB Streams) that polls a source and invokes a function. */
export interface EventSourceMappingState {
  uuid: string;
  functionName: string;
  eventSourceArn: string;
  state: 'Enabled' | 'Disabled' | 'Creating' | 'Updating';
  batchSize: number;
  lastModified: string;
}

export interface LambdaState {
  /** Account concurrency limit (ConcurrentExecutions); 1000 by default in every region. */
  concurrentExecutionsLimit: number;
  /** Lambda keeps this much of the limit unreserved; a put that would leave less is refused. */
  unreservedMinimum: number;
  functions: Record<string, LambdaFunctionState>;
  eventSourceMappings?: EventSourceMappingState[];
}

/** An EventBridge rule: a schedule or an event pattern, and the targets it invokes. */
export interface EventRuleState {
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  scheduleExpression?: string;
  /** JSON text, as PutRule takes it. */
  eventPattern?: string;
  targets: { id: string; arn: string }[];
}

/** EventBridge: rules per event bus ("default" is the account's default bus). */
export interface EventsState {
  buses: Record<string, { rules: Record<string, EventRuleState> }>;
}

/** An S3 bucket's notification to a Lambda function (the LambdaFunctionConfigurations of PutBucketNotificationConfiguration). */
export interface S3LambdaNotificationState {
  id: string;
  functionArn: string;
  events: string[];
  prefix?: string;
  suffix?: string;
}

/** One version of an object (PutObject): its body as text (the sandbox stores what the account's writers write: reports), headers and checksums. */
export interface S3ObjectVersionState {
  /** "null" in a bucket whose versioning was never enabled. */
  versionId: string;
  body: string;
  /** The quoted MD5 of the body, as S3 answers a single-part upload. */
  etag: string;
  contentType: string;
  /** User metadata (x-amz-meta-*), keys lower-cased as S3 keeps them. */
  metadata: Record<string, string>;
  lastModified: string;
  /** The encryption S3 applied: the request's, else the bucket's default. */
  serverSideEncryption: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  checksumCrc32?: string;
}

export interface S3BucketState {
  owner: string;
  lambdaNotifications: S3LambdaNotificationState[];
  /** Absent: never enabled (one "null" version per key, overwritten in place). */
  versioning?: 'Enabled' | 'Suspended';
  /** Default encryption; absent: SSE-S3 (AES256), as every bucket has since January 2023. */
  encryption?: { kmsKeyArn: string; bucketKeyEnabled: boolean };
  /** Every version of each key, oldest first. */
  objects?: Record<string, S3ObjectVersionState[]>;
  /** The bucket policy, as the text it was put with (GetBucketPolicy answers it as is). Absent: none (NoSuchBucketPolicy). */
  policy?: string;
  /** Block Public Access of the bucket. Absent: none configured (NoSuchPublicAccessBlockConfiguration). */
  publicAccessBlock?: { blockPublicAcls: boolean; ignorePublicAcls: boolean; blockPublicPolicy: boolean; restrictPublicBuckets: boolean };
}

export interface S3State {
  buckets: Record<string, S3BucketState>;
}

/** What makes a service's tasks fail, and so whether a fresh deployment fixes it. */
export type EcsFailureMode = 'none' | 'health-check' | 'image-pull' | 'secrets';

export interface EcsDeploymentState {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  createdAt: string;
  updatedAt: string;
  /**
   * DescribeServices calls left before this rollout settles; absent when nothing is moving (a
   * seeded deployment stuck IN_PROGRESS stays so, as an unhealthy ECS service does).
   */
  describesLeft?: number;
  /** The service deployment (ListServiceDeployments) this deployment is, when the service keeps that history. */
  serviceDeploymentId?: string;
}

/** A service deployment's status, as ListServiceDeployments reports it (no FAILED: a failure without rollback is STOPPED). */
export type EcsServiceDeploymentStatus =
  | 'PENDING' | 'SUCCESSFUL' | 'STOPPED' | 'STOP_REQUESTED' | 'IN_PROGRESS'
  | 'ROLLBACK_REQUESTED' | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_SUCCESSFUL' | 'ROLLBACK_FAILED';

/** One service deployment (the history ECS keeps since October 2024): from revisions, to a revision. */
export interface EcsServiceDeploymentRecord {
  /** The last part of its ARN (service-deployment/CLUSTER/SERVICE/ID). */
  id: string;
  status: EcsServiceDeploymentStatus;
  statusReason?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Revision ids (keys of the service's `revisions`). */
  targetRevision: string;
  sourceRevisions: string[];
  /** The circuit breaker's count and threshold, as DescribeServiceDeployments shows them. */
  failedTasks?: number;
  /** A rollback ECS started, to this revision. */
  rollback?: { reason: string; startedAt: string; revision: string };
}

/** A service revision: the task definition (and what else a deployment sets) one deployment deployed. */
export interface EcsServiceRevisionRecord {
  taskDefinition: string;
  createdAt: string;
}

/** A container of a registered task definition: its image as written, and the digest ECS resolved it to. */
export interface EcsTaskDefinitionContainer {
  name: string;
  image: string;
  imageDigest: string;
  /** Plain environment variables, as registered. Absent: none. */
  environment?: { name: string; value: string }[];
  /** Secrets by reference (Secrets Manager or SSM ARNs), never values. Absent: none. */
  secrets?: { name: string; valueFrom: string }[];
  /** What the model does not read (ports, log configuration, ...), kept and answered as registered. */
  rest?: Record<string, unknown>;
}

export interface EcsTaskDefinitionState {
  containers: EcsTaskDefinitionContainer[];
  registeredAt: string;
  /** Task-level settings, as registered (RegisterTaskDefinition); absent on the older seeds: a Fargate task of 512 CPU units, 1 GB. */
  taskRoleArn?: string;
  executionRoleArn?: string;
  cpu?: string;
  memory?: string;
  /** Resource tags (DescribeTaskDefinition with include TAGS). */
  tags?: Record<string, string>;
}

export interface EcsEventState {
  id: string;
  createdAt: string;
  message: string;
}

export interface EcsContainerState {
  name: string;
  image: string;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  exitCode?: number;
  reason?: string;
}

export interface EcsTaskState {
  taskId: string;
  taskDefinition: string;
  /** The deployment that started it (ECS puts the deployment id in startedBy). */
  startedBy: string;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  createdAt: string;
  startedAt?: string;
  stoppedAt?: string;
  stopCode?: 'TaskFailedToStart' | 'EssentialContainerExited' | 'UserInitiated' | 'ServiceSchedulerInitiated';
  stoppedReason?: string;
  containers: EcsContainerState[];
}

export interface EcsServiceState {
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  taskDefinition: string;
  containerName: string;
  containerImage: string;
  containerPort: number;
  targetGroupArn: string;
  failure: EcsFailureMode;
  /** DescribeServices calls a rollout or scaling takes to settle: deterministic, not wall-clock. */
  describesToSettle: number;
  createdAt: string;
  deployments: EcsDeploymentState[];
  /** Newest first, as DescribeServices returns them. */
  events: EcsEventState[];
  tasks: EcsTaskState[];
  /** Resource tags (ListTagsForResource). */
  tags?: Record<string, string>;
  /** deploymentConfiguration.deploymentCircuitBreaker. @default enabled, without rollback */
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** Its service deployments, newest first, and their revisions by id; absent: a service with no such history. */
  serviceDeployments?: EcsServiceDeploymentRecord[];
  revisions?: Record<string, EcsServiceRevisionRecord>;
  /**
   * The work its tasks share, as memory: MemoryUtilization reads it divided by the running tasks
   * (percent of one task's memory, capped at 100), so more tasks bring it down. Absent: not modelled.
   */
  memoryLoadPercent?: number;
  /**
   * The heartbeat its application publishes (seed 004 "Stale Heartbeat"): each running task puts 1
   * a period on namespace/metricName (dimensions ClusterName and ServiceName), except the tasks of
   * `staleDeployments`, whose application hung while ECS still reports them running. New tasks (a
   * forced deployment) publish again. Absent: not modelled.
   */
  heartbeat?: { namespace: string; metricName: string; staleDeployments: string[] };
}

export interface EcsClusterState {
  services: Record<string, EcsServiceState>;
}

export interface SsmParameterState {
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  /** A SecureString's KMS key (its ARN, or alias/aws/ssm, the account's default). */
  keyId?: string;
  lastModified: string;
  /** Earlier values, oldest first, so a drill can show what a put replaced. */
  history: { version: number; value: string; lastModified: string }[];
}

export interface CostState {
  /** Month the amounts belong to (YYYY-MM); absent: the latest month a query asks for. */
  month?: string;
  currency: string;
  /** Month-to-date UnblendedCost of the whole account. */
  total: number;
  /** Tag key -> tag value -> month-to-date cost; the rest of `total` is untagged for that key. */
  byTag: Record<string, Record<string, number>>;
}

export interface SnsState {
  topics: string[];
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionState {
  stateMachineArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  output?: string;
  /** How the last run failed (FAILED, TIMED_OUT, ABORTED). */
  error?: string;
  cause?: string;
  /** 0, then one more per redrive; the date of the last one. */
  redriveCount?: number;
  redriveDate?: string;
  /** Every run's events, oldest first, in GetExecutionHistory's shape (timestamps ISO). */
  history?: HistoryEventState[];
  /** Client tokens of successful redrives (the last 10, each answered again for 15 minutes). */
  redriveTokens?: { token: string; at: string; redriveDate: string }[];
  /**
   * A seed workflow's redriven run, as the sandbox plays it (the drill runs only this system's own
   * state machines): it ends at once so, from the state that failed. Absent: the drill runs it.
   */
  afterRedrive?: { status: 'SUCCEEDED' | 'FAILED'; state: string; error?: string; cause?: string };
  /** A seed workflow's run the sandbox plays (SeededRunState): it ends after this many more DescribeExecution calls. */
  playing?: SeededRunState & { describesLeft: number };
}

/**
 * How a seed workflow's execution runs, as the sandbox plays it (the drill runs only this system's
 * own state machines): it ends so after `describesToEnd` DescribeExecution calls, deterministic,
 * not on the wall clock.
 */
export interface SeededRunState {
  describesToEnd: number;
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** JSON text, as DescribeExecution returns it (SUCCEEDED only). */
  output?: string;
  error?: string;
  cause?: string;
}

/** One history event: id, previousEventId, timestamp (ISO), type and its `<type>EventDetails`. */
export type HistoryEventState = { id: number; previousEventId: number; timestamp: string; type: string } & Record<string, unknown>;

/** A `.waitForTaskToken` task waiting for SendTaskSuccess / SendTaskFailure. */
export interface TaskTokenState {
  executionArn: string;
  state: string;
  status: 'waiting' | 'succeeded' | 'failed' | 'timed-out';
}

export interface StepFunctionsState {
  /** `run`: a seed workflow the sandbox runs itself when StartExecution starts it (absent: the drill's own machines, run by its hook). */
  stateMachines: Record<string, { type: 'STANDARD' | 'EXPRESS'; tags?: Record<string, string>; run?: SeededRunState }>;
  /** Keyed by execution ARN. */
  executions: Record<string, ExecutionState>;
  /** Keyed by task token. */
  taskTokens?: Record<string, TaskTokenState>;
  /** The account's quota of open executions (RedriveExecution and StartExecution answer ExecutionLimitExceeded past it). @default 1,000,000 */
  openExecutionsLimit?: number;
}

export interface SecretState {
  arn: string;
  value: string;
  versionId: string;
  createdAt: string;
}

export interface AlarmState {
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** A percentile (p99) is an extended statistic: DescribeAlarms says it as ExtendedStatistic. */
  statistic: 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount' | `p${number}`;
  period: number;
  evaluationPeriods: number;
  threshold: number;
  comparisonOperator:
    | 'GreaterThanOrEqualToThreshold'
    | 'GreaterThanThreshold'
    | 'LessThanThreshold'
    | 'LessThanOrEqualToThreshold';
  treatMissingData: 'breaching' | 'notBreaching' | 'ignore' | 'missing';
  stateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  stateReason: string;
  stateUpdatedAt: string;
  alarmActions: string[];
  okActions: string[];
  tags: Record<string, string>;
  /**
   * A scenario knob: whatever drives this alarm's metric is not what the runbook changes, so the
   * alarm stays in its state (see alarm-evaluation.ts for what clears an alarm otherwise).
   */
  causePersists?: boolean;
}

/** A composite alarm: a rule over other alarms, no metric of its own. */
export interface CompositeAlarmState {
  description: string;
  alarmRule: string;
  stateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  stateReason: string;
  stateUpdatedAt: string;
  alarmActions: string[];
  tags: Record<string, string>;
}

/** One item of the account's alarm history (DescribeAlarmHistory): kept for deleted alarms too. */
export interface AlarmHistoryItemState {
  alarmName: string;
  alarmType: 'MetricAlarm' | 'CompositeAlarm';
  timestamp: string;
  historyItemType: 'ConfigurationUpdate' | 'StateUpdate' | 'Action';
  historySummary: string;
  /** JSON text, as CloudWatch writes it (a StateUpdate: version, oldState and newState with stateValue, stateReason, stateReasonData). */
  historyData: string;
}

export interface CloudWatchState {
  alarms: Record<string, AlarmState>;
  compositeAlarms: Record<string, CompositeAlarmState>;
  /** Oldest first; every state change the sandbox evaluates is added. Absent: none. */
  history?: AlarmHistoryItemState[];
  /** Metrics an application publishes (PutMetricData), as GetMetricData reads them, by a name of the seed's. Absent: none. */
  metrics?: Record<string, MetricSeriesState>;
}

/**
 * One metric (namespace, name and its exact set of dimensions) as an application publishes it:
 * one value every `periodSeconds`, the newest at `endsAt` (so a scenario changes `values` alone).
 */
export interface MetricSeriesState {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  periodSeconds: number;
  /** ISO time of the newest value. */
  endsAt: string;
  /** Oldest first. */
  values: number[];
}

export interface AccountState {
  accountId: string;
  region: string;
  lambda: LambdaState;
  /** Task definitions by family:revision (DescribeTaskDefinition). */
  ecs: { clusters: Record<string, EcsClusterState>; taskDefinitions: Record<string, EcsTaskDefinitionState> };
  ssm: { parameters: Record<string, SsmParameterState> };
  costs: CostState;
  sns: SnsState;
  stepFunctions: StepFunctionsState;
  cloudwatch: CloudWatchState;
  /** Absent: no rules on any bus. */
  events?: EventsState;
  /** Absent: no buckets. */
  s3?: S3State;
  /** Keyed by secret name. */
  secretsManager?: { secrets: Record<string, SecretState> };
  /** Keyed by queue name. Absent: no queues. */
  sqs?: { queues: Record<string, SqsQueueState> };
  /** CloudWatch Logs: events per log group name. Absent: no log groups. */
  logs?: { groups: Record<string, LogEventState[]> };
  /** EC2: instances and route tables by id (the reads a NAT instance's page makes). Absent: none. */
  ec2?: Ec2State;
  /** Application Auto Scaling: scalable targets keyed `namespace|resourceId|dimension`. Absent: none registered. */
  applicationAutoScaling?: { scalableTargets: Record<string, ScalableTargetState> };
  /** RDS: DB instances and clusters by identifier, DB parameter groups by name. Absent: no databases. */
  rds?: RdsState;
  /** KMS keys by key ARN, each with its key policy text. Absent: no keys. */
  kms?: { keys: Record<string, { policy: string }> };
  /** IAM roles by name, each with its ARN and inline policies (name -> policy text). Absent: no roles. */
  iam?: {
    roles: Record<string, { arn: string; policies: Record<string, string> }>;
    /** IAM users by name, with their access keys by id (ids and statuses: the secret is never kept). Absent: none. */
    users?: Record<string, IamUserState>;
  };
  /** CloudTrail: the account's management events, oldest first (LookupEvents answers newest first). Absent: none recorded. */
  cloudtrail?: { events: TrailEventState[] };
  /** Bedrock AgentCore control plane: gateways by id, policy engines by ARN. Absent: none. */
  agentcore?: { gateways: Record<string, AgentCoreGatewayState>; policyEngines: Record<string, { name: string }> };
  /** The application's own HTTP endpoints the sandbox serves on its loopback port (unsigned requests): the kill switch. Absent: none. */
  application?: ApplicationState;
  /** EventBridge Scheduler: schedules keyed `group/name` (scheduler.ts). Absent: none. */
  scheduler?: { schedules: Record<string, ScheduleState> };
}

/** The configuration UpdateGateway replaces as a whole (its request's fields besides the identifier). */
export interface AgentCoreGatewayConfig {
  name: string;
  description?: string;
  roleArn: string;
  protocolType?: 'MCP';
  protocolConfiguration?: Record<string, unknown>;
  authorizerType: 'CUSTOM_JWT' | 'AWS_IAM' | 'NONE' | 'AUTHENTICATE_ONLY';
  authorizerConfiguration?: Record<string, unknown>;
  kmsKeyArn?: string;
  customTransformConfiguration?: Record<string, unknown>;
  interceptorConfigurations?: Record<string, unknown>[];
  policyEngineConfiguration?: { arn: string; mode: 'ENFORCE' | 'LOG_ONLY' };
  exceptionLevel?: 'DEBUG';
  wafConfiguration?: Record<string, unknown>;
}

export interface AgentCoreGatewayState extends AgentCoreGatewayConfig {
  gatewayId: string;
  gatewayArn: string;
  gatewayUrl: string;
  status: 'CREATING' | 'UPDATING' | 'UPDATE_UNSUCCESSFUL' | 'DELETING' | 'READY' | 'FAILED';
  createdAt: string;
  updatedAt: string;
  /** GetGateway reads an update takes to reach READY (deterministic, not wall-clock). @default 1 */
  readsToSettle?: number;
  /** Reads left while UPDATING. */
  readsLeft?: number;
}

/** The application's kill-switch endpoints: what each POST did, and how the endpoint answers. */
export interface ApplicationState {
  /** The bearer token the endpoints accept (the value of the configured Secrets Manager secret). */
  token: string;
  /** By path (e.g. /portfolio/kill_switch): halted or not, and the POSTs it took. */
  endpoints: Record<string, KillSwitchEndpointState>;
}

export interface KillSwitchEndpointState {
  halted: boolean;
  /** Every POST, as the endpoint recorded it (never the credential). */
  posts: { at: string; authorized: boolean; status: number }[];
  /** Answer every POST with this HTTP status, changing nothing (a scenario's failing endpoint). */
  failWith?: number;
}

/** An EventBridge Scheduler schedule as CreateSchedule took it; a one-time one fires on the sandbox clock (scheduler.ts). */
export interface ScheduleState {
  groupName: string;
  name: string;
  expression: string;
  expressionTimezone?: string;
  state: 'ENABLED' | 'DISABLED';
  actionAfterCompletion: 'NONE' | 'DELETE';
  flexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  target: { Arn: string; RoleArn: string; Input?: string };
  description?: string;
  createdAt: string;
  /** When a one-time schedule invoked its target (kept only when ActionAfterCompletion is NONE). */
  firedAt?: string;
}

export interface IamUserState {
  arn: string;
  userId: string;
  accessKeys: Record<string, { status: 'Active' | 'Inactive'; createDate: string }>;
}

/** One management event as CloudTrail records it (the record is the JSON LookupEvents returns as CloudTrailEvent). */
export interface TrailEventState {
  eventId: string;
  eventName: string;
  eventSource: string;
  eventTime: string;
  accessKeyId: string;
  userName: string;
  readOnly: boolean;
  sourceIPAddress: string;
  errorCode?: string;
  /** As CloudTrail records the answer, where it does (AssumeRole's credentials, the session token included). */
  responseElements?: Record<string, unknown>;
}

export interface RdsState {
  instances: Record<string, RdsInstanceState>;
  clusters: Record<string, RdsClusterState>;
  parameterGroups: Record<string, RdsParameterGroupState>;
}

/**
 * A status RDS moves to after more reads of the resource: a failover's `rebooting`, then
 * `available`. Counted in DescribeDBInstances / DescribeDBClusters calls so a drill is
 * deterministic rather than timed, as ECS rollouts are (ecs-rollout.ts).
 */
export interface RdsStatusChange {
  status: string;
  /** Reads of the resource that still see the status before this one. */
  afterReads: number;
}

/** An ECS service that holds connections to a database: what its tasks' pools hold (DatabaseConnections). */
export interface RdsClientState {
  clusterName: string;
  serviceName: string;
  /** Connections one running task holds. */
  connectionsPerTask: number;
  /** A pool that leaks: the tasks these deployments started hold this many each, until new tasks replace them. */
  leak?: { deployments: string[]; connectionsPerTask: number };
}

export interface RdsInstanceState {
  engine: string;
  engineVersion: string;
  instanceClass: string;
  /** DBInstanceStatus: available, rebooting, modifying, backing-up, failed, ... */
  status: string;
  /** Status changes still to come, in order. */
  statusChanges?: RdsStatusChange[];
  multiAZ: boolean;
  availabilityZone: string;
  /** The standby's zone (Multi-AZ instances). */
  secondaryAvailabilityZone?: string;
  /** Its DB parameter group (an Aurora instance's too: max_connections is set per instance). */
  parameterGroup: string;
  /** The cluster it belongs to (Aurora), if any. */
  clusterIdentifier?: string;
  port: number;
  createdAt: string;
  vpcSecurityGroups: string[];
  clients?: RdsClientState[];
  tags?: Record<string, string>;
}

export interface RdsClusterState {
  engine: string;
  engineVersion: string;
  status: string;
  statusChanges?: RdsStatusChange[];
  multiAZ: boolean;
  /** Its members (instances in `instances`), the writer first. */
  members: { instance: string; writer: boolean }[];
  /** Its DB cluster parameter group. */
  clusterParameterGroup: string;
  availabilityZones: string[];
  port: number;
  createdAt: string;
  tags?: Record<string, string>;
}

/** A DB parameter group: each parameter as DescribeDBParameters reports it. */
export interface RdsParameterGroupState {
  family: string;
  description: string;
  parameters: Record<string, {
    /** Absent: no value set (the engine's default applies). */
    value?: string;
    source: 'user' | 'system' | 'engine-default';
    applyType: 'static' | 'dynamic';
    dataType: 'string' | 'integer' | 'boolean' | 'list';
    isModifiable: boolean;
    description: string;
    allowedValues?: string;
  }>;
}

/** A registered scalable target (RegisterScalableTarget), as DescribeScalableTargets reports it. */
export interface ScalableTargetState {
  serviceNamespace: string;
  resourceId: string;
  scalableDimension: string;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  createdAt: string;
}

/** An SQS queue's attributes, as GetQueueAttributes reports them (seconds). */
export interface SqsQueueState {
  visibilityTimeout: number;
  messageRetentionPeriod: number;
  createdAt: string;
  /** Messages waiting (ApproximateNumberOfMessagesVisible) while its consumer falls behind. @default 0 */
  messagesVisible?: number;
  /**
   * The ECS service that works the queue, and how many running tasks keep up with what arrives:
   * with that many the backlog drains (the metric reads 0 once the drill's compressed wait has passed).
   */
  consumer?: { clusterName: string; serviceName: string; tasksToKeepUp: number };
}

/** One log event of a log group. */
export interface LogEventState {
  logStreamName: string;
  timestamp: string;
  message: string;
}

/** EC2's instances and route tables, by id. */
export interface Ec2State {
  instances: Record<string, Ec2InstanceState>;
  routeTables: Record<string, Ec2RouteTableState>;
}

/** An EC2 status check's result (DescribeInstanceStatus' reachability detail, and the summary status it implies). */
export type Ec2CheckState = { status: 'ok' | 'impaired' | 'initializing' | 'insufficient-data'; reachability: 'passed' | 'failed' | 'initializing' | 'insufficient-data'; impairedSince?: string };

export interface Ec2InstanceState {
  instanceType: string;
  imageId: string;
  availabilityZone: string;
  vpcId: string;
  subnetId: string;
  privateIpAddress: string;
  publicIpAddress?: string;
  launchTime: string;
  state: 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';
  /** Why it last changed state, as DescribeInstances words it (`reason`); empty when it did not. */
  stateTransitionReason: string;
  stateReason?: { code: string; message: string };
  /** false on a NAT instance: it forwards traffic that is neither from nor to itself. */
  sourceDestCheck: boolean;
  /** The status checks of a running instance (a stopped one has none: not-applicable). */
  systemStatus: Ec2CheckState;
  instanceStatus: Ec2CheckState;
  /** Scheduled events (system-reboot, instance-retirement, ...). */
  events: { instanceEventId: string; code: string; description: string; notBefore: string; notAfter?: string }[];
  tags: Record<string, string>;
}

export interface Ec2RouteTableState {
  vpcId: string;
  routes: { destinationCidrBlock: string; gatewayId?: string; instanceId?: string; networkInterfaceId?: string; state: 'active' | 'blackhole'; origin: 'CreateRouteTable' | 'CreateRoute' }[];
  /** Its subnet associations; `main` for the VPC's main route table. */
  associations: { routeTableAssociationId: string; subnetId?: string; main: boolean }[];
  tags: Record<string, string>;
}

/** What an ARN names of the account. */
type Account = Pick<AccountState, 'accountId' | 'region'>;

export const arn = {
  lambdaFunction: (s: Account, name: string) => `arn:aws:lambda:${s.region}:${s.accountId}:function:${name}`,
  ecsCluster: (s: Account, cluster: string) => `arn:aws:ecs:${s.region}:${s.accountId}:cluster/${cluster}`,
  ecsService: (s: Account, cluster: string, service: string) =>
    `arn:aws:ecs:${s.region}:${s.accountId}:service/${cluster}/${service}`,
  ecsTask: (s: Account, cluster: string, taskId: string) =>
    `arn:aws:ecs:${s.region}:${s.accountId}:task/${cluster}/${taskId}`,
  ecsServiceDeployment: (s: Account, cluster: string, service: string, id: string) =>
    `arn:aws:ecs:${s.region}:${s.accountId}:service-deployment/${cluster}/${service}/${id}`,
  ecsServiceRevision: (s: Account, cluster: string, service: string, id: string) =>
    `arn:aws:ecs:${s.region}:${s.accountId}:service-revision/${cluster}/${service}/${id}`,
  ecsTaskDefinition: (s: Account, familyRevision: string) =>
    `arn:aws:ecs:${s.region}:${s.accountId}:task-definition/${familyRevision}`,
  ssmParameter: (s: Account, name: string) =>
    `arn:aws:ssm:${s.region}:${s.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
  snsTopic: (s: Account, name: string) => `arn:aws:sns:${s.region}:${s.accountId}:${name}`,
  stateMachine: (s: Account, name: string) => `arn:aws:states:${s.region}:${s.accountId}:stateMachine:${name}`,
  execution: (s: Account, stateMachineName: string, name: string) =>
    `arn:aws:states:${s.region}:${s.accountId}:execution:${stateMachineName}:${name}`,
  alarm: (s: Account, name: string) => `arn:aws:cloudwatch:${s.region}:${s.accountId}:alarm:${name}`,
  eventRule: (s: Account, bus: string, name: string) =>
    `arn:aws:events:${s.region}:${s.accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`,
  eventBus: (s: Account, bus: string) => `arn:aws:events:${s.region}:${s.accountId}:event-bus/${bus}`,
  rdsInstance: (s: Account, id: string) => `arn:aws:rds:${s.region}:${s.accountId}:db:${id}`,
  rdsCluster: (s: Account, id: string) => `arn:aws:rds:${s.region}:${s.accountId}:cluster:${id}`,
  rdsParameterGroup: (s: Account, name: string) => `arn:aws:rds:${s.region}:${s.accountId}:pg:${name}`,
};
