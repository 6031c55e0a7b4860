/**
 * The post-incident reports the drill's incidents leave in the report bucket (`npm run drill --
 * --report DIR`): the same report step and writer that deploy. Golden pages per core runbook
 * (test/drill/fixtures/reports/), stable across runs: what a run cannot repeat (wall-clock times,
 * execution names, request ids) is normalised here, never in the report. UPDATE_GOLDEN=1 rewrites
 * them after a change meant to alter the pages; review the diff.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { METRIC } from '../../lambdas/domain/metrics';
import { MODULES } from '../../lib/catalog';
import { runDrill } from './run-drill';

const ROOT = path.join(__dirname, '..', '..');
const GOLDEN = path.join(__dirname, 'fixtures', 'reports');
const CORE = ['lambda-runaway', 'dynamodb-throttling', 'ecs-service-recovery', 'llm-budget-guardrail'] as const;
const FN = 'cabruca-segmentation-prod-researcher-agent';

const reportDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'incident-reports-'));
const read = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

/** The times a recorded event carries (its alarm's state change, its budget alert): the only times a report may keep. */
function recordedTimes(eventFile: string): Set<string> {
  return new Set(fs.readFileSync(path.join(ROOT, eventFile), 'utf8').match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g) ?? []);
}

/** What a run cannot repeat, replaced by what it stands for: wall-clock times and the durations measured from them, execution names, request and resource ids. */
function normalised(text: string, keep: ReadonlySet<string>): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, (t) => (keep.has(t) ? t : '<time>'))
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\bapr-[0-9a-f]{32}\b/g, 'apr-<id>')
    // The sandbox numbers what it creates in the order requests reach it (a retry under load shifts them).
    .replace(/\becs-svc\/\d+/g, 'ecs-svc/<id>')
    // A backup is named after the moment it was taken; stuck tasks are counted from an hour before now.
    .replace(/\/backup\/\d{14}-[0-9a-f]{8}\b/g, '/backup/<id>')
    .replace(/\bcutoff=\d+/g, 'cutoff=<epoch seconds>')
    // Times from the recorded trigger to now, as the drill's clock runs.
    .replace(/(\| Trigger to (?:first mitigating call|resolution) \| (?:not resolved by the runbook: closed \w+ after )?)[^|(]*?(?= \(| \|)/g, '$1<duration>');
}

const golden = (runbook: string) => path.join(GOLDEN, `${runbook}.md`);

describe('one report per incident, from the bucket the report step wrote it to; golden per core runbook', () => {
  const dir = reportDir();
  const run = runDrill([...CORE, '--report', dir, '--json']);

  test.each(CORE)('%s', async (runbook) => {
    const { code, results } = await run;
    expect(code).toBe(0);
    const r = results.find((x) => x.runbook === runbook)!;
    expect(r).toMatchObject({ outcome: 'remediated', report: { written: true, reason: null } });
    const file = path.basename(r.report!.key!);
    expect(file).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}-${runbook}-[A-Za-z0-9._-]+\\.md$`));
    const page = normalised(read(dir)[file]!, recordedTimes(MODULES.find((m) => m.name === runbook)!.drill.event));
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(golden(runbook), page);
    expect(fs.existsSync(golden(runbook)) ? page : `(no golden ${golden(runbook)}: run UPDATE_GOLDEN=1 npx jest test/drill/reports.test.ts)`)
      .toBe(fs.existsSync(golden(runbook)) ? fs.readFileSync(golden(runbook), 'utf8') : '');
  });

  test('one file per incident, no other', async () => {
    const { results } = await run;
    expect(Object.keys(read(dir))).toEqual(results.map((r) => path.basename(r.report!.key!)).sort());
  });
});

test('two incidents of one runbook and target on one day: the second report takes the next name, the first is left as it was', async () => {
  const dir = reportDir();
  const { results } = await runDrill(['--event', 'events/lambda-runaway.alarm.json', '--event', 'events/samples/lambda-runaway-refired.alarm.json', '--report', dir, '--json']);
  expect(results.map((r) => [r.outcome, r.report?.key])).toEqual([
    ['remediated', `incidents/2026-11-03-lambda-runaway-${FN}.md`],
    ['skipped', `incidents/2026-11-03-lambda-runaway-${FN}-2.md`],
  ]);
  const pages = read(dir);
  expect(pages[`2026-11-03-lambda-runaway-${FN}.md`]).toMatch(/^# lambda-runaway on `[^`]+`: remediated\n/);
  expect(pages[`2026-11-03-lambda-runaway-${FN}-2.md`]).toMatch(/^# lambda-runaway on `[^`]+`: skipped\n/);
  expect(pages[`2026-11-03-lambda-runaway-${FN}-2.md`]).toContain('- **Suppressed (cooldown)**: ');
});

test('the report cannot be written (PutObject denied, for good): the incident ends as it would have, the report counted as not written', async () => {
  const { code, results: [r] } = await runDrill(['lambda-runaway', '--fault', 's3:PutObject=access-deniedx500', '--json']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ outcome: 'remediated', notifications: [{ outcome: 'remediated', topic: 'info' }], runs: [{ status: 'SUCCEEDED' }] });
  expect(r!.report).toEqual({ written: false, key: null, reason: expect.stringMatching(/^AwsAccessDenied: writing the report of inc-[0-9a-f]{16} to s3:\/\/.*: AccessDenied: /) });
  // Access denied is not retried: caught at once, then counted.
  const write = r!.timeline.filter((t) => t.state === 'Write the incident report').map((t) => t.event);
  expect({ caught: write.includes('caught'), retried: write.includes('retried') }).toEqual({ caught: true, retried: false });
  expect(r!.timeline).toContainEqual(expect.objectContaining({ state: 'Count the unwritten report', event: 'done', detail: expect.stringMatching(/^report not written: AwsAccessDenied: /) }));
  expect(r!.metrics.filter((m) => m.name === METRIC.reportsNotWritten)).toEqual([expect.objectContaining({ value: 1, executionArn: r!.executionArn })]);
});

test("a failed run's report is written by the execution-failure notifier; a redrive that ends the incident rewrites it at the same key", async () => {
  const dir = reportDir();
  const { results: [r] } = await runDrill(['lambda-runaway', '--fault', 'lambda:PutFunctionConcurrency=server-errorx20', '--then-redrive', '--report', dir, '--json']);
  expect(r).toMatchObject({ outcome: 'remediated', runs: [{ status: 'FAILED' }, { status: 'SUCCEEDED' }], report: { written: true, key: `incidents/2026-11-03-lambda-runaway-${FN}.md` } });
  const page = read(dir)[`2026-11-03-lambda-runaway-${FN}.md`]!;
  expect(page).toMatch(/^# lambda-runaway on `[^`]+`: remediated\n/);
  // The failure is part of the incident's record, whoever wrote the page last.
  expect(page).toContain('- The execution failed at `Stop function: reserved concurrency 0` (run 0); the execution-failure rule paged the critical topic');
});

test("an undo rewrites the incident's report with the undo in it", async () => {
  const dir = reportDir();
  const { results: [r] } = await runDrill(['lambda-runaway', '--then-undo', '--report', dir, '--json']);
  expect(r?.undo?.outcome).toBe('remediated');
  const page = read(dir)[`2026-11-03-lambda-runaway-${FN}.md`]!;
  expect(page).toMatch(/\n## Undo\n\n- \*\*undone\*\*, requested by drill \(/);
  expect(page).toContain('(step `undo-stop`): `0 -> none`; succeeded');
});

test('--report to a path that is a file, or with no directory, is a usage error (exit 2) and nothing runs', async () => {
  const file = path.join(reportDir(), 'a-file');
  fs.writeFileSync(file, '');
  const notDir = await runDrill(['lambda-runaway', '--report', file]);
  expect({ code: notDir.code, stderr: notDir.stderr.split('\n')[0] }).toEqual({ code: 2, stderr: `drill: --report ${file}: not a directory` });
  const missing = await runDrill(['lambda-runaway', '--report']);
  expect({ code: missing.code, stderr: missing.stderr.split('\n')[0] }).toEqual({ code: 2, stderr: 'drill: --report needs a directory' });
});

// Runbooks with no alarm to verify by: each polls a check until its change has taken effect, and its report says so.
const VERIFIED_BY_CHECK = ['lambda-timeouts', 'ecs-deployment-rollback', 'workflow-stuck', 'auth-degraded-mode', 'agentcore-halt'] as const;

test("a runbook that verifies by a check it polls: the report's verification is that check's answer, naming it", async () => {
  const dir = reportDir();
  const { code, results } = await runDrill([...VERIFIED_BY_CHECK, '--report', dir, '--json']);
  expect(code).toBe(0);
  const pages = read(dir);
  const verification = results.map((r) => {
    const page = pages[path.basename(r.report!.key!)]!;
    return [r.runbook, /\n## Verification\n\n(.*)\n/.exec(page)?.[1]];
  });
  expect(verification).toEqual(VERIFIED_BY_CHECK.map((runbook) => [runbook, expect.stringMatching(/^- \*\*verified\*\* \(Check [^)]+\): \S/)]));
});
