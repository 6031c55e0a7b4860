/**
 * Cold init of a bundle: a fresh Node.js process per sample imports it and calls the handler once
 * (bench/cold-init-child.mjs), with the function's environment. Median of the samples; Node's own
 * start-up is not counted (it is Lambda's runtime start, the same for every function). The SDK
 * modules a handler loads at their first call (lambdas/shared/lazy-sdk.ts) are not in init: their
 * load is timed apart (deferredMs), in the same process after the call, so the cost moved out of
 * init stays in view. It is the longest part of a process, so it is timed in the first
 * `deferredSamples` of them only.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { sandboxEndpointEnv } from '../drill/sandbox';
import { RUNTIME_ENVIRONMENT } from '../lib/constructs/handler-function';
import { BUNDLE_DIR, type Bundle } from './bundles';
import type { BenchHandler } from './handlers';
import { median, round } from './stats';

const run = promisify(execFile);
const CHILD = path.join(__dirname, 'cold-init-child.mjs');

export interface ColdInit {
  readonly loadMs: number;
  readonly firstCallMs: number;
  /** Module load plus the first call: what a cold start adds before the handler's own work. */
  readonly initMs: number;
  /** Loading every SDK module the handler defers to its first call of that service (0 when none): the most a first invocation adds. */
  readonly deferredMs: number;
}

interface Sample { loadMs: number; firstCallMs: number; deferredMs: number }

/** One cold start of `file` in a fresh process (cold-init-child.mjs), then the load of `deferred`. */
async function sample(file: string, env: NodeJS.ProcessEnv, deferred: readonly string[]): Promise<Sample> {
  const { stdout } = await run(process.execPath, [CHILD, file, ...deferred], { env, timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Sample;
}

export async function coldInit(bundle: Bundle, handler: BenchHandler, samples: number, deferredSamples: number): Promise<ColdInit> {
  const env = {
    PATH: process.env.PATH ?? '',
    ...sandboxEndpointEnv('http://127.0.0.1:9'),
    ...handler.environment,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  const loads: number[] = [];
  const calls: number[] = [];
  const deferred: number[] = [];
  for (let i = 0; i < samples; i++) {
    const timesDeferred = i < deferredSamples;
    const out = await sample(bundle.file, env, timesDeferred ? bundle.deferredSdk : []);
    loads.push(out.loadMs);
    calls.push(out.firstCallMs);
    if (timesDeferred) deferred.push(out.deferredMs);
  }
  const inits = loads.map((l, i) => l + calls[i]!);
  return { loadMs: round(median(loads), 1), firstCallMs: round(median(calls), 1), initMs: round(median(inits), 1), deferredMs: round(median(deferred), 1) };
}

/**
 * What importing `modules` alone costs a cold start: a module that imports them and nothing else,
 * in BUNDLE_DIR beside the bundles (so they resolve to the same SDK), timed as a handler is (median
 * of `samples` fresh processes, Node.js's start not counted). For the SDK modules most handlers
 * import at init (the ledger's), it is the floor under their cold init.
 */
export async function importColdMs(modules: readonly string[], samples: number): Promise<number> {
  const source = importOnlyModule(modules);
  // Named by its content: a bench and a test timing different modules at once each time their own.
  const file = path.join(BUNDLE_DIR, `import-only-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.mjs`);
  fs.mkdirSync(BUNDLE_DIR, { recursive: true });
  fs.writeFileSync(file, source);
  const env = { PATH: process.env.PATH ?? '', ...RUNTIME_ENVIRONMENT };
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const out = await sample(file, env, []);
    times.push(out.loadMs + out.firstCallMs);
  }
  return round(median(times), 1);
}

/** A module that imports `modules` (for their load alone) and has a handler that does nothing. */
export function importOnlyModule(modules: readonly string[]): string {
  return `${modules.map((m) => `import ${JSON.stringify(m)};`).join('\n')}\nexport const handler = async () => undefined;\n`;
}
