/**
 * One notification, in the three shapes its readers need, for one SNS message with a body per
 * protocol (`MessageStructure: json`): a subject a pager shows; a body in the custom notification
 * format of Amazon Q Developer in chat applications (formerly AWS Chatbot) for chat and machines;
 * a plain text for email. Every publisher describes what it knows as a `Notification`; this module
 * alone writes the shapes and holds each to its limits. Pure: no AWS here (lambdas/shared/publish.ts
 * sends it).
 */

/** How it reads at a glance: the chat title's emoji. */
export type Tone = 'resolved' | 'info' | 'warning' | 'critical' | 'question';

/** One fact: a paragraph, `Label: value`, or `Label:` and a list. */
export type Part =
  | { readonly text: string }
  | { readonly label: string; readonly value: string }
  | { readonly label: string; readonly items: readonly string[] };

export interface Link {
  readonly label: string;
  /** A URL, or a repository path when no URL base is configured (docs/runbooks/<name>.md). */
  readonly url: string;
}

export interface Notification {
  /** What happened, in kebab case: `metadata.eventType` is `runbook-autopilot-<kind>` (remediated, execution-failed, approval-requested...). */
  readonly kind: string;
  readonly tone: Tone;
  /** The line a pager shows; made SNS-safe here (one line of ASCII, fewer than 100 characters). */
  readonly subject: string;
  /** One line: what happened and why. Both bodies open with it. */
  readonly summary: string;
  /** The facts, in blocks (a blank line between them in email). */
  readonly blocks: readonly (readonly Part[])[];
  /** What a human does next (chat `nextSteps`, email `Next:` lines). */
  readonly next: readonly string[];
  /** Where to look: the execution, the runbook's page. */
  readonly links: readonly Link[];
  /**
   * A link signed for one person (an approver's own page): email only. The message reaches only
   * that person's subscriptions, but a chat channel subscribed to the topic is shared, and the
   * machines' body is stored: they are told where the link went instead.
   */
  readonly personalLink?: { readonly owner: string; readonly url: string };
  /** The state machine's runbook (`undo` for the undo's own): a keyword, and the page linked. */
  readonly runbook: string;
  /** The incident: chat threads on it (`metadata.threadId`); absent when admit named none. */
  readonly incidentId?: string;
  readonly executionArn: string;
  /** What it is about (target, alarm, execution): `metadata.relatedResources`. */
  readonly resources: readonly string[];
  /** Besides the runbook and the kind (severity, level...). */
  readonly keywords?: readonly string[];
}

/**
 * The custom notification format (Amazon Q Developer in chat applications user guide, "Custom
 * notifications"): `version` "1.0" and `source` "custom" required, `content.description`
 * required, everything else optional. `id` is left out: the guide gives it no behaviour, and each
 * SNS message has its MessageId.
 */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

/**
 * What the builder holds each chat field to. The guide states the fields and their types; these
 * caps are ours, under what Slack and Teams show in one message (Slack asks clients to keep a
 * message under 4,000 characters): the email keeps every fact in full.
 */
export const CHAT_LIMITS = {
  title: 250,
  description: 4000,
  nextSteps: 6,
  nextStep: 500,
  keywords: 5,
  keyword: 50,
  relatedResources: 10,
  /** A list in the description shows this many items, then how many more. */
  listItems: 10,
  /** One value or list item in the description. */
  value: 600,
} as const;

/** SNS: a subject is fewer than 100 characters, one line, no control characters (ASCII, for every mail client). */
export const SUBJECT_MAX = 99;
/** SNS: a message is at most 256 KB (262,144 bytes), message attributes and subject included. */
export const SNS_MESSAGE_MAX_BYTES = 262_144;

export const EVENT_TYPE_PREFIX = 'runbook-autopilot-';

const EMOJI: Readonly<Record<Tone, string>> = {
  resolved: ':white_check_mark:', info: ':information_source:', warning: ':warning:', critical: ':rotating_light:', question: ':raising_hand:',
};

/** The link to a runbook's generated page: under the configured base URL, or its path in the repository. */
export function runbookPage(runbook: string, baseUrl: string | undefined): Link {
  const file = `${runbook}.md`;
  return { label: 'Runbook page', url: baseUrl ? `${baseUrl.replace(/\/+$/, '')}/${file}` : `docs/runbooks/${file}` };
}

const ASCII: Readonly<Record<string, string>> = { '…': '...', '→': '->', '←': '<-', '–': '-', '—': '-', '‘': "'", '’': "'", '“': '"', '”': '"', '≥': '>=', '≤': '<=', '×': 'x' };

/** A subject SNS accepts and every pager shows: one line of printable ASCII, fewer than 100 characters. */
export function snsSubject(text: string): string {
  const ascii = [...text].map((c) => ASCII[c] ?? c).join('').replace(/\s+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  const subject = ascii === '' ? 'runbook-autopilot notification' : ascii;
  return subject.length <= SUBJECT_MAX ? subject : `${subject.slice(0, SUBJECT_MAX - 3).trimEnd()}...`;
}

const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`);

/**
 * Caller text in chat: `<` opens Slack's special sequences (`<!here>`, `<@user>`, `<url|text>`),
 * so an alarm reason or an error message could ping a channel; it is shown as a look-alike.
 */
const inChat = (text: string): string => text.replace(/</g, '‹');

function chatPart(p: Part): string {
  if ('text' in p) return inChat(cut(p.text, CHAT_LIMITS.value));
  if ('value' in p) return `*${p.label}:* ${inChat(cut(p.value, CHAT_LIMITS.value))}`;
  const shown = p.items.slice(0, CHAT_LIMITS.listItems).map((i) => `• ${inChat(cut(i, CHAT_LIMITS.value))}`);
  const more = p.items.length - shown.length;
  return [`*${p.label}:*`, ...shown, ...(more > 0 ? [`• and ${more} more (the email and the ledger list them all)`] : [])].join('\n');
}

function emailPart(p: Part): string {
  if ('text' in p) return p.text;
  if ('value' in p) return `${p.label}: ${p.value}`;
  return [`${p.label}:`, ...p.items.map((i) => `  ${i}`)].join('\n');
}

/** The description, kept whole while it fits; past the cap, cut at a line with a note of where the rest is. */
function fitDescription(text: string): string {
  if (text.length <= CHAT_LIMITS.description) return text;
  const note = '\n… (shortened: the email and the ledger hold every fact)';
  const room = CHAT_LIMITS.description - note.length;
  const head = text.slice(0, room);
  const lastLine = head.lastIndexOf('\n');
  return `${lastLine > room / 2 ? head.slice(0, lastLine) : head}${note}`;
}

const unique = (values: readonly string[]): string[] => [...new Set(values.filter((v) => v !== ''))];

/** The body chat and machines read. */
export function chatBody(n: Notification): ChatNotification {
  const subject = snsSubject(n.subject);
  const personal = n.personalLink
    ? [`*Your decision:* the link to decide is signed for ${n.personalLink.owner} alone and went to their email subscription, never to chat`]
    : [];
  const description = [
    inChat(cut(n.summary, CHAT_LIMITS.value)),
    ...n.blocks.map((block) => block.map(chatPart).join('\n')),
    [...personal, ...(n.incidentId ? [`*Incident:* \`${n.incidentId}\``] : [])].join('\n'),
  ].filter((s) => s !== '').join('\n\n');
  const steps = [...n.next.map(inChat), ...n.links.map((l) => `${l.label}: ${l.url}`)];
  return {
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: cut(`${EMOJI[n.tone]} ${subject}`, CHAT_LIMITS.title),
      description: fitDescription(description),
      nextSteps: steps.slice(0, CHAT_LIMITS.nextSteps).map((s) => cut(s, CHAT_LIMITS.nextStep)),
      keywords: unique([n.runbook, n.kind, ...(n.keywords ?? [])]).slice(0, CHAT_LIMITS.keywords).map((k) => cut(k, CHAT_LIMITS.keyword)),
    },
    metadata: {
      threadId: n.incidentId ?? n.executionArn,
      summary: subject,
      eventType: `${EVENT_TYPE_PREFIX}${n.kind}`,
      relatedResources: unique([...n.resources, n.executionArn]).slice(0, CHAT_LIMITS.relatedResources),
      additionalContext: { runbook: n.runbook, kind: n.kind, ...(n.incidentId ? { incidentId: n.incidentId } : {}), executionArn: n.executionArn },
    },
  };
}

/** The text an email subscriber reads: every fact in full, then where to look. */
export function emailText(n: Notification): string {
  const blocks = [
    n.summary,
    ...n.blocks.map((block) => block.map(emailPart).join('\n')),
    n.next.map((s) => `Next: ${s}`).join('\n'),
    n.personalLink
      ? `Your personal link (it only shows the request; you decide on the page): ${n.personalLink.url}\nDo not forward it: it is signed for you alone.`
      : '',
    [...n.links.map((l) => `${l.label}: ${l.url}`), ...(n.incidentId ? [`Incident: ${n.incidentId} (remediation ledger)`] : [])].join('\n'),
  ];
  return blocks.filter((b) => b !== '').join('\n\n');
}

export interface RenderedNotification {
  readonly subject: string;
  readonly chat: ChatNotification;
  readonly email: string;
  /** The SNS message: a JSON object of one body per protocol, within SNS's size with `reservedBytes` set aside. */
  readonly message: string;
}

/**
 * The subject, both bodies, and the SNS message carrying them per protocol: `default` (every
 * protocol not named: `https`, which is how Amazon Q Developer subscribes, `http`, `sqs`,
 * `lambda`, `firehose`, `email-json`) gets the chat body; `email` the text; `sms` the subject.
 * The chat body is bounded by CHAT_LIMITS; the email text gives way if the whole would pass SNS's
 * 256 KB (`reservedBytes`: what the message attributes take).
 */
export function renderNotification(n: Notification, reservedBytes = 0): RenderedNotification {
  const subject = snsSubject(n.subject);
  const chat = chatBody(n);
  const email = emailText(n);
  const envelope = (text: string) => JSON.stringify({ default: JSON.stringify(chat), email: text, sms: subject });
  const room = SNS_MESSAGE_MAX_BYTES - reservedBytes - Buffer.byteLength(subject);
  const fitted = Buffer.byteLength(envelope(email)) <= room ? email : shortenToFit(email, (text) => Buffer.byteLength(envelope(text)) <= room);
  return { subject, chat, email: fitted, message: envelope(fitted) };
}

/** The longest head of the text, cut at a line where it can be, that fits once the note is added. */
function shortenToFit(text: string, fits: (text: string) => boolean): string {
  const note = (left: number) => `\n\n[shortened to fit SNS's 256 KB: ${left} more characters; the ledger and the execution history hold everything]`;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(text.slice(0, mid) + note(text.length - mid))) low = mid;
    else high = mid - 1;
  }
  const lastLine = text.lastIndexOf('\n', low);
  const end = lastLine > low / 2 ? lastLine : low;
  return text.slice(0, end) + note(text.length - end);
}
