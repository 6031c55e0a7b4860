import type { Decision } from '../domain/approval';
import { show } from '../domain/message';
import type { ApprovalRequest } from './store';

/** Everything user-supplied or read from AWS goes through this before it reaches the page. */
export function escapeHtml(value: unknown): string {
  return show(value).replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface FormFields {
  readonly approver: string;
  readonly exp: number;
  readonly sig: string;
  readonly nonce: string;
  readonly csrf: string;
}

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.4}'
  + 'dt{font-weight:600;margin-top:.6rem}pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap;word-break:break-all}'
  + 'button{font-size:1rem;padding:.5rem 1.2rem;margin-right:1rem}textarea{width:100%}';

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex,nofollow">`
    + `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>`
    + `<style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** A page that only explains: a refused link, a closed request, a recorded decision. */
export function messagePage(title: string, text: string, decisions: readonly Decision[] = []): string {
  return page(title, `<p id="message">${escapeHtml(text)}</p>${decisionsList(decisions)}`);
}

function decisionsList(decisions: readonly Decision[]): string {
  if (decisions.length === 0) return '<p id="decisions">No decisions yet.</p>';
  return `<ul id="decisions">${decisions.map((d) => `<li>${escapeHtml(d.approver)}: ${escapeHtml(d.decision)} at ${escapeHtml(d.at)}`
    + `${d.comment ? ` (${escapeHtml(d.comment)})` : ''}</li>`).join('')}</ul>`;
}

/** The confirmation page: what fired, the evidence, the exact call, the target now, and the form. */
export function confirmationPage(r: ApprovalRequest, live: unknown, decisions: readonly Decision[], form: FormFields | null, notice?: string): string {
  const hidden = form
    ? (['approver', 'exp', 'sig', 'nonce', 'csrf'] as const).map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(form[k])}">`).join('')
    : '';
  const controls = form
    ? `<form method="post" action="">${hidden}<label for="comment">Comment (optional)</label>`
      + `<textarea id="comment" name="comment" maxlength="500" rows="3"></textarea><p>`
      + `<button type="submit" name="decision" value="approve" id="approve">Approve</button>`
      + `<button type="submit" name="decision" value="reject" id="reject">Reject</button></p></form>`
    : '';
  return page(`Approve ${r.gate.operation} on ${r.gate.target}?`, [
    notice ? `<p id="message">${escapeHtml(notice)}</p>` : '',
    '<dl>',
    `<dt>Runbook</dt><dd id="runbook">${escapeHtml(r.gate.runbook)} (step ${escapeHtml(r.gate.step)}, severity ${escapeHtml(r.gate.severity)}, level ${escapeHtml(r.level)})</dd>`,
    `<dt>What fired</dt><dd>${escapeHtml(r.gate.summary)} at ${escapeHtml(r.gate.firedAt)}</dd>`,
    `<dt>Evidence</dt><dd><pre>${escapeHtml(JSON.stringify(r.gate.evidence, null, 2))}</pre></dd>`,
    `<dt>Exact operation</dt><dd id="operation">${escapeHtml(r.gate.operation)} <pre>${escapeHtml(JSON.stringify(r.gate.parameters, null, 2))}</pre></dd>`,
    `<dt>Target</dt><dd id="target">${escapeHtml(r.gate.target)}</dd>`,
    `<dt>Target now (read as this page loaded)</dt><dd id="live"><pre>${escapeHtml(JSON.stringify(live, null, 2))}</pre></dd>`,
    `<dt>Needs</dt><dd>${r.requiredApprovals} distinct approver(s); one rejection rejects</dd>`,
    `<dt>Decisions so far</dt><dd>${decisionsList(decisions)}</dd>`,
    `<dt>Deadline</dt><dd id="deadline">${escapeHtml(r.deadline)}</dd>`,
    '</dl>',
    controls,
  ].join(''));
}
