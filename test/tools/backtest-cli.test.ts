/**
 * `npm run backtest` as a person types it: one line for what cannot be run, exit 2 for what was
 * typed, 1 when nothing could be read; a window beyond what CloudWatch keeps is said and read from
 * the oldest moment kept. In process (tools/backtest/cli.ts main).
 */
import { withRunbookTags } from '../../drill/account-setup';
import { SANDBOX_CREDENTIALS, SANDBOX_REGION, seedAccountState, startSandbox, type Sandbox } from '../../drill/sandbox';
import { main, USAGE } from '../../tools/backtest/cli';
import { BacktestReadError, LOCAL_NOW, runBacktest, type BacktestReport } from '../../tools/backtest';
import { loadIsolated } from '../support/isolated-handlers';

const saved = { ...process.env };
let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
});
afterEach(() => {
  process.env = { ...saved };
});
const run = (...argv: string[]) => main(argv, (t) => out.push(t), (l) => err.push(l));

test('no credentials: one line, exit 1, nothing read', async () => {
  for (const k of Object.keys(process.env)) if (/^AWS_/.test(k)) delete process.env[k];
  Object.assign(process.env, { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_EC2_METADATA_DISABLED: 'true' });

  expect(await run('--region', 'sa-east-1')).toBe(1);
  expect(err).toEqual(['backtest: no AWS credentials for sa-east-1: sign in (aws sso login, AWS_PROFILE or --profile), or try --local; nothing was read']);
  expect(out).toEqual([]);
});

test('an unknown region: one line, exit 2, nothing read', async () => {
  expect(await run('--region', 'mars-east-1')).toBe(2);
  expect(err).toEqual(['backtest: unknown region "mars-east-1": not a region AWS lists (e.g. us-east-1, eu-west-1, sa-east-1); nothing was read']);
});

test('an empty history: one line, exit 1', async () => {
  // Day 0 of the seeded weeks: nothing changed state.
  expect(await run('--local', '--from', '2026-11-05T00:30:00Z', '--to', '2026-11-05T23:00:00Z')).toBe(1);
  expect(err).toEqual(['backtest: no alarm changed state in sa-east-1 from 2026-11-05T00:30:00.000Z to 2026-11-05T23:00:00.000Z: nothing to replay']);
});

test.each([
  [['--since'], "Option '--since <value>' argument missing"],
  [['--weeks', '2'], "Unknown option '--weeks'"],
])('a command line it cannot read (%j): the line, then the usage, exit 2', async (argv, line) => {
  expect(await run(...argv)).toBe(2);
  expect(err[0]).toContain(line);
  expect(err.slice(1)).toEqual([USAGE]);
});

test.each([
  [['--local', '--region', 'us-east-1'], 'backtest: --local reads the sandbox account, which is in sa-east-1, not us-east-1'],
  [['--local', '--since', '14 days'], 'backtest: --since "14 days": give a number and a unit, e.g. 14d, 36h, 90m or 2w'],
  [['--local', '--since', '14d', '--from', '2026-11-01'], 'backtest: --since and --from say the same thing: give one of them'],
])('options that contradict or cannot be read (%j): one line, exit 2', async (argv, line) => {
  expect(await run(...argv)).toBe(2);
  expect(err).toEqual([line]);
});

test('a window older than CloudWatch keeps: said in one sentence, and what was read from the oldest moment kept is replayed', async () => {
  const code = await run('--local', '--from', '2026-10-01T00:00:00Z', '--to', '2026-11-13T23:59:59Z', '--json');

  expect(err).toEqual([]);
  expect(code).toBe(0);
  const report = JSON.parse(out.join('')) as BacktestReport;
  const kept = new Date(LOCAL_NOW.getTime() - 30 * 86_400_000).toISOString();
  expect(report.window).toEqual({ requestedFrom: '2026-10-01T00:00:00.000Z', from: kept, to: '2026-11-13T23:59:59.000Z', retentionDays: 30, beyondRetention: true });
  expect(report.notes).toEqual([`CloudWatch keeps alarm history for 30 days: the window asked for starts 2026-10-01T00:00:00.000Z, so it was read from ${kept}, the oldest moment kept.`]);
  const seeded = (seedAccountState(withRunbookTags, { now: LOCAL_NOW }).cloudwatch.history ?? [])
    .filter((i) => i.historyItemType === 'StateUpdate' && i.timestamp >= kept && i.timestamp <= '2026-11-13T23:59:59.000Z');
  expect(report.read.stateChanges).toBe(seeded.length);
  // The quiet week, the runaway of day 7 (3 admitted, 1 in its cooldown, 1 flapping), day 8's three services, the deleted alarm.
  expect(report.totals).toMatchObject({ toAlarm: 13, routed: 8, unrouted: 5, admitted: 5, held: expect.objectContaining({ cooldown: 2, flapping: 1 }) });
});

describe('reading an account that answers with errors', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox(seedAccountState(withRunbookTags, { now: LOCAL_NOW }), { now: () => LOCAL_NOW });
  });
  afterEach(async () => {
    await sandbox.close();
  });
  // Day 8 of the seeded weeks: the admin service, the admin frontend and the team's composite over it.
  const day8 = { local: true, from: '2026-11-13T00:00:00Z', to: '2026-11-13T23:59:59Z' };
  const access = () => ({ region: SANDBOX_REGION, endpoint: sandbox.url, credentials: SANDBOX_CREDENTIALS });

  test('throttled history reads are retried by the SDK, and every page is read once', async () => {
    sandbox.injectFault({ service: 'cloudwatch', operation: 'DescribeAlarmHistory', error: 'throttling', times: 2 });

    const report = await runBacktest(day8, { access: access(), loadHandler: loadIsolated });

    const history = sandbox.calls.filter((c) => c.operation === 'DescribeAlarmHistory');
    expect(history.map((c) => c.error?.code)).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
    expect(report.read.calls['cloudwatch:DescribeAlarmHistory']).toBe(1);
    expect(report.totals).toMatchObject({ toAlarm: 4, routed: 3, unrouted: 1, admitted: 2, held: expect.objectContaining({ cooldown: 1 }) });
  });

  test('access denied: one line that names the policy, nothing replayed', async () => {
    sandbox.injectFault({ service: 'cloudwatch', operation: 'DescribeAlarmHistory', error: 'access-denied' });

    const error = await runBacktest(day8, { access: access(), loadHandler: loadIsolated }).then(() => undefined, (e: unknown) => e);

    expect(error).toBeInstanceOf(BacktestReadError);
    expect((error as Error).message).toMatch(/^not allowed to read the alarm history: attach the read-only policy of docs\/backtest\.md \(AccessDenied\w*: .* is not authorized to perform: cloudwatch:DescribeAlarmHistory .*\); nothing was replayed$/);
    expect(sandbox.calls.map((c) => c.operation)).toEqual(['DescribeAlarmHistory']);
  });
});
