import * as fs from 'node:fs';
import * as path from 'node:path';

import { environmentConfigSchema, type EnvironmentConfig } from './schema';

export const CONFIG_DIR = path.join(__dirname, '..', '..', 'config');

/** A config that failed validation; the message names every bad field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates a raw config object; throws one ConfigError listing each bad field by its path. */
export function parseConfig(raw: unknown, source: string): EnvironmentConfig {
  const result = environmentConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new ConfigError(`Invalid config ${source}: ${problems.join('; ')}`);
}

/** Loads config/<env>.json. */
export function loadConfig(env: string): EnvironmentConfig {
  if (!/^[a-z]+$/.test(env)) throw new ConfigError(`Invalid environment name "${env}"`);
  const file = path.join(CONFIG_DIR, `${env}.json`);
  if (!fs.existsSync(file)) {
    const known = fs.readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    throw new ConfigError(`No config for environment "${env}" (known: ${known.join(', ')})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e: unknown) {
    throw new ConfigError(`config/${env}.json is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const config = parseConfig(raw, `config/${env}.json`);
  if (config.environment !== env) {
    throw new ConfigError(`config/${env}.json: environment: expected "${env}", got "${config.environment}"`);
  }
  return config;
}

function formatPath(p: readonly PropertyKey[]): string {
  return p.length === 0 ? '(root)' : p.map((k) => (typeof k === 'number' ? `[${k}]` : String(k))).join('.').replace(/\.\[/g, '[');
}

export type { EnvironmentConfig };
