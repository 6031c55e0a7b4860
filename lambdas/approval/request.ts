import * as z from '../shared/zod';
import {
  approversAt, autoApprovedOutcome, deadlineSeconds, LEVELS, nextLevel, NO_APPROVER_IN_ENVIRONMENT, type ApprovalPolicy, type Decision, type GateSettings, type Level,
} from '../domain/approval';
import { gateSettings } from '../domain/approval-gates';
import { requireEnv, requireJsonEnv } from '../shared/env';
import { classifyAwsError, InvalidInput } from '../shared/errors';
import { taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';
import { count } from '../shared/metrics';
import { publishNotification } from '../shared/publish';
import { METRIC } from '../domain/metrics';
import { executionSchema, incidentSchema } from '../shared/task-input';
import { gateWords } from './gate-words';
import { requestNotification } from './request-notification';
import { linkUrl, newRequestId } from './signing';
import { SigningKey } from './signing-key';
import { ApprovalStore, decisionList, type ApprovalRequest, type NewRequest, type Verdict } from './store';
import { isDecided, tellVerdict, verdictClient } from './tell';

const approverSchema = z.object({ name: z.string().check(z.minLength(1)), level: z.enum(LEVELS) });
const policy: ApprovalPolicy = requireJsonEnv('APPROVAL_POLICY', (raw) => z.object({
  requiredApprovals: z.int().check(z.gte(0)),
  approvers: z.array(approverSchema),
  deadlineMinutes: z.object({ P1: z.number(), P2: z.number(), P3: z.number(), P4: z.number() }),
}).parse(raw));
const gates: Record<string, GateSettings> = requireJsonEnv('APPROVAL_GATES', (raw) => gateSettings(raw, policy.requiredApprovals));
const topicArn = requireEnv('APPROVAL_TOPIC_ARN');
const baseUrl = requireEnv('APPROVAL_BASE_URL');
const region = requireEnv('AWS_REGION');
/** Where docs/runbooks/ is served; unset, requests name the page's path in the repository. */
const pagesUrl = process.env.RUNBOOK_PAGES_URL || undefined;
const store = new ApprovalStore(requireEnv('LEDGER_TABLE'));
const signingKey = new SigningKey(requireEnv('APPROVAL_SECRET_ID'));
const sfn = verdictClient();

const gateSchema = z.object({
  step: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,40}$/)),
  operation: z.string().check(z.minLength(1)),
  target: z.string().check(z.minLength(1)),
  parameters: z.record(z.string(), z.unknown()),
  evidence: z.optional(z.unknown()),
});

const inputSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('request'),
    taskToken: z.string().check(z.minLength(1), z.maxLength(1024)),
    incident: incidentSchema,
    execution: executionSchema,
    gate: gateSchema,
    level: z.enum(LEVELS),
    /** A manual run names who started it (seed 002: nobody approves their own change). */
    event: z.optional(z.looseObject({ startedBy: z.optional(z.string().check(z.minLength(1))) })),
  }),
  z.object({ mode: z.literal('expire'), incident: incidentSchema, execution: executionSchema, gate: z.pick(gateSchema, { step: true }), level: z.enum(LEVELS) }),
]);

export interface RequestResult {
  requestId: string;
  level: Level;
  approvers: string[];
  deadline: string;
  autoApproved: boolean;
  /** Why nobody was asked, where it was approved at once: the environment needs no approver, or the gate asks nobody (its reason). */
  autoApprovedBecause?: string;
  /**
   * An earlier request of this step in this execution was decided, but its own task had ended
   * before Step Functions was told: that verdict was delivered on this task's token instead.
   */
  deliveredEarlier?: Verdict;
}

export interface ExpireResult {
  /** `timed-out`, or the verdict of the last request when it was decided but its task had ended first. */
  decision: 'timed-out' | Verdict;
  level: Level;
  onTimeout: 'abort' | 'proceed';
  requestIds: string[];
  /** The decisions behind that verdict (none on a timeout), as a verdict told on the task carries them. */
  approvals: Decision[];
}

/**
 * The gated step's request (a `lambda:invoke.waitForTaskToken` Task): keeps the task token in the
 * ledger under an opaque id, and sends each approver of this escalation level their own signed
 * link over SNS. Nothing here decides; a POST on the approval page does. With no approver needed
 * (dev), the step is approved at once and the ledger says it was automatic.
 *
 * It is also the deadline path. When a level's deadline passes, the state machine asks the next
 * level (`request`) or, after the last, `expire`s. Either first settles the step's earlier
 * requests on their own rows: an open one is closed `timed-out` (a conditional write that a
 * deciding POST may beat); one that was decided but whose verdict never reached Step Functions
 * (the page failed to tell it before the task ended) keeps its verdict, which is delivered now:
 * on this task's token, or as the expire result. So a verdict in the ledger is always the one the
 * step acts on, and a rejection is never turned into a timeout or a new question.
 */
export const handler = taskHandler(inputSchema, async (input): Promise<RequestResult | ExpireResult> => {
  const key = `${input.incident.runbook}/${input.gate.step}`;
  const of = { runbook: input.incident.runbook, executionArn: input.execution.id, incidentId: input.incident.id };
  const settings = gates[key];
  if (!settings) throw new InvalidInput(`No approval gate is configured for ${key}`);
  if (input.mode === 'expire') {
    const { closed, decided } = await settleEarlier(input.incident.id, input.execution.id, input.gate.step,
      () => `no decision by the deadline at ${input.level}; the step ${settings.onTimeout === 'proceed' ? 'proceeds (marked safe)' : 'is aborted'}`);
    if (decided) {
      await store.markTold(decided.requestId, 'expire');
      return { decision: decided.status, level: input.level, onTimeout: settings.onTimeout, requestIds: [decided.requestId], approvals: decisionList(decided) };
    }
    count(METRIC.approvalsExpired, of);
    return { decision: 'timed-out', level: input.level, onTimeout: settings.onTimeout, requestIds: closed, approvals: [] };
  }

  // A request re-sent to the next level supersedes the one whose deadline passed; a retried step, its unfinished request.
  const { decided } = await settleEarlier(input.incident.id, input.execution.id, input.gate.step, (level) => (level === input.level
    ? `superseded by a new request at ${input.level} (the step was retried)`
    : `no decision by the deadline; escalated to ${input.level}`));
  if (decided) {
    await tell(input.taskToken, decided);
    await store.markTold(decided.requestId, 'next-request');
    logger.info('An earlier verdict delivered on this task', { requestId: decided.requestId, decision: decided.status });
    return { requestId: decided.requestId, level: decided.level, approvers: [], deadline: decided.deadline, autoApproved: decided.requiredApprovals === 0, deliveredEarlier: decided.status };
  }

  const now = new Date();
  const startedBy = input.event?.startedBy ?? null;
  const approvers = approversAt(policy, input.level).filter((name) => name !== startedBy);
  const next = nextLevel(input.level);
  const request: NewRequest = {
    requestId: newRequestId(),
    incidentId: input.incident.id,
    executionArn: input.execution.id,
    gate: {
      runbook: input.incident.runbook, step: input.gate.step, summary: input.incident.summary, firedAt: input.incident.firedAt,
      operation: input.gate.operation, target: input.gate.target, parameters: input.gate.parameters, evidence: input.gate.evidence ?? null,
      severity: settings.severity,
    },
    level: input.level,
    // An acknowledgement is one person's, never automatic.
    requiredApprovals: settings.acknowledge ? 1 : settings.requiredApprovals,
    ...(settings.acknowledge ? { acknowledge: true as const } : {}),
    approvers,
    startedBy,
    ifUnanswered: {
      nextLevel: next,
      nextApprovers: next ? approversAt(policy, next).filter((name) => !approvers.includes(name) && name !== startedBy) : [],
      onTimeout: settings.onTimeout,
    },
    taskToken: input.taskToken,
    createdAt: now.toISOString(),
    deadline: new Date(now.getTime() + deadlineSeconds(policy, settings.severity) * 1000).toISOString(),
  };

  // A gate is asked once (its first level); a later level re-sends the same question.
  const asked = () => { if (input.level === LEVELS[0]) count(METRIC.approvalsRequested, of); };
  if (request.requiredApprovals === 0) {
    const because = settings.noApproverBecause ?? NO_APPROVER_IN_ENVIRONMENT;
    const approved = await store.create(request, { status: 'approved', outcome: autoApprovedOutcome(because) });
    asked();
    count(METRIC.approvalsApproved, of);
    // Not delivered: the Task's Retry runs this handler again, which delivers this same verdict on its new token.
    if (isDecided(approved)) await tell(input.taskToken, approved);
    await store.markTold(request.requestId, 'own-task');
    logger.info('Approval not required here: approved automatically', { requestId: request.requestId });
    return { requestId: request.requestId, level: request.level, approvers: [], deadline: request.deadline, autoApproved: true, autoApprovedBecause: because };
  }

  await store.create(request);
  asked();
  const signing = await signingKey.get();
  const exp = Math.floor(Date.parse(request.deadline) / 1000);
  const headline = (await gateWords({ gate: request.gate, live: undefined })).headline;
  for (const approver of approvers) {
    const link = linkUrl(baseUrl, signing, { requestId: request.requestId, approver, exp });
    const notification = requestNotification({ request, approver, link, headline, region, ...(pagesUrl ? { pagesUrl } : {}) });
    // The stack subscribes each approver with a filter policy on `approver`: each gets only their own link.
    await publishNotification(topicArn, notification, { approver, requestId: request.requestId }, `sns:Publish to ${approver}`);
  }
  logger.info('Approval requested', { requestId: request.requestId, escalationLevel: request.level, approvers });
  return { requestId: request.requestId, level: request.level, approvers, deadline: request.deadline, autoApproved: false };
});

async function tell(taskToken: string, request: ApprovalRequest & { status: Verdict }): Promise<void> {
  try {
    await tellVerdict(sfn, taskToken, request);
  } catch (e: unknown) {
    throw classifyAwsError(e, request.status === 'approved' ? 'states:SendTaskSuccess' : 'states:SendTaskFailure');
  }
}

/**
 * The step's earlier requests, settled on their own rows (oldest first): open ones close
 * `timed-out` and are listed; the newest one of this execution that was decided without its own
 * task hearing of it is returned, so its verdict is delivered now.
 */
async function settleEarlier(incidentId: string, executionArn: string, step: string, outcome: (level: Level) => string)
  : Promise<{ closed: string[]; decided?: ApprovalRequest & { status: Verdict } }> {
  const closed: string[] = [];
  let decided: (ApprovalRequest & { status: Verdict }) | undefined;
  for (const listed of await store.forIncident(incidentId)) {
    if (listed.step !== step) continue;
    let r = await store.get(listed.requestId);
    if (r?.status === 'open') {
      if (await store.expire(r, outcome(r.level))) {
        closed.push(r.requestId);
        continue;
      }
      // A deciding POST closed it first: its row says how.
      r = await store.get(listed.requestId);
    }
    if (r && isDecided(r) && r.executionArn === executionArn && r.told?.via !== 'own-task') decided = r;
  }
  return { closed, decided };
}
