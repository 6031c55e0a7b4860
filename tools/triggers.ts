/**
 * npm run triggers               writes lambdas/shared/runbook-triggers.generated.json from the runbook modules
 * npm run triggers -- --check    writes nothing; exits 1 when the file is not what the modules say
 *
 * What starts each runbook (its alarm routes, budget or service-event routes) is the same in every
 * environment, so admit and the alarm router carry it in their bundles rather than in their environments, whose 4 KB they
 * would outgrow as the catalog grows. Handlers never load runbooks/ or lib/: this file is the bridge.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runbookTriggers } from '../lib/catalog';

export const TRIGGERS_FILE = path.join(__dirname, '..', 'lambdas', 'shared', 'runbook-triggers.generated.json');

/** The file's text as the registered modules make it. */
export const triggersText = (): string => `${JSON.stringify(runbookTriggers(), null, 2)}\n`;

/** Why the committed file is stale, as a sentence that says what to run, or undefined when it is current. */
export function triggersStaleness(): string | undefined {
  const why = !fs.existsSync(TRIGGERS_FILE) ? 'missing' : fs.readFileSync(TRIGGERS_FILE, 'utf8') === triggersText() ? undefined : 'differs';
  return why && `lambdas/shared/runbook-triggers.generated.json is not what the runbook modules say (${why}): run npm run triggers`;
}

function main(args: readonly string[]): number {
  const relative = path.relative(process.cwd(), TRIGGERS_FILE);
  if (args.length === 1 && args[0] === '--check') {
    const stale = triggersStaleness();
    if (stale) console.error(stale);
    return stale ? 1 : 0;
  }
  if (args.length > 0) throw new Error(`unknown arguments: ${args.join(' ')} (usage: npm run triggers [-- --check])`);
  const changed = triggersStaleness() !== undefined;
  if (changed) fs.writeFileSync(TRIGGERS_FILE, triggersText());
  console.log(`${relative}: ${changed ? 'written' : 'unchanged'}`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e: unknown) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  }
}
