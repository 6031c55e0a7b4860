import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AwsCallReceived } from '../../drill/drill';
import { AGENTOPS_API_KEY_VALUE, AGENTOPS_SECRET, KEYLESS_AGENT } from '../../drill/sandbox';
import { recordedEvent, runDrill, scenarioDrill, type DrillRun } from './run-drill';

const EVENT = 'events/agentops-key.alarm.json';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agentops-key-'));
const callsOf = (r: unknown) => (r as { calls: AwsCallReceived[] }).calls;
const updates = (calls: readonly AwsCallReceived[]) => calls.filter((c) => c.service === 'lambda' && c.operation === 'UpdateFunctionConfiguration');
const environmentOf = (r: { resources: { before: Record<string, unknown>; after: Record<string, unknown> } }, when: 'before' | 'after') =>
  (r.resources[when][KEYLESS_AGENT] as { environment: string }).environment;

/** Every byte a run wrote: its output (the JSON with every call, ledger row, notification), its error stream and its reports. */
function everything(run: DrillRun, reports?: string): string {
  const files = reports ? fs.readdirSync(reports, { recursive: true }).map(String).map((f) => path.join(reports, f)).filter((f) => fs.statSync(f).isFile()) : [];
  return [run.stdout, run.stderr, ...files.map((f) => fs.readFileSync(f, 'utf8'))].join('\n');
}

test('the recorded event: the qa agent lacks the key, which is merged into its environment from the secret (a row first, digests only), the update awaited, the alarm back to OK; the value appears nowhere', async () => {
  const reports = path.join(tmp, 'reports');
  const run = await runDrill(['--event', EVENT, '--json', '--calls', '--report', reports]);
  const [r] = run.results;
  expect(run.code).toBe(0);
  expect(r).toMatchObject({ runbook: 'agentops-key', outcome: 'remediated', reason: expect.stringContaining(`AGENTOPS_API_KEY set on ${KEYLESS_AGENT} from the secret ${AGENTOPS_SECRET}`) });
  expect(r!.actions).toEqual([expect.objectContaining({
    operation: 'lambda:UpdateFunctionConfiguration', target: KEYLESS_AGENT, status: 'succeeded', auditedBeforeCall: true,
    before: { variables: { ENVIRONMENT: expect.stringMatching(/^sha256:/), STATE_TABLE: expect.stringMatching(/^sha256:/) }, revisionId: expect.any(String) },
    after: { variables: { AGENTOPS_API_KEY: expect.stringMatching(/^sha256:/), ENVIRONMENT: expect.stringMatching(/^sha256:/), STATE_TABLE: expect.stringMatching(/^sha256:/) } },
  })]);
  // One write, of the whole environment, naming the RevisionId read; the call record hides the values as CloudTrail does.
  const written = updates(callsOf(r));
  expect(written).toHaveLength(1);
  expect(written[0]!.input).toMatchObject({ FunctionName: KEYLESS_AGENT, RevisionId: (r!.actions[0]!.before as { revisionId: string }).revisionId });
  expect(Object.keys((written[0]!.input.Environment as { Variables: object }).Variables).sort()).toEqual(['AGENTOPS_API_KEY', 'ENVIRONMENT', 'STATE_TABLE']);
  expect(environmentOf(r!, 'before')).toMatch(/^ENVIRONMENT, STATE_TABLE \[/);
  expect(environmentOf(r!, 'after')).toMatch(/^AGENTOPS_API_KEY, ENVIRONMENT, STATE_TABLE \[/);
  expect(r!.approvalRequests.map((q) => q.step)).toEqual(['set-key']);
  // The key was read and written, so the search below has something to miss.
  expect(callsOf(r).some((c) => c.service === 'secretsmanager' && c.operation === 'GetSecretValue')).toBe(true);
  expect(fs.readdirSync(reports, { recursive: true }).length).toBeGreaterThan(0);
  expect(everything(run, reports)).not.toContain(AGENTOPS_API_KEY_VALUE);
});

test('a dry run reads, plans the exact call and changes nothing, asking no approver; the value appears nowhere', async () => {
  const run = await runDrill(['--event', recordedEvent('agentops-key'), '--dry-run', '--json', '--calls']);
  const [r] = run.results;
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('dry run') });
  expect(r!.actions).toEqual([expect.objectContaining({ operation: 'lambda:UpdateFunctionConfiguration', target: KEYLESS_AGENT, status: 'planned' })]);
  expect(updates(callsOf(r))).toEqual([]);
  expect(r!.approvalRequests).toEqual([]);
  expect(environmentOf(r!, 'after')).toBe(environmentOf(r!, 'before'));
  expect(everything(run)).not.toContain(AGENTOPS_API_KEY_VALUE);
});

test('staging: the key is set only once an approver approves; unanswered, it stays unset and the run escalates', async () => {
  const [approved, unanswered] = await Promise.all([
    runDrill(['--event', recordedEvent('agentops-key'), '--env', 'staging', '--approve', 'alice', '--json', '--calls']),
    runDrill(['agentops-key', '--env', 'staging', '--json', '--calls']),
  ]);
  expect(approved.results[0]).toMatchObject({ outcome: 'remediated' });
  expect(updates(callsOf(approved.results[0]))).toHaveLength(1);
  expect(unanswered.results[0]).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('the key stays unset') });
  expect(updates(callsOf(unanswered.results[0]))).toEqual([]);
  for (const run of [approved, unanswered]) expect(everything(run)).not.toContain(AGENTOPS_API_KEY_VALUE);
});

test('every agent function has the key already: nothing to do, notified, nothing read from the secret or written', async () => {
  const { results: [r] } = await scenarioDrill('agentops-key', 'agentops-key-all-set');
  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('every configured agent function (5) has AGENTOPS_API_KEY set') });
  expect(r!.actions).toEqual([]);
  expect(callsOf(r).filter((c) => c.service === 'secretsmanager')).toEqual([]);
  expect(updates(callsOf(r))).toEqual([]);
});

test('the secret is gone: escalated, nothing changed', async () => {
  const { results: [r] } = await scenarioDrill('agentops-key', 'agentops-key-secret-missing');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('the configured secret does not exist or holds no key') });
  expect(r!.actions).toEqual([]);
  expect(updates(callsOf(r))).toEqual([]);
  expect(environmentOf(r!, 'after')).toBe(environmentOf(r!, 'before'));
});

test('the secret without the key (an empty field): escalated, nothing changed', async () => {
  const file = path.join(tmp, 'empty-secret.json');
  fs.writeFileSync(file, JSON.stringify({
    description: 'the AgentOps secret holds an empty key',
    patch: { secretsManager: { secrets: { [AGENTOPS_SECRET]: { value: JSON.stringify({ AGENTOPS_API_KEY: '' }) } } } },
  }));
  const { results: [r] } = await runDrill(['agentops-key', '--scenario', file, '--json', '--calls']);
  expect(r).toMatchObject({ outcome: 'escalated' });
  expect(updates(callsOf(r))).toEqual([]);
});

test('then undo: the key is removed again and the environment is exactly as it started; the value appears nowhere', async () => {
  const run = await runDrill(['--event', recordedEvent('agentops-key'), '--then-undo', '--json', '--calls']);
  const [r] = run.results;
  expect(r).toMatchObject({ outcome: 'remediated' });
  expect(r!.undo).toMatchObject({ outcome: 'remediated', restored: true });
  const fn = r!.undo!.resources.find((x) => x.name === KEYLESS_AGENT) as { start: { environment: string }; afterUndo: { environment: string } } | undefined;
  expect(fn!.afterUndo.environment).toBe(fn!.start.environment);
  expect(fn!.start.environment).not.toContain('AGENTOPS_API_KEY');
  expect(everything(run)).not.toContain(AGENTOPS_API_KEY_VALUE);
});
