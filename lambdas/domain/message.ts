import type { ActionRecord } from '../shared/ledger';
import type { Incident, PartRecord } from '../shared/task-input';
import { runbookPage, type Notification, type Part, type Tone } from './notification';
import { itemsRowLine } from './recorded-items';

/** The undo state machine's name (runbooks/kit.ts UNDO_MACHINE): its notifications name the runbook undone. */
const UNDO_MACHINE = 'undo';

export type Outcome = 'remediated' | 'skipped' | 'escalated' | 'rejected' | 'failed';

export interface MessageInput {
  readonly outcome: Outcome;
  readonly reason: string;
  readonly runbook: string;
  readonly incident?: Incident;
  readonly actions: readonly ActionRecord[];
  readonly executionArn: string;
  readonly region: string;
  readonly evidence?: unknown;
  readonly error?: string;
  /** Independent parts and each one's outcome, one line each (partLines): a block of their own. */
  readonly parts?: readonly string[];
  readonly switches?: { readonly automation: string | null; readonly runbook: string | null };
  /** What a human does next, instead of the default for escalations and failures. */
  readonly next?: string;
  /** The notification's kind when not the outcome's (execution-failed). */
  readonly kind?: string;
  /** Where docs/runbooks/ is served (config notifications.runbookPagesUrl); its repository path when unset. */
  readonly pagesUrl?: string;
}

/** The Step Functions console page of one execution. */
export function executionConsoleUrl(region: string, executionArn: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/** Renders a value for a human: "none" for absent, JSON for objects. */
export function show(value: unknown): string {
  if (value === undefined || value === null) return 'none';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const TONE: Readonly<Record<Outcome, Tone>> = { remediated: 'resolved', skipped: 'info', rejected: 'info', escalated: 'warning', failed: 'critical' };

/** What an action row says it did: before -> after, what failed, or the call a dry run planned. */
function actionLine(a: ActionRecord): string {
  if (a.status === 'planned') return `PLANNED, not called: ${a.operation} ${show(a.parameters)} (would replace ${show(a.before)})`;
  // A row that holds tasks in full (up to 400 KB) is told by count and keys: SNS takes 256 KB.
  const result = itemsRowLine(a)
    ?? (a.status === 'succeeded' ? `${show(a.before)} -> ${show(a.after)}` : `${a.status}${a.error ? `: ${a.error}` : ''} (was ${show(a.before)})`);
  return `${a.operation} on ${a.target}: ${result}`;
}

/**
 * What fired, what was done, what is next, for a human at 3 a.m.: an incident's outcome (notify),
 * or a failed execution (the execution-failure rule, `kind` execution-failed). The undo's own
 * outcomes name the runbook whose changes it undid.
 */
export function outcomeNotification(m: MessageInput): Notification {
  const target = m.incident?.target ?? 'unknown target';
  const of = m.runbook === UNDO_MACHINE && m.incident ? `${m.runbook} of ${m.incident.runbook}` : m.runbook;
  const fired: Part[] = [{ label: 'Target', value: target }, { label: 'What fired', value: m.incident ? m.incident.summary : 'an event the runbook could not read' }];
  if (m.incident?.source.reason) fired.push({ label: 'Alarm reason', value: m.incident.source.reason });
  const done = m.actions.every((a) => a.status === 'planned') ? ['nothing was changed'] : [];
  const details: Part[] = [];
  if (m.error) details.push({ label: 'Error', value: m.error });
  if (m.evidence !== undefined) details.push({ label: 'Evidence', value: show(m.evidence) });
  if (m.switches) details.push({ label: 'Switches', value: `automation ${m.switches.automation ?? 'missing'}, ${m.runbook} ${m.switches.runbook ?? 'missing'}` });
  const next = m.next ?? (m.outcome === 'escalated' || m.outcome === 'failed' ? 'A human decides: read the evidence and the execution history before acting by hand.' : undefined);
  return {
    kind: m.kind ?? (m.runbook === UNDO_MACHINE ? `undo-${m.outcome}` : m.outcome),
    tone: TONE[m.outcome],
    subject: `[${m.outcome.toUpperCase()}] ${of} on ${target}`,
    summary: `${of}: ${m.outcome} - ${m.reason}`,
    blocks: [fired, ...(m.parts ? [[{ label: 'Each part', items: m.parts }]] : []), [{ label: 'What was done', items: [...done, ...m.actions.map(actionLine)] }], details],
    next: next ? [next] : [],
    links: [{ label: 'Execution', url: executionConsoleUrl(m.region, m.executionArn) }, runbookPage(m.runbook, m.pagesUrl)],
    runbook: m.runbook,
    ...(m.incident ? { incidentId: m.incident.id } : {}),
    executionArn: m.executionArn,
    resources: [...(m.incident ? [m.incident.target] : []), ...(m.incident?.source.arn ? [m.incident.source.arn] : [])],
    keywords: [m.outcome, ...(m.runbook === UNDO_MACHINE && m.incident ? [m.incident.runbook] : [])],
  };
}

/** Failures page a human (critical topic, seed 004); the rest is for the record (info topic). */
export function topicFor(outcome: Outcome): 'critical' | 'info' {
  return outcome === 'escalated' || outcome === 'failed' ? 'critical' : 'info';
}

/** Reads the message out of a Step Functions Catch `Cause` (a Lambda error as JSON, or text). */
export function describeCaughtError(error: { Error?: string; Cause?: string } | undefined): string | undefined {
  if (!error) return undefined;
  let message = error.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as unknown;
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed && typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch (e: unknown) {
    // Cause is plain text for errors Step Functions raises itself (States.Timeout...).
    if (!(e instanceof SyntaxError)) throw e;
  }
  return `${error.Error ?? 'Error'}: ${message}`.trim();
}

/** Each part and its outcome, in the machine's order, one line each: "gateway: not halted (TargetNotFound: ...)". */
export function partLines(parts: Readonly<Record<string, PartRecord>>): string[] {
  return Object.values(parts).map((p) => {
    const error = describeCaughtError(p.error);
    return `${p.part}: ${p.outcome}${p.planned ? ' (planned, not made: dry run)' : ''}${error ? ` (${error})` : ''}`;
  });
}
