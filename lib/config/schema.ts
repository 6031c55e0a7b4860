/**
 * config/<env>.json: the environment's shared part (parts.ts) and `runbooks`, one strict entry per
 * registered runbook, each validated by its own module's schema.
 */
import { z } from 'zod';
import { ESCALATION_LEVELS, gatePolicy, minutes } from '../../runbooks/config';
import { RUNBOOKS, type RegisteredRunbook, type RunbookName } from '../../runbooks/registry';

export type { RunbookName } from '../../runbooks/registry';
export { RUNBOOK_NAMES } from '../../runbooks/registry';
export { ESCALATION_LEVELS, SEVERITIES, type GatePolicy, type RunbookConfig, type TargetTags, type VerifyConfig } from '../../runbooks/config';

const email = z.email();

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch (e: unknown) {
    // An unknown time zone is a RangeError.
    if (e instanceof RangeError) return false;
    throw e;
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
const sharedConfigShape = {
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
    /**
     * Where docs/runbooks/ is served (e.g. https://github.com/acme/runbook-autopilot/blob/main/docs/runbooks):
     * every notification links to its runbook's page under it. @default the page's path in the repository
     */
    runbookPagesUrl: z.url({ protocol: /^https$/, error: 'an https URL such as https://github.com/acme/runbook-autopilot/blob/main/docs/runbooks' }).optional(),
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

export type ApprovalsConfig = z.infer<typeof approvals>;

type RunbooksShape = { [M in RegisteredRunbook as M['name']]: M['config'] };

const runbooksShape = Object.fromEntries(RUNBOOKS.map((m) => [m.name, m.config])) as unknown as RunbooksShape;

export const environmentConfigSchema = z.strictObject({
  ...sharedConfigShape,
  runbooks: z.strictObject(runbooksShape),
});

export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;
/** One runbook's part of the config, by name. */
export type RunbookConfigOf<N extends RunbookName> = EnvironmentConfig['runbooks'][N];
