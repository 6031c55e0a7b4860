/**
 * What a drill leaves behind: its sandbox ledger (every item of the ledger table) and the switch
 * values, written at the end of `npm run drill` to `.drill/state.json` (git-ignored), so
 * `autopilot --local status` shows what the last drill did. Each drill starts from a new account
 * and ledger and replaces the file whole (written beside it, then renamed: a reader never sees
 * half of one). Read by the command line with no drill code loaded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from '../lambdas/shared/zod';

/** Where the test suite's drills keep theirs (a directory of the run's own), so they never replace a person's. */
export const DRILL_STATE_DIR_VARIABLE = 'RUNBOOK_AUTOPILOT_DRILL_STATE_DIR';
export const DEFAULT_DRILL_STATE_DIR = path.join(__dirname, '..', '.drill');
export const DRILL_STATE_FILE = 'state.json';

const switchSchema = z.object({ parameter: z.string(), value: z.nullable(z.string()) });
const keptStateSchema = z.object({
  version: z.literal(1),
  writtenAt: z.string(),
  environment: z.string(),
  region: z.string(),
  account: z.string(),
  ledgerTable: z.string(),
  switches: z.object({ automation: switchSchema, runbooks: z.record(z.string(), switchSchema) }),
  /** Every ledger item as DynamoDB holds it (pk, sk and the rest); string and number sets as sorted lists. */
  ledger: z.array(z.record(z.string(), z.unknown())),
});
export type KeptState = z.infer<typeof keptStateSchema>;

/** No state where one was looked for: no drill has run here yet, or it was not kept. */
export class NoKeptState extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoKeptState';
  }
}

/** The directory given, else the one the environment names, else the checkout's `.drill/`. */
export function drillStateDir(given?: string): string {
  return path.resolve(given ?? (process.env[DRILL_STATE_DIR_VARIABLE] || DEFAULT_DRILL_STATE_DIR));
}

export function writeKeptState(dir: string, state: KeptState): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, DRILL_STATE_FILE);
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, `${JSON.stringify(state, setsAsLists, 2)}\n`);
  fs.renameSync(partial, file);
  return file;
}

export function readKeptState(dir: string): KeptState {
  const file = path.join(dir, DRILL_STATE_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NoKeptState(`no drill has left its state in ${file} yet: run npm run drill first`);
    throw e;
  }
  let parsed;
  try {
    parsed = keptStateSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) throw new NoKeptState(`${file} is not a drill state this version reads: run npm run drill again`);
  return parsed.data;
}

/** A DynamoDB set (unmarshalled as a Set) kept as its sorted members: JSON has no sets. */
function setsAsLists(_key: string, value: unknown): unknown {
  return value instanceof Set ? [...(value as Set<string | number>)].sort() : value;
}
