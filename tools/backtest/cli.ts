import { parseArgs } from 'node:util';
import { BacktestUsageError } from './errors';
import { BacktestInputError, BacktestReadError, renderBacktest, runBacktest, type BacktestOptions } from './index';

/**
 * `npm run backtest -- --local --since 14d`: the backtest's command line (the `autopilot backtest`
 * command calls runBacktest with the same options). Markdown on stdout, or the report as JSON with
 * --json; a problem is one line on stderr: exit 2 for what was typed, 1 when the account could
 * not be read or held nothing to replay.
 */
export const USAGE = `Usage: npm run backtest -- [--local] [--since 14d | --from ISO [--to ISO]] [--env ENV] [--config FILE] [--region REGION] [--profile NAME] [--json]

  --local           the drill's sandbox account: two seeded weeks of the seed systems (no AWS account needed)
  --since 14d       how far back (m, h, d, w); default 14d. CloudWatch keeps alarm history 30 days
  --from, --to      an ISO 8601 window instead (--to defaults to now)
  --env ENV         config/<env>.json, the configuration replayed (default: prod)
  --config FILE     another configuration replayed over the same history, and compared
  --region REGION   default: the config's region
  --profile NAME    a profile of your AWS config (read-only access: docs/backtest.md)
  --json            the report as JSON`;

export function parseBacktestArgs(argv: readonly string[]): BacktestOptions & { json: boolean; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv], allowPositionals: false, strict: true,
      options: {
        local: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        since: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, env: { type: 'string' },
        config: { type: 'string' }, region: { type: 'string' }, profile: { type: 'string' },
      },
    });
  } catch (e: unknown) {
    throw new BacktestUsageError(e instanceof Error ? e.message : String(e));
  }
  const v = parsed.values;
  return {
    json: v.json ?? false, help: v.help ?? false, ...(v.local ? { local: true } : {}),
    ...Object.fromEntries((['since', 'from', 'to', 'env', 'config', 'region', 'profile'] as const).flatMap((k) => (v[k] === undefined ? [] : [[k, v[k]]]))),
  };
}

export async function main(argv: readonly string[], print: (text: string) => void = (t) => process.stdout.write(t), printError: (line: string) => void = console.error): Promise<number> {
  try {
    const { json, help, ...options } = parseBacktestArgs(argv);
    if (help) {
      print(`${USAGE}\n`);
      return 0;
    }
    const report = await runBacktest(options);
    print(json ? `${JSON.stringify(report, null, 2)}\n` : renderBacktest(report));
    return 0;
  } catch (e: unknown) {
    if (e instanceof BacktestInputError) {
      printError(`backtest: ${e.message}`);
      if (e instanceof BacktestUsageError) printError(USAGE);
      return 2;
    }
    printError(`backtest: ${e instanceof BacktestReadError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
