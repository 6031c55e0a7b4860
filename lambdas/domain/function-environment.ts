/**
 * A Lambda function's environment variables as the ledger, the logs and the notifications may hold
 * them: names kept, every value replaced by a digest. Pure. The digest is SHA-256 over the
 * function, the name and the value (so equal values on two functions do not look alike), cut to 16
 * hex digits: enough to tell "the same as recorded" from "changed since", never the value. An undo
 * compares digests; it can put back only what a digest alone restores (a variable that was absent,
 * or empty: lambdas/domain/reversible.ts).
 */
import { createHash } from 'node:crypto';

export type Variables = Readonly<Record<string, string>>;

/** A value as recorded: `sha256:` and 16 hex digits. */
const DIGEST = /^sha256:[0-9a-f]{16}$/;

export function valueDigest(functionName: string, name: string, value: string): string {
  return `sha256:${createHash('sha256').update(`${functionName}\0${name}\0${value}`).digest('hex').slice(0, 16)}`;
}

/** The variables with their values replaced by digests, names sorted. */
export function redactVariables(functionName: string, variables: Variables): Record<string, string> {
  return Object.fromEntries(Object.keys(variables).sort().map((name) => [name, valueDigest(functionName, name, variables[name]!)]));
}

export type KeyState = 'set' | 'missing' | 'empty';

/** Whether a variable is set: absent, or present with an empty (or blank) value, is what the runbook fixes. */
export function keyState(variables: Variables, name: string): KeyState {
  if (!Object.hasOwn(variables, name)) return 'missing';
  return variables[name]!.trim() === '' ? 'empty' : 'set';
}

/**
 * The whole environment with one variable set: UpdateFunctionConfiguration replaces every
 * variable, so the write carries all the others as read.
 */
export function mergeVariable(variables: Variables, name: string, value: string): Record<string, string> {
  return { ...variables, [name]: value };
}

/** Recorded environments (redacted) of one function, as a ledger row holds them. */
export interface RecordedEnvironment {
  readonly variables: Readonly<Record<string, string>>;
}

export const isRecordedEnvironment = (v: unknown): v is RecordedEnvironment => {
  const vars = (v as { variables?: unknown } | null | undefined)?.variables;
  return !!vars && typeof vars === 'object' && !Array.isArray(vars) && Object.values(vars).every((d) => typeof d === 'string' && DIGEST.test(d));
};

/**
 * How the undo puts a recorded environment back without the values: each variable the change
 * added is removed, each it set where it was empty is emptied again; any other difference (a
 * value that was not empty changed) cannot be restored from digests, and is named instead.
 */
export function restorePlan(functionName: string, before: RecordedEnvironment, after: RecordedEnvironment): { remove: string[]; empty: string[] } | { why: string } {
  const remove: string[] = [];
  const empty: string[] = [];
  for (const name of Object.keys(before.variables)) {
    if (!Object.hasOwn(after.variables, name)) return { why: `the change removed ${name}, whose value the ledger does not hold` };
  }
  for (const [name, digest] of Object.entries(after.variables)) {
    const was = before.variables[name];
    if (was === digest) continue;
    if (was === undefined) remove.push(name);
    else if (was === valueDigest(functionName, name, '')) empty.push(name);
    else return { why: `the change replaced the value of ${name}, which the ledger holds only as a digest` };
  }
  return { remove, empty };
}

/** The environment as it was, from the current one: the planned removals and emptyings applied. */
export function restoredVariables(current: Variables, plan: { remove: readonly string[]; empty: readonly string[] }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(current)) if (!plan.remove.includes(name)) out[name] = plan.empty.includes(name) ? '' : value;
  return out;
}
