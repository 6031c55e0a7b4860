/**
 * The pieces every runbook's config is written with (runbooks/<name>/runbook.ts composes its own
 * schema from them), and the environment's shared part of config/<env>.json. schema.ts puts the
 * whole file together from these and the registered runbooks.
 */
import { z } from 'zod';

export const resourceName = z.string().min(1).max(255).regex(/^[A-Za-z0-9_.\-/:]+$/, 'letters, digits and _ . - / : only');
const email = z.email();
export const minutes = z.number().int().min(0).max(7 * 24 * 60);

/**
 * Verify or escalate: after acting, wait for the alarm to evaluate again, then check (DescribeAlarms,
 * or the resource state for the budget runbook) up to `checks` times, `pollSeconds` apart.
 * `insufficientData` says what INSUFFICIENT_DATA means after the fix: `cleared` where the metric
 * goes silent when the fix works (a stopped function emits no invocations; DynamoDB publishes
 * throttle events only while throttling), `not-cleared` where a silent metric is itself a fault.
 */
export const verifySchema = (insufficientData: 'cleared' | 'not-cleared') => z.strictObject({
  /** Alarms evaluate per period: wait at least one period (plus the evaluation delay) before the first check. */
  waitMinutes: z.number().int().min(1).max(60).default(5),
  pollSeconds: z.number().int().min(10).max(900).default(60),
  checks: z.number().int().min(1).max(30).default(5),
  insufficientData: z.enum(['cleared', 'not-cleared']).default(insufficientData),
}).default({ waitMinutes: 5, pollSeconds: 60, checks: 5, insufficientData });
export type VerifyConfig = z.infer<ReturnType<typeof verifySchema>>;

/**
 * Blast radius by tag: a target not named in `targets` is still allowed when it carries every one
 * of these tags (key: value), read from the resource at run time; IAM grants the runbook's actions
 * on that resource type only under the same aws:ResourceTag conditions.
 */
export const targetTagsSchema = z.record(
  z.string().min(1).max(128).regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, 'a tag key (letters, digits, spaces and _ . : / = + - @)'),
  z.string().max(256).regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, 'a tag value (letters, digits, spaces and _ . : / = + - @)'),
).refine((tags) => Object.keys(tags).length > 0, 'at least one tag').optional();
export type TargetTags = NonNullable<z.infer<typeof targetTagsSchema>>;

/** What every runbook's config says, whatever else it holds: spread into each runbook's schema. */
export const runbookBase = {
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

/** The fields shared code reads from any runbook's config. */
export interface RunbookConfig {
  readonly enabled: boolean;
  readonly dryRun?: boolean | undefined;
  readonly cooldownMinutes: number;
  readonly flapping: { readonly maxRemediations: number; readonly windowMinutes: number };
  readonly maxRemediationsPerHour: number;
  /** Present on runbooks that allowlist by tag. */
  readonly targetTags?: TargetTags | undefined;
}

/** Seed 003 alert response times: how long a gated step waits for its approvers at each level. */
export const SEVERITIES = ['P1', 'P2', 'P3', 'P4'] as const;
/** Seed 004 escalation path: L1 on-call, L2 senior, L3 platform team. */
export const ESCALATION_LEVELS = ['L1', 'L2', 'L3'] as const;

/** One human-gated step of a runbook. */
export const gatePolicy = z.strictObject({
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

/** Everything in config/<env>.json but `runbooks`: what the environment says for every runbook. */
export const sharedConfigShape = {
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
};

const sharedConfigSchema = z.strictObject(sharedConfigShape);
/** The environment's config without its runbooks: what a runbook module may read besides its own part. */
export type SharedConfig = z.infer<typeof sharedConfigSchema>;
export type ApprovalsConfig = SharedConfig['approvals'];
