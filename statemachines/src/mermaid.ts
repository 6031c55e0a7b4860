/**
 * A state machine as a Mermaid flowchart: one node per state (a Choice as a rhombus, a Task that
 * waits for a task token (an approval) as a hexagon, Succeed and Fail as end points; a Task with
 * a Retry says so), an edge per Next, one per Choice target labelled with its conditions,
 * "otherwise" for a Choice's Default, and dotted edges labelled with the errors for each Catch; a
 * Map's states as a subgraph. `visited` marks the states a run went through.
 */
import { transitions, type Condition, type Definition, type State, type States } from './asl';

const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

const OPERATORS: Readonly<Record<string, string>> = {
  StringEquals: '=', StringEqualsPath: '=', BooleanEquals: '=', NumericEquals: '=', NumericEqualsPath: '=',
  NumericGreaterThan: '>', NumericLessThan: '<', NumericLessThanPath: '<',
};

/** A condition in a few words: the last field of each path, type guards (IsPresent, IsNumeric) left out. */
export function conditionInWords(c: Condition): string {
  const field = (path: string) => path.split('.').at(-1) ?? path;
  if ('And' in c) return c.And.map(conditionInWords).filter((w) => w !== '').join(' and ');
  if ('Or' in c) return c.Or.map(conditionInWords).filter((w) => w !== '').join(' or ');
  if ('Not' in c) return `not (${conditionInWords(c.Not)})`;
  for (const [op, symbol] of Object.entries(OPERATORS)) {
    const value = c[op as keyof typeof c];
    if (value !== undefined) return `${field(c.Variable)} ${symbol} ${op.endsWith('Path') ? field(String(value)) : String(value)}`;
  }
  if (c.IsNull !== undefined) return `${field(c.Variable)} ${c.IsNull ? 'is' : 'is not'} null`;
  return '';
}

const waitsForToken = (state: State) => state.Type === 'Task' && state.Resource.endsWith('.waitForTaskToken');

function node(id: string, name: string, state: State, visited: ReadonlySet<string>): string {
  const text = state.Type === 'Task' && state.Retry && state.Retry.length > 0 ? `${name} (retried)` : name;
  const mark = visited.has(name) ? ':::visited' : '';
  if (state.Type === 'Choice') return `${id}{${label(text)}}${mark}`;
  if (waitsForToken(state)) return `${id}{{${label(text)}}}${mark}`;
  if (state.Type === 'Succeed' || state.Type === 'Fail') return `${id}([${label(text)}])${mark}`;
  return `${id}[${label(text)}]${mark}`;
}

/** Node ids: `s<i>` by position, `s<i>_<j>` inside the Map at i; `start` (or `s<i>_start`) points at StartAt. */
function graph(states: States, startAt: string, prefix: string, indent: string, visited: ReadonlySet<string>): string[] {
  const ids = new Map(Object.keys(states).map((name, i) => [name, `${prefix}${i}`]));
  const idOf = (name: string) => ids.get(name) ?? `${prefix}missing`;
  const start = prefix === 's' ? 'start' : `${prefix}start`;
  const lines = [`${indent}${start}((start)) --> ${idOf(startAt)}`];
  for (const [name, state] of Object.entries(states)) {
    const id = idOf(name);
    lines.push(`${indent}${node(id, name, state, visited)}`);
    if (state.Type === 'Map') {
      lines.push(`${indent}subgraph ${id}_each [${label(`${name}: each item`)}]`, ...graph(state.ItemProcessor.States, state.ItemProcessor.StartAt, `${id}_`, `${indent}  `, visited), `${indent}end`);
      lines.push(`${indent}${id} -.-> ${id}_each`);
    }
    // A Choice's rules to one state are one edge, their conditions joined.
    const choices = new Map<string, string[]>();
    if (state.Type === 'Choice') {
      for (const rule of state.Choices) choices.set(rule.Next, [...(choices.get(rule.Next) ?? []), conditionInWords(rule)]);
    }
    const edges = new Set(transitions(state).map((t) => {
      if (t.via === 'Catch') return `${id} -.->|${label(t.label ?? '')}| ${idOf(t.to)}`;
      if (t.via === 'Default') return `${id} -->|otherwise| ${idOf(t.to)}`;
      if (t.via === 'Choice') return `${id} -->|${label(choices.get(t.to)!.join(' or '))}| ${idOf(t.to)}`;
      return `${id} --> ${idOf(t.to)}`;
    }));
    lines.push(...[...edges].map((e) => `${indent}${e}`));
  }
  return lines;
}

export function mermaid(definition: Definition, visited: ReadonlySet<string> = new Set()): string {
  const style = visited.size > 0 ? ['  classDef visited fill:#d4edda,stroke:#2e7d32,stroke-width:2px'] : [];
  return ['flowchart TD', ...graph(definition.States, definition.StartAt, 's', '  ', visited), ...style].join('\n');
}
