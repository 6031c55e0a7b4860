import type { ActionRecord } from '../shared/ledger';
import { itemsRowLine } from './recorded-items';
import type { Incident } from '../shared/task-input';

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
  readonly switches?: { readonly automation: string | null; readonly runbook: string | null };
  /** What a human does next, instead of the default for escalations and failures. */
  readonly next?: string;
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

/** A subject and body a human can act on at 3 a.m.: what fired, what was done, what is next. */
export function renderMessage(m: MessageInput): { subject: string; body: string } {
  const target = m.incident?.target ?? 'unknown target';
  const subject = `[${m.outcome.toUpperCase()}] ${m.runbook} on ${target}`.slice(0, 100);
  const lines = [
    `${m.runbook}: ${m.outcome} - ${m.reason}`,
    '',
    `What fired: ${m.incident ? m.incident.summary : 'an event the runbook could not read'}`,
  ];
  if (m.incident?.source.reason) lines.push(`Alarm reason: ${m.incident.source.reason}`);
  lines.push('', 'What was done:');
  if (m.actions.every((a) => a.status === 'planned')) lines.push('  nothing was changed');
  for (const a of m.actions) {
    if (a.status === 'planned') {
      lines.push(`  PLANNED, not called: ${a.operation} ${show(a.parameters)} (would replace ${show(a.before)})`);
      continue;
    }
    // A row that holds tasks in full (up to 400 KB) is told by count and keys: SNS takes 256 KB.
    const result = itemsRowLine(a)
      ?? (a.status === 'succeeded' ? `${show(a.before)} -> ${show(a.after)}` : `${a.status}${a.error ? `: ${a.error}` : ''} (was ${show(a.before)})`);
    lines.push(`  ${a.operation} on ${a.target}: ${result}`);
  }
  if (m.error) lines.push('', `Error: ${m.error}`);
  if (m.evidence !== undefined) lines.push('', `Evidence: ${show(m.evidence)}`);
  if (m.next) lines.push('', `Next: ${m.next}`);
  else if (m.outcome === 'escalated' || m.outcome === 'failed') {
    lines.push('', 'Next: a human decides. Read the evidence and the execution history before acting by hand.');
  }
  if (m.switches) {
    lines.push('', `Switches: automation ${m.switches.automation ?? 'missing'}, ${m.runbook} ${m.switches.runbook ?? 'missing'}`);
  }
  lines.push('', `Execution: ${executionConsoleUrl(m.region, m.executionArn)}`);
  if (m.incident) lines.push(`Incident: ${m.incident.id} (remediation ledger)`);
  return { subject, body: lines.join('\n') };
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
