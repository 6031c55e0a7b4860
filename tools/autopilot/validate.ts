/**
 * `validate`: what synth and `npm run statemachines -- --check` would refuse, without either: each
 * environment's config against its schema (lib/config/load.ts), and every state machine built from
 * its source, checked (statemachines/src/check.ts) and compared with the file that deploys.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR, ConfigError, loadConfig } from '../../lib/config/load';
import { buildAll, sourceOf, staleness } from '../../statemachines/src/build';
import { DefinitionError } from '../../statemachines/src/check';
import { usageError } from './errors';
import type { Output } from './output';
import { REPO_ROOT } from './settings';

interface Finding {
  readonly name: string;
  readonly ok: boolean;
  readonly problem?: string;
}

function configs(env?: string): Finding[] {
  const known = fs.readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
  if (env !== undefined && !known.includes(env)) throw usageError(`--env ${env}: no config/${env}.json (known: ${known.join(', ')})`);
  return (env === undefined ? known : [env]).map((name) => {
    try {
      loadConfig(name);
      return { name: `config/${name}.json`, ok: true };
    } catch (e: unknown) {
      if (!(e instanceof ConfigError)) throw e;
      return { name: `config/${name}.json`, ok: false, problem: e.message };
    }
  });
}

function stateMachines(): Finding[] {
  let built;
  try {
    built = buildAll();
  } catch (e: unknown) {
    if (e instanceof DefinitionError) return e.problems.map((problem) => ({ name: 'statemachines', ok: false, problem }));
    // What each machine may use is read from every environment's config: one that does not load stops the check.
    if (e instanceof ConfigError) return [{ name: 'statemachines', ok: false, problem: `not checked: every config must load first (${e.message})` }];
    throw e;
  }
  return built.map((b) => {
    const why = staleness(b);
    const name = path.relative(REPO_ROOT, b.file);
    return why === undefined ? { name, ok: true } : { name, ok: false, problem: `not what ${sourceOf(b.name)} builds (${why}): run npm run statemachines` };
  });
}

export function validate(env?: string): Output {
  const found = { configs: configs(env), stateMachines: stateMachines() };
  const problems = [...found.configs, ...found.stateMachines].filter((f) => !f.ok);
  const line = (f: Finding) => `  ${f.ok ? 'ok     ' : 'INVALID'} ${f.name}${f.problem ? `: ${f.problem}` : ''}`;
  return {
    data: { ok: problems.length === 0, ...found },
    text: [
      'configs:', ...found.configs.map(line),
      'state machines:', ...found.stateMachines.map(line),
      problems.length === 0 ? 'valid' : `${problems.length} problem(s)`,
    ],
    exitCode: problems.length === 0 ? 0 : 1,
  };
}
