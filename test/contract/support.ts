/**
 * What the contract suite reads of the registered runbooks: each module with its name, the
 * environments' configs, the catalog built from them, and the drill runs it makes.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AwsCallReceived } from '../../drill/drill';
import type { DrillResult } from '../../drill/result';
import { MODULES, type AnyRunbook } from '../../lib/catalog';
import { CONFIG_DIR } from '../../lib/config/load';

export const ROOT = path.join(__dirname, '..', '..');

/** Each registered runbook, as [name, module], for describe.each. */
export const EACH_RUNBOOK: readonly [string, AnyRunbook][] = MODULES.map((m) => [m.name, m]);

/** The environments config/ holds. */
export const ENVIRONMENTS = fs.readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();

export const exists = (file: string) => fs.existsSync(path.join(ROOT, file));

/** A drill result with the AWS calls its input led to (--calls). */
export type RunResult = DrillResult & { readonly calls: readonly AwsCallReceived[] };

export interface ContractRun {
  readonly args: readonly string[];
  readonly code: number;
  readonly stderr: string;
  readonly results: readonly RunResult[];
}

// The pinned Node.js 24 the npm scripts use: the drill names the function behind each call only on
// Node.js 22.12 and later (drill/callers.ts), whatever Node runs jest.
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let running = 0;
const waiting: (() => void)[] = [];
/** Two drills at a time: each is a process of its own, and the machine is shared. */
const CONCURRENCY = 2;

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** `npm run drill -- <args> --json --calls`, as a user runs it, in a process of its own. */
export function drillRun(args: readonly string[]): Promise<ContractRun> {
  const all = [...args, '--json', '--calls'];
  return slot(() => new Promise((resolve) => {
    execFile(NODE, [TSX, 'drill/cli.ts', ...all], { cwd: ROOT, timeout: 240_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      const results = code === 0 ? stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as RunResult) : [];
      resolve({ args: all, code, stderr, results });
    });
  }));
}

/** The drill's name for a handler's function, as calls name their caller. */
export const drillFunctionName = (handlerId: string) => `runbook-autopilot-drill-${handlerId}`;
