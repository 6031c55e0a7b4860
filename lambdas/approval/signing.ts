import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Approval links and forms are bound to one request and one approver with an HMAC-SHA256 over
 * both (and the link's expiry). The key lives in Secrets Manager; nothing in a link is a secret
 * on its own, and a changed request id, approver or expiry no longer matches its signature.
 */

export interface LinkClaims {
  readonly requestId: string;
  readonly approver: string;
  /** Expiry, epoch seconds. */
  readonly exp: number;
}

const mac = (key: string, purpose: string, parts: readonly (string | number)[]) =>
  createHmac('sha256', key).update([purpose, ...parts].join('\n')).digest('base64url');

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function signLink(key: string, c: LinkClaims): string {
  return mac(key, 'approval-link/v1', [c.requestId, c.approver, c.exp]);
}

export function verifyLink(key: string, c: LinkClaims, signature: string): boolean {
  return equal(signLink(key, c), signature);
}

/** The personal link an approver receives: it only ever shows the page (GET). */
export function linkUrl(baseUrl: string, key: string, c: LinkClaims): string {
  const query = new URLSearchParams({ approver: c.approver, exp: String(c.exp), sig: signLink(key, c) });
  return `${baseUrl.replace(/\/+$/, '')}/approvals/${encodeURIComponent(c.requestId)}?${query.toString()}`;
}

/** A fresh per-page nonce: sent as a SameSite=Strict cookie and as a form field. */
export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

/** The form's CSRF token: binds the POST to the page that rendered it (request, approver, nonce). */
export function formToken(key: string, requestId: string, approver: string, nonce: string): string {
  return mac(key, 'approval-form/v1', [requestId, approver, nonce]);
}

export function verifyFormToken(key: string, requestId: string, approver: string, nonce: string, token: string): boolean {
  return nonce.length >= 16 && equal(formToken(key, requestId, approver, nonce), token);
}

/** An opaque, unguessable request id (the task token itself never leaves the ledger). */
export function newRequestId(): string {
  return `apr-${randomBytes(16).toString('hex')}`;
}
