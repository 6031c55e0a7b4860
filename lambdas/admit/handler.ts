import { z } from 'zod';
import { checkPolicy, runbookPoliciesSchema } from '../domain/admission';
import { incidentIdFor, parseTrigger, UnroutableEvent, type Trigger } from '../domain/trigger';
import { requireEnv, requireJsonEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { Ledger } from '../shared/ledger';
import { logger } from '../shared/logger';
import { executionSchema, type Incident } from '../shared/task-input';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const policies = requireJsonEnv('RUNBOOK_POLICIES', (raw) => runbookPoliciesSchema.parse(raw));

const inputSchema = z.object({ runbook: z.string().min(1), event: z.unknown(), execution: executionSchema });

export type AdmitDecision = 'admit' | 'duplicate' | 'cooldown' | 'reject';
export interface AdmitResult {
  decision: AdmitDecision;
  reason: string;
  /** null when the event could not be read as an incident. */
  incident: Incident | null;
}

function toIncident(runbook: string, trigger: Trigger): Incident {
  return {
    id: incidentIdFor(trigger.dedupeKey), runbook, target: trigger.target, summary: trigger.summary,
    firedAt: trigger.firedAt, source: trigger.source, ...(trigger.budget ? { budget: trigger.budget } : {}),
  };
}

/**
 * Admit: the gate before any runbook reads or changes anything. It turns the event into an
 * incident, then stops it when the event is not ours, the target is not configured, the same
 * alarm transition was already handled (EventBridge delivers at least once), or the target is
 * cooling down after a recent remediation.
 */
export const handler = taskHandler(inputSchema, async ({ runbook, event, execution }): Promise<AdmitResult> => {
  let trigger: Trigger;
  try {
    trigger = parseTrigger(runbook, event);
  } catch (e: unknown) {
    if (e instanceof UnroutableEvent) return { decision: 'reject', reason: e.message, incident: null };
    throw e;
  }
  const incident = toIncident(runbook, trigger);
  logger.appendKeys({ incidentId: incident.id, runbook, target: incident.target });

  const claim = await ledger.claimIncident({
    incidentId: incident.id, runbook, target: incident.target, dedupeKey: trigger.dedupeKey,
    executionArn: execution.id, summary: trigger.summary, firedAt: trigger.firedAt,
  });
  if (!claim.claimed) {
    return {
      decision: 'duplicate', incident,
      reason: `already handled by ${claim.existing.executionArn} (${claim.existing.status})`,
    };
  }

  const policy = checkPolicy(policies, runbook, incident.target);
  if (policy.decision === 'reject') return { decision: 'reject', reason: policy.reason, incident };

  const cooldownMinutes = policies[runbook]?.cooldownMinutes ?? 0;
  const cooldown = await ledger.claimCooldown(runbook, incident.target, incident.id, cooldownMinutes * 60_000);
  if (!cooldown.granted) {
    return {
      decision: 'cooldown', incident,
      reason: `${incident.target} was remediated by ${cooldown.heldBy}; cooling down until ${cooldown.until}`,
    };
  }
  return { decision: 'admit', reason: `new ${trigger.kind === 'budget' ? 'budget alert' : 'alarm transition'} on a configured target`, incident };
});
