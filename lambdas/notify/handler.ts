import * as z from '../shared/zod';
import { describeCaughtError, outcomeNotification, partLines, topicFor, type Outcome } from '../domain/message';
import { requireEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { stepOf, UNDO_STEP_PREFIX } from '../domain/undo-plan';
import { Ledger, type ActionRecord, type IncidentStatus } from '../shared/ledger';
import { logger } from '../shared/logger';
import { duration, type Of } from '../shared/metrics';
import { METRIC, millisBetween } from '../domain/metrics';
import { publishNotification } from '../shared/publish';
import { caughtErrorSchema, executionSchema, incidentSchema, partRecordSchema } from '../shared/task-input';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const topics = { critical: requireEnv('CRITICAL_TOPIC_ARN'), info: requireEnv('INFO_TOPIC_ARN') };
const region = requireEnv('AWS_REGION');
/** Where docs/runbooks/ is served; unset, notifications name the page's path in the repository. */
const pagesUrl = process.env.RUNBOOK_PAGES_URL || undefined;

const inputSchema = z.object({
  runbook: z.string().check(z.minLength(1)),
  outcome: z.enum(['remediated', 'skipped', 'escalated', 'rejected', 'failed']),
  reason: z.string().check(z.minLength(1)),
  /** The critical topic whatever the outcome (a remediation that leaves urgent work for a human). @default by the outcome */
  topic: z.optional(z.literal('critical')),
  incident: z.optional(z.nullable(incidentSchema)),
  execution: executionSchema,
  evidence: z.optional(z.unknown()),
  error: z.optional(caughtErrorSchema),
  /** Independent parts' records (an emergency stop's): the reason names each part and its outcome. */
  parts: z.optional(z.record(z.string(), partRecordSchema)),
  /** The kill switch and runbook switch as admit read them; null when admit did not get that far. */
  switches: z.optional(z.nullable(z.object({ automation: z.nullable(z.string()), runbook: z.nullable(z.string()) }))),
});

export interface NotifyResult {
  outcome: Outcome;
  reason: string;
  topic: 'critical' | 'info';
  messageId: string;
}

/**
 * Notify: closes the incident in the ledger with its outcome, then tells humans what fired, what
 * was done (before -> after, read back from the ledger) and where the execution is.
 */
export const handler = taskHandler(inputSchema, async (input): Promise<NotifyResult> => {
  const { incident, execution } = input;
  const error = describeCaughtError(input.error);
  const actions = incident ? await ledger.listActions(incident.id) : [];
  const earlier = input.outcome === 'skipped' ? changesOfEarlierRuns(actions, execution.id) : [];
  // A re-run that finds the target as the runbook leaves it because this incident's own earlier run
  // changed it (and then failed) did not finish the job: that is not a skip.
  const outcome: Outcome = earlier.length > 0 ? 'escalated' : input.outcome;
  const parts = input.parts ? partLines(input.parts) : undefined;
  // The incident's reason (the ledger, the report) names each part too, not only the page.
  const stated = parts ? `${input.reason}. ${parts.join('; ')}` : input.reason;
  const reason = error && outcome === 'failed' ? `${stated} (${error})`
    : earlier.length > 0 ? `${stated}; but this incident's earlier run made changes still in place (${earlier.map((a) => `${a.operation} on ${a.target}, ${a.status}`).join('; ')}) and did not finish: its remaining steps did not run`
    : stated;
  if (incident) {
    try {
      await ledger.finishIncident(incident.id, execution.id, outcome as IncidentStatus, reason, execution.redriveCount);
    } catch (e: unknown) {
      // The record belongs to another execution (a rejected duplicate), or to a later run of this one: leave it as it is.
      if (!(e instanceof Error && e.name === 'ConditionalCheckFailedException')) throw e;
      logger.warn('Incident belongs to another execution; not updating it', { incidentId: incident.id });
    }
  }
  if (incident) timeToMitigate({ runbook: incident.runbook, executionArn: execution.id, incidentId: incident.id }, incident.firedAt, outcome, actions);
  const topic = input.topic ?? topicFor(outcome);
  const notification = outcomeNotification({
    outcome, reason, runbook: input.runbook, actions, executionArn: execution.id, region, ...(pagesUrl ? { pagesUrl } : {}),
    ...(incident ? { incident } : {}), ...(input.evidence !== undefined ? { evidence: input.evidence } : {}), ...(error ? { error } : {}), ...(parts ? { parts } : {}),
    ...(input.switches ? { switches: input.switches } : {}),
  });
  const messageId = await publishNotification(topics[topic], notification, { runbook: input.runbook, outcome }, `publishing to the ${topic} topic`);
  return { outcome, reason, topic, messageId };
});

/** The runbook's changes another execution of this incident made that are (or may be) still in effect: neither failed nor undone. */
function changesOfEarlierRuns(actions: readonly ActionRecord[], executionArn: string): ActionRecord[] {
  return actions.filter((a) => a.executionArn !== executionArn && !stepOf(a.actionKey).startsWith(UNDO_STEP_PREFIX)
    && (a.status === 'succeeded' || a.status === 'unknown')
    && !actions.some((u) => u.undoes === a.actionKey && u.status === 'succeeded'));
}

/**
 * How long the incident took, from the alarm (firedAt): to the first change this execution made
 * that took effect, and, when it closes remediated (verified), to now. Measured here, where the
 * incident closes with every action row at hand; an execution that changed nothing adds no time.
 */
function timeToMitigate(of: Of, firedAt: string, outcome: Outcome, actions: readonly ActionRecord[]): void {
  const made = actions
    .filter((a) => a.executionArn === of.executionArn && a.status === 'succeeded' && a.attempts > 0 && !stepOf(a.actionKey).startsWith(UNDO_STEP_PREFIX))
    .flatMap((a) => (a.completedAt ? [a.completedAt] : []))
    .sort();
  const mitigated = made[0] === undefined ? undefined : millisBetween(firedAt, made[0]);
  if (mitigated !== undefined) duration(METRIC.timeToMitigate, of, mitigated);
  const verified = outcome === 'remediated' ? millisBetween(firedAt, new Date().toISOString()) : undefined;
  if (verified !== undefined) duration(METRIC.timeToVerified, of, verified);
}
