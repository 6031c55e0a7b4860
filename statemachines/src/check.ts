/**
 * The mistakes a definition must not ship with, each reported as a sentence naming the state
 * machine and the state: a transition to no state, a state nothing reaches, a Task without Retry
 * (unless marked UNGUARDED), a Task whose failure nobody would hear (no States.ALL Catch in a
 * machine whose failed executions are not heard outside it, see FAILURES_HEARD), a Choice without
 * a Default, a state with neither Next nor End, a ${Substitution} the stack does not fill, and an
 * ARN that hard-codes the partition.
 */
import { FAILURES_HEARD, transitions, UNGUARDED, type Definition, type State, type States } from './asl';

export class DefinitionError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'DefinitionError';
  }
}

/** Throws a DefinitionError listing every problem of `definition`. */
export function checkDefinition(machine: string, definition: Definition, filled: ReadonlySet<string>): void {
  const problems = checkGraph(machine, definition.StartAt, definition.States, '', definition[FAILURES_HEARD] !== undefined);
  const unfilled = new Map<string, string[]>();
  for (const [name, state] of allStates(definition.States)) {
    // A Map's own fields only: its inner states are visited on their own.
    const own = state.Type === 'Map' ? { ...state, ItemProcessor: undefined } : state;
    for (const used of substitutionsIn(own)) if (!filled.has(used)) unfilled.set(used, [...(unfilled.get(used) ?? []), name]);
    const partition = /arn:aws[a-z-]*:[^"]*/.exec(JSON.stringify(own));
    if (partition) problems.push(`${machine}: "${name}" hard-codes the partition in ${partition[0]}: write arn:\${Partition}:..., which the stack fills`);
  }
  for (const [used, names] of unfilled) {
    const who = names.length === 1 ? `"${names[0]}" uses` : `${names.slice(0, 3).map((n) => `"${n}"`).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''} use`;
    problems.push(`${machine}: ${who} \${${used}}, which the stack does not fill for ${machine} (it fills ${[...filled].sort().join(', ')})`);
  }
  if (problems.length > 0) throw new DefinitionError(problems);
}

function checkGraph(machine: string, startAt: string, states: States, inside: string, heard: boolean): string[] {
  const problems: string[] = [];
  const where = (name: string) => `${machine}: "${name}"${inside}`;
  if (!(startAt in states)) problems.push(`${machine}: StartAt names "${startAt}"${inside}, which is not a state`);
  for (const [name, state] of Object.entries(states)) {
    for (const t of transitions(state)) if (!(t.to in states)) problems.push(`${where(name)} goes to "${t.to}" (${t.via}), which is not a state`);
    problems.push(...checkState(state, heard).map((p) => `${where(name)} ${p}`));
    if (state.Type === 'Map') problems.push(...checkGraph(machine, state.ItemProcessor.StartAt, state.ItemProcessor.States, ` (inside the Map "${name}")`, heard));
  }
  const reached = new Set<string>();
  const queue = [startAt];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const state = states[name];
    if (!state || reached.has(name)) continue;
    reached.add(name);
    queue.push(...transitions(state).map((t) => t.to));
  }
  for (const name of Object.keys(states)) if (!reached.has(name)) problems.push(`${where(name)} is unreachable from "${startAt}"`);
  return problems;
}

function checkState(state: State, heard: boolean): string[] {
  const problems: string[] = [];
  const next = 'Next' in state && state.Next !== undefined;
  const end = 'End' in state && state.End !== undefined;
  if (['Task', 'Pass', 'Wait', 'Map'].includes(state.Type) && next === end) problems.push('needs exactly one of Next and End');
  if (state.Type === 'Choice' && state.Default === undefined) problems.push('is a Choice without a Default: an input no rule matches would fail the execution');
  if (state.Type === 'Task' && !(UNGUARDED in state)) {
    if ((state.Retry ?? []).length === 0) problems.push('is a Task without a Retry (mark it UNGUARDED, with the reason, if that is meant)');
    if (!heard && !(state.Catch ?? []).some((c) => c.ErrorEquals.includes('States.ALL'))) {
      problems.push('is a Task whose Catch has no States.ALL: an error would end the execution without escalating (mark it UNGUARDED, with the reason, if that is meant)');
    }
  }
  return problems;
}

function allStates(states: States): [string, State][] {
  return Object.entries(states).flatMap(([name, state]): [string, State][] =>
    [[name, state], ...(state.Type === 'Map' ? allStates(state.ItemProcessor.States) : [])]);
}

/** The ${Name} placeholders a state uses (the stack and the drill fill them). */
export function substitutionsIn(value: unknown): Set<string> {
  return new Set([...JSON.stringify(value).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!));
}
