/**
 * The approval page in a real browser (Debian's chromium, driven by playwright-core): the real
 * page and request handlers behind the drill's local API Gateway adapter, the ledger on dynalite,
 * Step Functions task tokens and the signing key in the drill sandbox.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { startApprovalPages, type ApprovalPages } from '../../drill/approval-pages';
import { loadFunction } from '../../drill/handlers';
import { createSeedTables, sandboxEndpointEnv, seedAccountState, startSandbox, TASK_TOKEN_PREFIX, TOPIC_ARNS, type Sandbox, type TaskResult } from '../../drill/sandbox';
import { ApprovalStore } from '../../lambdas/approval/store';
import type { RequestResult } from '../../lambdas/approval/request';
import { handlerTestEnv, startDynalite, type LocalDynamo } from '../support/dynalite';
import { EXECUTION_ARN, incident, lambdaContext } from '../support/fixtures';
import { approvalLinkIn } from '../support/notifications';
import gates from './fixtures/gates.json';

const CHROMIUM = '/usr/bin/chromium';
const TABLE = 'approval-browser-test-ledger';
const SECRET = 'approval-signing-key';
const TASKS = 'cabruca-segmentation-prod-agent-tasks';
/** Screenshots a reviewer can open (gitignored). */
const OUTPUT = path.join(__dirname, '..', '..', 'test-output');

let dynamo: LocalDynamo;
let sandbox: Sandbox;
let pages: ApprovalPages;
let browser: Browser;
let store: ApprovalStore;
let request: (event: unknown, context: typeof lambdaContext) => Promise<RequestResult>;
const results = new Map<string, TaskResult[]>();
let sequence = 0;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  dynamo = await startDynalite();
  await dynamo.createLedgerTable(TABLE);
  await createSeedTables(dynamo.endpoint);
  store = new ApprovalStore(TABLE, dynamo.client);
  const state = seedAccountState();
  // As after the emergency stop: the function the restore gate asks about is at 0.
  state.lambda.functions[incident().target]!.reservedConcurrency = 0;
  state.secretsManager = { secrets: { [SECRET]: { arn: `arn:aws:secretsmanager:sa-east-1:111122223333:secret:${SECRET}-Ab12Cd`, value: 'b'.repeat(64), versionId: 'v1', createdAt: new Date().toISOString() } } };
  sandbox = await startSandbox(state, { onTaskResult: (token, result) => results.set(token, [...(results.get(token) ?? []), result]) });
  pages = await startApprovalPages();
  const env = {
    ...handlerTestEnv(dynamo.endpoint, TABLE), ...sandboxEndpointEnv(sandbox.url, { dynamodb: dynamo.endpoint }),
    APPROVAL_SECRET_ID: SECRET, APPROVAL_TOPIC_ARN: TOPIC_ARNS.approvals, APPROVAL_BASE_URL: pages.url,
    APPROVAL_POLICY: JSON.stringify({
      requiredApprovals: 2, deadlineMinutes: { P1: 15, P2: 30, P3: 120, P4: 1440 },
      approvers: [{ name: 'alice', level: 'L1' }, { name: 'bob', level: 'L1' }, { name: 'carol', level: 'L1' }, { name: 'dave', level: 'L2' }],
    }),
    APPROVAL_GATES: JSON.stringify({
      'lambda-runaway/restore': { severity: 'P2', onTimeout: 'abort', requiredApprovals: 2 },
      'dynamodb-throttling/delete-stuck': { severity: 'P3', onTimeout: 'abort', requiredApprovals: 2 },
    }),
    APPROVAL_TIME_ZONE: 'America/Sao_Paulo',
    STUCK_TASK_TABLES: JSON.stringify({ [TASKS]: { statusAttribute: 'status', pendingStatus: 'pending' } }),
  };
  Object.assign(process.env, env);
  const def = { id: 'ApprovalPage', substitution: '', entry: 'lambdas/approval/page.ts', usesLedger: true, description: 'page', environment: {}, permissions: [] };
  pages.setFunction(loadFunction(def, 'approval-page', 'arn:aws:lambda:sa-east-1:111122223333:function:approval-page', env));
  request = (await import('../../lambdas/approval/request')).handler as typeof request;
  // launch() gives the browser a fresh, temporary user data dir of its own (no profile, no cookies).
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await pages?.close();
  await sandbox?.close();
  await dynamo?.close();
});

type GateKey = keyof typeof gates;

/**
 * A prod request (two distinct approvers) for a fresh task token, with the gate's exact call and
 * evidence as the drill's runbooks produce them; each approver's link from their SNS message.
 */
async function ask(key: GateKey = 'lambda-runaway/restore'): Promise<{ requestId: string; token: string; links: Record<string, string> }> {
  const id = `inc-${(++sequence).toString(16).padStart(16, '0')}`;
  const token = `${TASK_TOKEN_PREFIX}browser-${id}`;
  (sandbox.state.stepFunctions.taskTokens ??= {})[token] = { executionArn: EXECUTION_ARN, state: 'Ask: wait for approvers', status: 'waiting' };
  const [runbook, step] = key.split('/') as [string, string];
  // Fired today, at the time the recorded alarm fired (the page names another day's date).
  const g = { ...gates[key], firedAt: `${new Date().toISOString().slice(0, 10)}${gates[key].firedAt.slice(10)}` };
  const { requestId } = await request({
    mode: 'request', taskToken: token, incident: incident({ id, runbook, target: g.target, summary: g.summary, firedAt: g.firedAt }), execution: { id: EXECUTION_ARN }, level: 'L1',
    gate: { step, operation: g.operation, target: g.target, parameters: g.parameters, evidence: g.evidence },
  }, lambdaContext);
  const links: Record<string, string> = {};
  for (const m of sandbox.published.filter((p) => p.messageAttributes.requestId?.value === requestId)) {
    links[m.messageAttributes.approver!.value] = approvalLinkIn({ Message: m.message, MessageStructure: m.messageStructure });
  }
  return { requestId, token, links };
}

async function person(): Promise<BrowserContext> {
  return browser.newContext({ javaScriptEnabled: false });
}

test('a scanner-like GET and HEAD, even in a real browser, decide nothing', async () => {
  const { requestId, token, links } = await ask();
  const scanner = await person();
  const tab = await scanner.newPage();
  for (const link of Object.values(links)) {
    const response = await tab.goto(link);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cache-control']).toBe('no-store');
    expect(await tab.locator('#approve').count()).toBe(1);
    expect((await scanner.request.fetch(link, { method: 'HEAD' })).status()).toBe(200);
  }
  await scanner.close();
  expect(await store.decisions(requestId)).toEqual([]);
  expect((await store.get(requestId))?.status).toBe('open');
  expect(results.get(token)).toBeUndefined();
});

test('a forged signature is refused with a clear page and no buttons', async () => {
  const { requestId, links } = await ask();
  const forged = new URL(links.alice!);
  forged.searchParams.set('sig', `${forged.searchParams.get('sig')!.slice(0, -2)}AA`);
  const ctx = await person();
  const tab = await ctx.newPage();
  const response = await tab.goto(forged.toString());
  expect(response?.status()).toBe(403);
  await expect(tab.locator('h1').textContent()).resolves.toBe('This link is not valid');
  expect(await tab.locator('#approve').count()).toBe(0);
  await ctx.close();
  expect(await store.decisions(requestId)).toEqual([]);
});

test('prod needs two different approvers: a click on Approve decides, the same approver twice counts once', async () => {
  const { requestId, token, links } = await ask();
  const alice = await person();
  const first = await alice.newPage();
  const second = await alice.newPage();
  await first.goto(links.alice!);
  await second.goto(links.alice!);
  await first.fill('#comment', 'contained; restore at 5');
  await Promise.all([first.waitForLoadState('load'), first.click('#approve')]);
  await expect(first.locator('#message').textContent()).resolves.toContain('1 of 2 distinct approvals so far');
  // Alice again, from the tab she opened earlier: it does not count.
  await Promise.all([second.waitForLoadState('load'), second.click('#approve')]);
  await expect(second.locator('h1').textContent()).resolves.toBe('You already decided');
  expect(results.get(token)).toBeUndefined();
  await alice.close();

  const bob = await person();
  const tab = await bob.newPage();
  await tab.goto(links.bob!);
  await expect(tab.locator('#decisions').textContent()).resolves.toContain('alice approved at');
  await Promise.all([tab.waitForLoadState('load'), tab.click('#approve')]);
  await expect(tab.locator('#message').textContent()).resolves.toContain('Quorum reached (2 of 2)');
  await bob.close();

  const sent = results.get(token);
  expect(sent).toHaveLength(1);
  expect(sent![0]!.kind).toBe('success');
  const output = JSON.parse((sent![0] as { output: string }).output) as { decision: string; approvals: { approver: string; comment?: string }[] };
  expect(output.decision).toBe('approved');
  expect(output.approvals.map((a) => a.approver)).toEqual(['alice', 'bob']);
  expect(output.approvals[0]!.comment).toBe('contained; restore at 5');
  expect((await store.get(requestId))?.status).toBe('approved');
});

test('Reject decides too: one rejection rejects the step', async () => {
  const { requestId, token, links } = await ask();
  const carol = await person();
  const tab = await carol.newPage();
  await tab.goto(links.carol!);
  await Promise.all([tab.waitForLoadState('load'), tab.click('#reject')]);
  await expect(tab.locator('#message').textContent()).resolves.toContain('rejected');
  await carol.close();
  expect(results.get(token)).toEqual([expect.objectContaining({ kind: 'failure', error: 'ApprovalRejected' })]);
  expect((await store.get(requestId))?.status).toBe('rejected');
});

/** A deadline's clock: with its day ("Mon 7 Dec 01:47") when it falls on another UTC day than now. */
const CLOCK = '(?:[A-Z][a-z]{2} \\d{1,2} [A-Z][a-z]{2} )?\\d\\d:\\d\\d';

describe('the page a person reads at 3 a.m. (1280x800, nothing scrolled)', () => {
  const ABOVE_THE_FOLD = ['#headline', '#now', '#risk', '#if-approve', '#if-reject', '#if-silent', '#whose', '#decisions', '#reject', '#approve'];

  test.each([
    ['lambda-runaway/restore', {
      headline: 'Let cabruca-segmentation-prod-researcher-agent run again, at most 5 at a time?',
      now: 'stopped: reserved concurrency 0 since the emergency stop after the alarm at 03:12 UTC',
      risk: /^still invoked every minute by rule cabruca-segmentation-prod-researcher-poll \(ENABLED\) and by S3 uploads to cabruca-segmentation-prod-agent-queue\/uploads\//,
      approve: 'sets its reserved concurrency to 5: at most 5 copies run at once',
      reject: 'it stays stopped (reserved concurrency 0) and the run escalates',
      silent: new RegExp(`^by ${CLOCK} GMT-3 \\(${CLOCK} UTC\\), in (29|30) minutes: it stays stopped, and the request goes to dave \\(L2\\)\\.$`),
    }],
    ['dynamodb-throttling/delete-stuck', {
      headline: 'Delete 3 stuck tasks from cabruca-segmentation-prod-agent-tasks?',
      now: '3 of 3 tasks still pending now; table ACTIVE',
      risk: /^their pending work is dropped: no worker will run them\. Backup stuck-tasks-inc-\w+ holds them \(AVAILABLE\)/,
      approve: 'deletes the 3 tasks, each only if it is still pending and older than',
      reject: 'the tasks stay as they are (the table stays on-demand) and the run escalates',
      silent: new RegExp(`^by ${CLOCK} GMT-3 \\(${CLOCK} UTC\\), in (2 h|1 h 59 min): the tasks are kept, and the request goes to dave \\(L2\\)\\.$`),
    }],
  ] as const)('%s: the question, the state now, the risk and what each answer (and silence) does, then Reject and Approve, all above the fold', async (key, expected) => {
    const { links } = await ask(key);
    const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    const tab = await ctx.newPage();
    await tab.goto(links.alice!);
    await expect(tab.locator('#headline').textContent()).resolves.toBe(expected.headline);
    await expect(tab.locator('#now').textContent()).resolves.toContain(expected.now);
    await expect(tab.locator('#risk').textContent()).resolves.toMatch(expected.risk);
    await expect(tab.locator('#if-approve').textContent()).resolves.toContain(expected.approve);
    await expect(tab.locator('#if-reject').textContent()).resolves.toContain(expected.reject);
    await expect(tab.locator('#if-silent').textContent()).resolves.toMatch(expected.silent);
    await expect(tab.locator('#whose').textContent()).resolves.toContain("alice's (L1)");
    await expect(tab.locator('#decisions').textContent()).resolves.toContain('0 of 2 distinct approvals needed; one rejection rejects');
    for (const selector of ABOVE_THE_FOLD) {
      const box = await tab.locator(selector).boundingBox();
      expect({ selector, visible: await tab.locator(selector).isVisible(), bottom: box ? box.y + box.height : Infinity }).toEqual({ selector, visible: true, bottom: expect.any(Number) });
      expect(box!.y + box!.height).toBeLessThanOrEqual(800);
    }
    // Reject first (the form's default on Enter) and the safe look; Approve after it.
    const [reject, approve] = [await tab.locator('#reject').boundingBox(), await tab.locator('#approve').boundingBox()];
    expect(reject!.x).toBeLessThan(approve!.x);
    await expect(tab.locator('form button').first().getAttribute('id')).resolves.toBe('reject');
    // The exact call and the raw evidence are there, folded.
    expect(await tab.locator('details#call').getAttribute('open')).toBeNull();
    expect(await tab.locator('details#evidence').getAttribute('open')).toBeNull();
    expect(await tab.locator('details#evidence pre').isVisible()).toBe(false);
    await expect(tab.locator('details#call pre').textContent()).resolves.toContain(gates[key].target);
    fs.mkdirSync(OUTPUT, { recursive: true });
    const shot = path.join(OUTPUT, `approval-page-${key.replace('/', '-')}.png`);
    await tab.screenshot({ path: shot });
    console.log(`approval page at 1280x800 (${key}): ${shot}`);
    await ctx.close();
  });
});
