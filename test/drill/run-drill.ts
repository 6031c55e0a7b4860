import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { DrillResult } from '../../drill/result';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface DrillRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** One per input, from --json. */
  readonly results: DrillResult[];
}

/**
 * Runs the drill exactly as a user does (`npm run drill -- ...`), in a process of its own. A run
 * whose ledger is throttled for good takes about two minutes of real SDK backoff (more on a busy
 * machine), hence the generous limit.
 */
export function runDrill(args: readonly string[]): Promise<DrillRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSX, 'drill/cli.ts', ...args], { cwd: ROOT, timeout: 180_000, env: { ...process.env, FORCE_COLOR: '0' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      const results = args.includes('--json') && code === 0
        ? stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as DrillResult)
        : [];
      resolve({ code, stdout, stderr, results });
    });
  });
}

export const scenario = (name: string) => path.join('drill', 'scenarios', `${name}.json`);
