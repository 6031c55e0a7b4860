/**
 * npm run statemachines               writes statemachines/<name>.asl.json from statemachines/src/
 * npm run statemachines -- --check    writes nothing; exits 1 naming each file that differs
 * npm run statemachines -- --against <git ref>   compares what the sources build with the files at
 *                                     that ref, as definitions (e.g. after merging a branch that edited them)
 * npm run statemachines -- --mermaid <name>   prints the state machine as a Mermaid flowchart
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAll, compare, sourceOf, staleness, type Built } from './build';
import { DefinitionError } from './check';
import { mermaid } from './mermaid';

function main(args: readonly string[]): number {
  const built = buildAll();
  const relative = (file: string) => path.relative(process.cwd(), file);
  if (args.length === 2 && args[0] === '--mermaid') {
    const machine = built.find((b) => b.name === args[1]);
    if (!machine) throw new Error(`no state machine "${args[1]}" (known: ${built.map((b) => b.name).join(', ')})`);
    console.log(mermaid(machine.definition));
    return 0;
  }
  if (args.length === 1 && args[0] === '--check') {
    const stale = built.map((b) => ({ b, why: staleness(b) })).filter((s) => s.why !== undefined);
    for (const { b, why } of stale) console.error(`${relative(b.file)} is not what ${sourceOf(b.name)} builds: ${why}`);
    if (stale.length > 0) {
      console.error('Edit the source (runbooks/<name>/statemachine.ts, statemachines/src/undo.ts), not the file, and run npm run statemachines. A file edited on another branch:');
      console.error('make the same edit in the source; npm run statemachines -- --against <that branch> lists what still differs.');
    }
    return stale.length > 0 ? 1 : 0;
  }
  if (args.length === 2 && args[0] === '--against') {
    const different = built.filter((b) => {
      // Files from before the partition substitution name the aws partition: compare them as if they did not.
      const found = compare(atRef(args[1]!, b)?.replaceAll('"arn:aws:states:::', '"arn:${Partition}:states:::'), b);
      console.log(`${relative(b.file)} at ${args[1]}: ${found === undefined ? 'the same' : found.sameDefinition ? found.detail : `not what the source builds: ${found.detail}`}`);
      return found !== undefined && !found.sameDefinition;
    });
    return different.length > 0 ? 1 : 0;
  }
  if (args.length > 0) throw new Error(`unknown arguments: ${args.join(' ')} (usage: npm run statemachines [-- --check | --against <git ref> | --mermaid <name>])`);
  for (const b of built) {
    const changed = staleness(b) !== undefined;
    if (changed) fs.writeFileSync(b.file, b.text);
    console.log(`${relative(b.file)}: ${changed ? 'written' : 'unchanged'} (${b.text.split('\n').length - 1} lines)`);
  }
  return 0;
}

/** The file as committed at a git ref (undefined where it does not exist there). */
function atRef(ref: string, b: Built): string | undefined {
  const file = path.relative(path.join(__dirname, '..', '..'), b.file).split(path.sep).join('/');
  try {
    return execFileSync('git', ['show', `${ref}:${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: unknown) {
    // Only a file the ref does not have is "missing"; a ref git does not know (or no git) is an error.
    const stderr = String((e as { stderr?: unknown }).stderr ?? '');
    if (/does not exist in|exists on disk, but not in/.test(stderr)) return undefined;
    throw new Error(`git show ${ref}:${file}: ${stderr.trim() || (e instanceof Error ? e.message : String(e))}`, { cause: e });
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e: unknown) {
  console.error(e instanceof DefinitionError ? e.problems.join('\n') : e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
