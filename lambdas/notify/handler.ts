import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { describeCaughtError, renderMessage, topicFor, type Outcome } from '../domain/message';
import { classifyAwsError } from '../shared/errors';
import { requireEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { Ledger, type IncidentStatus } from '../shared/ledger';
import { logger } from '../shared/logger';
import { executionSchema, incidentSchema } from '../shared/task-input';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const topics = { critical: requireEnv('CRITICAL_TOPIC_ARN'), info: requireEnv('INFO_TOPIC_ARN') };
const region = requireEnv('AWS_REGION');
const sns = new SNSClient({});

const inputSchema = z.object({
  runbook: z.string().min(1),
  outcome: z.enum(['remediated', 'skipped', 'escalated', 'rejected', 'failed']),
  reason: z.string().min(1),
  incident: incidentSchema.nullable().optional(),
  execution: executionSchema,
  evidence: z.unknown().optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  /** The kill switch and runbook switch as admit read them; null when admit did not get that far. */
  switches: z.object({ automation: z.string().nullable(), runbook: z.string().nullable() }).nullable().optional(),
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
  const { incident, outcome, execution } = input;
  const error = describeCaughtError(input.error);
  const reason = error && outcome === 'failed' ? `${input.reason} (${error})` : input.reason;
  const actions = incident ? await ledger.listActions(incident.id) : [];
  if (incident) {
    try {
      await ledger.finishIncident(incident.id, execution.id, outcome as IncidentStatus, reason);
    } catch (e: unknown) {
      // The record belongs to another execution (a rejected duplicate): leave it as it is.
      if (!(e instanceof Error && e.name === 'ConditionalCheckFailedException')) throw e;
      logger.warn('Incident belongs to another execution; not updating it', { incidentId: incident.id });
    }
  }
  const topic = topicFor(outcome);
  const { subject, body } = renderMessage({
    outcome, reason, runbook: input.runbook, actions, executionArn: execution.id, region,
    ...(incident ? { incident } : {}), ...(input.evidence !== undefined ? { evidence: input.evidence } : {}), ...(error ? { error } : {}),
    ...(input.switches ? { switches: input.switches } : {}),
  });
  try {
    const out = await sns.send(new PublishCommand({
      TopicArn: topics[topic], Subject: subject, Message: body,
      MessageAttributes: {
        runbook: { DataType: 'String', StringValue: input.runbook },
        outcome: { DataType: 'String', StringValue: outcome },
      },
    }));
    return { outcome, reason, topic, messageId: out.MessageId ?? '' };
  } catch (e: unknown) {
    throw classifyAwsError(e, `publishing to the ${topic} topic`);
  }
});
