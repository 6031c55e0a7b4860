/**
 * npm run docs               writes docs/alert-matrix.md and docs/runbooks/<state machine>.md
 * npm run docs -- --check    writes nothing; exits 1 naming each page that is not what the sources generate
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODULES } from '../../lib/catalog';
import undo from '../../statemachines/src/undo';
import { runbookFacts, type RunbookFacts } from './facts';
import { alertMatrix, runbookPage, undoPage } from './pages';

const DOCS = path.join(__dirname, '..', '..', 'docs');

/** Every generated page, by its path under docs/. */
export function generatedPages(): Map<string, string> {
  const facts = new Map<string, RunbookFacts>(MODULES.map((m) => [m.name, runbookFacts(m)]));
  const pages = new Map<string, string>([['alert-matrix.md', alertMatrix(MODULES, facts)]]);
  for (const m of MODULES) pages.set(`runbooks/${m.name}.md`, runbookPage(m, facts.get(m.name)!, m.stateMachine.definition));
  pages.set('runbooks/undo.md', undoPage(undo, MODULES, facts));
  return pages;
}

/** Pages under docs/ that differ from what the sources generate, and generated-looking pages no source makes any more. */
export function stalePages(pages: ReadonlyMap<string, string>): string[] {
  const stale = [...pages].filter(([file, text]) => {
    const at = path.join(DOCS, file);
    return !fs.existsSync(at) || fs.readFileSync(at, 'utf8') !== text;
  }).map(([file]) => file);
  const dir = path.join(DOCS, 'runbooks');
  const orphans = fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => `runbooks/${f}`).filter((f) => !pages.has(f)) : [];
  return [...stale, ...orphans];
}

function main(args: readonly string[]): number {
  const pages = generatedPages();
  if (args.length === 1 && args[0] === '--check') {
    const stale = stalePages(pages);
    for (const file of stale) console.error(`docs/${file} is not what npm run docs generates from the runbook modules and config`);
    return stale.length > 0 ? 1 : 0;
  }
  if (args.length > 0) throw new Error(`unknown arguments: ${args.join(' ')} (usage: npm run docs [-- --check])`);
  fs.mkdirSync(path.join(DOCS, 'runbooks'), { recursive: true });
  for (const orphan of stalePages(pages).filter((f) => !pages.has(f))) fs.rmSync(path.join(DOCS, orphan));
  for (const [file, text] of pages) {
    const at = path.join(DOCS, file);
    const changed = !fs.existsSync(at) || fs.readFileSync(at, 'utf8') !== text;
    if (changed) fs.writeFileSync(at, text);
    console.log(`docs/${file}: ${changed ? 'written' : 'unchanged'}`);
  }
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e: unknown) {
    console.error(`docs: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  }
}
