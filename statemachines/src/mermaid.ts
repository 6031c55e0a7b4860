/**
 * A state machine as a Mermaid flowchart: one node per state (a Choice as a rhombus, Succeed and
 * Fail as end points), an edge per Next and Choice rule, "otherwise" for a Choice's Default,
 * dotted edges labelled with the errors for each Catch; a Map's states as a subgraph.
 */
import { transitions, type Definition, type State, type States } from './asl';

const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

function node(id: string, name: string, state: State): string {
  if (state.Type === 'Choice') return `${id}{${label(name)}}`;
  if (state.Type === 'Succeed' || state.Type === 'Fail') return `${id}([${label(name)}])`;
  return `${id}[${label(name)}]`;
}

/** Node ids: `s<i>` by position, `s<i>_<j>` inside the Map at i; `start` (or `s<i>_start`) points at StartAt. */
function graph(states: States, startAt: string, prefix: string, indent: string): string[] {
  const ids = new Map(Object.keys(states).map((name, i) => [name, `${prefix}${i}`]));
  const idOf = (name: string) => ids.get(name) ?? `${prefix}missing`;
  const start = prefix === 's' ? 'start' : `${prefix}start`;
  const lines = [`${indent}${start}((start)) --> ${idOf(startAt)}`];
  for (const [name, state] of Object.entries(states)) {
    const id = idOf(name);
    lines.push(`${indent}${node(id, name, state)}`);
    if (state.Type === 'Map') {
      lines.push(`${indent}subgraph ${id}_each [${label(`${name}: each item`)}]`, ...graph(state.ItemProcessor.States, state.ItemProcessor.StartAt, `${id}_`, `${indent}  `), `${indent}end`);
      lines.push(`${indent}${id} -.-> ${id}_each`);
    }
    const edges = new Set(transitions(state).map((t) => {
      if (t.via === 'Catch') return `${id} -.->|${label(t.label ?? '')}| ${idOf(t.to)}`;
      if (t.via === 'Default') return `${id} -->|otherwise| ${idOf(t.to)}`;
      return `${id} --> ${idOf(t.to)}`;
    }));
    lines.push(...[...edges].map((e) => `${indent}${e}`));
  }
  return lines;
}

export function mermaid(definition: Definition): string {
  return ['flowchart TD', ...graph(definition.States, definition.StartAt, 's', '  ')].join('\n');
}
