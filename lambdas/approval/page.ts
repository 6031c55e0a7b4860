import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { APPROVAL_REJECTED, ineligibility, tally, type ApprovalOutcome, type Decision } from '../domain/approval';
import { requireEnv } from '../shared/env';
import { logger } from '../shared/logger';
import { liveState } from './live-state';
import { confirmationPage, messagePage } from './page-html';
import { formToken, newNonce, verifyFormToken, verifyLink } from './signing';
import { SigningKey } from './signing-key';
import { ApprovalStore, type ApprovalRequest } from './store';

const store = new ApprovalStore(requireEnv('LEDGER_TABLE'));
const signingKey = new SigningKey(requireEnv('APPROVAL_SECRET_ID'));
const sfn = new SFNClient({});

const REQUEST_ID = /^apr-[0-9a-f]{32}$/;
const NONCE_COOKIE = 'approval_nonce';
/** Step Functions' answers for a token whose task is over: the request was already closed. */
const CLOSED_TASK_ERRORS = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

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
 * form token and a SameSite=Strict cookie bind it to the page that was shown, and the decision is
 * a conditional write, once per approver. Every refusal explains itself and changes nothing.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<Response> {
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
  if (exp * 1000 < Date.now()) {
    return respond(410, messagePage('This link has expired', 'Its deadline has passed, so the request has escalated or closed. Nothing was changed.'), head);
  }
  const request = await store.get(requestId);
  if (!request) return respond(404, messagePage('No such request', 'This approval request does not exist. Nothing was changed.'), head);
  const decisions = await store.decisions(requestId);
  const refusal = ineligibility(approver, request.approvers, request.startedBy);
  if (refusal) return respond(403, messagePage('You may not decide on this request', `${refusal}. Nothing was changed.`, decisions), head);
  if (request.status !== 'open') {
    return respond(409, messagePage('This request is closed', `It is ${request.status}${request.outcome ? ` (${request.outcome})` : ''}. Nothing was changed.`, decisions), head);
  }
  if (Date.parse(request.deadline) < Date.now()) {
    return respond(410, messagePage('This request has expired', 'Its deadline has passed. Nothing was changed.', decisions), head);
  }

  if (method !== 'POST') {
    const live = await liveState(request.gate.operation, request.gate.target, request.gate.parameters);
    const mine = decisions.find((d) => d.approver === approver);
    if (mine) return respond(200, confirmationPage(request, live, decisions, null, `You already decided (${mine.decision} at ${mine.at}).`), head);
    // A second tab keeps the nonce the first one set, so either tab's form still matches the cookie.
    const existing = cookieValue(event, NONCE_COOKIE);
    const nonce = existing && /^[A-Za-z0-9_-]{24}$/.test(existing) ? existing : newNonce();
    const cookie = `${NONCE_COOKIE}=${nonce}; Path=/approvals/${requestId}; Max-Age=${Math.max(60, exp - Math.floor(Date.now() / 1000))}; HttpOnly; Secure; SameSite=Strict`;
    const page = confirmationPage(request, live, decisions, { approver, exp, sig, nonce, csrf: formToken(key, requestId, approver, nonce) });
    return respond(200, page, head, {}, [cookie]);
  }

  const nonce = form.get('nonce') ?? '';
  if (!nonce || cookieValue(event, NONCE_COOKIE) !== nonce || !verifyFormToken(key, requestId, approver, nonce, form.get('csrf') ?? '')) {
    return respond(403, messagePage('This form was not accepted', 'Decide from the page your own link shows (the form token or its cookie is missing or wrong). Nothing was changed.', decisions), false);
  }
  const choice = form.get('decision');
  if (choice !== 'approve' && choice !== 'reject') return respond(400, messagePage('Choose Approve or Reject', 'The form carried no decision. Nothing was changed.', decisions), false);
  const comment = (form.get('comment') ?? '').trim();
  if (comment.length > 500) return respond(400, messagePage('Comment too long', 'Keep the comment under 500 characters. Nothing was changed.', decisions), false);

  const decision: Decision = {
    approver, decision: choice === 'approve' ? 'approved' : 'rejected', at: new Date().toISOString(), level: request.level,
    ...(comment ? { comment } : {}),
  };
  const recorded = await store.recordDecision(requestId, decision);
  // Settle even on a second click: it finishes a settlement an earlier failure left undone, and never decides twice.
  const settled = await settle(request);
  if (!recorded.recorded) {
    return respond(409, messagePage('You already decided', `Your ${recorded.existing.decision} at ${recorded.existing.at} stands; a second click counts once. Nothing was changed.`, settled.decisions), false);
  }
  logger.info('Approval decision recorded', { requestId, approver, decision: decision.decision, settled: settled.state });
  return respond(200, messagePage('Decision recorded', `${approver}: ${decision.decision}. ${settled.text}`, settled.decisions), false);
}

/** Sends the task result once quorum (or a rejection) is reached; one caller wins the close. */
async function settle(request: ApprovalRequest): Promise<{ state: string; text: string; decisions: Decision[] }> {
  const decisions = await store.decisions(request.requestId);
  const verdict = tally(decisions, request.requiredApprovals);
  const approvals = new Set(decisions.filter((d) => d.decision === 'approved').map((d) => d.approver)).size;
  if (verdict === 'open') return { state: 'open', text: `${approvals} of ${request.requiredApprovals} distinct approvals so far; the request stays open.`, decisions };
  if (!(await store.transition(request, 'open', 'closing', `${verdict}: sending the result to Step Functions`))) {
    return { state: 'closed', text: 'The request was already being closed.', decisions };
  }
  const outcome: ApprovalOutcome = {
    decision: verdict, requestId: request.requestId, level: request.level, requiredApprovals: request.requiredApprovals, autoApproved: false, approvals: decisions,
  };
  const who = decisions.map((d) => `${d.approver} ${d.decision}`).join(', ');
  try {
    if (verdict === 'approved') await sfn.send(new SendTaskSuccessCommand({ taskToken: request.taskToken, output: JSON.stringify(outcome) }));
    else await sfn.send(new SendTaskFailureCommand({ taskToken: request.taskToken, error: APPROVAL_REJECTED, cause: JSON.stringify(outcome) }));
  } catch (e: unknown) {
    const name = e instanceof Error ? e.name : '';
    if (CLOSED_TASK_ERRORS.has(name)) {
      await store.transition(request, 'closing', 'timed-out', `Step Functions answered ${name}: the step had closed before ${who}`);
      return { state: 'too-late', text: `The step had already closed (${name}); your decision is recorded but changes nothing.`, decisions };
    }
    await store.transition(request, 'closing', 'open', `sending the result failed (${name || 'error'}); open again`);
    throw e;
  }
  await store.transition(request, 'closing', verdict, who);
  return {
    state: verdict,
    text: verdict === 'approved' ? `Quorum reached (${approvals} of ${request.requiredApprovals}): the step goes ahead.` : 'The request is rejected: the step will not run.',
    decisions,
  };
}

function formFields(event: APIGatewayProxyEventV2): URLSearchParams {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return new URLSearchParams(body.slice(0, 8192));
}

function cookieValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const all = [...(event.cookies ?? []), ...(event.headers?.cookie ?? '').split(';')];
  for (const c of all) {
    const [k, ...v] = c.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
