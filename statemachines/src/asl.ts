/**
 * Amazon States Language (JSONPath), the part these state machines use, as TypeScript types,
 * and how a definition is written to statemachines/<name>.asl.json.
 */

export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
/** Parameters, ResultSelector, ItemSelector: keys ending in ".$" take a path or an intrinsic. */
export type Fields = { readonly [key: string]: Json };

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly ResultPath?: string;
  readonly Next: string;
}

/**
 * Marks a Task that has no Retry or no Catch of its own on purpose (e.g. a Map's Catch covers it).
 * The value says why; it is read by the checks and never written to the ASL (a symbol key).
 */
export const UNGUARDED = Symbol('unguarded');

/**
 * Marks a machine whose failed executions are heard outside it: a step that fails after its Retry
 * fails the execution at that state (so a redrive retries exactly that step), and the stack's
 * execution-failure rule escalates. The value says who hears; read by the checks, never written.
 */
export const FAILURES_HEARD = Symbol('failures heard');

interface Common {
  readonly Comment?: string;
}
/** Exactly one of the two; the checks enforce it. */
interface Transition {
  readonly Next?: string;
  readonly End?: true;
}
/** A Task retries; its Catch (where the machine catches failures) is checked per machine. */
type Guarded =
  | { readonly Retry: readonly Retrier[]; readonly Catch?: readonly Catcher[] }
  | { readonly Retry?: readonly Retrier[]; readonly Catch?: readonly Catcher[]; readonly [UNGUARDED]: string };

export type TaskState = Common & Transition & Guarded & {
  readonly Type: 'Task';
  readonly Resource: string;
  readonly Parameters?: Fields;
  readonly TimeoutSecondsPath?: string;
  readonly ResultSelector?: Fields;
  readonly ResultPath?: string;
};

export interface PassState extends Common, Transition {
  readonly Type: 'Pass';
  readonly Parameters?: Fields;
  readonly Result?: Json;
  readonly ResultPath?: string;
}

export interface WaitState extends Common, Transition {
  readonly Type: 'Wait';
  readonly SecondsPath: string;
}

type Operator =
  | 'StringEquals' | 'StringEqualsPath' | 'StringMatches' | 'BooleanEquals' | 'NumericEquals' | 'NumericEqualsPath'
  | 'NumericGreaterThan' | 'NumericLessThan' | 'NumericLessThanPath' | 'IsPresent' | 'IsNumeric' | 'IsNull';
export type Condition =
  | ({ readonly Variable: string } & { readonly [op in Operator]?: Json })
  | { readonly And: readonly Condition[] }
  | { readonly Or: readonly Condition[] }
  | { readonly Not: Condition };
export type ChoiceRule = Condition & { readonly Next: string };

export interface ChoiceState extends Common {
  readonly Type: 'Choice';
  readonly Choices: readonly ChoiceRule[];
  readonly Default: string;
}

export interface SucceedState extends Common {
  readonly Type: 'Succeed';
}

export interface FailState extends Common {
  readonly Type: 'Fail';
  readonly Error: string;
  readonly Cause: string;
}

export interface MapState extends Common, Transition {
  readonly Type: 'Map';
  readonly ItemsPath: string;
  readonly MaxConcurrency?: number;
  readonly ItemSelector?: Fields;
  readonly ItemProcessor: { readonly ProcessorConfig: { readonly Mode: 'INLINE' }; readonly StartAt: string; readonly States: States };
  readonly ResultPath?: string;
  readonly Catch: readonly Catcher[];
}

export type State = TaskState | PassState | WaitState | ChoiceState | SucceedState | FailState | MapState;
export type States = { readonly [name: string]: State };

export interface Definition {
  readonly Comment: string;
  readonly StartAt: string;
  readonly States: States;
  /** Set where a failed execution is heard outside the machine (see FAILURES_HEARD). */
  readonly [FAILURES_HEARD]?: string;
}

/** Every state this one can go to, with how (for the checks and the diagram). */
export function transitions(state: State): { to: string; via: 'Next' | 'Choice' | 'Default' | 'Catch'; label?: string }[] {
  const out: { to: string; via: 'Next' | 'Choice' | 'Default' | 'Catch'; label?: string }[] = [];
  if ('Choices' in state) {
    for (const rule of state.Choices) out.push({ to: rule.Next, via: 'Choice' });
    if (state.Default !== undefined) out.push({ to: state.Default, via: 'Default' });
  }
  if ('Next' in state && state.Next !== undefined) out.push({ to: state.Next, via: 'Next' });
  if ('Catch' in state) for (const c of state.Catch ?? []) out.push({ to: c.Next, via: 'Catch', label: c.ErrorEquals.join(', ') });
  return out;
}

/** Field order in a written state: what it is, what it does, what it keeps, how it fails, where it goes. */
const FIELD_ORDER = [
  'Type', 'Comment', 'Resource', 'ItemsPath', 'MaxConcurrency', 'ItemSelector', 'ItemProcessor', 'Parameters', 'Result',
  'TimeoutSecondsPath', 'SecondsPath', 'ResultSelector', 'ResultPath', 'Retry', 'Catch', 'Choices', 'Default', 'Error', 'Cause', 'Next', 'End',
];

function ordered(states: States): States {
  return Object.fromEntries(Object.entries(states).map(([name, state]) => {
    const unknown = Object.keys(state).filter((k) => !FIELD_ORDER.includes(k));
    if (unknown.length > 0) throw new Error(`state "${name}": unknown field ${unknown.join(', ')}`);
    const fields = FIELD_ORDER.filter((k) => k in state).map((k) => [k, (state as unknown as Record<string, unknown>)[k]]);
    const out = Object.fromEntries(fields) as Record<string, unknown>;
    if (state.Type === 'Map') out.ItemProcessor = { ...state.ItemProcessor, States: ordered(state.ItemProcessor.States) };
    return [name, out as unknown as State];
  }));
}

/** The file's text: two-space JSON; an integral BackoffRate is written as the float ASL defines (2.0). */
export function render(definition: Definition): string {
  const json = JSON.stringify({ Comment: definition.Comment, StartAt: definition.StartAt, States: ordered(definition.States) }, null, 2);
  return `${json.replace(/^(\s*"BackoffRate": \d+)(,?)$/gm, '$1.0$2')}\n`;
}

/** Where two JSON values differ, as paths (`States["Stopped?"].Default`); at most `limit`. */
export function differences(a: unknown, b: unknown, limit = 20, at = ''): string[] {
  if (Object.is(a, b)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b)) return [at || '(root)'];
  const out: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const path = Array.isArray(a) ? `${at}[${key}]` : /^[A-Za-z]\w*$/.test(key) ? `${at}${at ? '.' : ''}${key}` : `${at}[${JSON.stringify(key)}]`;
    out.push(...differences(a[key], b[key], limit - out.length, path));
    if (out.length >= limit) break;
  }
  return out;
}
