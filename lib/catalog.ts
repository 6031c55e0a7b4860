/**
 * The runbook catalog: for each runbook, its ASL file, the handlers its Task states invoke, and
 * what each handler may touch. Plain data built from config: the CDK stack turns it into
 * functions, roles and state machines, and the drill binds the same handlers to the same ASL.
 */
import type { RunbookPolicies } from '../lambdas/domain/admission';
import type { EventPattern } from '../lambdas/domain/event-pattern';
import { alarmRulePatterns, ALARM_RUNBOOKS, type AlarmRunbook } from '../lambdas/domain/routing';
import { switchParameterNames, type SwitchParameters } from '../lambdas/domain/switches';
import type { DynamodbThrottlingConfig, EnvironmentConfig, GatePolicy, LambdaRunawayConfig, RunbookName, TargetTags, VerifyConfig } from './config/schema';
import { deadlineSeconds, type ApprovalPolicy, type GateSettings } from '../lambdas/domain/approval';

/** One IAM statement: the only actions and resources a handler may use. */
export interface Permission {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Record<string, Record<string, string | string[]>>;
}

export interface HandlerDef {
  /** Construct id and function name suffix, e.g. "LambdaRunawayStop". */
  readonly id: string;
  /** The ASL substitution this handler's ARN fills, e.g. "StopFunctionArn". */
  readonly substitution: string;
  /** Entry file under lambdas/. */
  readonly entry: string;
  readonly description: string;
  /** Reads and writes the remediation ledger. */
  readonly usesLedger: boolean;
  /** Sends approval requests: the approvals topic, the link-signing secret and the page URL. */
  readonly usesApprovals?: boolean;
  readonly environment: Readonly<Record<string, string>>;
  readonly permissions: readonly Permission[];
}

export interface RunbookDef {
  /** A runbook, or the undo state machine (started by hand, never by an event). */
  readonly name: RunbookName | typeof UNDO_MACHINE;
  /** statemachines/<file>. */
  readonly definitionFile: string;
  readonly handlers: readonly HandlerDef[];
  /** Substitutions besides the handler ARNs: names (e.g. the agent proxy service) and the partition. */
  readonly substitutions: Readonly<Record<string, string>>;
  /** What the state machine's own role may do besides invoking its functions (service integrations). */
  readonly stateMachinePermissions?: readonly Permission[];
}

/** Builds ARNs for a partition/account/region (CDK tokens in the stack, literals in the drill). */
export interface Arns {
  lambdaFunction(name: string): string;
  dynamodbTable(name: string): string;
  ecsCluster(cluster: string): string;
  ecsService(cluster: string, service: string): string;
  ecsTask(cluster: string): string;
  ssmParameter(name: string): string;
  /** A rule ARN on an event bus ("default" has no bus segment); name may be "*". */
  eventRule(bus: string, name: string): string;
  s3Bucket(name: string): string;
  stateMachine(name: string): string;
  /** Every execution of a state machine (GetExecutionHistory's resource). */
  executions(stateMachineName: string): string;
  readonly account: string;
  /** aws, aws-cn, aws-us-gov: the definitions' integration ARNs (arn:${Partition}:states:::lambda:invoke) use it. */
  readonly partition: string;
}

export function literalArns(partition: string, region: string, account: string): Arns {
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
  return {
    lambdaFunction: (name) => arn('lambda', `function:${name}`),
    dynamodbTable: (name) => arn('dynamodb', `table/${name}`),
    ecsCluster: (cluster) => arn('ecs', `cluster/${cluster}`),
    ecsService: (cluster, service) => arn('ecs', `service/${cluster}/${service}`),
    ecsTask: (cluster) => arn('ecs', `task/${cluster}/*`),
    ssmParameter: (name) => arn('ssm', `parameter${name.startsWith('/') ? name : `/${name}`}`),
    eventRule: (bus, name) => arn('events', `rule/${bus === 'default' ? '' : `${bus}/`}${name}`),
    s3Bucket: (name) => `arn:${partition}:s3:::${name}`,
    stateMachine: (name) => arn('states', `stateMachine:${name}`),
    executions: (name) => arn('states', `execution:${name}:*`),
    account,
    partition,
  };
}

const json = (value: unknown) => JSON.stringify(value);

/** The undo state machine's catalog name; deployed as `runbook-autopilot-<env>-undo`. */
export const UNDO_MACHINE = 'undo';

/** The name the stack gives the undo state machine, so `npm run undo` can find it from the environment. */
export const undoStateMachineName = (environment: string) => `runbook-autopilot-${environment}-undo`;
/**
 * Blast radius by tag: the same actions on every resource of the type (`pattern`) that carries
 * all the allowlisted tags. Lambda functions, DynamoDB tables and ECS services all support the
 * aws:ResourceTag/<key> condition key on these actions (Service Authorization Reference).
 */
function byTag(actions: string[], pattern: string[], tags: TargetTags | undefined): Permission[] {
  if (!tags) return [];
  const condition = Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
  return [{ actions, resources: pattern, conditions: { StringEquals: condition } }];
}

/** Reading a candidate's tags: any resource of the type (read-only), so an untagged one can be refused. */
function tagReads(action: string, pattern: string[], tags: TargetTags | undefined): Permission[] {
  return tags ? [{ actions: [action], resources: pattern }] : [];
}

/** Per tag-allowlisting runbook: the tag-reading action and the ARN pattern of its resource type. */
function tagPatterns(config: EnvironmentConfig, arns: Arns): { action: string; pattern: string[]; tags: TargetTags | undefined }[] {
  const r = config.runbooks;
  const clusters = [...new Set(r['ecs-service-recovery'].targets.map((t) => t.clusterName))];
  return [
    { action: 'lambda:ListTags', pattern: [arns.lambdaFunction('*')], tags: r['lambda-runaway'].enabled ? r['lambda-runaway'].targetTags : undefined },
    { action: 'dynamodb:ListTagsOfResource', pattern: [arns.dynamodbTable('*')], tags: r['dynamodb-throttling'].enabled ? r['dynamodb-throttling'].targetTags : undefined },
    // ECS: services in the clusters the named targets are in (diagnosis reads tasks per cluster).
    { action: 'ecs:ListTagsForResource', pattern: clusters.map((c) => arns.ecsService(c, '*')), tags: r['ecs-service-recovery'].enabled ? r['ecs-service-recovery'].targetTags : undefined },
  ];
}

/** The verify step's policy, as its handler reads it (VERIFY_POLICY). */
const verifyPolicy = (v: VerifyConfig) => json({ waitSeconds: v.waitMinutes * 60, pollSeconds: v.pollSeconds, checks: v.checks, insufficientData: v.insufficientData });

/**
 * Verify or escalate for an alarm-started runbook: read the state of the alarm that fired.
 * DescribeAlarms returns composite alarms only to a caller granted it on "*" (CloudWatch API
 * reference); a narrower grant (alarm ARNs) would hide tag-routed composite alarms. Read-only.
 */
function alarmVerifyHandler(id: string, runbook: RunbookName, verify: VerifyConfig): HandlerDef {
  return {
    id, substitution: 'VerifyFunctionArn', entry: 'verify/alarm.ts', usesLedger: false,
    description: `${runbook}: verify the alarm returned to OK`,
    environment: { VERIFY_POLICY: verifyPolicy(verify) },
    permissions: [{ actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] }],
  };
}
const ecsKey = (t: { clusterName: string; serviceName: string }) => `${t.clusterName}/${t.serviceName}`;

/** Target keys per runbook, as admit and the allowlists name them. */
export function runbookTargets(config: EnvironmentConfig): Record<RunbookName, string[]> {
  const r = config.runbooks;
  return {
    'lambda-runaway': r['lambda-runaway'].targets.map((t) => t.functionName),
    'dynamodb-throttling': r['dynamodb-throttling'].targets.map((t) => t.tableName),
    'ecs-service-recovery': r['ecs-service-recovery'].targets.map(ecsKey),
    'llm-budget-guardrail': [r['llm-budget-guardrail'].budget.budgetName],
  };
}

/** The EventBridge patterns that start each alarm-driven runbook, for its configured targets. */
export function alarmRoutes(config: EnvironmentConfig): { runbook: AlarmRunbook; patterns: EventPattern[] }[] {
  const r = config.runbooks;
  const dimensions: Record<AlarmRunbook, Record<string, string>[]> = {
    'lambda-runaway': r['lambda-runaway'].targets.map((t) => ({ FunctionName: t.functionName })),
    'dynamodb-throttling': r['dynamodb-throttling'].targets.map((t) => ({ TableName: t.tableName })),
    'ecs-service-recovery': r['ecs-service-recovery'].targets.map((t) => ({ ClusterName: t.clusterName, ServiceName: t.serviceName })),
  };
  // A runbook that allowlists by tag takes alarms on any target of its metrics: admit reads the tags.
  return ALARM_RUNBOOKS.filter((name) => r[name].enabled).map((runbook) => ({ runbook, patterns: alarmRulePatterns(runbook, dimensions[runbook], { anyTarget: r[runbook].targetTags !== undefined }) }));
}

/** What admit enforces: per runbook, on/off, cooldown and the allowlist. */
export function runbookPolicies(config: EnvironmentConfig): RunbookPolicies {
  const targets = runbookTargets(config);
  const policies: RunbookPolicies = {};
  for (const name of Object.keys(targets) as RunbookName[]) {
    const rb = config.runbooks[name];
    policies[name] = {
      enabled: rb.enabled, cooldownMinutes: rb.cooldownMinutes, dryRun: rb.dryRun ?? config.dryRun, targets: targets[name],
      flapping: rb.flapping, maxRemediationsPerHour: rb.maxRemediationsPerHour,
      ...('targetTags' in rb && rb.targetTags ? { targetTags: rb.targetTags } : {}),
    };
  }
  return policies;
}

/** The kill switch and one switch per enabled runbook (SSM parameters, "enabled" when created). */
export function switchParameters(config: EnvironmentConfig): SwitchParameters {
  const enabled = (Object.keys(config.runbooks) as RunbookName[]).filter((name) => config.runbooks[name].enabled);
  return switchParameterNames(config.switchParameterPrefix ?? `/runbook-autopilot/${config.environment}`, enabled);
}

/** Handlers every runbook shares: admit (the gate) and notify (the ledger outcome + SNS). */
export function sharedHandlers(config: EnvironmentConfig, arns: Arns): { admit: HandlerDef; notify: HandlerDef } {
  const switches = switchParameters(config);
  return {
    admit: {
      id: 'Admit', substitution: 'AdmitFunctionArn', entry: 'admit/handler.ts', usesLedger: true,
      description: 'Admit: dedupe alarm transitions, enforce the allowlist, the switches and cooldowns',
      environment: { RUNBOOK_POLICIES: json(runbookPolicies(config)), SWITCH_PARAMETERS: json(switches) },
      permissions: [
        { actions: ['ssm:GetParameter'], resources: [switches.automation, ...Object.values(switches.runbooks)].map((n) => arns.ssmParameter(n)) },
        ...tagPatterns(config, arns).flatMap((t) => tagReads(t.action, t.pattern, t.tags)),
      ],
    },
    notify: {
      id: 'Notify', substitution: 'NotifyFunctionArn', entry: 'notify/handler.ts', usesLedger: true, permissions: [],
      description: 'Notify: record the outcome and publish to the critical or info topic',
      environment: {},
    },
  };
}

/** A runbook's deployed state machine: its ARN and name (tokens in the stack, literals in the drill). */
export interface RunbookMachineRef {
  readonly runbook: string;
  readonly arn: string;
  readonly name: string;
}

/**
 * The execution-failure rule's target: a runbook execution that failed, timed out or was aborted
 * is escalated, naming the state a redrive retries. It reads those executions' history (read-only,
 * the runbooks' executions only), marks the incident failed in the ledger and publishes to the
 * critical topic (the stack binds the topic).
 */
export function executionFailureHandler(arns: Arns, machines: readonly RunbookMachineRef[]): HandlerDef {
  return {
    id: 'ExecutionFailed', substitution: 'ExecutionFailedFunctionArn', entry: 'notify/execution-failed.ts', usesLedger: true,
    description: 'Execution failed: escalate a failed, timed-out or aborted runbook execution, naming the state a redrive retries',
    environment: { RUNBOOK_MACHINES: json(machines.map(({ runbook, arn }) => ({ runbook, arn }))) },
    permissions: machines.length === 0 ? [] : [{ actions: ['states:GetExecutionHistory'], resources: machines.map((m) => arns.executions(m.name)) }],
  };
}

/** The environment's approval policy, as the approval handlers receive it. */
export function approvalPolicy(config: EnvironmentConfig): ApprovalPolicy {
  const a = config.approvals;
  return { requiredApprovals: a.requiredApprovals, approvers: a.approvers.map(({ name, level }) => ({ name, level })), deadlineMinutes: a.deadlineMinutes };
}

/** The runbooks whose changes the undo state machine can put back. */
const UNDOABLE_RUNBOOKS = ['lambda-runaway', 'dynamodb-throttling', 'llm-budget-guardrail'] as const;

/** Every gated step of the enabled runbooks, keyed `<runbook>/<step>`, with its effective settings. */
export function approvalGates(config: EnvironmentConfig): Record<string, GateSettings> {
  const gates: Record<string, GateSettings> = {};
  const add = (key: string, g: GatePolicy) => {
    gates[key] = { severity: g.severity, onTimeout: g.onTimeout, requiredApprovals: g.requiredApprovals ?? config.approvals.requiredApprovals };
  };
  if (config.runbooks['lambda-runaway'].enabled) add('lambda-runaway/restore', config.runbooks['lambda-runaway'].restore.approval);
  const dt = config.runbooks['dynamodb-throttling'];
  if (dt.enabled && dt.stuckTasks) add('dynamodb-throttling/delete-stuck', dt.stuckTasks.approval);
  // An undo is asked under the incident's runbook: `<runbook>/undo`.
  for (const name of UNDOABLE_RUNBOOKS) if (config.runbooks[name].enabled) add(`${name}/undo`, config.undo.approval);
  return gates;
}

/**
 * A runbook's approval request handler (the `.waitForTaskToken` Task of its gated steps), or the
 * undo state machine's. Each knows every gate (`<runbook>/<step>`) and picks by the incident's
 * runbook and the step, so functions built from this one file all carry the same configuration.
 */
export function approvalRequestHandler(id: string, runbook: RunbookName | typeof UNDO_MACHINE, config: EnvironmentConfig): HandlerDef {
  const gates = approvalGates(config);
  return {
    id, substitution: 'ApprovalRequestFunctionArn', entry: 'approval/request.ts', usesLedger: true, usesApprovals: true,
    description: `${runbook}: ask the approvers of a gated step (one signed link each)`,
    environment: { APPROVAL_POLICY: json(approvalPolicy(config)), APPROVAL_GATES: json(gates) },
    // It sends a task result itself: an auto-approval, or (on the deadline path) a verdict the page could not deliver before
    // the previous task ended. Task results take no resource ARN: the task token is the capability.
    permissions: [{ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: ['*'] }],
  };
}

/**
 * The approval page behind API Gateway: reads requests and writes decisions in the ledger, reads
 * the signing key, re-reads each gated target's live state, and sends the task result.
 */
export function approvalPageHandler(config: EnvironmentConfig, arns: Arns): HandlerDef {
  const r = config.runbooks;
  const reads: Permission[] = [];
  if (r['lambda-runaway'].enabled) reads.push({ actions: ['lambda:GetFunction'], resources: r['lambda-runaway'].targets.map((t) => arns.lambdaFunction(t.functionName)) });
  if (r['dynamodb-throttling'].enabled) reads.push({ actions: ['dynamodb:DescribeTable'], resources: r['dynamodb-throttling'].targets.map((t) => arns.dynamodbTable(t.tableName)) });
  // A gated delete of stuck tasks: the page re-reads those tasks (key and status only), on the tasks table alone.
  const st = r['dynamodb-throttling'].enabled ? r['dynamodb-throttling'].stuckTasks : undefined;
  if (st) reads.push({ actions: ['dynamodb:BatchGetItem'], resources: [arns.dynamodbTable(st.tableName)] });
  return {
    id: 'ApprovalPage', substitution: '', entry: 'approval/page.ts', usesLedger: true, usesApprovals: true,
    description: 'Approval page: shows a gated step on GET, decides only on a POST of its own form',
    environment: {
      APPROVAL_TIME_ZONE: config.approvals.timeZone,
      ...(st ? { STUCK_TASK_TABLES: json({ [st.tableName]: { statusAttribute: st.statusAttribute, pendingStatus: st.pendingStatus } }) } : {}),
    },
    permissions: [
      ...reads,
      // SendTaskSuccess/Failure take no resource ARN: the task token, kept in the ledger, is the capability.
      { actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: ['*'] },
    ],
  };
}

export function buildCatalog(config: EnvironmentConfig, arns: Arns): RunbookDef[] {
  const r = config.runbooks;
  const catalog: RunbookDef[] = [];

  const lr = r['lambda-runaway'];
  if (lr.enabled) {
    const functions = lr.targets.map((t) => arns.lambdaFunction(t.functionName));
    const anyFunction = [arns.lambdaFunction('*')];
    const tagEnv: Record<string, string> = lr.targetTags ? { ALLOWED_TARGET_TAGS: json(lr.targetTags) } : {};
    const restore = lr.restore;
    catalog.push({
      name: 'lambda-runaway', definitionFile: 'lambda-runaway.asl.json',
      substitutions: {
        RestoreReservedConcurrency: String(restore.reservedConcurrency),
        RestoreApprovalTimeoutSeconds: String(deadlineSeconds(approvalPolicy(config), restore.approval.severity)),
      },
      handlers: [
        {
          id: 'LambdaRunawayInspect', substitution: 'InspectFunctionArn', entry: 'lambda-runaway/inspect.ts', usesLedger: false,
          description: 'lambda-runaway: read reserved concurrency', environment: {},
          permissions: [{ actions: ['lambda:GetFunction'], resources: functions }, ...byTag(['lambda:GetFunction'], anyFunction, lr.targetTags)],
        },
        {
          id: 'LambdaRunawayStop', substitution: 'StopFunctionArn', entry: 'lambda-runaway/stop.ts', usesLedger: true,
          description: 'lambda-runaway: reserved concurrency 0 (emergency stop)',
          environment: { ALLOWED_TARGETS: json(lr.targets.map((t) => t.functionName)), ...tagEnv },
          permissions: [
            { actions: ['lambda:GetFunction', 'lambda:PutFunctionConcurrency'], resources: functions },
            ...byTag(['lambda:GetFunction', 'lambda:PutFunctionConcurrency'], anyFunction, lr.targetTags),
            ...tagReads('lambda:ListTags', anyFunction, lr.targetTags),
          ],
        },
        invokerEvidenceHandler(lr, arns),
        alarmVerifyHandler('LambdaRunawayVerify', 'lambda-runaway', lr.verify),
        approvalRequestHandler('LambdaRunawayApprovalRequest', 'lambda-runaway', config),
        {
          id: 'LambdaRunawayRestore', substitution: 'RestoreFunctionArn', entry: 'lambda-runaway/restore.ts', usesLedger: true,
          description: 'lambda-runaway: restore a conservative reserved concurrency, as approved',
          environment: {
            ALLOWED_TARGETS: json(lr.targets.map((t) => t.functionName)), ...tagEnv,
            RESTORE_RESERVED_CONCURRENCY: String(restore.reservedConcurrency), RESTORE_ON_TIMEOUT: restore.approval.onTimeout,
          },
          permissions: [
            { actions: ['lambda:GetFunction', 'lambda:PutFunctionConcurrency'], resources: functions },
            ...byTag(['lambda:GetFunction', 'lambda:PutFunctionConcurrency'], anyFunction, lr.targetTags),
            ...tagReads('lambda:ListTags', anyFunction, lr.targetTags),
          ],
        },
      ],
    });
  }

  const dt = r['dynamodb-throttling'];
  if (dt.enabled) {
    const tables = dt.targets.map((t) => arns.dynamodbTable(t.tableName));
    const anyTable = [arns.dynamodbTable('*')];
    const tagEnv: Record<string, string> = dt.targetTags ? { ALLOWED_TARGET_TAGS: json(dt.targetTags) } : {};
    const describe = [{ actions: ['dynamodb:DescribeTable'], resources: tables }, ...byTag(['dynamodb:DescribeTable'], anyTable, dt.targetTags)];
    catalog.push({
      name: 'dynamodb-throttling', definitionFile: 'dynamodb-throttling.asl.json',
      substitutions: {
        // Without stuckTasks the count step answers "not applicable" and the gate is never reached.
        StuckDeleteApprovalTimeoutSeconds: String(deadlineSeconds(approvalPolicy(config), dt.stuckTasks?.approval.severity ?? 'P3')),
      },
      handlers: [
        {
          id: 'DynamodbThrottlingInspect', substitution: 'InspectFunctionArn', entry: 'dynamodb-throttling/inspect.ts', usesLedger: false,
          description: 'dynamodb-throttling: describe the table', environment: {},
          permissions: describe,
        },
        {
          id: 'DynamodbThrottlingSwitch', substitution: 'SwitchFunctionArn', entry: 'dynamodb-throttling/switch.ts', usesLedger: true,
          description: 'dynamodb-throttling: switch to on-demand',
          environment: { ALLOWED_TARGETS: json(dt.targets.map((t) => t.tableName)), ...tagEnv },
          permissions: [
            { actions: ['dynamodb:DescribeTable', 'dynamodb:UpdateTable'], resources: tables },
            ...byTag(['dynamodb:DescribeTable', 'dynamodb:UpdateTable'], anyTable, dt.targetTags),
            ...tagReads('dynamodb:ListTagsOfResource', anyTable, dt.targetTags),
          ],
        },
        {
          id: 'DynamodbThrottlingCheck', substitution: 'CheckFunctionArn', entry: 'dynamodb-throttling/check.ts', usesLedger: false,
          description: 'dynamodb-throttling: wait for ACTIVE on-demand',
          environment: { ACTIVE_TIMEOUT_SECONDS: String(dt.activeTimeoutMinutes * 60), POLL_SECONDS: '10' },
          permissions: describe,
        },
        ...stuckTaskHandlers(dt, arns),
        approvalRequestHandler('DynamodbThrottlingApprovalRequest', 'dynamodb-throttling', config),
        alarmVerifyHandler('DynamodbThrottlingVerify', 'dynamodb-throttling', dt.verify),
      ],
    });
  }

  const es = r['ecs-service-recovery'];
  if (es.enabled) {
    const services = es.targets.map((t) => arns.ecsService(t.clusterName, t.serviceName));
    const clusters = [...new Set(es.targets.map((t) => t.clusterName))];
    const anyService = clusters.map((c) => arns.ecsService(c, '*'));
    const tagEnv: Record<string, string> = es.targetTags ? { ALLOWED_TARGET_TAGS: json(es.targetTags) } : {};
    const describeServices = [{ actions: ['ecs:DescribeServices'], resources: services }, ...byTag(['ecs:DescribeServices'], anyService, es.targetTags)];
    catalog.push({
      name: 'ecs-service-recovery', definitionFile: 'ecs-service-recovery.asl.json', substitutions: {},
      handlers: [
        {
          id: 'EcsServiceRecoveryInspect', substitution: 'InspectFunctionArn', entry: 'ecs-service-recovery/inspect.ts', usesLedger: false,
          description: 'ecs-service-recovery: read service events and stopped tasks', environment: {},
          permissions: [
            ...describeServices,
            // ListTasks is scoped by cluster through a condition key, not a resource ARN.
            { actions: ['ecs:ListTasks'], resources: ['*'], conditions: { ArnEquals: { 'ecs:cluster': clusters.map((c) => arns.ecsCluster(c)) } } },
            { actions: ['ecs:DescribeTasks'], resources: clusters.map((c) => arns.ecsTask(c)) },
          ],
        },
        {
          id: 'EcsServiceRecoveryRedeploy', substitution: 'RedeployFunctionArn', entry: 'ecs-service-recovery/redeploy.ts', usesLedger: true,
          description: 'ecs-service-recovery: force a new deployment',
          environment: { ALLOWED_TARGETS: json(es.targets.map(ecsKey)), ...tagEnv },
          permissions: [
            { actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: services },
            ...byTag(['ecs:DescribeServices', 'ecs:UpdateService'], anyService, es.targetTags),
            ...tagReads('ecs:ListTagsForResource', anyService, es.targetTags),
          ],
        },
        {
          id: 'EcsServiceRecoveryCheck', substitution: 'CheckFunctionArn', entry: 'ecs-service-recovery/check.ts', usesLedger: false,
          description: 'ecs-service-recovery: watch the rollout',
          environment: { ROLLOUT_TIMEOUT_SECONDS: String(es.rolloutTimeoutMinutes * 60), POLL_SECONDS: String(es.rolloutPollSeconds) },
          permissions: describeServices,
        },
        alarmVerifyHandler('EcsServiceRecoveryVerify', 'ecs-service-recovery', es.verify),
      ],
    });
  }

  const lb = r['llm-budget-guardrail'];
  if (lb.enabled) {
    const parameter = arns.ssmParameter(lb.modelPreferenceParameter);
    const proxy = lb.proxyService;
    const undoArn = arns.stateMachine(undoStateMachineName(config.environment));
    catalog.push({
      name: 'llm-budget-guardrail', definitionFile: 'llm-budget-guardrail.asl.json',
      substitutions: {
        ProxyService: ecsKey(proxy),
        // "true"/"false": a Choice reads it after the not-verified escalation.
        UndoIfNotVerified: String(lb.undoIfNotVerified),
        UndoIfNotVerifiedNote: lb.undoIfNotVerified
          ? 'The undo is starting: it puts back the previous model once the undo approval policy allows, and reports its own outcome.'
          : 'The switch is kept (undoIfNotVerified is off): npm run undo -- <incident id> puts back the previous model.',
        UndoStateMachineArn: undoArn,
      },
      // Starts the undo (fire and forget: the undo waits for its own approvals and notifies its own outcome).
      stateMachinePermissions: lb.undoIfNotVerified ? [{ actions: ['states:StartExecution'], resources: [undoArn] }] : [],
      handlers: [
        {
          id: 'LlmBudgetGuardrailInspect', substitution: 'InspectFunctionArn', entry: 'llm-budget-guardrail/inspect.ts', usesLedger: false,
          description: 'llm-budget-guardrail: is Bedrock the cost driver?',
          environment: {
            COST_BUCKET_TAG_KEY: lb.costBucketTag.key, COST_BUCKET_TAG_VALUE: lb.costBucketTag.value,
            DRIVER_SHARE_PERCENT: String(lb.driverSharePercent), MODEL_PARAMETER: lb.modelPreferenceParameter,
            CHEAPER_MODEL: lb.cheaperModel, REVERT_AFTER_SECONDS: String(Math.round(lb.revertAfterHours * 3600)),
          },
          permissions: [
            // Cost Explorer has no resource-level permissions: "*" is the only resource it accepts.
            { actions: ['ce:GetCostAndUsage'], resources: ['*'] },
            { actions: ['ssm:GetParameter'], resources: [parameter] },
          ],
        },
        {
          id: 'LlmBudgetGuardrailPreference', substitution: 'PreferenceFunctionArn', entry: 'llm-budget-guardrail/preference.ts', usesLedger: true,
          description: 'llm-budget-guardrail: set or restore the model preference',
          environment: { MODEL_PARAMETER: lb.modelPreferenceParameter, CHEAPER_MODEL: lb.cheaperModel, ALLOWED_TARGETS: json([lb.modelPreferenceParameter]) },
          permissions: [{ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [parameter] }],
        },
        {
          id: 'LlmBudgetGuardrailRedeploy', substitution: 'RedeployFunctionArn', entry: 'ecs-service-recovery/redeploy.ts', usesLedger: true,
          description: 'llm-budget-guardrail: redeploy the agent proxy',
          environment: { ALLOWED_TARGETS: json([ecsKey(proxy)]) },
          permissions: [{ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [arns.ecsService(proxy.clusterName, proxy.serviceName)] }],
        },
        {
          id: 'LlmBudgetGuardrailVerify', substitution: 'VerifyFunctionArn', entry: 'llm-budget-guardrail/verify.ts', usesLedger: false,
          description: 'llm-budget-guardrail: verify the cheaper model is in effect',
          environment: { MODEL_PARAMETER: lb.modelPreferenceParameter, CHEAPER_MODEL: lb.cheaperModel, PROXY_SERVICE: ecsKey(proxy), VERIFY_POLICY: verifyPolicy(lb.verify) },
          permissions: [
            { actions: ['ssm:GetParameter'], resources: [parameter] },
            { actions: ['ecs:DescribeServices'], resources: [arns.ecsService(proxy.clusterName, proxy.serviceName)] },
          ],
        },
      ],
    });
  }
  return catalog.map((def) => ({ ...def, substitutions: { ...def.substitutions, ...partitionSubstitution(arns) } }));
}

/** Every definition names its service integrations in the deploying partition. */
const partitionSubstitution = (arns: Arns) => ({ Partition: arns.partition });

/**
 * lambda-runaway's read-only look at what invokes a stopped function (seed 003 §4). Scoped as far
 * as the Service Authorization Reference allows: the policy of the configured functions only,
 * rules of this account and region, bucket notifications of this account's buckets only (bucket
 * names are found at run time, in the function's policy). ListRuleNamesByTarget and
 * ListEventSourceMappings have no resource type, so "*" is their only resource.
 */
function invokerEvidenceHandler(lr: LambdaRunawayConfig, arns: Arns): HandlerDef {
  const buses = ['default', ...lr.evidence.eventBuses.filter((b) => b !== 'default')];
  return {
    id: 'LambdaRunawayEvidence', substitution: 'EvidenceFunctionArn', entry: 'lambda-runaway/evidence.ts', usesLedger: false,
    description: 'lambda-runaway: find the rules, buckets and event sources that invoke the function (read-only)',
    environment: {
      FUNCTION_ARNS: json(Object.fromEntries(lr.targets.map((t) => [t.functionName, arns.lambdaFunction(t.functionName)]))),
      EVENT_BUSES: json(buses),
    },
    permissions: [
      // ListRuleNamesByTarget has no resource type. A rule ARN names its bus as a path segment, so
      // rule/* on the default bus also covers custom buses: DescribeRule reads any rule of this account and region.
      { actions: ['events:ListRuleNamesByTarget'], resources: ['*'] },
      { actions: ['events:DescribeRule'], resources: [arns.eventRule('default', '*')] },
      { actions: ['lambda:GetPolicy'], resources: lr.targets.map((t) => arns.lambdaFunction(t.functionName)) },
      { actions: ['lambda:ListEventSourceMappings'], resources: ['*'] },
      { actions: ['s3:GetBucketNotification'], resources: [arns.s3Bucket('*')], conditions: { StringEquals: { 's3:ResourceAccount': arns.account } } },
    ],
  };
}

/**
 * dynamodb-throttling's cleanup of stuck tasks (seed 003 §2): count (read-only), back up, wait for
 * the backup, and delete on an approved decision. Every grant names the configured tasks table
 * only; without one (no `stuckTasks`) the count step answers "not applicable" and the others hold
 * no permission at all.
 */
function stuckTaskHandlers(dt: DynamodbThrottlingConfig, arns: Arns): HandlerDef[] {
  const st = dt.stuckTasks;
  const table = st ? [arns.dynamodbTable(st.tableName)] : [];
  const grant = (actions: string[], resources: string[]): Permission[] => (resources.length > 0 ? [{ actions, resources }] : []);
  const spec = st
    ? json({
      tableName: st.tableName, statusAttribute: st.statusAttribute, pendingStatus: st.pendingStatus,
      timestampAttribute: st.timestampAttribute, olderThanMinutes: st.olderThanMinutes, maxItems: st.maxItems,
    })
    : 'null';
  const allowed = json(st ? [st.tableName] : []);
  return [
    {
      id: 'DynamodbThrottlingCountStuck', substitution: 'CountStuckFunctionArn', entry: 'dynamodb-throttling/count-stuck.ts', usesLedger: false,
      description: 'dynamodb-throttling: count tasks stuck in pending (read-only)', environment: { STUCK_TASKS: spec },
      permissions: grant(['dynamodb:DescribeTable', 'dynamodb:Scan'], table),
    },
    {
      id: 'DynamodbThrottlingBackup', substitution: 'BackupFunctionArn', entry: 'dynamodb-throttling/backup.ts', usesLedger: true,
      description: 'dynamodb-throttling: on-demand backup of the tasks table', environment: { ALLOWED_TARGETS: allowed },
      // ListBackups (finding a backup an earlier attempt made, so a retry does not make a second)
      // has no resource type in the Service Authorization Reference: "*" is its only resource.
      permissions: [...grant(['dynamodb:CreateBackup'], table), ...grant(['dynamodb:ListBackups'], st ? ['*'] : [])],
    },
    {
      id: 'DynamodbThrottlingBackupStatus', substitution: 'BackupStatusFunctionArn', entry: 'dynamodb-throttling/backup-status.ts', usesLedger: false,
      description: 'dynamodb-throttling: wait for the backup to be AVAILABLE',
      environment: { BACKUP_TIMEOUT_SECONDS: String((st?.backupTimeoutMinutes ?? 10) * 60), POLL_SECONDS: '10' },
      // DescribeBackup is authorized on the backup's ARN, which lives under its table's.
      permissions: grant(['dynamodb:DescribeBackup'], table.map((t) => `${t}/backup/*`)),
    },
    {
      id: 'DynamodbThrottlingDeleteStuck', substitution: 'DeleteStuckFunctionArn', entry: 'dynamodb-throttling/delete-stuck.ts', usesLedger: true,
      description: 'dynamodb-throttling: delete the stuck tasks found, as approved',
      environment: { ALLOWED_TARGETS: allowed, STUCK_TASKS: spec, DELETE_ON_TIMEOUT: st?.approval.onTimeout ?? 'abort' },
      permissions: grant(['dynamodb:GetItem', 'dynamodb:DeleteItem'], table),
    },
  ];
}

/**
 * Functions that start runbooks rather than run in them: the budget adapter (AWS Budgets notify
 * only through SNS) and the alarm router (alarms routed by tag, composite alarms included).
 */
export function triggerHandlers(
  config: EnvironmentConfig,
  stateMachineArns: Readonly<Partial<Record<RunbookName, string>>>,
): { budgetAdapter?: HandlerDef; alarmRouter?: HandlerDef } {
  const out: { budgetAdapter?: HandlerDef; alarmRouter?: HandlerDef } = {};
  const guardrail = stateMachineArns['llm-budget-guardrail'];
  if (guardrail) {
    out.budgetAdapter = {
      id: 'BudgetAdapter', substitution: '', entry: 'budget-adapter/handler.ts', usesLedger: false, permissions: [],
      description: 'Starts llm-budget-guardrail from an AWS Budgets SNS notification',
      environment: { STATE_MACHINE_ARN: guardrail, BUDGET_NAMES: json([config.runbooks['llm-budget-guardrail'].budget.budgetName]) },
    };
  }
  const routes = alarmRoutes(config).filter((r) => stateMachineArns[r.runbook]);
  if (routes.length > 0) {
    out.alarmRouter = {
      id: 'AlarmRouter', substitution: '', entry: 'alarm-router/handler.ts', usesLedger: false, permissions: [],
      description: 'Starts the runbook an alarm names by tag (composite alarms, alarms of any metric)',
      environment: {
        ROUTES: json(Object.fromEntries(routes.map((r) => [r.runbook, { stateMachineArn: stateMachineArns[r.runbook], patterns: r.patterns }]))),
      },
    };
  }
  return out;
}

/**
 * The undo state machine: puts back what a runbook replaced, from the ledger. Its restore role
 * may call only the inverse actions, on the enabled runbooks' reversible targets: reserved
 * concurrency of the configured functions, the configured tables' capacity mode, the model
 * preference parameter; functions and tables allowlisted by tag only under the runbook's tag
 * conditions. ECS services are not touched (a forced redeployment has no inverse).
 */
export function undoMachine(config: EnvironmentConfig, arns: Arns): RunbookDef {
  const r = config.runbooks;
  const functionNames = r['lambda-runaway'].enabled ? r['lambda-runaway'].targets.map((t) => t.functionName) : [];
  const tableNames = r['dynamodb-throttling'].enabled ? r['dynamodb-throttling'].targets.map((t) => t.tableName) : [];
  const parameterNames = r['llm-budget-guardrail'].enabled ? [r['llm-budget-guardrail'].modelPreferenceParameter] : [];
  const functions = functionNames.map((n) => arns.lambdaFunction(n));
  const tables = tableNames.map((n) => arns.dynamodbTable(n));
  const parameters = parameterNames.map((n) => arns.ssmParameter(n));
  // The stuck tasks the cleanup deleted are put back (conditional PutItem) on the configured tasks table only.
  const stuckTasks = r['dynamodb-throttling'].enabled ? r['dynamodb-throttling'].stuckTasks : undefined;
  const tasksTable = stuckTasks ? [arns.dynamodbTable(stuckTasks.tableName)] : [];
  const scoped = (list: Permission[]) => list.filter((p) => p.resources.length > 0);
  const tagged = undoTagGrants(config, arns);
  return {
    name: UNDO_MACHINE, definitionFile: 'undo.asl.json',
    substitutions: {
      UndoApprovalTimeoutSeconds: String(deadlineSeconds(approvalPolicy(config), config.undo.approval.severity)),
      ...partitionSubstitution(arns),
    },
    handlers: [
      approvalRequestHandler('UndoApprovalRequest', UNDO_MACHINE, config),
      {
        id: 'UndoPlan', substitution: 'PlanFunctionArn', entry: 'undo/plan.ts', usesLedger: true, permissions: [],
        description: 'undo: admit the request and plan each restore from the ledger', environment: {},
      },
      {
        id: 'UndoRestore', substitution: 'RestoreFunctionArn', entry: 'undo/restore.ts', usesLedger: true,
        description: 'undo: compare and restore one recorded value',
        environment: { ALLOWED_TARGETS: json([...functionNames, ...tableNames, ...parameterNames]), UNDO_ON_TIMEOUT: config.undo.approval.onTimeout, ...tagged.environment },
        permissions: scoped([
          { actions: ['lambda:GetFunction', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'], resources: functions },
          { actions: ['dynamodb:DescribeTable', 'dynamodb:UpdateTable'], resources: tables },
          { actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: parameters },
          ...tagged.restore,
          { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: tasksTable },
        ]),
      },
      {
        id: 'UndoFinish', substitution: 'FinishFunctionArn', entry: 'undo/finish.ts', usesLedger: true,
        description: 'undo: verify the restored values and record the outcome', environment: {},
        permissions: scoped([
          { actions: ['lambda:GetFunction'], resources: functions },
          { actions: ['dynamodb:DescribeTable'], resources: tables },
          { actions: ['ssm:GetParameter'], resources: parameters },
          ...tagged.finish,
          { actions: ['dynamodb:GetItem'], resources: tasksTable },
        ]),
      },
    ],
  };
}

/**
 * The undo on tag-allowlisted targets (`targetTags`): the inverse and read actions on the resource
 * type, only under the runbook's own aws:ResourceTag conditions (byTag), and the tag read so the
 * restore can re-check the tags first. The restore learns the tags per runbook from its environment.
 */
function undoTagGrants(config: EnvironmentConfig, arns: Arns): { restore: Permission[]; finish: Permission[]; environment: Record<string, string> } {
  const r = config.runbooks;
  const lrTags = r['lambda-runaway'].enabled ? r['lambda-runaway'].targetTags : undefined;
  const dtTags = r['dynamodb-throttling'].enabled ? r['dynamodb-throttling'].targetTags : undefined;
  const anyFunction = [arns.lambdaFunction('*')];
  const anyTable = [arns.dynamodbTable('*')];
  const byRunbook = { ...(lrTags ? { 'lambda-runaway': lrTags } : {}), ...(dtTags ? { 'dynamodb-throttling': dtTags } : {}) };
  return {
    restore: [
      ...byTag(['lambda:GetFunction', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'], anyFunction, lrTags),
      ...tagReads('lambda:ListTags', anyFunction, lrTags),
      ...byTag(['dynamodb:DescribeTable', 'dynamodb:UpdateTable'], anyTable, dtTags),
      ...tagReads('dynamodb:ListTagsOfResource', anyTable, dtTags),
    ],
    finish: [...byTag(['lambda:GetFunction'], anyFunction, lrTags), ...byTag(['dynamodb:DescribeTable'], anyTable, dtTags)],
    environment: Object.keys(byRunbook).length > 0 ? { ALLOWED_TARGET_TAGS_BY_RUNBOOK: json(byRunbook) } : {},
  };
}
