import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import {
  approversAt, deadlineSeconds, LEVELS, type ApprovalOutcome, type ApprovalPolicy, type GateSettings, type Level,
} from '../domain/approval';
import { show } from '../domain/message';
import { itemsRestoreLines } from '../domain/recorded-items';
import { requireEnv, requireJsonEnv } from '../shared/env';
import { classifyAwsError, InvalidInput } from '../shared/errors';
import { taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';
import { executionSchema, incidentSchema } from '../shared/task-input';
import { linkUrl, newRequestId } from './signing';
import { SigningKey } from './signing-key';
import { ApprovalStore, type ApprovalRequest } from './store';

const approverSchema = z.object({ name: z.string().min(1), level: z.enum(LEVELS) });
const policy: ApprovalPolicy = requireJsonEnv('APPROVAL_POLICY', (raw) => z.object({
  requiredApprovals: z.number().int().min(0),
  approvers: z.array(approverSchema),
  deadlineMinutes: z.object({ P1: z.number(), P2: z.number(), P3: z.number(), P4: z.number() }),
}).parse(raw));
const gates: Record<string, GateSettings> = requireJsonEnv('APPROVAL_GATES', (raw) => z.record(z.string(), z.object({
  severity: z.enum(['P1', 'P2', 'P3', 'P4']), onTimeout: z.enum(['abort', 'proceed']), requiredApprovals: z.number().int().min(0),
})).parse(raw));
const topicArn = requireEnv('APPROVAL_TOPIC_ARN');
const baseUrl = requireEnv('APPROVAL_BASE_URL');
const store = new ApprovalStore(requireEnv('LEDGER_TABLE'));
const signingKey = new SigningKey(requireEnv('APPROVAL_SECRET_ID'));
const sns = new SNSClient({});
const sfn = new SFNClient({});

const gateSchema = z.object({
  step: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/),
  operation: z.string().min(1),
  target: z.string().min(1),
  parameters: z.record(z.string(), z.unknown()),
  evidence: z.unknown().optional(),
});

const inputSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('request'),
    taskToken: z.string().min(1).max(1024),
    incident: incidentSchema,
    execution: executionSchema,
    gate: gateSchema,
    level: z.enum(LEVELS),
    /** A manual run names who started it (seed 002: nobody approves their own change). */
    event: z.object({ startedBy: z.string().min(1).optional() }).loose().optional(),
  }),
  z.object({ mode: z.literal('expire'), incident: incidentSchema, execution: executionSchema, gate: gateSchema.pick({ step: true }), level: z.enum(LEVELS) }),
]);

export interface RequestResult {
  requestId: string;
  level: Level;
  approvers: string[];
  deadline: string;
  autoApproved: boolean;
}

export interface ExpireResult {
  decision: 'timed-out';
  level: Level;
  onTimeout: 'abort' | 'proceed';
  requestIds: string[];
}

/**
 * The gated step's request (a `lambda:invoke.waitForTaskToken` Task): keeps the task token in the
 * ledger under an opaque id, and sends each approver of this escalation level their own signed
 * link over SNS. Nothing here decides; a POST on the approval page does. With no approver needed
 * (dev), the step is approved at once and the ledger says it was automatic.
 * `expire` closes the step's open request when the last level let the deadline pass.
 */
export const handler = taskHandler(inputSchema, async (input): Promise<RequestResult | ExpireResult> => {
  const key = `${input.incident.runbook}/${input.gate.step}`;
  const settings = gates[key];
  if (!settings) throw new InvalidInput(`No approval gate is configured for ${key}`);
  if (input.mode === 'expire') {
    const closed = await closeOpen(input.incident.id, input.gate.step, () => `no decision by the deadline at ${input.level}; the step ${settings.onTimeout === 'proceed' ? 'proceeds (marked safe)' : 'is aborted'}`);
    return { decision: 'timed-out', level: input.level, onTimeout: settings.onTimeout, requestIds: closed };
  }

  // A request re-sent to the next level supersedes the one whose deadline passed; a retried step, its unfinished request.
  await closeOpen(input.incident.id, input.gate.step, (level) => (level === input.level
    ? `superseded by a new request at ${input.level} (the step was retried)`
    : `no decision by the deadline; escalated to ${input.level}`));
  const now = new Date();
  const startedBy = input.event?.startedBy ?? null;
  const approvers = approversAt(policy, input.level).filter((name) => name !== startedBy);
  const request: Omit<ApprovalRequest, 'status'> = {
    requestId: newRequestId(),
    incidentId: input.incident.id,
    executionArn: input.execution.id,
    gate: {
      runbook: input.incident.runbook, step: input.gate.step, summary: input.incident.summary, firedAt: input.incident.firedAt,
      operation: input.gate.operation, target: input.gate.target, parameters: input.gate.parameters, evidence: input.gate.evidence ?? null,
      severity: settings.severity,
    },
    level: input.level,
    requiredApprovals: settings.requiredApprovals,
    approvers,
    startedBy,
    taskToken: input.taskToken,
    createdAt: now.toISOString(),
    deadline: new Date(now.getTime() + deadlineSeconds(policy, settings.severity) * 1000).toISOString(),
  };

  if (settings.requiredApprovals === 0) {
    await store.create(request, 'closing', 'auto-approved: sending the result to Step Functions');
    const output: ApprovalOutcome = {
      decision: 'approved', requestId: request.requestId, level: request.level, requiredApprovals: 0, autoApproved: true, approvals: [],
    };
    try {
      await sfn.send(new SendTaskSuccessCommand({ taskToken: input.taskToken, output: JSON.stringify(output) }));
    } catch (e: unknown) {
      // Not delivered: the ledger must not say approved; the Task's Retry asks again with a new request.
      await store.transition(request, 'closing', 'timed-out', `auto-approval not delivered (${e instanceof Error ? e.name : 'error'}); the step retries`);
      throw classifyAwsError(e, 'states:SendTaskSuccess');
    }
    await store.transition(request, 'closing', 'approved', 'auto-approved: this environment needs no approver');
    logger.info('Approval not required here: approved automatically', { requestId: request.requestId });
    return { requestId: request.requestId, level: request.level, approvers: [], deadline: request.deadline, autoApproved: true };
  }

  await store.create(request);
  const signing = await signingKey.get();
  const exp = Math.floor(Date.parse(request.deadline) / 1000);
  for (const approver of approvers) {
    const link = linkUrl(baseUrl, signing, { requestId: request.requestId, approver, exp });
    try {
      await sns.send(new PublishCommand({
        TopicArn: topicArn,
        Subject: `[${settings.severity}] Approve ${input.gate.operation} on ${input.gate.target}? (${input.incident.runbook})`.slice(0, 100),
        Message: message(request, approver, link),
        // The stack subscribes each approver with a filter policy on this attribute: each gets only their own link.
        MessageAttributes: {
          approver: { DataType: 'String', StringValue: approver },
          requestId: { DataType: 'String', StringValue: request.requestId },
        },
      }));
    } catch (e: unknown) {
      throw classifyAwsError(e, `sns:Publish to ${approver}`);
    }
  }
  logger.info('Approval requested', { requestId: request.requestId, level: request.level, approvers });
  return { requestId: request.requestId, level: request.level, approvers, deadline: request.deadline, autoApproved: false };
});

async function closeOpen(incidentId: string, step: string, outcome: (level: Level) => string): Promise<string[]> {
  const closed: string[] = [];
  for (const r of await store.forIncident(incidentId)) {
    if (r.step === step && r.status === 'open' && (await store.transition({ requestId: r.requestId, incidentId }, 'open', 'timed-out', outcome(r.level)))) {
      closed.push(r.requestId);
    }
  }
  return closed;
}

function message(r: Omit<ApprovalRequest, 'status'>, approver: string, link: string): string {
  return [
    `${approver}, runbook ${r.gate.runbook} asks for your decision (${r.gate.severity}, escalation level ${r.level}).`,
    '',
    `What fired: ${r.gate.summary} (at ${r.gate.firedAt})`,
    `Evidence: ${show(r.gate.evidence)}`,
    `Action: ${r.gate.operation} on ${r.gate.target}`,
    ...itemsRestoreLines(r.gate.parameters),
    `Exact call: ${show(r.gate.parameters)}`,
    `Needs ${r.requiredApprovals} distinct approver(s); one rejection rejects.`,
    `Deadline: ${r.deadline} (then it escalates to the next level)`,
    '',
    `Your personal link (it only shows the request; you decide on the page): ${link}`,
    'Do not forward it: it is signed for you alone.',
  ].join('\n');
}
