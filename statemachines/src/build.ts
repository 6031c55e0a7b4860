/**
 * Every state machine, built from its source, checked, and written as statemachines/<name>.asl.json:
 * the file CDK deploys (DefinitionBody.fromFile) and the drill runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { differences, render, type Definition } from './asl';
import { checkDefinition } from './check';
import { RUNBOOKS } from '../../runbooks/registry';
import { stackSubstitutions } from './substitutions';
import undo from './undo';

/** Each registered runbook's machine (runbooks/<name>/statemachine.ts), and the undo's. */
export const MACHINES: Readonly<Record<string, Definition>> = {
  ...Object.fromEntries(RUNBOOKS.map((m) => [m.name, m.stateMachine.definition])),
  undo,
};

/** The builder source of a machine, from the repository root. */
export const sourceOf = (name: string): string => (name === 'undo' ? 'statemachines/src/undo.ts' : `runbooks/${name}/statemachine.ts`);

export const STATEMACHINES_DIR = path.join(__dirname, '..');

export interface Built {
  readonly name: string;
  /** statemachines/<name>.asl.json */
  readonly file: string;
  readonly definition: Definition;
  readonly text: string;
}

/** Builds and checks every machine; throws a DefinitionError naming each problem. */
export function buildAll(): Built[] {
  const filled = stackSubstitutions();
  return Object.entries(MACHINES).map(([name, definition]) => {
    checkDefinition(name, definition, filled.get(name) ?? new Set());
    return { name, file: path.join(STATEMACHINES_DIR, `${name}.asl.json`), definition, text: render(definition) };
  });
}

/** How the committed file differs from what its source builds (undefined: not at all). */
export function staleness(built: Built): string | undefined {
  return compare(fs.existsSync(built.file) ? fs.readFileSync(built.file, 'utf8') : undefined, built)?.detail;
}

/** How `text` (a file's content, e.g. on another branch) differs from what the source builds (undefined: not at all). */
export function compare(text: string | undefined, built: Built): { sameDefinition: boolean; detail: string } | undefined {
  if (text === built.text) return undefined;
  if (text === undefined) return { sameDefinition: false, detail: 'missing' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e: unknown) {
    if (!(e instanceof SyntaxError)) throw e;
    return { sameDefinition: false, detail: 'not valid JSON' };
  }
  const paths = differences(parsed, JSON.parse(built.text), 11);
  if (paths.length === 0) return { sameDefinition: true, detail: 'same definition, different layout' };
  return { sameDefinition: false, detail: `differs at\n${paths.slice(0, 10).map((p) => `  ${p}`).join('\n')}${paths.length > 10 ? '\n  ...' : ''}` };
}
