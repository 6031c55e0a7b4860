import * as fs from 'node:fs';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../lib/config/load';
import type { EnvironmentConfig } from '../lib/config/schema';
import { InputError } from './inputs';
import type { AccountState } from './sandbox';

/**
 * A drill scenario: how the sandbox account differs from the seed systems before the events
 * arrive. `patch` is merged into the seeded state, `remove` deletes resources by path (a function
 * that was deleted, a service that is gone); `onDemandTables` and `deletedTables` change the seed tables.
 */
const scenarioSchema = z.strictObject({
  description: z.string().min(1),
  patch: z.record(z.string(), z.unknown()).optional(),
  remove: z.array(z.array(z.string().min(1)).min(2)).optional(),
  onDemandTables: z.array(z.string().min(1)).optional(),
  deletedTables: z.array(z.string().min(1)).optional(),
  /** Changes to config/drill.json for this scenario (validated like the file itself). */
  config: z.record(z.string(), z.unknown()).optional(),
  /**
   * After each run the sandbox clock moves on by this much: the one-time schedules due by then fire
   * (a timed revert), and what they start is reported with the run, as its undo.
   */
  clock: z.strictObject({ afterRunMinutes: z.number().int().min(1).max(7 * 24 * 60) }).optional(),
});
export type Scenario = z.infer<typeof scenarioSchema>;

export function readScenario(file: string): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e: unknown) {
    throw new InputError(`${file}: cannot read scenario (${e instanceof Error ? e.message : String(e)})`);
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${file}: invalid scenario at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** The drill config with the scenario's changes, validated as config/drill.json is. */
export function scenarioConfig(scenario: Scenario | undefined, config: EnvironmentConfig, file: string): EnvironmentConfig {
  if (!scenario?.config) return config;
  try {
    return parseConfig(merge(config, scenario.config, true), `${file} (config)`);
  } catch (e: unknown) {
    if (e instanceof ConfigError) throw new InputError(e.message);
    throw e;
  }
}

/** Applies a scenario to the seeded account; a path that names nothing is an error, not a no-op. */
export function applyScenario(scenario: Scenario, state: AccountState): AccountState {
  const merged = merge(state, scenario.patch ?? {}) as AccountState;
  for (const segments of scenario.remove ?? []) {
    const parent = segments.slice(0, -1).reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), merged);
    const leaf = segments[segments.length - 1]!;
    if (!isRecord(parent) || !(leaf in parent)) throw new InputError(`scenario remove: nothing at ${segments.join(' > ')}`);
    delete parent[leaf];
  }
  return merged;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep merge of a patch. In a config patch a null removes the key (as in a JSON merge patch,
 * RFC 7396); in account state null is a value (a function with no reserved concurrency).
 */
function merge(base: unknown, patch: unknown, nullRemoves = false): unknown {
  if (!isRecord(base) || !isRecord(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null && nullRemoves) delete out[key];
    else out[key] = merge(base[key], value, nullRemoves);
  }
  return out;
}
