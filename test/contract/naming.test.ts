/**
 * One runbook, one place. Outside its own module (runbooks/<name>/), its state machine
 * (statemachines/<name>.asl.json), config (config/), recorded events (events/) and tests (test/),
 * a runbook is named in at most two source files: runbooks/registry.ts and at most one more,
 * listed in NAMED_ELSEWHERE with the reason. Shared code reads the registry instead, so adding,
 * renaming or removing a runbook touches its own folder and one registry line.
 *
 * Source files: the code under SCANNED (another runbook's module included), in any spelling of the
 * name (lambda-runaway, LambdaRunaway, lambdaRunaway, LAMBDA_RUNAWAY), comments included.
 * Generated state machines are not scanned: their sources are (statemachines/src/).
 * Drill scenarios (drill/scenarios/*.json) are data, not source, and do not count; a scenario that
 * names a runbook is that runbook's own, so it must be one its module lists (drill.scenarios).
 * Not scanned: package.json (its approvals:serve script is a command alias that drills
 * lambda-runaway, as the README's commands do), the README and docs/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RUNBOOKS, type RunbookName } from '../../runbooks/registry';
import { ROOT } from './support';

/** The folders whose code may not name a runbook. */
const SCANNED = ['bin', 'lib', 'lambdas', 'runbooks', 'drill', 'statemachines/src', 'tools', 'bench', 'scripts'];
const CODE = /\.(ts|js|mjs|cjs|sh)$/;
const REGISTRY = 'runbooks/registry.ts';
const SCENARIOS = 'drill/scenarios';

/** The one source file besides the registry that may name a runbook, and why. */
const NAMED_ELSEWHERE: Partial<Record<RunbookName, { readonly file: string; readonly reason: string }>> = {
  'lambda-runaway': {
    file: 'bench/storm.ts',
    reason: "the admission storm drives one concrete runbook's path (admit, then its emergency stop on 100 sandbox functions) and counts its PutFunctionConcurrency calls",
  },
  'api-latency': {
    file: 'drill/sandbox/seed-alarm-history.ts',
    reason: 'the deleted alarm alphaswarm-prod-legacy-api-latency of the seeded history is named after what it watched, not after the runbook (its load balancer is no configured target)',
  },
};

function filesUnder(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/** The name in any spelling: its words joined by nothing, "-", "_" or a space, in any case. */
const spellings = (name: string) => new RegExp(name.split('-').join('[-_ ]?'), 'i');

/** The lines of `file` that name the runbook (1-based). */
function linesNaming(file: string, pattern: RegExp): number[] {
  return fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n').flatMap((line, i) => (pattern.test(line) ? [i + 1] : []));
}

/** The seeds' own words (alert and procedure titles, which runbooks are often named after): data about the seeds, not code that picks a runbook. */
const SEED_WORDS = 'runbooks/seed-procedures.ts';

const SOURCE = SCANNED.flatMap(filesUnder).filter((f) => CODE.test(f) && f !== SEED_WORDS);
const SCENARIO_FILES = filesUnder(SCENARIOS).filter((f) => f.endsWith('.json'));

describe.each(RUNBOOKS.map((m) => [m.name, m] as const))('%s', (name, module) => {
  const pattern = spellings(name);
  const own = `runbooks/${name}/`;

  test('is named outside its own module, state machine, config, events and tests only in the registry and at most one file with a reason', () => {
    const allowed = NAMED_ELSEWHERE[name];
    const naming = SOURCE.filter((f) => !f.startsWith(own) && f !== REGISTRY).map((file) => ({ file, lines: linesNaming(file, pattern) })).filter((f) => f.lines.length > 0);
    const problems = naming.filter((f) => f.file !== allowed?.file).map(({ file, lines }) =>
      `${name} is named in ${file} (line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}), outside its module: shared code reads the runbooks from ${REGISTRY}; if this file must name it, list it in NAMED_ELSEWHERE in test/contract/naming.test.ts with the reason (one file per runbook)`);
    if (allowed && !naming.some((f) => f.file === allowed.file)) {
      problems.push(`${name}: NAMED_ELSEWHERE lists ${allowed.file}, which no longer names it: remove the entry`);
    }
    expect(problems).toEqual([]);
  });

  test('a drill scenario that names it is one its module lists', () => {
    const listed = new Set([...(module.drill.scenarios ?? []), ...(module.drill.undoScenario ? [module.drill.undoScenario] : [])]);
    expect(SCENARIO_FILES.filter((f) => !listed.has(f) && linesNaming(f, pattern).length > 0)
      .map((f) => `${name} is named in ${f}, which its module does not list: a scenario that names a runbook is its own (add it to drill.scenarios in ${own}runbook.ts)`)).toEqual([]);
  });
});
