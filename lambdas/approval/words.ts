import type { Gate } from './store';

/**
 * What a gated step's runbook says to the person deciding, in words: each runbook supplies one
 * provider for its gate (next to its own code), and the page lays the answers out the same way
 * for every gate. Providers are pure: they read the gate (its exact call and evidence) and the
 * target as the page just read it, and never call AWS.
 */
export interface GateWordsInput {
  readonly gate: Gate;
  /** The target now (live-state.ts), or undefined where the page did not read it (a closed request). */
  readonly live: unknown;
}

export interface GateWords {
  /** The question, in words: "Let X run again, at most 5 at a time?" */
  readonly headline: string;
  /** The target's state now: "stopped: reserved concurrency 0 since 03:12 UTC". */
  readonly now: string;
  /** The risk the evidence shows: "still invoked every minute by rule ... (ENABLED)". */
  readonly risk: string;
  /** What Approve makes happen. */
  readonly approve: string;
  /** What Reject makes happen. */
  readonly reject: string;
  /** What holds while nobody decides: "it stays stopped". The page adds the deadline and who is asked next. */
  readonly unanswered: string;
}

export type GateWordsProvider = (input: GateWordsInput) => GateWords;

/** "03:12 UTC", or "3 Nov 03:12 UTC" on another day than today: a time as a person reads it on the page. */
export function utcClock(iso: string, today: Date = new Date()): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const day = t.toISOString().slice(0, 10) === today.toISOString().slice(0, 10) ? '' : `${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} `;
  return `${day}${t.toISOString().slice(11, 16)} UTC`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "a, b and c" */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** "1. a 2. b 3. c": steps in one line, numbered from 1 (a seed procedure's steps on a page). */
export const numbered = (steps: readonly string[]): string => steps.map((s, i) => `${i + 1}. ${s}`).join(' ');

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
