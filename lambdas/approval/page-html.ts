import type { Decision } from '../domain/approval';
import { show } from '../domain/message';
import { decisionList, type ApprovalRequest } from './store';
import { listInWords, utcClock, type GateWords } from './words';

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

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:62rem;margin:1rem auto;padding:0 1rem;line-height:1.35;color:#111}'
  + 'h1{font-size:1.6rem;margin:.2rem 0 .3rem}.meta{color:#555;margin:0 0 .6rem;font-size:.9rem}'
  + 'dl.facts{display:grid;grid-template-columns:9.5rem 1fr;gap:.3rem .9rem;margin:0 0 .7rem}'
  + 'dl.facts dt{font-weight:600}dl.facts dd{margin:0}#risk{color:#8a3b00}'
  + 'pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap;word-break:break-all}'
  + 'textarea{width:100%;box-sizing:border-box}form p{margin:.4rem 0}'
  + 'button{font-size:1.05rem;padding:.55rem 1.3rem;margin-right:1rem;border-radius:4px;cursor:pointer}'
  + '#reject{background:#1f4e8c;color:#fff;border:2px solid #1f4e8c}'
  + '#approve{background:#fff;color:#8a3b00;border:2px solid #c25400}'
  + 'details{margin:.4rem 0}summary{cursor:pointer;font-weight:600}';

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex,nofollow">`
    + `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>`
    + `<style>${STYLE}</style></head><body><h1 id="headline">${escapeHtml(title)}</h1>${body}</body></html>`;
}

/** A page that only explains: a refused link, a closed request, a recorded decision. */
export function messagePage(title: string, text: string, decisions: readonly Decision[] = [], more: readonly string[] = []): string {
  return page(title, `<p id="message">${escapeHtml(text)}</p>${more.map((m) => `<p>${escapeHtml(m)}</p>`).join('')}${decisionsList(decisions)}`);
}

function decisionsList(decisions: readonly Decision[]): string {
  if (decisions.length === 0) return '<p id="decisions">No decisions yet.</p>';
  return `<ul id="decisions">${decisions.map((d) => `<li>${escapeHtml(d.approver)}: ${escapeHtml(d.decision)} at ${escapeHtml(utcClock(d.at))}`
    + `${d.comment ? ` (${escapeHtml(d.comment)})` : ''}</li>`).join('')}</ul>`;
}

/** "00:44 GMT-3 (03:44 UTC)": the local time of the environment's time zone, and UTC. */
export function clockInWords(iso: string, timeZone: string, now: Date): string {
  const at = new Date(iso);
  const day = (tz: string) => new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', day: 'numeric', month: 'short' });
  const sameDay = day('UTC').format(at) === day('UTC').format(now);
  const fmt = (tz: string) => new Intl.DateTimeFormat('en-GB', {
    timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short', ...(sameDay ? {} : { weekday: 'short', day: 'numeric', month: 'short' }),
  }).format(at).replace(/,/g, '');
  return timeZone === 'UTC' ? fmt('UTC') : `${fmt(timeZone)} (${fmt('UTC')})`;
}

/** "in 27 minutes", "in 2 h 5 min", or "now". */
export function untilInWords(iso: string, now: Date): string {
  const minutes = Math.round((Date.parse(iso) - now.getTime()) / 60_000);
  if (minutes <= 0) return 'now';
  if (minutes < 60) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `in ${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

/** What happens if nobody decides by the deadline: the runbook's words, then who is asked next or what the gate's onTimeout does. */
export function silenceInWords(r: ApprovalRequest, words: GateWords): string {
  const next = r.ifUnanswered;
  if (next.nextLevel) return `${words.unanswered}, and the request goes to ${next.nextApprovers.length ? `${listInWords(next.nextApprovers)} ` : ''}(${next.nextLevel})`;
  if (next.onTimeout === 'proceed') return `it goes ahead as if approved (this step is marked safe on timeout): ${words.approve}`;
  return `${words.unanswered}; nobody else is asked and the run escalates`;
}

/** "1 of 2 distinct approvals; one rejection rejects": where the decisions stand. */
export function tallyInWords(r: ApprovalRequest): string {
  const decisions = decisionList(r);
  if (r.acknowledge) return decisions.length > 0 ? decisions.map((d) => `${d.approver} ${d.decision} at ${utcClock(d.at)}`).join('; ') : 'None yet: the first person who acknowledges takes it on.';
  const approvals = decisions.filter((d) => d.decision === 'approved').length;
  const done = decisions.map((d) => `${d.approver} ${d.decision} at ${utcClock(d.at)}${d.comment ? ` ("${d.comment}")` : ''}`);
  return `${done.length ? `${done.join('; ')}. ` : 'None yet. '}${approvals} of ${r.requiredApprovals} distinct approvals needed; one rejection rejects.`;
}

export interface RequestView {
  readonly request: ApprovalRequest;
  readonly words: GateWords;
  /** The target as the page just read it. */
  readonly live: unknown;
  readonly approver: string;
  readonly now: Date;
  readonly timeZone: string;
  /** The decision form; null when this approver already decided. */
  readonly form: FormFields | null;
  readonly notice?: string;
}

/**
 * The request as a person reads it at 3 a.m.: above the fold the question in words, the state
 * now, the risk, what each button and silence do, whose link it is and the decisions so far, then
 * Reject (first: the default and the safe choice) and Approve. The exact call and the raw
 * evidence follow, folded.
 */
export function requestPage(v: RequestView): string {
  const { request: r, words } = v;
  const hidden = v.form
    ? (['approver', 'exp', 'sig', 'nonce', 'csrf'] as const).map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(v.form![k])}">`).join('')
    : '';
  const controls = v.form
    ? `<form method="post" action="">${hidden}<label for="comment">Comment (optional)</label>`
      + '<textarea id="comment" name="comment" maxlength="500" rows="1"></textarea><p>'
      + (r.acknowledge
        ? '<button type="submit" name="decision" value="acknowledge" id="acknowledge" autofocus>Acknowledge</button></p></form>'
        : '<button type="submit" name="decision" value="reject" id="reject" autofocus>Reject</button>'
          + '<button type="submit" name="decision" value="approve" id="approve">Approve</button></p></form>')
    : '';
  const deadline = `by ${clockInWords(r.deadline, v.timeZone, v.now)}, ${untilInWords(r.deadline, v.now)}`;
  const fact = (id: string, label: string, text: string) => `<dt>${escapeHtml(label)}</dt><dd id="${id}">${escapeHtml(text)}</dd>`;
  return page(words.headline, [
    `<p class="meta">${escapeHtml(r.gate.runbook)}, step ${escapeHtml(r.gate.step)}, ${escapeHtml(r.gate.severity)}, level ${escapeHtml(r.level)}: `
      + `${escapeHtml(r.gate.summary)} at ${escapeHtml(utcClock(r.gate.firedAt))}</p>`,
    v.notice ? `<p id="message">${escapeHtml(v.notice)}</p>` : '',
    '<dl class="facts">',
    fact('now', 'Now', words.now),
    fact('risk', 'Risk', words.risk),
    ...(r.acknowledge ? [fact('if-acknowledge', 'Acknowledge', words.approve)] : [fact('if-approve', 'Approve', words.approve), fact('if-reject', 'Reject', words.reject)]),
    fact('if-silent', 'Nobody answers', `${deadline}: ${silenceInWords(r, words)}.`),
    fact('whose', 'This link', `${v.approver}'s (${r.level}), signed for you alone: do not forward it.`),
    fact('decisions', 'Decisions', tallyInWords(r)),
    '</dl>',
    controls,
    `<details id="call"><summary>The exact call</summary><p id="operation">${escapeHtml(r.gate.operation)} on <span id="target">${escapeHtml(r.gate.target)}</span></p>`
      + `<pre>${escapeHtml(JSON.stringify(r.gate.parameters, null, 2))}</pre></details>`,
    `<details id="evidence"><summary>The evidence (raw)</summary><pre>${escapeHtml(JSON.stringify(r.gate.evidence, null, 2))}</pre></details>`,
    `<details id="target-now"><summary>The target now (raw, read as this page loaded)</summary><pre id="live">${escapeHtml(JSON.stringify(v.live, null, 2))}</pre></details>`,
  ].join(''));
}
