/**
 * The backtest: what the autopilot would have done over the last weeks of an account's own alarms.
 * It reads the account's alarm history (read-only), rebuilds each transition to ALARM as the event
 * EventBridge delivered, routes it by the rules and the tag router the stack deploys for a config,
 * and replays it in time order through the real admit handler against a fresh ledger, the clock set
 * to each transition's time. Plan only: no runbook step runs and the account is never changed.
 * `runBacktest` returns the report; `renderBacktest` writes it as Markdown. docs/backtest.md.
 */
import * as fs from 'node:fs';
import { partition } from '@aws-sdk/core/client';
import { withRunbookTags } from '../../drill/account-setup';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION, seedAccountState, startSandbox, type Sandbox } from '../../drill/sandbox';
import { ConfigError, loadConfig, parseConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { placeOfRead, readAccount } from './account';
import { BacktestInputError, BacktestReadError } from './errors';
import { AccountReader, type AccountAccess, type AccountRead } from './read';
import { replay, type LoadHandler, type ReplayResult } from './replay';
import { compareReports, replayReport, type BacktestReport } from './report';
import { historyWindow } from './window';

export { renderBacktest } from './render';
export { BacktestInputError, BacktestReadError } from './errors';
export type { BacktestReport, ComparisonReport, ReplayReport, RunbookSummary, AdmittedIncident, GapAlarm } from './report';
export type { Delivery, LoadHandler, ReplayResult } from './replay';

/** The sandbox's clock (--local): its seeded history ends here, so a report of it reads the same every day. */
export const LOCAL_NOW = new Date('2026-11-18T12:00:00Z');

export interface BacktestOptions {
  /** Read the drill's sandbox account (two seeded weeks of the seed systems) instead of an AWS account. */
  readonly local?: boolean;
  /** config/<env>.json: the configuration replayed. @default prod */
  readonly env?: string;
  /** Another configuration file replayed over the same history, and compared (a different cooldown, cap, target list). */
  readonly config?: string;
  /** How far back: 14d, 36h, 90m, 2w. @default 14d (unless from is given) */
  readonly since?: string;
  /** ISO 8601 start and end, instead of since (end: now). */
  readonly from?: string;
  readonly to?: string;
  /** @default the config's region */
  readonly region?: string;
  /** A profile of the shared AWS config and credentials files. */
  readonly profile?: string;
  /** @default the wall clock (LOCAL_NOW with local) */
  readonly now?: Date;
}

/**
 * What a caller may put in place: how handlers are loaded (a test's module registry), the account
 * read (a test's sandbox), and a look at each replay's deliveries (a test holds them against the live admit).
 */
export interface BacktestSeams {
  readonly loadHandler?: LoadHandler;
  readonly access?: AccountAccess;
  readonly onReplay?: (config: EnvironmentConfig, replayed: ReplayResult) => void;
}

function environmentConfig(env: string): EnvironmentConfig {
  try {
    return loadConfig(env);
  } catch (e: unknown) {
    if (e instanceof ConfigError) throw new BacktestInputError(`--env ${env}: ${e.message}`);
    throw e;
  }
}

function configFile(file: string): EnvironmentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e: unknown) {
    throw new BacktestInputError(`--config ${file}: ${e instanceof SyntaxError ? `not valid JSON: ${e.message}` : (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e)}`);
  }
  try {
    return parseConfig(raw, file);
  } catch (e: unknown) {
    if (e instanceof ConfigError) throw new BacktestInputError(`--config: ${e.message}`);
    throw e;
  }
}

/** A region the SDK's partition data lists (a region launched after this SDK release is not yet known to it). */
function checkRegion(region: string): void {
  if (!('description' in partition(region))) {
    throw new BacktestInputError(`unknown region ${JSON.stringify(region)}: not a region AWS lists (e.g. us-east-1, eu-west-1, sa-east-1); nothing was read`);
  }
}

/** One line for why the account could not be read. */
function readFailure(e: unknown, access: AccountAccess): BacktestReadError {
  const err = e as { name?: string; message?: string; code?: string; Code?: string };
  const text = `${err.name ?? 'Error'}: ${(err.message ?? String(e)).split('\n')[0]}`;
  if (err.name === 'CredentialsProviderError' || /credential/i.test(err.message ?? '')) {
    return new BacktestReadError(`no AWS credentials for ${access.region}${access.profile ? ` (profile ${access.profile})` : ''}: sign in (aws sso login, AWS_PROFILE or --profile), or try --local; nothing was read`);
  }
  if (/AccessDenied|UnauthorizedOperation|not authorized/i.test(`${err.name ?? ''} ${err.Code ?? ''} ${err.message ?? ''}`)) {
    return new BacktestReadError(`not allowed to read the alarm history: attach the read-only policy of docs/backtest.md (${text}); nothing was replayed`);
  }
  if (['ENOTFOUND', 'ECONNREFUSED', 'EAI_AGAIN', 'ETIMEDOUT'].includes(err.code ?? '') || err.name === 'TimeoutError') {
    return new BacktestReadError(`cannot reach CloudWatch in ${access.region} (${err.code ?? err.name ?? 'no answer'}): check the region and the network; nothing was read`);
  }
  return new BacktestReadError(`${text}; nothing was replayed`);
}

async function readOnce(access: AccountAccess, window: ReturnType<typeof historyWindow>, configs: readonly EnvironmentConfig[]): Promise<AccountRead> {
  const reader = new AccountReader(access);
  try {
    return await readAccount(reader, window, configs);
  } catch (e: unknown) {
    throw readFailure(e, access);
  } finally {
    reader.close();
  }
}

/** Reads the history once, replays it with the config (and the other config, if given), and reports. */
export async function runBacktest(options: BacktestOptions = {}, seams: BacktestSeams = {}): Promise<BacktestReport> {
  const config = environmentConfig(options.env ?? 'prod');
  const other = options.config === undefined ? undefined : configFile(options.config);
  const now = options.now ?? (options.local ? LOCAL_NOW : new Date());
  const window = historyWindow(options, now);
  let sandbox: Sandbox | undefined;
  try {
    let access = seams.access;
    if (access === undefined && options.local) {
      if (options.region !== undefined && options.region !== SANDBOX_REGION) throw new BacktestInputError(`--local reads the sandbox account, which is in ${SANDBOX_REGION}, not ${options.region}`);
      if (options.profile !== undefined) throw new BacktestInputError('--local reads the sandbox account: --profile names an AWS account');
      sandbox = await startSandbox(seedAccountState(withRunbookTags, { now }), { now: () => now });
      access = { region: SANDBOX_REGION, endpoint: sandbox.url, credentials: SANDBOX_CREDENTIALS };
    }
    if (access === undefined) {
      const region = options.region ?? config.region;
      checkRegion(region);
      access = { region, ...(options.profile ? { profile: options.profile } : {}) };
    }
    const read = await readOnce(access, window, other ? [config, other] : [config]);
    if (read.transitions.length === 0) {
      throw new BacktestReadError(`no alarm changed state in ${access.region} from ${window.from} to ${window.to}: nothing to replay`);
    }
    const replayed = async (c: EnvironmentConfig) => {
      const result = await replay(read, c, seams.loadHandler);
      seams.onReplay?.(c, result);
      return replayReport(read, c, result);
    };
    const base = await replayed(config);
    const comparison = other && options.config ? compareReports(options.config, base, await replayed(other)) : null;
    const account = placeOfRead(read)?.account ?? null;
    const notes = [
      ...(window.beyondRetention
        ? [`CloudWatch keeps alarm history for ${window.retentionDays} days: the window asked for starts ${window.requestedFrom}, so it was read from ${window.from}, the oldest moment kept.`]
        : []),
      ...(config.account !== undefined && account !== null && config.account !== account
        ? [`config/${config.environment}.json names account ${config.account}, but the alarms read are in ${account}: check the credentials or the profile.`]
        : []),
    ];
    return {
      ...base, source: options.local ? 'local' : 'account', region: access.region, account, window,
      read: { stateChanges: read.transitions.length, alarms: new Set(read.transitions.map((t) => t.alarmName)).size, calls: read.calls },
      notes, comparison,
    };
  } finally {
    await sandbox?.close();
  }
}
