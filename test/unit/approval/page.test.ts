import 'aws-sdk-client-mock-jest';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { RequestResult } from '../../../lambdas/approval/request';
import { linkUrl, signLink } from '../../../lambdas/approval/signing';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { handlerTestEnv, startDynalite, type LocalDynamo } from '../../support/dynalite';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';
import { approvalLinkIn } from '../../support/notifications';
import { BASE_URL, formOf, KEY, messageOf, pageEvent, TOPIC, type PageHandler } from './support';

const TABLE = 'approval-page-test-ledger';
const TASKS = 'approval-page-test-tasks';
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const lambda = mockClient(LambdaClient);
const sns = mockClient(SNSClient);

let dynamo: LocalDynamo;
let store: ApprovalStore;
let page: PageHandler;
let request: (event: unknown, context: typeof lambdaContext) => Promise<RequestResult>;
let sequence = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedgerTable(TABLE);
  await dynamo.client.send(new CreateTableCommand({
    TableName: TASKS, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'task_id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'task_id', KeyType: 'HASH' }],
  }));
  for (const [id, status] of [['t-1', 'pending'], ['t-2', 'running']]) {
    await dynamo.client.send(new PutItemCommand({ TableName: TASKS, Item: { task_id: { S: id! }, status: { S: status! } } }));
  }
  store = new ApprovalStore(TABLE, dynamo.client);
  Object.assign(process.env, handlerTestEnv(dynamo.endpoint, TABLE), {
    APPROVAL_SECRET_ID: 'approval-signing-key', APPROVAL_TOPIC_ARN: TOPIC, APPROVAL_BASE_URL: BASE_URL,
    APPROVAL_POLICY: JSON.stringify({
      requiredApprovals: 2, deadlineMinutes: { P1: 15, P2: 30, P3: 120, P4: 1440 },
      approvers: [{ name: 'alice', level: 'L1' }, { name: 'bob', level: 'L1' }, { name: 'carol', level: 'L1' }, { name: 'dave', level: 'L2' }],
    }),
    // As the catalog writes them: a gate that asks the policy's 2 approvals and aborts on timeout by its severity alone.
    APPROVAL_GATES: JSON.stringify({
      'lambda-runaway/restore': 'P2',
      'lambda-runaway/dev-restore': { severity: 'P2', onTimeout: 'abort', requiredApprovals: 0 },
      // A gate that asks nobody whatever the policy, with its reason (an undo that puts a hard rule back).
      'lambda-runaway/revert': { severity: 'P2', onTimeout: 'abort', requiredApprovals: 0, noApproverBecause: 'the revert puts the rule back, so it asks nobody' },
      'dynamodb-throttling/delete-stuck': 'P3',
      // A page to acknowledge: never automatic, even where the environment needs no approver.
      'page-on-call/acknowledge': { severity: 'P1', onTimeout: 'abort', requiredApprovals: 0, acknowledge: true },
    }),
    STUCK_TASK_TABLES: JSON.stringify({ [TASKS]: { statusAttribute: 'status', pendingStatus: 'pending' } }),
  });
  page = (await import('../../../lambdas/approval/page')).handler as PageHandler;
  request = (await import('../../../lambdas/approval/request')).handler as typeof request;
});
afterAll(() => dynamo.close());

beforeEach(() => {
  for (const m of [sfn, secrets, lambda, sns]) m.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY });
  lambda.on(GetFunctionCommand).resolves({ Concurrency: { ReservedConcurrentExecutions: 0 }, Configuration: { State: 'Active' } });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
});

/** Asks for approval as the state machine does; returns the request and each approver's link from SNS. */
async function ask(options: { step?: string; startedBy?: string; evidence?: unknown } = {}) {
  const id = `inc-${(++sequence).toString(16).padStart(16, '0')}`;
  const result = await request({
    mode: 'request', taskToken: `token-${id}`, incident: incident({ id }), execution: { id: EXECUTION_ARN }, level: 'L1',
    gate: {
      step: options.step ?? 'restore', operation: 'lambda:PutFunctionConcurrency', target: incident().target,
      parameters: { FunctionName: incident().target, ReservedConcurrentExecutions: 5 }, evidence: options.evidence ?? { reservedConcurrency: 0 },
    },
    ...(options.startedBy ? { event: { startedBy: options.startedBy } } : {}),
  }, lambdaContext);
  const links: Record<string, string> = {};
  for (const call of sns.commandCalls(PublishCommand)) {
    const input = call.args[0].input;
    if (input.MessageAttributes?.requestId?.StringValue !== result.requestId) continue;
    links[input.MessageAttributes.approver!.StringValue!] = approvalLinkIn(input);
  }
  return { result, links, token: `token-${id}` };
}

/** What a person does: open the link, then submit the form with the cookie the page set. */
async function decide(link: string, decision: 'approve' | 'reject' | 'acknowledge', comment = '') {
  const shown = await page(pageEvent('GET', link));
  const { fields, cookie } = formOf(shown);
  fields.set('decision', decision);
  if (comment) fields.set('comment', comment);
  return { shown, posted: await page(pageEvent('POST', link, { body: fields.toString(), cookie })), fields, cookie };
}

const decisionsOf = (requestId: string) => store.decisions(requestId);

describe('the request', () => {
  test('one SNS message per approver, each with their own signed link and an approver attribute for the filter policy', async () => {
    const { result, links } = await ask();
    expect(result).toMatchObject({ level: 'L1', approvers: ['alice', 'bob', 'carol'], autoApproved: false });
    expect(Object.keys(links).sort()).toEqual(['alice', 'bob', 'carol']);
    for (const [approver, link] of Object.entries(links)) {
      const url = new URL(link);
      expect(url.origin).toBe(BASE_URL);
      expect(url.searchParams.get('approver')).toBe(approver);
      expect(url.searchParams.get('sig')).toBe(signLink(KEY, { requestId: result.requestId, approver, exp: Number(url.searchParams.get('exp')) }));
      // The task token never leaves the ledger.
      expect(link).not.toContain('token-');
    }
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC, MessageAttributes: expect.objectContaining({ approver: { DataType: 'String', StringValue: 'alice' } }) });
    const stored = await store.get(result.requestId);
    expect(stored).toMatchObject({ status: 'open', requiredApprovals: 2, approvers: ['alice', 'bob', 'carol'], taskToken: expect.stringMatching(/^token-/) });
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  test('no approver needed (dev): approved at once with SendTaskSuccess, recorded as auto-approved, nobody messaged', async () => {
    const { result, token } = await ask({ step: 'dev-restore' });
    expect(result.autoApproved).toBe(true);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    const sent = sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(sent.taskToken).toBe(token);
    expect(JSON.parse(sent.output!)).toMatchObject({ decision: 'approved', autoApproved: true, approvals: [] });
    expect(await store.get(result.requestId)).toMatchObject({ status: 'approved', outcome: expect.stringContaining('auto-approved') });
  });

  test('approved at once by its gate\'s own rule: recorded, and shown on a late visit, with the gate\'s reason, not the environment\'s', async () => {
    const { result } = await ask({ step: 'revert' });
    expect(result).toMatchObject({ autoApproved: true, autoApprovedBecause: 'the revert puts the rule back, so it asks nobody' });
    expect(await store.get(result.requestId)).toMatchObject({ status: 'approved', outcome: 'auto-approved: the revert puts the rule back, so it asks nobody' });
    const link = linkUrl(BASE_URL, KEY, { requestId: result.requestId, approver: 'alice', exp: Math.floor(Date.now() / 1000) + 600 });
    const visit = await page(pageEvent('GET', link));
    expect(visit.statusCode).toBe(409);
    expect(visit.body).toMatch(/approved automatically at \d\d:\d\d UTC \(the revert puts the rule back, so it asks nobody\)/);
    const dev = await ask({ step: 'dev-restore' });
    const devVisit = await page(pageEvent('GET', linkUrl(BASE_URL, KEY, { requestId: dev.result.requestId, approver: 'alice', exp: Math.floor(Date.now() / 1000) + 600 })));
    expect(devVisit.body).toMatch(/approved automatically at \d\d:\d\d UTC \(this environment needs no approver\)/);
  });

  test('an auto-approval Step Functions did not take stays approved, and the Task\'s retry delivers it on its new token', async () => {
    sfn.on(SendTaskSuccessCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })).resolves({});
    const { result, token } = await ask({ step: 'dev-restore' }).then((r) => r, () => ({ result: undefined, token: `token-inc-${sequence.toString(16).padStart(16, '0')}` }));
    expect(result).toBeUndefined();
    const id = `inc-${sequence.toString(16).padStart(16, '0')}`;
    const [row] = await store.forIncident(id);
    expect(await store.get(row!.requestId)).toMatchObject({ status: 'approved', outcome: expect.stringContaining('auto-approved') });
    expect((await store.get(row!.requestId))?.told).toBeUndefined();
    // The Task's Retry: the same step again, with a new token.
    const retried = await request({
      mode: 'request', taskToken: 'token-retry', incident: incident({ id }), execution: { id: EXECUTION_ARN }, level: 'L1',
      gate: { step: 'dev-restore', operation: 'lambda:PutFunctionConcurrency', target: incident().target, parameters: { FunctionName: incident().target, ReservedConcurrentExecutions: 5 } },
    }, lambdaContext);
    expect(retried).toMatchObject({ requestId: row!.requestId, deliveredEarlier: 'approved' });
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([token, 'token-retry']);
    expect(await store.forIncident(id)).toHaveLength(1);
    expect((await store.get(row!.requestId))?.told).toMatchObject({ via: 'next-request' });
  });

  test('asking again at the next level closes the earlier request; its links then change nothing', async () => {
    const first = await ask();
    const again = await request({
      mode: 'request', taskToken: 'token-again', incident: incident({ id: `inc-${sequence.toString(16).padStart(16, '0')}` }), execution: { id: EXECUTION_ARN }, level: 'L2',
      gate: { step: 'restore', operation: 'lambda:PutFunctionConcurrency', target: incident().target, parameters: { FunctionName: incident().target, ReservedConcurrentExecutions: 5 } },
    }, lambdaContext);
    expect(again.approvers).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(await store.get(first.result.requestId)).toMatchObject({ status: 'timed-out', outcome: 'no decision by the deadline; escalated to L2' });
    const late = await decide(first.links.alice!, 'approve');
    expect(late.shown.statusCode).toBe(409);
    expect(await decisionsOf(first.result.requestId)).toEqual([]);
  });

  test('the person who started a manual run gets no link and may not decide', async () => {
    const { result, links } = await ask({ startedBy: 'alice' });
    expect(Object.keys(links).sort()).toEqual(['bob', 'carol']);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const forged = linkUrl(BASE_URL, KEY, { requestId: result.requestId, approver: 'alice', exp });
    const shown = await page(pageEvent('GET', forged));
    expect(shown.statusCode).toBe(403);
    expect(messageOf(shown)).toContain('alice started this run');
  });
});

describe('GET and HEAD only show', () => {
  test('GET renders the request, the exact call, the live state, the deadline and the form, and decides nothing', async () => {
    const { result, links } = await ask({ evidence: { note: '<script>alert(1)</script>' } });
    const shown = await page(pageEvent('GET', links.alice!));
    expect(shown.statusCode).toBe(200);
    const body = String(shown.body);
    expect(body).toContain('lambda:PutFunctionConcurrency');
    expect(body).toContain('ReservedConcurrentExecutions');
    expect(body).toMatch(/id="live">[^<]*reservedConcurrency[^<]*0/);
    expect(body).toContain('id="approve"');
    expect(body).not.toContain('<script>');
    expect(body).toContain('&#60;script&#62;');
    expect(shown.headers).toMatchObject({
      'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff',
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
    });
    expect(shown.cookies?.[0]).toMatch(/^approval_nonce=[\w-]+; Path=\/approvals\/apr-[0-9a-f]{32}; Max-Age=\d+; HttpOnly; Secure; SameSite=Strict$/);
    expect(lambda).toHaveReceivedCommandWith(GetFunctionCommand, { FunctionName: incident().target });
    expect(await decisionsOf(result.requestId)).toEqual([]);
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect((await store.get(result.requestId))?.status).toBe('open');
  });

  test('a gated delete of stuck tasks shows the tasks table now: how many of the approved keys are still pending, which changed, which are gone', async () => {
    const id = `inc-${(++sequence).toString(16).padStart(16, '0')}`;
    const keys = [{ task_id: 't-1' }, { task_id: 't-2' }, { task_id: 't-9' }];
    const result = await request({
      mode: 'request', taskToken: `token-${id}`, incident: incident({ id, runbook: 'dynamodb-throttling', target: TASKS }), execution: { id: EXECUTION_ARN }, level: 'L1',
      gate: { step: 'delete-stuck', operation: 'dynamodb:DeleteItem', target: TASKS, parameters: { TableName: TASKS, Keys: keys, BackupArn: 'arn:b' }, evidence: { count: 3 } },
    }, lambdaContext);
    const message = sns.commandCalls(PublishCommand).map((c) => c.args[0].input).find((i) => i.MessageAttributes?.requestId?.StringValue === result.requestId && i.MessageAttributes.approver?.StringValue === 'alice');
    const shown = await page(pageEvent('GET', approvalLinkIn(message!)));
    expect(shown.statusCode).toBe(200);
    const live = /id="live">([^<]*)<\/pre>/.exec(String(shown.body))![1]!.replace(/&#34;/g, '"');
    expect(JSON.parse(live)).toMatchObject({
      tableName: TASKS, status: 'ACTIVE',
      tasks: { approvedKeys: 3, stillPending: 1, changed: [{ key: { task_id: 't-2' }, status: 'running' }], gone: [{ task_id: 't-9' }], unread: [] },
    });
    expect((await store.get(result.requestId))?.status).toBe('open');
  });

  test('HEAD (and a scanner fetching every link many times) decides nothing', async () => {
    const { result, links } = await ask();
    for (let i = 0; i < 3; i++) {
      for (const link of Object.values(links)) {
        const head = await page(pageEvent('HEAD', link));
        expect(head.statusCode).toBe(200);
        expect(head.body).toBe('');
        expect(head.headers).toMatchObject({ 'cache-control': 'no-store' });
        await page(pageEvent('GET', link));
      }
    }
    expect(await decisionsOf(result.requestId)).toEqual([]);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  test('other methods are refused', async () => {
    const { links } = await ask();
    const put = await page(pageEvent('PUT', links.alice!));
    expect(put.statusCode).toBe(405);
  });
});

describe('refused links change nothing', () => {
  const tamper = (link: string, key: string, value: string) => {
    const url = new URL(link);
    url.searchParams.set(key, value);
    return url.toString();
  };

  test.each([
    ['a forged signature', (l: string) => tamper(l, 'sig', 'A'.repeat(43))],
    ['another approver', (l: string) => tamper(l, 'approver', 'bob')],
    ['a later expiry', (l: string) => tamper(l, 'exp', String(Number(new URL(l).searchParams.get('exp')) + 3600))],
    ['no signature', (l: string) => { const u = new URL(l); u.searchParams.delete('sig'); return u.toString(); }],
  ])('%s: 403 on GET and on POST', async (_what, alter) => {
    const { result, links } = await ask();
    const { fields, cookie } = formOf(await page(pageEvent('GET', links.alice!)));
    const altered = alter(links.alice!);
    const shown = await page(pageEvent('GET', altered));
    expect(shown.statusCode).toBe(403);
    expect(messageOf(shown)).toContain('altered or was not issued to this approver');
    const url = new URL(altered);
    for (const k of ['approver', 'exp', 'sig']) fields.set(k, url.searchParams.get(k) ?? '');
    fields.set('decision', 'approve');
    const posted = await page(pageEvent('POST', altered, { body: fields.toString(), cookie }));
    expect(posted.statusCode).toBe(403);
    expect(await decisionsOf(result.requestId)).toEqual([]);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  test("one request's link does not open another request (altered request id)", async () => {
    const first = await ask();
    const second = await ask();
    const moved = first.links.alice!.replace(first.result.requestId, second.result.requestId);
    const shown = await page(pageEvent('GET', moved));
    expect(shown.statusCode).toBe(403);
    expect(await decisionsOf(second.result.requestId)).toEqual([]);
  });

  test('an expired link is refused', async () => {
    const { result } = await ask();
    const expired = linkUrl(BASE_URL, KEY, { requestId: result.requestId, approver: 'alice', exp: Math.floor(Date.now() / 1000) - 1 });
    const shown = await page(pageEvent('GET', expired));
    expect(shown.statusCode).toBe(410);
    expect(messageOf(shown)).toContain('deadline has passed');
  });

  test('a link signed with another key is refused', async () => {
    const { result } = await ask();
    const other = linkUrl(BASE_URL, 'x'.repeat(64), { requestId: result.requestId, approver: 'alice', exp: Math.floor(Date.now() / 1000) + 600 });
    expect((await page(pageEvent('GET', other))).statusCode).toBe(403);
  });
});

describe('only a POST of the page\'s own form decides (CSRF)', () => {
  test.each([
    ['no cookie', (f: URLSearchParams, _c: string) => ({ body: f, cookie: '' })],
    ['a cookie with another nonce', (f: URLSearchParams, _c: string) => ({ body: f, cookie: 'approval_nonce=AAAAAAAAAAAAAAAAAAAAAAAA' })],
    ['no form token', (f: URLSearchParams, c: string) => { f.delete('csrf'); return { body: f, cookie: c }; }],
    ['a wrong form token', (f: URLSearchParams, c: string) => { f.set('csrf', 'B'.repeat(43)); return { body: f, cookie: c }; }],
  ])('%s: 403, nothing recorded', async (_what, spoil) => {
    const { result, links } = await ask();
    const { fields, cookie } = formOf(await page(pageEvent('GET', links.alice!)));
    fields.set('decision', 'approve');
    const { body, cookie: sent } = spoil(fields, cookie);
    const posted = await page(pageEvent('POST', links.alice!, { body: body.toString(), ...(sent ? { cookie: sent } : {}) }));
    expect(posted.statusCode).toBe(403);
    expect(messageOf(posted)).toContain('form token or its cookie is missing or wrong');
    expect(await decisionsOf(result.requestId)).toEqual([]);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  test.each([
    ['a JSON body', { 'content-type': 'application/json' }, 415, 'not as application/json'],
    ['a multipart body', { 'content-type': 'multipart/form-data; boundary=x' }, 415, 'not as multipart/form-data'],
    ['a cross-site POST (Sec-Fetch-Site)', { 'sec-fetch-site': 'cross-site' }, 403, 'posted from another site (Sec-Fetch-Site: cross-site)'],
    ['a same-site, other-origin POST (Sec-Fetch-Site)', { 'sec-fetch-site': 'same-site' }, 403, 'Sec-Fetch-Site: same-site'],
    ['another Origin', { origin: 'https://evil.example' }, 403, 'posted from another origin (https://evil.example)'],
  ])('%s, even with the right form and cookie: refused, nothing recorded', async (_what, headers, status, why) => {
    const { result, links } = await ask();
    const { fields, cookie } = formOf(await page(pageEvent('GET', links.alice!)));
    fields.set('decision', 'approve');
    const posted = await page(pageEvent('POST', links.alice!, { body: fields.toString(), cookie, headers }));
    expect(posted.statusCode).toBe(status);
    expect(messageOf(posted)).toContain(why);
    expect(messageOf(posted)).toContain('Nothing was changed');
    expect(await decisionsOf(result.requestId)).toEqual([]);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  test('the page\'s own form as a browser posts it (Origin null under no-referrer, same-origin, its own host) is accepted', async () => {
    const { result, links } = await ask();
    const { fields, cookie } = formOf(await page(pageEvent('GET', links.alice!)));
    fields.set('decision', 'approve');
    for (const headers of [{ origin: 'null', 'sec-fetch-site': 'same-origin' }, { origin: new URL(links.bob!).origin }] as Record<string, string>[]) {
      const posted = await page(pageEvent('POST', links.alice!, { body: fields.toString(), cookie, headers }));
      expect([200, 409]).toContain(posted.statusCode);
    }
    expect((await decisionsOf(result.requestId)).map((d) => d.approver)).toEqual(['alice']);
  });

  test('HEAD sets no cookie (only a page that shows a form does)', async () => {
    const { links } = await ask();
    const head = await page(pageEvent('HEAD', links.alice!));
    expect(head.statusCode).toBe(200);
    expect(head.cookies).toBeUndefined();
    expect((await page(pageEvent('GET', links.alice!))).cookies).toHaveLength(1);
  });

  test("bob cannot submit alice's form: the form token is bound to its approver", async () => {
    const { result, links } = await ask();
    const alice = formOf(await page(pageEvent('GET', links.alice!)));
    const bobUrl = new URL(links.bob!);
    for (const k of ['approver', 'exp', 'sig']) alice.fields.set(k, bobUrl.searchParams.get(k)!);
    alice.fields.set('decision', 'approve');
    const posted = await page(pageEvent('POST', links.bob!, { body: alice.fields.toString(), cookie: alice.cookie }));
    expect(posted.statusCode).toBe(403);
    expect(await decisionsOf(result.requestId)).toEqual([]);
  });
});

describe('decisions', () => {
  test('4-eyes: the same approver twice counts once; a second distinct approver completes the step with SendTaskSuccess', async () => {
    const { result, links, token } = await ask();
    const first = await decide(links.alice!, 'approve', 'looks contained');
    expect(first.posted.statusCode).toBe(200);
    expect(messageOf(first.posted)).toContain('1 of 2 distinct approvals');
    // The second click: the same form again, then a fresh page.
    const again = await page(pageEvent('POST', links.alice!, { body: first.fields.toString(), cookie: first.cookie }));
    expect(again.statusCode).toBe(409);
    expect(messageOf(again)).toContain('a second click counts once');
    const reopened = await page(pageEvent('GET', links.alice!));
    expect(reopened.body).not.toContain('id="approve"');
    expect(messageOf(reopened)).toContain('You already decided');
    expect(sfn).not.toHaveReceivedAnyCommand();

    const second = await decide(links.bob!, 'approve');
    expect(messageOf(second.posted)).toContain('Quorum reached (2 of 2)');
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    const sent = sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(sent.taskToken).toBe(token);
    expect(JSON.parse(sent.output!)).toMatchObject({
      decision: 'approved', requestId: result.requestId, requiredApprovals: 2,
      approvals: [
        { approver: 'alice', decision: 'approved', comment: 'looks contained', level: 'L1', at: expect.any(String) },
        { approver: 'bob', decision: 'approved', level: 'L1', at: expect.any(String) },
      ],
    });
    expect(await store.get(result.requestId)).toMatchObject({ status: 'approved', outcome: 'alice approved, bob approved' });
    // Closed now: carol's link shows a closed request and changes nothing.
    const late = await page(pageEvent('GET', links.carol!));
    expect(late.statusCode).toBe(409);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
  });

  test('one rejection rejects: SendTaskFailure ApprovalRejected with every decision', async () => {
    const { result, links, token } = await ask();
    await decide(links.alice!, 'approve');
    const { posted } = await decide(links.carol!, 'reject', 'not until the trigger is found');
    expect(messageOf(posted)).toContain('rejected');
    const sent = sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({ taskToken: token, error: 'ApprovalRejected' });
    expect(JSON.parse(sent.cause!)).toMatchObject({ decision: 'rejected', approvals: [{ approver: 'alice' }, { approver: 'carol', comment: 'not until the trigger is found' }] });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect((await store.get(result.requestId))?.status).toBe('rejected');
  });

  test('quorum reached after the step\'s task ended (TaskTimedOut): approved in the ledger, said so, and the deadline path delivers it instead of asking L2', async () => {
    sfn.on(SendTaskSuccessCommand).rejectsOnce(new TaskTimedOut({ message: "Task Timed Out: 'Provided task does not exist anymore'", $metadata: {} })).resolves({});
    const { result, links } = await ask();
    await decide(links.alice!, 'approve');
    const { posted } = await decide(links.bob!, 'approve');
    expect(posted.statusCode).toBe(200);
    expect(messageOf(posted)).toContain('Quorum reached (2 of 2)');
    expect(String(posted.body)).toContain('Step Functions no longer waits on this request&#39;s own step (TaskTimedOut)');
    expect(await store.get(result.requestId)).toMatchObject({ status: 'approved', outcome: 'alice approved, bob approved' });
    // The deadline path: the state machine asks L2 with a new token; the verdict goes there, and nobody is asked.
    sns.resetHistory();
    const next = await request({
      mode: 'request', taskToken: 'token-l2', incident: incident({ id: `inc-${sequence.toString(16).padStart(16, '0')}` }), execution: { id: EXECUTION_ARN }, level: 'L2',
      gate: { step: 'restore', operation: 'lambda:PutFunctionConcurrency', target: incident().target, parameters: { FunctionName: incident().target, ReservedConcurrentExecutions: 5 } },
    }, lambdaContext);
    expect(next).toMatchObject({ requestId: result.requestId, deliveredEarlier: 'approved', approvers: [] });
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    const sent = sfn.commandCalls(SendTaskSuccessCommand).at(-1)!.args[0].input;
    expect(sent.taskToken).toBe('token-l2');
    expect(JSON.parse(sent.output!)).toMatchObject({ decision: 'approved', requestId: result.requestId });
    expect(await store.get(result.requestId)).toMatchObject({ status: 'approved', told: { via: 'next-request' } });
    expect((await page(pageEvent('GET', links.carol!))).statusCode).toBe(409);
  });

  test('a transient Step Functions failure: the decision stands, and the next visit of any link tells Step Functions once', async () => {
    sfn.on(SendTaskSuccessCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })).resolves({});
    const { result, links, token } = await ask();
    await decide(links.alice!, 'approve');
    const bob = await decide(links.bob!, 'approve');
    expect(bob.posted.statusCode).toBe(200);
    expect(String(bob.posted.body)).toContain('could not be told just now (ThrottlingException)');
    expect(await store.get(result.requestId)).toMatchObject({ status: 'approved' });
    expect((await store.get(result.requestId))?.told).toBeUndefined();
    // A scanner (or anyone) opening carol's link: closed, and the verdict goes out.
    const visit = await page(pageEvent('GET', links.carol!));
    expect(visit.statusCode).toBe(409);
    expect(messageOf(visit)).toMatch(/already approved by alice and bob at \d\d:\d\d UTC/);
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([token, token]);
    expect((await store.get(result.requestId))?.told).toMatchObject({ via: 'own-task' });
    await page(pageEvent('GET', links.carol!));
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 2);
  });

  test('a rejection after the quorum: 409, said not to count, and the request stays approved', async () => {
    const { result, links } = await ask();
    const carol = formOf(await page(pageEvent('GET', links.carol!)));
    await decide(links.alice!, 'approve');
    await decide(links.bob!, 'approve');
    carol.fields.set('decision', 'reject');
    const late = await page(pageEvent('POST', links.carol!, { body: carol.fields.toString(), cookie: carol.cookie }));
    expect(late.statusCode).toBe(409);
    expect(messageOf(late)).toMatch(/^It was already approved by alice and bob at \d\d:\d\d UTC; your rejection was not counted\. Nothing was changed\.$/);
    expect(String(late.body)).toContain('The step goes ahead: it sets its reserved concurrency to 5');
    expect((await decisionsOf(result.requestId)).map((d) => d.approver)).toEqual(['alice', 'bob']);
    expect((await store.get(result.requestId))?.status).toBe('approved');
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
  });

  test('the deadline closes an open request on its row: a decision posted afterwards is told so and not counted', async () => {
    const { result, links } = await ask();
    const alice = formOf(await page(pageEvent('GET', links.alice!)));
    const expired = await request({
      mode: 'expire', incident: incident({ id: `inc-${sequence.toString(16).padStart(16, '0')}` }), execution: { id: EXECUTION_ARN }, level: 'L1', gate: { step: 'restore' },
    }, lambdaContext);
    expect(expired).toMatchObject({ decision: 'timed-out', requestIds: [result.requestId] });
    alice.fields.set('decision', 'approve');
    const late = await page(pageEvent('POST', links.alice!, { body: alice.fields.toString(), cookie: alice.cookie }));
    expect(late.statusCode).toBe(409);
    expect(messageOf(late)).toMatch(/closed at \d\d:\d\d UTC without a verdict \(no decision by the deadline at L1; the step is aborted\); your approval was not counted/);
    expect(await decisionsOf(result.requestId)).toEqual([]);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  test('a rejection Step Functions did not hear before the last deadline is what expire returns: never turned into a timeout', async () => {
    sfn.on(SendTaskFailureCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const { result, links } = await ask();
    await decide(links.carol!, 'reject');
    expect(await store.get(result.requestId)).toMatchObject({ status: 'rejected' });
    const expired = await request({
      mode: 'expire', incident: incident({ id: `inc-${sequence.toString(16).padStart(16, '0')}` }), execution: { id: EXECUTION_ARN }, level: 'L1', gate: { step: 'restore' },
    }, lambdaContext);
    expect(expired).toMatchObject({ decision: 'rejected', requestIds: [result.requestId] });
    expect(await store.get(result.requestId)).toMatchObject({ status: 'rejected', told: { via: 'expire' } });
  });

  test('a POST without a decision, or with an overlong comment, is refused', async () => {
    const { result, links } = await ask();
    const { fields, cookie } = formOf(await page(pageEvent('GET', links.alice!)));
    expect((await page(pageEvent('POST', links.alice!, { body: fields.toString(), cookie }))).statusCode).toBe(400);
    fields.set('decision', 'approve');
    fields.set('comment', 'x'.repeat(501));
    expect((await page(pageEvent('POST', links.alice!, { body: fields.toString(), cookie }))).statusCode).toBe(400);
    expect(await decisionsOf(result.requestId)).toEqual([]);
  });
});

describe('an acknowledgement (a page a person takes on)', () => {
  async function page_(runbookStep = 'acknowledge') {
    const id = `inc-${(++sequence).toString(16).padStart(16, '0')}`;
    const result = await request({
      mode: 'request', taskToken: `token-${id}`, incident: incident({ id, runbook: 'page-on-call', target: 'alphaswarm-prod-core-crashloop' }), execution: { id: EXECUTION_ARN }, level: 'L1',
      gate: { step: runbookStep, operation: 'page', target: 'alphaswarm-prod-core-crashloop', parameters: { procedure: 'pod-crashes', alarm: 'alphaswarm-prod-core-crashloop' }, evidence: { procedure: { seed: '001', title: 'Scenario A: single pod crashes', steps: ['Identify the crashing pod'] } } },
    }, lambdaContext);
    const links: Record<string, string> = {};
    for (const call of sns.commandCalls(PublishCommand)) {
      const input = call.args[0].input;
      if (input.MessageAttributes?.requestId?.StringValue === result.requestId) links[input.MessageAttributes.approver!.StringValue!] = approvalLinkIn(input);
    }
    return { result, links, token: `token-${id}` };
  }

  test('is never automatic: each person of the level gets their own link, and the page offers one button, Acknowledge', async () => {
    const { result, links } = await page_();
    expect(result).toMatchObject({ autoApproved: false, approvers: ['alice', 'bob', 'carol'] });
    expect(await store.get(result.requestId)).toMatchObject({ status: 'open', acknowledge: true, requiredApprovals: 1 });
    const shown = String((await page(pageEvent('GET', links.alice!))).body);
    expect(shown).toContain('value="acknowledge"');
    expect(shown).not.toContain('value="approve"');
    expect(shown).not.toContain('value="reject"');
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  test('the first acknowledgement closes it and tells the step (SendTaskSuccess); a second person is told it was already taken, and it counts for nothing', async () => {
    const { result, links, token } = await page_();
    // Carol has her page open too.
    const carol = formOf(await page(pageEvent('GET', links.carol!)));
    carol.fields.set('decision', 'acknowledge');
    const { posted } = await decide(links.bob!, 'acknowledge');
    expect(posted.statusCode).toBe(200);
    expect(messageOf(posted)).toContain('bob: acknowledged. You have it: the page stops escalating.');
    const sent = sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(sent.taskToken).toBe(token);
    expect(JSON.parse(sent.output!)).toMatchObject({ decision: 'acknowledged', level: 'L1', approvals: [{ approver: 'bob', decision: 'acknowledged' }] });
    expect(await store.get(result.requestId)).toMatchObject({ status: 'acknowledged', told: { via: 'own-task' } });
    const late = await page(pageEvent('POST', links.carol!, { body: carol.fields.toString(), cookie: carol.cookie }));
    expect(late.statusCode).toBe(409);
    expect(messageOf(late)).toContain('It was already acknowledged by bob');
    expect(messageOf(late)).toContain('your acknowledgement was not counted');
    expect((await decisionsOf(result.requestId)).map((d) => d.approver)).toEqual(['bob']);
  });

  test('Approve or Reject posted on a page refuses in one line and changes nothing; Acknowledge posted on an approval, the same', async () => {
    const paged = await page_();
    for (const choice of ['approve', 'reject'] as const) {
      const { posted } = await decide(paged.links.alice!, choice);
      expect([posted.statusCode, messageOf(posted)]).toEqual([400, 'The form carried no decision. Nothing was changed.']);
    }
    const asked = await ask();
    const { posted } = await decide(asked.links.alice!, 'acknowledge');
    expect(posted.statusCode).toBe(400);
    expect(await store.get(paged.result.requestId)).toMatchObject({ status: 'open' });
    expect(await store.get(asked.result.requestId)).toMatchObject({ status: 'open' });
    expect(sfn).not.toHaveReceivedAnyCommand();
  });
});
