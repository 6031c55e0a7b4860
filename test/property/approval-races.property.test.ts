/**
 * A model test of the approval races: fast-check's scheduler interleaves 2-5 approvers (each opens
 * their page, then clicks once or twice), an email scanner's GETs, a SendTaskSuccess/Failure that
 * fails once, and the step's deadline (Step Functions times the task out, then runs the deadline
 * path: the next level's request at L1, expire at L3), for gates needing 1 and 2 approvals, and for
 * an acknowledgement (a page: the first acknowledgement closes it, or the deadline escalates it). The
 * real page and request handlers run against dynalite through a proxy that makes every DynamoDB
 * request and answer a scheduling point; Step Functions is a small fake that answers as AWS does
 * (the first answer a task gets wins, later ones are TaskTimedOut).
 */
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { assertApproved, type ApprovalResult } from '../../lambdas/approval/assert-approved';
import type { ExpireResult, RequestResult } from '../../lambdas/approval/request';
import { ApprovalStore, decisionList, type ApprovalRequest } from '../../lambdas/approval/store';
import { acknowledged, tally } from '../../lambdas/domain/approval';
import { handlerTestEnv, startDynalite, type LocalDynamo } from '../support/dynalite';
import { EXECUTION_ARN, incident, lambdaContext, nthIncidentId } from '../support/fixtures';
import { approvalLinkIn } from '../support/notifications';
import { schedulerGate, startSchedulingProxy, type Gate, type SchedulingProxy } from '../support/scheduling-proxy';
import { formOf, KEY, messageOf, pageEvent, TOPIC, type PageHandler } from '../unit/approval/support';

const TABLE = 'approval-races-ledger';
const APPROVERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
const FUNCTION = incident().target;
const PARAMETERS = { FunctionName: FUNCTION, ReservedConcurrentExecutions: 5 };
/** Three gates: 4-eyes that aborts on timeout, one approver on a step marked safe to proceed, and a page to acknowledge. */
const GATES = {
  2: { step: 'restore', onTimeout: 'abort' },
  1: { step: 'restore-once', onTimeout: 'proceed' },
  ack: { step: 'acknowledge', onTimeout: 'abort' },
} as const;

const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const lambda = mockClient(LambdaClient);
const sns = mockClient(SNSClient);

/** Step Functions' side of the task tokens, as AWS keeps it: waiting, then answered once or timed out. */
class StepFunctionsFake {
  readonly tasks = new Map<string, { state: 'waiting' | 'answered' | 'timed-out'; answer?: { kind: 'success' | 'failure'; body: string } }>();
  gate: Gate | null = null;
  failNext = false;
  /** Called as the first answer of a run arrives, before Step Functions looks at it (a deadline that lands just then). */
  onFirstAnswer: (() => void) | null = null;

  wait(token: string): void {
    this.tasks.set(token, { state: 'waiting' });
  }

  timeOut(token: string): boolean {
    const task = this.tasks.get(token);
    if (task?.state !== 'waiting') return false;
    task.state = 'timed-out';
    return true;
  }

  async answer(token: string, kind: 'success' | 'failure', body: string): Promise<object> {
    await this.gate?.(`sfn ${kind}`);
    const first = this.onFirstAnswer;
    this.onFirstAnswer = null;
    first?.();
    if (this.failNext) {
      this.failNext = false;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    }
    const task = this.tasks.get(token);
    if (task?.state !== 'waiting') throw new TaskTimedOut({ message: "Task Timed Out: 'Provided task does not exist anymore'", $metadata: {} });
    task.state = 'answered';
    task.answer = { kind, body };
    return {};
  }
}

let dynamo: LocalDynamo;
let proxy: SchedulingProxy;
let store: ApprovalStore;
let page: PageHandler;
let request: (event: unknown, context: typeof lambdaContext) => Promise<RequestResult | ExpireResult>;
const fake = new StepFunctionsFake();
let sequence = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedgerTable(TABLE);
  proxy = await startSchedulingProxy(dynamo.endpoint);
  store = new ApprovalStore(TABLE, dynamo.client);
  Object.assign(process.env, handlerTestEnv(proxy.url, TABLE), {
    APPROVAL_SECRET_ID: 'approval-signing-key', APPROVAL_TOPIC_ARN: TOPIC, APPROVAL_BASE_URL: 'https://approvals.example.com',
    APPROVAL_POLICY: JSON.stringify({
      requiredApprovals: 2, deadlineMinutes: { P1: 15, P2: 30, P3: 120, P4: 1440 },
      approvers: [...APPROVERS.map((name) => ({ name, level: 'L1' })), { name: 'frank', level: 'L2' }],
    }),
    APPROVAL_GATES: JSON.stringify({
      'lambda-runaway/restore': { severity: 'P2', onTimeout: GATES[2].onTimeout, requiredApprovals: 2 },
      'lambda-runaway/restore-once': { severity: 'P2', onTimeout: GATES[1].onTimeout, requiredApprovals: 1 },
      'lambda-runaway/acknowledge': { severity: 'P1', onTimeout: 'abort', requiredApprovals: 1, acknowledge: true },
    }),
  });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY });
  lambda.on(GetFunctionCommand).resolves({ Concurrency: { ReservedConcurrentExecutions: 0 }, Configuration: { State: 'Active' } });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sfn.on(SendTaskSuccessCommand).callsFake((input: { taskToken: string; output: string }) => fake.answer(input.taskToken, 'success', input.output));
  sfn.on(SendTaskFailureCommand).callsFake((input: { taskToken: string; cause: string }) => fake.answer(input.taskToken, 'failure', input.cause));
  page = (await import('../../lambdas/approval/page')).handler as PageHandler;
  request = (await import('../../lambdas/approval/request')).handler as typeof request;
});
afterAll(async () => {
  await proxy?.close();
  await dynamo?.close();
});

interface Decider {
  readonly approver: (typeof APPROVERS)[number];
  readonly decision: 'approve' | 'reject' | 'acknowledge';
  readonly clicks: 1 | 2;
}

interface Scenario {
  readonly required: 1 | 2 | 'ack';
  readonly level: 'L1' | 'L3';
  readonly deciders: readonly Decider[];
  readonly scans: readonly (typeof APPROVERS)[number][];
  readonly sendFailsOnce: boolean;
  /**
   * When the step's deadline passes: never, after some scheduling steps (early, amid the
   * decisions, or after them), or just as the first verdict reaches Step Functions.
   */
  readonly deadline: 'none' | 'anytime' | 'at-first-answer';
  readonly deadlineAfter: number;
}

const deciderArb = (required: Scenario['required']) => (approver: Decider['approver']): fc.Arbitrary<Decider> => fc.record({
  approver: fc.constant(approver),
  // A page has one button.
  decision: required === 'ack' ? fc.constant('acknowledge' as const)
    : fc.oneof({ arbitrary: fc.constant('approve' as const), weight: 3 }, { arbitrary: fc.constant('reject' as const), weight: 1 }),
  clicks: fc.constantFrom(1 as const, 2 as const),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc.constantFrom(1 as const, 2 as const, 'ack' as const).chain((required) => fc.record({
  required: fc.constant(required),
  level: fc.constantFrom('L1' as const, 'L3' as const),
  deciders: fc.shuffledSubarray([...APPROVERS], { minLength: 2, maxLength: 5 }).chain((names) => fc.tuple(...names.map(deciderArb(required)))),
  scans: fc.array(fc.constantFrom(...APPROVERS), { maxLength: 3 }),
  sendFailsOnce: fc.boolean(),
  deadline: fc.constantFrom('none' as const, 'anytime' as const, 'at-first-answer' as const),
  deadlineAfter: fc.nat(60),
}));

interface Posted {
  readonly approver: string;
  readonly decision: Decider['decision'];
  readonly status: number;
  readonly message: string;
}

const gateFor = (step: string) => ({ step, operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, parameters: PARAMETERS, evidence: null });

/** Runs one scenario under the scheduler; returns what everyone was told and what Step Functions and the deadline path did. */
async function play(s: fc.Scheduler, sc: Scenario) {
  const id = nthIncidentId('e', ++sequence);
  const { step } = GATES[sc.required];
  const step1 = `token-${id}-1`;
  const step2 = `token-${id}-2`;
  fake.wait(step1);
  sns.resetHistory();
  const base = { incident: incident({ id }), execution: { id: EXECUTION_ARN } };
  const asked = (await request({ ...base, mode: 'request', taskToken: step1, level: sc.level, gate: gateFor(step) }, lambdaContext)) as RequestResult;
  const links = Object.fromEntries(sns.commandCalls(PublishCommand).map((c) => [
    c.args[0].input.MessageAttributes!.approver!.StringValue!, approvalLinkIn(c.args[0].input),
  ]));

  const gate = schedulerGate(s);
  proxy.setGate(gate);
  fake.gate = gate;
  fake.failNext = sc.sendFailsOnce;
  const posted: Posted[] = [];
  let deadline: { ran: boolean; result?: RequestResult | ExpireResult } = { ran: false };
  const people = [
    ...sc.deciders.map(async (d) => {
      const shown = await page(pageEvent('GET', links[d.approver]!));
      const { fields, cookie } = formOf(shown);
      if (!fields.has('csrf')) return;
      fields.set('decision', d.decision);
      for (let click = 0; click < d.clicks; click++) {
        const out = await page(pageEvent('POST', links[d.approver]!, { body: fields.toString(), cookie }));
        posted.push({ approver: d.approver, decision: d.decision, status: out.statusCode ?? 0, message: messageOf(out) });
      }
    }),
    ...sc.scans.map(async (approver) => {
      await page(pageEvent('GET', links[approver]!));
    }),
  ];
  const everyoneDone = Promise.all(people);
  /** The deadline: Step Functions times out a task still waiting, then the state machine takes its deadline path. */
  const passDeadline = async () => {
    let timedOut = false;
    if (sc.deadline === 'anytime') {
      for (let i = 0; i <= sc.deadlineAfter; i++) await gate('deadline nears');
    } else {
      // Just as the first verdict reaches Step Functions: it finds the task already timed out.
      await Promise.race([everyoneDone, new Promise<void>((resolve) => {
        fake.onFirstAnswer = () => {
          timedOut = fake.timeOut(step1);
          resolve();
        };
      })]);
    }
    if (!timedOut && !fake.timeOut(step1)) return;
    deadline = { ran: true };
    if (sc.level === 'L3') {
      deadline.result = await request({ ...base, mode: 'expire', level: 'L3', gate: { step } }, lambdaContext);
    } else {
      fake.wait(step2);
      deadline.result = await request({ ...base, mode: 'request', taskToken: step2, level: 'L2', gate: gateFor(step) }, lambdaContext);
    }
  };
  const actors = [everyoneDone, ...(sc.deadline === 'none' ? [] : [passDeadline()])];
  await s.waitFor(Promise.all(actors));
  proxy.setGate(null);
  fake.gate = null;
  fake.failNext = false;
  fake.onFirstAnswer = null;
  // Someone opens a link later (the next visitor): a verdict Step Functions was not told is told now.
  await page(pageEvent('GET', links[sc.deciders[0]!.approver]!));
  return { requestId: asked.requestId, step, posted, deadline, first: fake.tasks.get(step1), second: fake.tasks.get(step2) };
}

const DECIDED = { approve: 'approved', reject: 'rejected', acknowledge: 'acknowledged' } as const;
const NOUN = { approve: 'approval', reject: 'rejection', acknowledge: 'acknowledgement' } as const;

test('decisions, retries and the deadline in any order: the request row, what each person is told, Step Functions and the gated step agree', async () => {
  await fc.assert(fc.asyncProperty(fc.scheduler(), scenarioArb, async (s, sc) => {
    const run = await play(s, sc);
    const row = (await store.get(run.requestId)) as ApprovalRequest;
    const decisions = decisionList(row);
    const verdict = sc.required === 'ack' ? acknowledged(decisions) : tally(decisions, sc.required);
    const decided = row.status === 'approved' || row.status === 'rejected' || row.status === 'acknowledged';

    // Only final statuses or open; the status follows the quorum rules over the decisions the row accepted
    // (a page: the first acknowledgement closes it, so it holds one at most).
    expect(sc.required === 'ack' ? ['open', 'acknowledged', 'timed-out'] : ['open', 'approved', 'rejected', 'timed-out']).toContain(row.status);
    if (sc.required === 'ack') expect(decisions.length).toBeLessThanOrEqual(1);
    if (decided) expect(verdict).toBe(row.status);
    else expect(verdict).toBe('open');
    if (row.status === 'timed-out') expect(run.deadline.ran).toBe(true);
    if (run.deadline.ran) expect(row.status).not.toBe('open');

    // Nobody is told "recorded" for a decision that did not count, and every decision that counts was told so, once.
    for (const p of run.posted) {
      expect([200, 409]).toContain(p.status);
      const mine = row.decisions[p.approver];
      if (p.status === 200) expect(mine?.decision).toBe(DECIDED[p.decision]);
      else if (mine) expect(p.message).toContain('counts once');
      else expect(p.message).toContain(`your ${NOUN[p.decision]} was not counted`);
    }
    for (const d of decisions) expect(run.posted.filter((p) => p.approver === d.approver && p.status === 200)).toHaveLength(1);

    // Step Functions heard the verdict the row holds: at most once on the step's token (the fake keeps the first), and at least once.
    const toldFirst = run.first?.answer;
    if (toldFirst) {
      expect(toldFirst.kind).toBe(row.status === 'rejected' ? 'failure' : 'success');
      expect(JSON.parse(toldFirst.body)).toMatchObject({ decision: row.status, requestId: run.requestId, approvals: decisions });
    }
    const delivered = run.deadline.result as (RequestResult & ExpireResult) | undefined;
    if (decided) {
      expect(row.told).toBeDefined();
      const viaDeadline = sc.level === 'L3' ? delivered?.decision === row.status : run.second?.answer !== undefined && delivered?.deliveredEarlier === row.status;
      expect(toldFirst !== undefined || viaDeadline).toBe(true);
    } else {
      expect(toldFirst).toBeUndefined();
      expect(row.told).toBeUndefined();
    }

    // The gated step, given what Step Functions passes on, passes its check iff the row is approved (or timed out on a step marked proceed).
    let approval: ApprovalResult | undefined;
    if (toldFirst) approval = JSON.parse(toldFirst.body) as ApprovalResult;
    else if (sc.level === 'L3' && delivered) approval = delivered as unknown as ApprovalResult;
    else if (run.second?.answer) approval = JSON.parse(run.second.answer.body) as ApprovalResult;
    if (approval) expect(approval.decision).toBe(row.status);
    // A page's acknowledgement gates no call: what matters is that the machine hears the row's verdict (above).
    if (approval && sc.required !== 'ack') {
      const { onTimeout } = GATES[sc.required];
      const passes = await assertApproved(store, approval, {
        incidentId: row.incidentId, runbook: 'lambda-runaway', step: run.step, operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, parameters: PARAMETERS,
      }, { onTimeout }).then(() => true, () => false);
      expect(passes).toBe(row.status === 'approved' || (row.status === 'timed-out' && onTimeout === 'proceed'));
    }
  }), { numRuns: 30 });
});
