import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { acknowledged, autoApprovedBecause, ineligibility, tally, type Decision, type DecisionValue } from '../domain/approval';
import { requireEnv } from '../shared/env';
import { correlate, logger } from '../shared/logger';
import { count } from '../shared/metrics';
import { METRIC } from '../domain/metrics';
import { gatePage, gateWords } from './gate-words';
import { liveState } from './live-state';
import { messagePage, requestPage, silenceInWords } from './page-html';
import { formToken, newNonce, verifyFormToken, verifyLink } from './signing';
import { SigningKey } from './signing-key';
import { ApprovalStore, decisionList, type ApprovalRequest } from './store';
import { isDecided, TASK_OVER_ERRORS, tellVerdict, verdictClient } from './tell';
import { listInWords, utcClock } from './words';

const store = new ApprovalStore(requireEnv('LEDGER_TABLE'));
const signingKey = new SigningKey(requireEnv('APPROVAL_SECRET_ID'));
const sfn = verdictClient();
/** The function's environment as it started: a gate's live read finds its settings there (e.g. which tables hold tasks). */
const environment: Readonly<Record<string, string | undefined>> = { ...process.env };
/** The environment's time zone: deadlines read in local time and UTC. Checked at cold start. */
const timeZone = process.env.APPROVAL_TIME_ZONE || 'UTC';
new Intl.DateTimeFormat('en', { timeZone });

const REQUEST_ID = /^apr-[0-9a-f]{32}$/;
/** A form's decision, as the ledger records it, and in words. */
const DECIDED = { approve: 'approved', reject: 'rejected', acknowledge: 'acknowledged' } as const;
const NOUN: Readonly<Record<DecisionValue, string>> = { approved: 'approval', rejected: 'rejection', acknowledged: 'acknowledgement' };
const NONCE_COOKIE = 'approval_nonce';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Never cached, never sent on as a referrer, never framed, never sniffed. */
const SECURITY_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
};

type Response = APIGatewayProxyStructuredResultV2;

const respond = (status: number, html: string, head: boolean, extra: Record<string, string> = {}, cookies?: string[]): Response => ({
  statusCode: status, headers: { ...SECURITY_HEADERS, ...extra }, body: head ? '' : html, ...(cookies ? { cookies } : {}),
});

/**
 * The approval page (API Gateway HTTP API, `ANY /approvals/{requestId}`). GET and HEAD only show
 * the request: an email scanner that pre-fetches the link decides nothing. Only a POST of the
 * page's own form decides: the link's signature binds it to this request and this approver, the
 * form token and a SameSite=Strict cookie bind it to the page that was shown, and a cross-site
 * POST is refused by its Origin / Sec-Fetch-Site. The ledger's request row arbitrates (store.ts):
 * a decision counts only while the request is open, and the one that reaches the verdict closes
 * it before Step Functions is told. Every refusal explains itself and changes nothing.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<Response> {
  // A warm container's previous request must not tag this one's lines.
  logger.resetKeys();
  const method = event.requestContext.http.method.toUpperCase();
  const head = method === 'HEAD';
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    return respond(405, messagePage('Not allowed', 'Only GET (to see a request) and POST (from its page) are allowed.'), false, { allow: 'GET, HEAD, POST' });
  }
  try {
    return await serve(event, method, head);
  } catch (e: unknown) {
    logger.error('Approval page failed', { error: e instanceof Error ? { name: e.name, message: e.message } : String(e) });
    return respond(503, messagePage('Try again', 'Your request could not be completed just now. Nothing was decided; please reload the page and try again.'), head);
  }
}

async function serve(event: APIGatewayProxyEventV2, method: string, head: boolean): Promise<Response> {
  if (method === 'POST') {
    const refusal = postRefusal(event);
    if (refusal) return respond(refusal.status, messagePage('This form was not accepted', `${refusal.why}. Nothing was changed.`), false);
  }
  const requestId = event.pathParameters?.requestId ?? '';
  const form = method === 'POST' ? formFields(event) : new URLSearchParams();
  const source = method === 'POST' ? form : new URLSearchParams(event.rawQueryString ?? '');
  const approver = source.get('approver') ?? '';
  const expText = source.get('exp') ?? '';
  const sig = source.get('sig') ?? '';
  const exp = /^\d{1,12}$/.test(expText) ? Number(expText) : NaN;

  const key = await signingKey.get();
  if (!REQUEST_ID.test(requestId) || !approver || !Number.isFinite(exp) || !verifyLink(key, { requestId, approver, exp }, sig)) {
    return respond(403, messagePage('This link is not valid', 'The link was altered or was not issued to this approver. Nothing was changed.'), head);
  }
  const request = await store.get(requestId);
  correlate({ incidentId: request?.incidentId, executionArn: request?.executionArn });
  if (!request) return respond(404, messagePage('No such request', 'This approval request does not exist. Nothing was changed.'), head);
  const refusal = ineligibility(approver, request.approvers, request.startedBy);
  if (refusal) return respond(403, messagePage('You may not decide on this request', `${refusal}. Nothing was changed.`, decisionList(request)), head);
  const choice = method === 'POST' ? form.get('decision') : null;
  if (request.status !== 'open') return closedResponse(request, approver, choice, head);
  if (exp * 1000 < Date.now() || Date.parse(request.deadline) < Date.now()) {
    return respond(410, messagePage('This request has expired', 'Its deadline has passed, so the request has escalated or closed. Nothing was changed.', decisionList(request)), head);
  }

  if (method !== 'POST') {
    const page = await gatePage(request.gate);
    const live = await liveState(request.gate, page.live, environment);
    const view = { request, words: page.words({ gate: request.gate, live }), live, approver, now: new Date(), timeZone };
    const mine = request.decisions[approver];
    if (mine) return respond(200, requestPage({ ...view, form: null, notice: `You already decided: ${mine.decision} at ${utcClock(mine.at)}.` }), head);
    // A second tab keeps the nonce the first one set, so either tab's form still matches the cookie.
    const existing = cookieValue(event, NONCE_COOKIE);
    const nonce = existing && /^[A-Za-z0-9_-]{24}$/.test(existing) ? existing : newNonce();
    const shown = requestPage({ ...view, form: { approver, exp, sig, nonce, csrf: formToken(key, requestId, approver, nonce) } });
    // HEAD shows nothing, so it sets nothing.
    if (head) return respond(200, shown, true);
    const cookie = `${NONCE_COOKIE}=${nonce}; Path=/approvals/${requestId}; Max-Age=${Math.max(60, exp - Math.floor(Date.now() / 1000))}; HttpOnly; Secure; SameSite=Strict`;
    return respond(200, shown, false, {}, [cookie]);
  }

  const nonce = form.get('nonce') ?? '';
  if (!nonce || cookieValue(event, NONCE_COOKIE) !== nonce || !verifyFormToken(key, requestId, approver, nonce, form.get('csrf') ?? '')) {
    return respond(403, messagePage('This form was not accepted', 'Decide from the page your own link shows (the form token or its cookie is missing or wrong). Nothing was changed.', decisionList(request)), false);
  }
  const choices = request.acknowledge ? ['acknowledge'] : ['approve', 'reject'];
  if (choice === null || !choices.includes(choice)) {
    return respond(400, messagePage(request.acknowledge ? 'Choose Acknowledge' : 'Choose Approve or Reject', 'The form carried no decision. Nothing was changed.', decisionList(request)), false);
  }
  const comment = (form.get('comment') ?? '').trim();
  if (comment.length > 500) return respond(400, messagePage('Comment too long', 'Keep the comment under 500 characters. Nothing was changed.', decisionList(request)), false);

  const decision: Decision = {
    approver, decision: DECIDED[choice as keyof typeof DECIDED], at: new Date().toISOString(), level: request.level,
    ...(comment ? { comment } : {}),
  };
  const result = await store.decide(requestId, decision, (all) => (request.acknowledge ? acknowledged(all) : tally(all, request.requiredApprovals)));
  if (result.kind === 'already-decided') {
    const told = await tellIfDecided(result.request);
    return respond(409, messagePage('You already decided', `Your ${result.mine.decision} at ${utcClock(result.mine.at)} stands; a second click counts once. Nothing was changed.`,
      decisionList(result.request), [await stepNow(result.request), told].filter(Boolean)), false);
  }
  if (result.kind === 'closed') return closedResponse(result.request, approver, choice, false);

  const after = result.request;
  logger.info('Approval decision recorded', { requestId, approver, decision: decision.decision, status: after.status });
  if (!isDecided(after)) {
    const approvals = decisionList(after).filter((d) => d.decision === 'approved').length;
    const words = await gateWords({ gate: after.gate, live: undefined });
    return respond(200, messagePage('Decision recorded', `${approver}: ${decision.decision}. ${approvals} of ${after.requiredApprovals} distinct approvals so far; the request stays open.`,
      decisionList(after), [`If nobody else decides by ${utcClock(after.deadline)}: ${silenceInWords(after, words)}.`]), false);
  }
  // Only the decision whose conditional write closed the request gets here: each verdict counts once.
  count(after.status === 'rejected' ? METRIC.approvalsRejected : METRIC.approvalsApproved, { runbook: after.gate.runbook, executionArn: after.executionArn, incidentId: after.incidentId });
  const told = await tellIfDecided(after);
  const verdict = after.status === 'acknowledged' ? 'You have it: the page stops escalating.'
    : after.status === 'approved'
    ? `Quorum reached (${decisionList(after).filter((d) => d.decision === 'approved').length} of ${after.requiredApprovals}): approved.`
    : 'One rejection rejects: the request is rejected.';
  return respond(200, messagePage('Decision recorded', `${approver}: ${decision.decision}. ${verdict}`, decisionList(after), [await stepNow(after), told].filter(Boolean)), false);
}

/** A closed request: 409 and what happened; a decision posted now is said, in words, not to count. */
async function closedResponse(request: ApprovalRequest, approver: string, choice: string | null, head: boolean): Promise<Response> {
  const told = await tellIfDecided(request);
  const mine = request.decisions[approver];
  const late = mine ? `; your ${NOUN[mine.decision]} at ${utcClock(mine.at)} was counted${choice ? ', and a second click counts once' : ''}`
    : choice !== null && Object.hasOwn(DECIDED, choice) ? `; your ${NOUN[DECIDED[choice as keyof typeof DECIDED]]} was not counted` : '';
  logger.info('Approval request already closed', { requestId: request.requestId, approver, status: request.status, late: Boolean(late) });
  return respond(409, messagePage('This request is closed', `It was already ${whatHappened(request)}${late}. Nothing was changed.`,
    decisionList(request), [await stepNow(request), told].filter(Boolean)), head);
}

/** "approved by alice and bob at 03:14 UTC", "rejected by carol at 03:14 UTC", "closed at 03:14 UTC without a verdict (...)". */
function whatHappened(r: ApprovalRequest): string {
  const at = r.closedAt ? ` at ${utcClock(r.closedAt)}` : '';
  if (r.status === 'approved') {
    const by = decisionList(r).filter((d) => d.decision === 'approved').map((d) => d.approver);
    const automatic = autoApprovedBecause(r.outcome);
    return automatic !== undefined ? `approved automatically${at} (${automatic})` : `approved by ${listInWords(by)}${at}`;
  }
  if (r.status === 'acknowledged') return `acknowledged by ${listInWords(decisionList(r).map((d) => d.approver))}${at}`;
  if (r.status === 'rejected') return `rejected by ${listInWords(decisionList(r).filter((d) => d.decision === 'rejected').map((d) => d.approver))}${at}`;
  return `closed${at} without a verdict (${r.outcome ?? 'timed out'})`;
}

/** What the gated step does now, in the runbook's words. */
async function stepNow(r: ApprovalRequest): Promise<string> {
  const words = await gateWords({ gate: r.gate, live: undefined });
  if (r.status === 'acknowledged') return `The page stops escalating: ${words.approve}`;
  if (r.status === 'approved') return `The step goes ahead: it ${words.approve}`;
  if (r.status === 'rejected') return `The step will not run: ${words.reject}`;
  return 'Nothing was decided on this request; the runbook went on without it (a new request, or its deadline rule).';
}

/**
 * Tells Step Functions the verdict of a closed request it may not know yet (an earlier teller
 * failed or died): every visit of any of the request's links tries again. Step Functions keeps
 * the first answer, so a second teller changes nothing. Returns what the person should know.
 */
async function tellIfDecided(r: ApprovalRequest): Promise<string> {
  if (!isDecided(r) || r.told) return '';
  try {
    await tellVerdict(sfn, r.taskToken, r);
  } catch (e: unknown) {
    const name = e instanceof Error ? e.name : 'error';
    if (TASK_OVER_ERRORS.has(name)) {
      // Someone else told it first, or the step's deadline passed: then the deadline path delivers this verdict.
      if ((await store.get(r.requestId))?.told) return '';
      logger.warn('Step Functions no longer waits on this request', { requestId: r.requestId, error: name });
      return `Step Functions no longer waits on this request's own step (${name}): its deadline passed, and the runbook's deadline step delivers this verdict instead of asking anyone else.`;
    }
    logger.warn('Telling Step Functions failed; the next visit or the deadline tries again', { requestId: r.requestId, error: name });
    return `The verdict stands in the ledger, but Step Functions could not be told just now (${name}): the next visit to any link of this request tries again, and so does the deadline.`;
  }
  await store.markTold(r.requestId, 'own-task');
  return '';
}

/** Only a same-origin form may post: the body type a form sends, and no cross-site Origin or Sec-Fetch-Site. */
function postRefusal(event: APIGatewayProxyEventV2): { status: number; why: string } | null {
  const headers = lowerCased(event.headers);
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== FORM_TYPE) return { status: 415, why: `A decision is posted by the page's form (${FORM_TYPE}), not as ${type || 'an empty body type'}` };
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, why: `The form was posted from another site (Sec-Fetch-Site: ${site})` };
  // The page's Referrer-Policy (no-referrer) makes browsers send "Origin: null" on its own form: only a real other origin is refused.
  const origin = headers.origin;
  const host = headers.host ?? event.requestContext.domainName;
  if (origin !== undefined && origin !== 'null' && hostOf(origin) !== host) return { status: 403, why: `The form was posted from another origin (${origin})` };
  return null;
}

const hostOf = (origin: string): string | null => (URL.canParse(origin) ? new URL(origin).host : null);

function lowerCased(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function formFields(event: APIGatewayProxyEventV2): URLSearchParams {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return new URLSearchParams(body.slice(0, 8192));
}

function cookieValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const all = [...(event.cookies ?? []), ...(lowerCased(event.headers).cookie ?? '').split(';')];
  for (const c of all) {
    const [k, ...v] = c.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
