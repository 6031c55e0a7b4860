import { z } from 'zod';

/** What admit knows of each runbook, from config: passed to the function as RUNBOOK_POLICIES. */
export const runbookPolicySchema = z.object({
  enabled: z.boolean(),
  cooldownMinutes: z.number().min(0),
  /** Plan instead of act. */
  dryRun: z.boolean().default(false),
  /** Target keys the runbook may act on; nothing else is ever touched. */
  targets: z.array(z.string().min(1)),
});
export const runbookPoliciesSchema = z.record(z.string(), runbookPolicySchema);
export type RunbookPolicy = z.infer<typeof runbookPolicySchema>;
/** As config writes them; dryRun may be left out. */
export type RunbookPolicies = z.input<typeof runbookPoliciesSchema>;

export type Admission =
  | { decision: 'admit' }
  | { decision: 'reject'; reason: string };

/** Checks that the config lets this runbook act on this target (pure: no AWS, no clock). */
export function checkPolicy(policies: RunbookPolicies, runbook: string, target: string): Admission {
  const policy = policies[runbook];
  if (!policy) return { decision: 'reject', reason: `runbook ${runbook} is not configured in this environment` };
  if (!policy.enabled) return { decision: 'reject', reason: `runbook ${runbook} is disabled in this environment` };
  if (!policy.targets.includes(target)) {
    return { decision: 'reject', reason: `${target} is not a configured target of ${runbook}` };
  }
  return { decision: 'admit' };
}
