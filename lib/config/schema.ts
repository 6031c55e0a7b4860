import { z } from 'zod';

/** Names of the runbooks this app can deploy; each has a statemachines/<name>.asl.json. */
export const RUNBOOK_NAMES = ['lambda-runaway', 'dynamodb-throttling', 'ecs-service-recovery', 'llm-budget-guardrail'] as const;
export type RunbookName = (typeof RUNBOOK_NAMES)[number];

const resourceName = z.string().min(1).max(255).regex(/^[A-Za-z0-9_.\-/:]+$/, 'letters, digits and _ . - / : only');
const email = z.email();
const minutes = z.number().int().min(0).max(7 * 24 * 60);

/**
 * Verify or escalate: after acting, wait for the alarm to evaluate again, then check (DescribeAlarms,
 * or the resource state for the budget runbook) up to `checks` times, `pollSeconds` apart.
 * `insufficientData` says what INSUFFICIENT_DATA means after the fix: `cleared` where the metric
 * goes silent when the fix works (a stopped function emits no invocations; DynamoDB publishes
 * throttle events only while throttling), `not-cleared` where a silent metric is itself a fault.
 */
const verifySchema = (insufficientData: 'cleared' | 'not-cleared') => z.strictObject({
  /** Alarms evaluate per period: wait at least one period (plus the evaluation delay) before the first check. */
  waitMinutes: z.number().int().min(1).max(60).default(5),
  pollSeconds: z.number().int().min(10).max(900).default(60),
  checks: z.number().int().min(1).max(30).default(5),
  insufficientData: z.enum(['cleared', 'not-cleared']).default(insufficientData),
}).default({ waitMinutes: 5, pollSeconds: 60, checks: 5, insufficientData });
export type TargetTags = NonNullable<z.infer<typeof targetTagsSchema>>;
export type VerifyConfig = z.infer<ReturnType<typeof verifySchema>>;

/**
 * Blast radius by tag: a target not named in `targets` is still allowed when it carries every one
 * of these tags (key: value), read from the resource at run time; IAM grants the runbook's actions
 * on that resource type only under the same aws:ResourceTag conditions.
 */
const targetTagsSchema = z.record(
  z.string().min(1).max(128).regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, 'a tag key (letters, digits, spaces and _ . : / = + - @)'),
  z.string().max(256).regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, 'a tag value (letters, digits, spaces and _ . : / = + - @)'),
).refine((tags) => Object.keys(tags).length > 0, 'at least one tag').optional();

const runbookBase = {
  enabled: z.boolean(),
  /** Plan instead of act for this runbook. @default the environment's dryRun */
  dryRun: z.boolean().optional(),
  /** Minimum time between two remediations of the same target. */
  cooldownMinutes: minutes.default(30),
  /** Flapping: after this many remediations of one target within the window, hold and escalate. */
  flapping: z.strictObject({
    maxRemediations: z.number().int().min(1).max(100).default(3),
    windowMinutes: minutes.default(360),
  }).default({ maxRemediations: 3, windowMinutes: 360 }),
  /** Blast radius: remediations this runbook may start per clock hour, across the account. */
  maxRemediationsPerHour: z.number().int().min(1).max(10_000).default(20),
};

/** Seed 003 alert response times: how long a gated step waits for its approvers at each level. */
export const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
/** Seed 004 escalation path: L1 on-call, L2 senior, L3 platform team. */
export const ESCALATION_LEVELS = ['L1', 'L2', 'L3'] as const;

/** One human-gated step of a runbook. */
const gatePolicy = z.strictObject({
  severity: z.enum(SEVERITIES),
  /** When the last level lets the deadline pass: abort (leave things as they are) or, if marked safe, proceed. */
  onTimeout: z.enum(['abort', 'proceed']).default('abort'),
  /** Distinct approvers needed. @default the environment's approvals.requiredApprovals */
  requiredApprovals: z.number().int().min(0).max(5).optional(),
});
export type GatePolicy = z.infer<typeof gatePolicy>;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const approverName = z.string().regex(/^[a-z][a-z0-9._-]{0,62}$/, 'a lower-case user name (letters, digits, . _ -)');

const approvals = z.strictObject({
  /** Seed 002: dev 0 (the step is approved at once and recorded so), staging 1, prod 2 (4-eyes). */
  requiredApprovals: z.number().int().min(0).max(5),
  /** Who may approve, by escalation level; each receives only their own link (SNS filter policy). */
  approvers: z.array(z.strictObject({ name: approverName, email: email.optional(), level: z.enum(ESCALATION_LEVELS) })).default([]),
  /** Seed 003: P1 15 min, P2 30 min, P3 2 h, P4 24 h, per escalation level. */
  deadlineMinutes: z.strictObject({
    P1: minutes.default(15), P2: minutes.default(30), P3: minutes.default(120), P4: minutes.default(1440),
  }).default({ P1: 15, P2: 30, P3: 120, P4: 1440 }),
  /** The approvers' time zone (IANA name): the approval page shows deadlines in it and in UTC. */
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone, e.g. America/Sao_Paulo or UTC').default('UTC'),
}).superRefine((a, ctx) => {
  const names = a.approvers.map((x) => x.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) ctx.addIssue({ code: 'custom', path: ['approvers'], message: `approver ${dup} is listed twice` });
  if (a.requiredApprovals > 0 && a.approvers.length < a.requiredApprovals) {
    ctx.addIssue({ code: 'custom', path: ['approvers'], message: `${a.requiredApprovals} approvals are required but only ${a.approvers.length} approvers are listed` });
  }
});

const lambdaRunaway = z.strictObject({
  ...runbookBase,
  targets: z.array(z.strictObject({ functionName: resourceName })).min(1),
  /** Functions not named above that carry all these tags are targets too. */
  targetTags: targetTagsSchema,
  verify: verifySchema('cleared'),
  thresholds: z.strictObject({
    /** Seed 003: concurrent executions above this share of the function's limit. */
    concurrencyPercentOfLimit: z.number().gt(0).max(100).default(80),
    /** Seed 003 §4: a runaway shows as an invocation count far above normal (per 5 minutes). */
    invocationsPer5Minutes: z.number().int().positive(),
    /** Seed 003: throttles above this notify (not remediated: a throttle alone is no runaway). */
    throttles: z.number().min(0).default(0),
    /** Seed 003: error rate (%) above this notifies (rollback is a separate runbook). */
    errorRatePercent: z.number().min(0).max(100).default(1),
  }),
  /** The account's concurrency limit; the per-function limit when it has no reserved concurrency. */
  accountConcurrencyLimit: z.number().int().positive().default(1000),
  /** Seed 003 §4 "Investigate cause": where to look for what invokes a stopped function. */
  evidence: z.strictObject({
    /** Event buses whose rules may target the functions (names); the default bus is always read. */
    eventBuses: z.array(resourceName).max(10).default([]),
  }).default({ eventBuses: [] }),
  /** Seed 003 §4 "set conservative concurrency limits": after the stop, ask to restore to this. */
  restore: z.strictObject({
    reservedConcurrency: z.number().int().min(1).max(1000).default(5),
    approval: gatePolicy.default({ severity: 'P2', onTimeout: 'abort' }),
  }).default({ reservedConcurrency: 5, approval: { severity: 'P2', onTimeout: 'abort' } }),
});

const dynamodbThrottling = z.strictObject({
  ...runbookBase,
  targets: z.array(z.strictObject({ tableName: resourceName })).min(1),
  /** Tables not named above that carry all these tags are targets too. */
  targetTags: targetTagsSchema,
  verify: verifySchema('cleared'),
  thresholds: z.strictObject({
    /** Seed 003: throttled requests > 0. */
    throttleEvents: z.number().min(0).default(0),
    /** Seed 003: UserErrors > 0 (account-wide metric: notifies, names no table). */
    userErrors: z.number().min(0).default(0),
  }),
  /** How long to wait for the table to return to ACTIVE after the switch. */
  activeTimeoutMinutes: z.number().int().min(1).max(60).default(15),
  /**
   * Seed 003 §2 "Clear stuck tasks": the table whose items are tasks, and what makes one stuck
   * (the seed's scan: status = pending and timestamp, epoch seconds, older than an hour).
   * Absent: no cleanup step. Other targets are never scanned.
   */
  stuckTasks: z.strictObject({
    tableName: resourceName,
    statusAttribute: z.string().min(1).default('status'),
    pendingStatus: z.string().min(1).default('pending'),
    timestampAttribute: z.string().min(1).default('timestamp'),
    olderThanMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
    /** Most tasks one run deletes: the ledger row holds every deleted item, and a row is at most 400 KB. */
    maxItems: z.number().int().min(1).max(500).default(100),
    /** How long to wait for the on-demand backup to become AVAILABLE before escalating. */
    backupTimeoutMinutes: z.number().int().min(1).max(60).default(10),
    /**
     * The human gate before the delete. P3 (seed 003: the switch has already mitigated; stuck
     * tasks are isolated agent failures). A delete is not undone by the runbook, so on timeout it aborts unless marked proceed.
     */
    approval: gatePolicy.default({ severity: 'P3', onTimeout: 'abort' }),
  }).optional(),
}).refine((r) => !r.stuckTasks || r.targets.some((t) => t.tableName === r.stuckTasks?.tableName), {
  message: 'stuckTasks.tableName must be one of the targets',
  path: ['stuckTasks', 'tableName'],
});

const ecsServiceRecovery = z.strictObject({
  ...runbookBase,
  targets: z.array(z.strictObject({ clusterName: resourceName, serviceName: resourceName })).min(1),
  /** Services not named above that carry all these tags are targets too, in the clusters the targets name. */
  targetTags: targetTagsSchema,
  verify: verifySchema('not-cleared'),
  /** Bounded wait for the forced rollout to reach COMPLETED. */
  rolloutTimeoutMinutes: z.number().int().min(1).max(120).default(20),
  rolloutPollSeconds: z.number().int().min(5).max(300).default(30),
});

const llmBudgetGuardrail = z.strictObject({
  ...runbookBase,
  budget: z.strictObject({
    budgetName: resourceName,
    monthlyLimitUsd: z.number().positive(),
    /** Seed 000: alerts at 50/80/100 %. */
    alertThresholdsPercent: z.array(z.number().positive().max(1000)).min(1).default([50, 80, 100]),
    /** Create the AWS Budgets budget; false when it already exists and notifies the budget topic. */
    create: z.boolean().default(true),
  }),
  costBucketTag: z.strictObject({ key: z.string().min(1), value: z.string().min(1) }),
  /** Bedrock "drives" the alert when its share of month-to-date spend is at least this. */
  driverSharePercent: z.number().gt(0).max(100).default(50),
  modelPreferenceParameter: z.string().regex(/^\/[A-Za-z0-9_.\-/]+$/, 'an SSM parameter name starting with /'),
  cheaperModel: z.string().min(1),
  proxyService: z.strictObject({ clusterName: resourceName, serviceName: resourceName }),
  /** Verify the switch: the parameter holds the cheaper model and the proxy rollout completed (no alarm to read). */
  verify: verifySchema('not-cleared'),
  /** Seed 000: the cheaper model stays for 24 h while the operator investigates. */
  revertAfterHours: z.number().gt(0).max(24 * 14).default(24),
  /**
   * When the switch is not verified (the proxy did not roll out, or the parameter no longer holds
   * the cheaper model), start the undo after escalating: the previous model is put back, under the
   * environment's undo approval policy. Only this runbook offers it: undoing the other runbooks'
   * changes (a stopped function, an on-demand table) would bring back the fault they contain.
   */
  undoIfNotVerified: z.boolean().default(true),
});

export const environmentConfigSchema = z.strictObject({
  environment: z.enum(['dev', 'staging', 'prod', 'drill']),
  account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id').optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as sa-east-1'),
  /** Every runbook reads and plans, and changes nothing: each mutation is recorded as its exact call. */
  dryRun: z.boolean().default(false),
  /** Where the kill switch and the per-runbook switches live. @default /runbook-autopilot/<environment> */
  switchParameterPrefix: z.string().regex(/^\/[A-Za-z0-9_.\-/]+[^/]$/, 'an SSM parameter path such as /runbook-autopilot/prod').optional(),
  notifications: z.strictObject({
    /** Seed 004: the critical topic pages; the info topic records. */
    criticalEmails: z.array(email).default([]),
    infoEmails: z.array(email).default([]),
  }),
  ledger: z.strictObject({
    /** Keep the audit table when the stack is deleted. */
    retainOnDelete: z.boolean().default(true),
  }).default({ retainOnDelete: true }),
  /** Human-gated steps: who approves, how many, how long they have. */
  approvals: approvals.default({ requiredApprovals: 0, approvers: [], deadlineMinutes: { P1: 15, P2: 30, P3: 120, P4: 1440 }, timeZone: 'UTC' }),
  /** The undo state machine: its restores wait for the environment's approval policy (seed 002). */
  undo: z.strictObject({
    approval: gatePolicy.default({ severity: 'P3', onTimeout: 'abort' }),
  }).default({ approval: { severity: 'P3', onTimeout: 'abort' } }),
  runbooks: z.strictObject({
    'lambda-runaway': lambdaRunaway,
    'dynamodb-throttling': dynamodbThrottling,
    'ecs-service-recovery': ecsServiceRecovery,
    'llm-budget-guardrail': llmBudgetGuardrail,
  }),
});

export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;
export type LambdaRunawayConfig = EnvironmentConfig['runbooks']['lambda-runaway'];
export type DynamodbThrottlingConfig = EnvironmentConfig['runbooks']['dynamodb-throttling'];
export type EcsServiceRecoveryConfig = EnvironmentConfig['runbooks']['ecs-service-recovery'];
export type LlmBudgetGuardrailConfig = EnvironmentConfig['runbooks']['llm-budget-guardrail'];
export type ApprovalsConfig = EnvironmentConfig['approvals'];
