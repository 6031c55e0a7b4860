/**
 * The pieces every runbook's config is written with: runbooks/<name>/runbook.ts composes its own
 * schema (config/<env>.json `runbooks.<name>`) from them. lib/config/schema.ts puts the whole file
 * together from the environment's shared part and the registered runbooks' schemas.
 */
import { z } from 'zod';

export const resourceName = z.string().min(1).max(255).regex(/^[A-Za-z0-9_.\-/:]+$/, 'letters, digits and _ . - / : only');
export const minutes = z.number().int().min(0).max(7 * 24 * 60);
/** A CloudWatch alarm's name: 1-255 characters, no control characters (PutMetricAlarm). */
export const alarmName = z.string().min(1).max(255).refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'an alarm name: 1-255 characters, no control characters');

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
