/**
 * Bundles every handler as the stack does (HANDLER_BUNDLING, esbuild) twice: with the AWS SDK
 * left to the runtime (what is deployed) and with each handler's SDK clients inside, to weigh
 * the SDK question. Sizes are the minified .mjs without its source map; the top modules come from
 * esbuild's metafile, node_modules grouped by package.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { HANDLER_BUNDLING, REPO_ROOT } from '../lib/constructs/handler-function';
import type { BenchHandler } from './handlers';

export type SdkVariant = 'runtime-sdk' | 'bundled-sdk';

/** Under node_modules, so a bundle that leaves the SDK out imports the project's copy, as a function imports the runtime's. */
export const BUNDLE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'runbook-autopilot-bench');

export interface Bundle {
  readonly entry: string;
  readonly variant: SdkVariant;
  readonly file: string;
  readonly bytes: number;
  /** The three largest contributors: a package under node_modules, or a project file. */
  readonly top: readonly { module: string; bytes: number }[];
  /** The SDK modules left to the runtime that the handler loads only at their first call (lambdas/shared/lazy-sdk.ts), not at init. */
  readonly deferredSdk: readonly string[];
  /** The SDK modules left to the runtime that the handler imports at init (statically). */
  readonly initSdk: readonly string[];
}

const moduleOf = (input: string): string => {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return pkg ? pkg[1]! : input;
};

const fileName = (handler: BenchHandler) => handler.entry.replace(/\.ts$/, '').replaceAll('/', '--');

/**
 * Every handler's bundle of one variant, in one esbuild run: each entry is bundled on its own (no
 * shared chunks), as the stack's functions are, but the packages they share are read once. With
 * the SDK inside, one run per handler took a minute here.
 */
export async function bundleAll(handlers: readonly BenchHandler[], variant: SdkVariant): Promise<Bundle[]> {
  const outdir = path.join(BUNDLE_DIR, variant);
  const result = await build({
    entryPoints: handlers.map((h) => ({ in: path.join(REPO_ROOT, h.entry), out: fileName(h) })),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: HANDLER_BUNDLING.format,
    minify: HANDLER_BUNDLING.minify,
    // Written beside the bundle as deployed: a function started with --enable-source-maps reads it at load.
    sourcemap: HANDLER_BUNDLING.sourceMap,
    sourcesContent: HANDLER_BUNDLING.sourcesContent,
    target: HANDLER_BUNDLING.target,
    mainFields: [...HANDLER_BUNDLING.mainFields],
    external: variant === 'runtime-sdk' ? [...HANDLER_BUNDLING.externalModules] : [],
    banner: { js: HANDLER_BUNDLING.banner },
    metafile: true,
    logLevel: 'error',
  });
  // Each bundle's own output (its source map is an output too, with no entry point and no inputs).
  const outputs = new Map(Object.entries(result.metafile.outputs).filter(([, o]) => o.entryPoint !== undefined).map(([file, o]) => [path.resolve(file), o]));
  return handlers.map((handler) => {
    const file = path.join(outdir, `${fileName(handler)}.mjs`);
    const output = outputs.get(file);
    if (!output) throw new Error(`esbuild wrote no bundle for ${handler.entry} (expected ${file})`);
    const byModule = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      byModule.set(moduleOf(input), (byModule.get(moduleOf(input)) ?? 0) + bytesInOutput);
    }
    const top = [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([module, bytes]) => ({ module, bytes }));
    const sdk = (deferred: boolean) => [...new Set(output.imports
      .filter((i) => i.external && (i.kind === 'dynamic-import') === deferred && i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort();
    return { entry: handler.entry, variant, file, bytes: fs.statSync(file).size, top, deferredSdk: sdk(true), initSdk: sdk(false) };
  });
}

/**
 * The SDK modules that most of `bundles` import at init, as one set (the ledger's, today), and how
 * many bundles import exactly that set; none when no bundle imports any.
 */
export function commonInitSdk(bundles: readonly Bundle[]): { modules: readonly string[]; handlers: number } {
  const sets = new Map<string, { modules: readonly string[]; handlers: number }>();
  for (const { initSdk } of bundles) {
    if (initSdk.length === 0) continue;
    const key = initSdk.join();
    const set = sets.get(key) ?? { modules: initSdk, handlers: 0 };
    sets.set(key, { ...set, handlers: set.handlers + 1 });
  }
  return [...sets.values()].sort((a, b) => b.handlers - a.handlers)[0] ?? { modules: [], handlers: 0 };
}
