import * as path from 'node:path';
import type { DrillFunction } from '../../drill/handlers';
import type { HandlerDef } from '../../lib/catalog';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Loads a handler with its own environment in a module registry of its own, as Lambda cold-starts
 * it: Jest ignores deletes from require.cache (drill/handlers.ts loadFunction), so a test that
 * loads the same handler twice, for two configurations or two replays, loads it through this.
 */
export async function loadIsolated(def: HandlerDef, name: string, arn: string, env: Record<string, string>): Promise<DrillFunction> {
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    let handler: unknown;
    await jest.isolateModulesAsync(async () => {
      handler = ((await import(path.join(ROOT, def.entry))) as { handler?: unknown }).handler;
    });
    if (typeof handler !== 'function') throw new Error(`${def.entry} exports no handler`);
    return { name, arn, def, handler: handler as DrillFunction['handler'] };
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
