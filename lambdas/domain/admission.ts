import * as z from '../shared/zod';
import { TAG_RESOURCE_KINDS, type TagResource } from './tag-resources';

/** What a policy leaves out means these: the stack leaves them out, so admit's environment stays small as runbooks are added. */
export const POLICY_DEFAULTS = { dryRun: false, flapping: { maxRemediations: 3, windowMinutes: 360 }, maxRemediationsPerHour: 20 } as const;

/** What admit knows of a runbook, from config: an SSM parameter per runbook (policyParameterName), written by the stack. */
export const runbookPolicySchema = z.object({
  enabled: z.boolean(),
  cooldownMinutes: z.number().check(z.gte(0)),
  /** Plan instead of act. */
  dryRun: z._default(z.boolean(), POLICY_DEFAULTS.dryRun),
  flapping: z._default(z.object({ maxRemediations: z.int().check(z.gte(1)), windowMinutes: z.number().check(z.gte(0)) }), POLICY_DEFAULTS.flapping),
  maxRemediationsPerHour: z._default(z.int().check(z.gte(1)), POLICY_DEFAULTS.maxRemediationsPerHour),
  /** Target keys the runbook may act on; nothing else is ever touched. */
  targets: z.array(z.string().check(z.minLength(1))),
  /** Targets not named above are allowed when they carry all these tags (read at run time). */
  targetTags: z.optional(z.record(z.string(), z.string())),
  /** What kind of resource a target is, so its tags can be read (with targetTags). */
  tagResource: z.optional(z.enum(TAG_RESOURCE_KINDS)),
});
export type RunbookPolicy = z.infer<typeof runbookPolicySchema>;
/** As config writes them; what has a default may be left out. */
export type RunbookPolicies = Record<string, z.input<typeof runbookPolicySchema>>;

export type Admission =
  | { decision: 'admit' }
  | { decision: 'reject'; reason: string }
  /** Not named, but the runbook allowlists by tag: read the target's tags (a `resource`), then tagAdmission(). */
  | { decision: 'check-tags'; required: Record<string, string>; resource: TagResource };

/** Checks that the config lets this runbook act on this target (pure: no AWS, no clock). */
export function checkPolicy(policy: RunbookPolicy, runbook: string, target: string): Admission {
  if (!policy.enabled) return { decision: 'reject', reason: `runbook ${runbook} is disabled in this environment` };
  if (!policy.targets.includes(target)) {
    if (policy.targetTags && policy.tagResource) return { decision: 'check-tags', required: policy.targetTags, resource: policy.tagResource };
    return { decision: 'reject', reason: `${target} is not a configured target of ${runbook}` };
  }
  return { decision: 'admit' };
}

export const describeTags = (tags: Readonly<Record<string, string>>) => Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(', ');

/** True when the resource carries every required tag with its value (pure). */
export function carriesTags(required: Readonly<Record<string, string>>, actual: Readonly<Record<string, string>>): boolean {
  return Object.entries(required).every(([key, value]) => actual[key] === value);
}

/** The verdict on a target that is not named: allowed only when it carries every required tag. */
export function tagAdmission(runbook: string, target: string, required: Readonly<Record<string, string>>, actual: Readonly<Record<string, string>> | null): Admission {
  if (actual !== null && carriesTags(required, actual)) return { decision: 'admit' };
  const why = actual === null ? 'and does not exist' : `and does not carry ${describeTags(required)}`;
  return { decision: 'reject', reason: `${target} is not a configured target of ${runbook} ${why}` };
}

/** The clock hour a remediation counts against for the per-runbook cap, e.g. 2026-11-23T03. */
export function hourBucket(now: Date): string {
  return now.toISOString().slice(0, 13);
}

/** The target's remediations within the flapping window, other than this incident's (pure). */
export function remediationsInWindow(
  remediations: readonly { incidentId: string; at: string }[],
  self: string,
  now: Date,
  windowMinutes: number,
): { since: string; incidents: string[] } {
  const since = new Date(now.getTime() - windowMinutes * 60_000).toISOString();
  return { since, incidents: remediations.filter((r) => r.incidentId !== self && r.at >= since).map((r) => r.incidentId) };
}

/**
 * Flapping: the target was remediated `maxRemediations` times within the window (pure). An incident
 * that ended having nothing to do (`changedNothing`: a drift notice, a target found already in its
 * state) is not a remediation; one still running, or that acted, escalated or failed, is.
 */
export function isFlapping(
  window: { since: string; incidents: readonly string[] },
  maxRemediations: number,
  changedNothing: ReadonlySet<string> = new Set(),
): { flapping: false } | { flapping: true; count: number; since: string } {
  const count = window.incidents.filter((id) => !changedNothing.has(id)).length;
  return count >= maxRemediations ? { flapping: true, count, since: window.since } : { flapping: false };
}
