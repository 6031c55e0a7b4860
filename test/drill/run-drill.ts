import { execFile } from 'node:child_process';
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
