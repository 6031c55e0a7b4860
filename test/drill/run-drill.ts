import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DrillResult } from '../../drill/result';
import { drillCommand, type CommandRun } from '../support/drills';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface DrillRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** One per input, from --json. */
  readonly results: DrillResult[];
}

const withResults = (args: readonly string[], { code, stdout, stderr }: Pick<CommandRun, 'code' | 'stdout' | 'stderr'>): DrillRun => ({
  code, stdout, stderr,
  results: args.includes('--json') && code === 0 ? stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as DrillResult) : [],
});

/**
 * Runs `npm run drill -- <args>` as a user does: the same command, output and exit code, a new
 * account and ledger, in the test run's drill processes (test/support/drills.ts). A test that
 * waits for it is not timed by Jest: the run itself is bounded.
 */
export async function runDrill(args: readonly string[]): Promise<DrillRun> {
  return withResults(args, await drillCommand(args));
}

/** `npm run drill -- <args>` in a process of its own, exactly as typed (the process's exit code too). */
export function runDrillProcess(args: readonly string[]): Promise<DrillRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSX, 'drill/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' } }, (error, stdout, stderr) => {
      resolve(withResults(args, { code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
    });
  });
}

export const scenario = (name: string) => path.join('drill', 'scenarios', `${name}.json`);

/** A runbook's recorded event, the one `npm run drill -- <runbook>` replays: events/<runbook>.<source>.json. */
export function recordedEvent(runbook: string): string {
  const [file, ...more] = fs.readdirSync(path.join(ROOT, 'events')).filter((f) => f.startsWith(`${runbook}.`) && f.endsWith('.json'));
  if (!file || more.length > 0) throw new Error(`events/: expected one recorded event of ${runbook}, found ${[file, ...more].filter(Boolean).join(', ') || 'none'}`);
  return `events/${file}`;
}

/**
 * A runbook's recorded event from a scenario of drill/scenarios/, with --json --calls: the arguments
 * the contract suite (test/contract/drills.test.ts) drills the runbook's scenarios with, so the
 * test run's drill processes run it once for both (the same command asked again is not run again).
 */
export function scenarioDrill(runbook: string, name: string): Promise<DrillRun> {
  return runDrill(['--scenario', scenario(name), '--event', recordedEvent(runbook), '--json', '--calls']);
}
