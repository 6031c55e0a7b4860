/**
 * Every kind of notification the stack publishes, built by its own publisher's code and sent as
 * SNS would receive it: the chat body validates against the custom notification format (the
 * schema in test/support/notifications.ts, written from the user guide), the email text carries
 * the subject's facts, both carry the incident and the execution, and nothing secret is in them
 * (an approver's signed link only in that approver's email body; the task token nowhere).
 */
import { requestNotification } from '../../../lambdas/approval/request-notification';
import type { NewRequest } from '../../../lambdas/approval/store';
import { linkUrl } from '../../../lambdas/approval/signing';
import { redriveAdvice } from '../../../lambdas/domain/execution-failure';
import { executionConsoleUrl, outcomeNotification, type MessageInput } from '../../../lambdas/domain/message';
import { runbookPage, snsSubject, SNS_MESSAGE_MAX_BYTES, type Notification } from '../../../lambdas/domain/notification';
import type { ActionRecord } from '../../../lambdas/shared/ledger';
import { publishInput } from '../../../lambdas/shared/publish';
import { EXECUTION_ARN, incident } from '../../support/fixtures';
import { delivered, type Delivered } from '../../support/notifications';

const TOPIC = 'arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-info';
const REGION = 'sa-east-1';
const PAGES = 'https://github.com/acme/runbook-autopilot/blob/main/docs/runbooks';
const INCIDENT = incident({ source: { name: 'fn-concurrency', arn: 'arn:aws:cloudwatch:sa-east-1:111122223333:alarm:fn-concurrency', reason: 'Threshold Crossed: 1 datapoint [987.0] was greater than 800.0' } });
const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAd-secret-task-token';
const SIGNING_KEY = 'k'.repeat(48);

const stop: ActionRecord = {
  incidentId: INCIDENT.id, actionKey: `stop#lambda:PutFunctionConcurrency#${INCIDENT.target}`, runbook: 'lambda-runaway', operation: 'lambda:PutFunctionConcurrency',
  target: INCIDENT.target, executionArn: EXECUTION_ARN, status: 'succeeded', before: 50, after: 0, attempts: 1, startedAt: '2026-11-23T03:00:01Z', completedAt: '2026-11-23T03:00:02Z',
};

const outcome = (m: Partial<MessageInput> & Pick<MessageInput, 'outcome' | 'reason'>): Notification =>
  outcomeNotification({ runbook: 'lambda-runaway', incident: INCIDENT, actions: [stop], executionArn: EXECUTION_ARN, region: REGION, pagesUrl: PAGES, ...m });

function request(level: 'L1' | 'L2' | 'L3', gate: Partial<NewRequest['gate']> = {}): NewRequest {
  return {
    requestId: 'apr-0123456789abcdef0123', incidentId: INCIDENT.id, executionArn: EXECUTION_ARN, level, requiredApprovals: 2, approvers: ['alice', 'bob'], startedBy: null,
    gate: {
      runbook: 'lambda-runaway', step: 'restore', summary: INCIDENT.summary, firedAt: INCIDENT.firedAt, operation: 'lambda:PutFunctionConcurrency',
      target: INCIDENT.target, parameters: { FunctionName: INCIDENT.target, ReservedConcurrentExecutions: 5 }, evidence: { invokers: ['sqs:jobs'] }, severity: 'P2', ...gate,
    },
    ifUnanswered: { nextLevel: level === 'L3' ? null : level === 'L1' ? 'L2' : 'L3', nextApprovers: [], onTimeout: 'abort' },
    taskToken: TASK_TOKEN, createdAt: '2026-11-23T03:05:00.000Z', deadline: '2026-11-23T03:35:00.000Z',
  };
}

const link = (approver: string) => linkUrl('https://approvals.example.com', SIGNING_KEY, { requestId: 'apr-0123456789abcdef0123', approver, exp: 1795000000 });
const ask = (level: 'L1' | 'L2' | 'L3', gate: Partial<NewRequest['gate']> = {}): Notification =>
  requestNotification({ request: request(level, gate), approver: 'alice', link: link('alice'), headline: `Let ${INCIDENT.target} run again, at most 5 at a time?`, region: REGION, pagesUrl: PAGES });

interface Kind {
  readonly name: string;
  readonly n: Notification;
  /** Words the subject, the chat title and the email text all say (in any case). */
  readonly facts: readonly string[];
  readonly eventType: string;
  readonly page: string;
}

const KINDS: readonly Kind[] = [
  { name: 'remediated', n: outcome({ outcome: 'remediated', reason: 'reserved concurrency set to 0' }), facts: ['remediated', 'lambda-runaway', INCIDENT.target], eventType: 'runbook-autopilot-remediated', page: 'lambda-runaway' },
  { name: 'skipped (held by a switch)', n: outcome({ outcome: 'skipped', reason: 'automation is paused', actions: [], switches: { automation: 'paused', runbook: 'enabled' } }), facts: ['skipped', 'lambda-runaway', INCIDENT.target], eventType: 'runbook-autopilot-skipped', page: 'lambda-runaway' },
  { name: 'skipped (dry run: planned calls)', n: outcome({ outcome: 'skipped', reason: 'dry run', actions: [{ ...stop, status: 'planned', attempts: 0, parameters: { ReservedConcurrentExecutions: 0 } }] }), facts: ['skipped', INCIDENT.target], eventType: 'runbook-autopilot-skipped', page: 'lambda-runaway' },
  { name: 'escalated', n: outcome({ outcome: 'escalated', reason: 'the function is still running after the stop', evidence: { concurrentExecutions: 987 } }), facts: ['escalated', 'lambda-runaway', INCIDENT.target], eventType: 'runbook-autopilot-escalated', page: 'lambda-runaway' },
  { name: 'rejected (no incident)', n: outcome({ outcome: 'rejected', reason: 'not an alarm event', actions: [], incident: undefined }), facts: ['rejected', 'lambda-runaway', 'unknown target'], eventType: 'runbook-autopilot-rejected', page: 'lambda-runaway' },
  { name: 'failed (caught)', n: outcome({ outcome: 'failed', reason: 'a step failed', error: 'TargetNotFound: Function not found' }), facts: ['failed', 'lambda-runaway', INCIDENT.target], eventType: 'runbook-autopilot-failed', page: 'lambda-runaway' },
  {
    name: 'execution failed (the rule)', n: outcome({ outcome: 'failed', kind: 'execution-failed', reason: 'the execution failed at "Stop"', next: redriveAdvice('Stop') }),
    facts: ['failed', 'lambda-runaway', INCIDENT.target], eventType: 'runbook-autopilot-execution-failed', page: 'lambda-runaway',
  },
  { name: 'undo done', n: outcome({ runbook: 'undo', outcome: 'remediated', reason: 'every recorded value is back' }), facts: ['remediated', 'undo of lambda-runaway', INCIDENT.target], eventType: 'runbook-autopilot-undo-remediated', page: 'undo' },
  { name: 'undo refused', n: outcome({ runbook: 'undo', outcome: 'rejected', reason: 'nothing to undo', actions: [] }), facts: ['rejected', 'undo of lambda-runaway'], eventType: 'runbook-autopilot-undo-rejected', page: 'undo' },
  { name: 'undo not approved', n: outcome({ runbook: 'undo', outcome: 'escalated', reason: 'undo not approved (rejected): nothing was restored', actions: [] }), facts: ['escalated', 'undo of lambda-runaway'], eventType: 'runbook-autopilot-undo-escalated', page: 'undo' },
  { name: 'undo failed', n: outcome({ runbook: 'undo', outcome: 'failed', reason: 'an undo step failed', error: 'AwsUnavailable: 503' }), facts: ['failed', 'undo of lambda-runaway'], eventType: 'runbook-autopilot-undo-failed', page: 'undo' },
  { name: 'approval request', n: ask('L1'), facts: ['P2', `Let ${INCIDENT.target} run again`], eventType: 'runbook-autopilot-approval-requested', page: 'lambda-runaway' },
  { name: 'approval re-sent at L2', n: ask('L2'), facts: ['P2', 'L2', `Let ${INCIDENT.target} run again`], eventType: 'runbook-autopilot-approval-resent', page: 'lambda-runaway' },
  { name: 'approval re-sent at L3', n: ask('L3'), facts: ['P2', 'L3', `Let ${INCIDENT.target} run again`], eventType: 'runbook-autopilot-approval-resent', page: 'lambda-runaway' },
  { name: 'undo approval request', n: ask('L1', { step: 'undo', operation: 'undo', parameters: { restores: [] } }), facts: ['P2'], eventType: 'runbook-autopilot-approval-requested', page: 'undo' },
];

const sent = (n: Notification): Delivered & { input: ReturnType<typeof publishInput> } => {
  const input = publishInput(TOPIC, n, { runbook: n.runbook });
  return { ...delivered(input), input };
};

describe.each(KINDS)('$name', ({ n, facts, eventType, page }) => {
  test('one Publish: a subject a pager shows, the chat body in the custom notification format, the email text, the subject by SMS', () => {
    const { subject, chat, email, sms, input } = sent(n);

    expect(input).toMatchObject({ TopicArn: TOPIC, MessageStructure: 'json', MessageAttributes: { runbook: { DataType: 'String', StringValue: n.runbook } } });
    expect(subject).toMatch(/^[\x21-\x7e][\x20-\x7e]{0,98}$/);
    expect(sms).toBe(subject);
    for (const fact of facts.map((f) => f.toLowerCase())) {
      expect(subject.toLowerCase()).toContain(fact);
      expect(chat.content.title?.toLowerCase()).toContain(fact);
      expect(email.toLowerCase()).toContain(fact);
    }
    expect(chat.metadata?.eventType).toBe(eventType);
    expect(chat.metadata?.summary).toBe(subject);
    expect(chat.content.keywords).toEqual(expect.arrayContaining([n.runbook]));
  });

  test('both bodies name the incident and the execution; chat threads on the incident', () => {
    const { chat, email } = sent(n);
    const console = executionConsoleUrl(REGION, EXECUTION_ARN);

    expect(chat.metadata?.additionalContext).toMatchObject({ executionArn: EXECUTION_ARN, runbook: n.runbook });
    expect(chat.metadata?.relatedResources).toContain(EXECUTION_ARN);
    expect(chat.content.nextSteps).toContain(`Execution: ${console}`);
    expect(email).toContain(`Execution: ${console}`);
    if (n.incidentId) {
      expect(chat.metadata?.threadId).toBe(INCIDENT.id);
      expect(chat.metadata?.additionalContext).toMatchObject({ incidentId: INCIDENT.id });
      expect(chat.content.description).toContain(INCIDENT.id);
      expect(email).toContain(`Incident: ${INCIDENT.id}`);
    } else {
      expect(chat.metadata?.threadId).toBe(EXECUTION_ARN);
    }
  });

  test("both bodies link to the runbook's generated page", () => {
    const { chat, email } = sent(n);

    expect(chat.content.nextSteps).toContain(`Runbook page: ${PAGES}/${page}.md`);
    expect(email).toContain(`Runbook page: ${PAGES}/${page}.md`);
  });

  test('nothing secret: no task token anywhere; a signed link only in the email body', () => {
    const { input, chat, email } = sent(n);

    expect(input.Message).not.toContain(TASK_TOKEN);
    expect(JSON.stringify(chat)).not.toContain('sig=');
    expect(JSON.stringify(chat)).not.toContain('/approvals/');
    if (n.personalLink) {
      expect(email).toContain(`Your personal link (it only shows the request; you decide on the page): ${link('alice')}`);
      expect(email).not.toContain(link('bob'));
      expect(chat.content.description).toContain('signed for alice alone');
    } else {
      expect(email).not.toContain('sig=');
    }
  });
});

describe('the approval request', () => {
  test('the email says what is asked, of whom, how many must agree, by when and what silence does', () => {
    const { email } = sent(ask('L1'));

    expect(email).toContain('alice, runbook lambda-runaway asks for your decision (P2, escalation level L1)');
    expect(email).toContain(`Action: lambda:PutFunctionConcurrency on ${INCIDENT.target}`);
    expect(email).toContain(`Exact call: {"FunctionName":"${INCIDENT.target}","ReservedConcurrentExecutions":5}`);
    expect(email).toContain('Needs 2 distinct approver(s); one rejection rejects.');
    expect(email).toContain('Deadline: 2026-11-23T03:35:00.000Z (then it goes to L2)');
  });

  test('the last level says what the step does when nobody answers', () => {
    expect(sent(ask('L3')).email).toContain("(then the step's onTimeout applies: abort)");
    expect(sent(ask('L3')).email).toContain('the previous level let its deadline pass');
  });
});

describe('limits', () => {
  test('evidence far past 256 KB: the message fits SNS with its attributes, the email says it was shortened, chat stays within its caps', () => {
    const evidence = { rows: Array.from({ length: 6000 }, (_, i) => ({ id: `task-${i}`, note: 'é'.repeat(60) })) };
    const n = outcome({ outcome: 'escalated', reason: 'too many stuck tasks', evidence });
    const attributes = { runbook: 'lambda-runaway', outcome: 'escalated' };

    const input = publishInput(TOPIC, n, attributes);
    const { chat, email } = delivered(input);

    const attributeBytes = Object.entries(attributes).reduce((s, [k, v]) => s + k.length + 'String'.length + v.length, 0);
    expect(Buffer.byteLength(input.Message!) + Buffer.byteLength(input.Subject!) + attributeBytes).toBeLessThanOrEqual(SNS_MESSAGE_MAX_BYTES);
    expect(Buffer.byteLength(input.Message!)).toBeGreaterThan(200_000);
    expect(email).toMatch(/\[shortened to fit SNS's 256 KB: \d+ more characters; the ledger and the execution history hold everything\]$/);
    expect(email).toContain('escalated'.toLowerCase());
    expect(chat.content.description.length).toBeLessThanOrEqual(4000);
  });

  test('a list longer than chat shows says how many more; the email lists every one', () => {
    const actions = Array.from({ length: 14 }, (_, i) => ({ ...stop, actionKey: `k${i}`, target: `fn-${i}` }));
    const { chat, email } = sent(outcome({ outcome: 'remediated', reason: 'stopped', actions }));

    expect(chat.content.description).toContain('• and 4 more (the email and the ledger list them all)');
    expect(email).toContain('lambda:PutFunctionConcurrency on fn-13: 50 -> 0');
  });

  test("text from AWS cannot ping a chat channel: Slack's special sequences are shown, not sent", () => {
    const { chat, email } = sent(outcome({ outcome: 'failed', reason: 'boom <!channel> <@U123>', error: 'see <https://evil.example|here>' }));

    expect(chat.content.description).not.toMatch(/<[!@h]/);
    expect(chat.content.description).toContain('‹!channel>');
    expect(email).toContain('boom <!channel> <@U123>');
  });

  test('a subject is one line of ASCII, fewer than 100 characters, whatever the headline', () => {
    expect(snsSubject(`[P2] Let ${'x'.repeat(200)}\nrun → again…`)).toMatch(/^\[P2\] Let x+\.\.\.$/);
    expect(snsSubject('[P2] Restore 5 → 0…\r\n\tnow')).toBe('[P2] Restore 5 -> 0... now');
    expect(snsSubject('Let ünïcode run')).toBe('Let ?n?code run');
    expect(snsSubject(`${'y'.repeat(99)}`)).toHaveLength(99);
    expect(snsSubject(`${'y'.repeat(100)}`)).toHaveLength(99);
    expect(snsSubject(' \n ')).toBe('runbook-autopilot notification');
  });
});

describe("the runbook's page", () => {
  test('under the configured base URL, or its path in the repository when none is configured', () => {
    expect(runbookPage('scale-out', 'https://docs.example.com/runbooks/')).toEqual({ label: 'Runbook page', url: 'https://docs.example.com/runbooks/scale-out.md' });
    expect(runbookPage('scale-out', undefined)).toEqual({ label: 'Runbook page', url: 'docs/runbooks/scale-out.md' });
    const { email } = sent(outcomeNotification({ outcome: 'remediated', reason: 'ok', runbook: 'scale-out', incident: INCIDENT, actions: [], executionArn: EXECUTION_ARN, region: REGION }));
    expect(email).toContain('Runbook page: docs/runbooks/scale-out.md');
  });
});
