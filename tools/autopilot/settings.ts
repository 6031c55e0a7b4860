/**
 * What every command is given: which environment's deployed stack (and how to reach it), or the
 * state the last drill left (`--local`), and how to print. The environment defaults to the one
 * `cdk deploy` deploys (cdk.json's context `env`), its region to the one its config names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { usageError } from './errors';

export const REPO_ROOT = path.join(__dirname, '..', '..');

/** The options shared by every command, as typed. */
export interface GlobalOptions {
  readonly env?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly local?: boolean;
  readonly stateDir?: string;
  readonly json?: boolean;
}

export type Settings =
  | { readonly kind: 'stack'; readonly env: string; readonly profile?: string; readonly region?: string; readonly json: boolean }
  | { readonly kind: 'local'; readonly stateDir?: string; readonly json: boolean };

/** cdk.json's `context.env`: the environment `cdk deploy` deploys without `-c env=...`. */
export function defaultEnvironment(root: string = REPO_ROOT): string {
  try {
    const cdk = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')) as { context?: { env?: unknown } };
    return typeof cdk.context?.env === 'string' ? cdk.context.env : 'dev';
  } catch {
    return 'dev';
  }
}

export function settingsOf(o: GlobalOptions): Settings {
  const json = o.json === true;
  if (o.local) {
    const remote = (['env', 'profile', 'region'] as const).filter((k) => o[k] !== undefined);
    if (remote.length > 0) throw usageError(`--local reads what the last drill left; ${remote.map((k) => `--${k}`).join(', ')} ${remote.length === 1 ? 'is' : 'are'} for a deployed stack`);
    return { kind: 'local', json, ...(o.stateDir !== undefined ? { stateDir: o.stateDir } : {}) };
  }
  if (o.stateDir !== undefined) throw usageError('--state-dir is where a drill kept its state: use it with --local');
  return {
    kind: 'stack', json, env: o.env ?? defaultEnvironment(),
    ...(o.profile !== undefined ? { profile: o.profile } : {}), ...(o.region !== undefined ? { region: o.region } : {}),
  };
}

/** Commands that change a deployed stack refuse --local in one sentence. */
export function deployedOnly(settings: Settings, what: string, instead: string): Extract<Settings, { kind: 'stack' }> {
  if (settings.kind === 'local') throw usageError(`${what} a deployed stack, not the last drill's state: ${instead}`);
  return settings;
}
