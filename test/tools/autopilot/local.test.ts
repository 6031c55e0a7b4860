/** `autopilot --local`: after a drill, what it shows is what the drill's ledger holds. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runDrill } from '../../drill/run-drill';
import { autopilot, oneLineError } from './run';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-local-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const local = async (...argv: string[]) => {
  const run = await autopilot('--local', '--state-dir', dir, ...argv, '--json');
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as Record<string, unknown>;
};

test('after a drill, --local status, history, approvals and report show the incident, actions, approval and report the drill recorded', async () => {
  const { code, results: [drilled] } = await runDrill(['lambda-runaway', '--json', '--state-dir', dir, '--report', path.join(dir, 'reports')]);
  expect(code).toBe(0);
  expect(drilled).toMatchObject({ runbook: 'lambda-runaway', outcome: 'remediated' });

  const status = await local('status');
  expect(status).toMatchObject({ source: { kind: 'drill', environment: 'drill', file: path.join(dir, 'state.json') }, paused: false, open: [], waitingForApproval: [] });
  const switches = status.switches as { automation: { value: string }; runbooks: Record<string, { value: string; holding: string | null }> };
  expect(switches.automation.value).toBe('enabled');
  expect(Object.values(switches.runbooks).every((s) => s.value === 'enabled' && s.holding === null)).toBe(true);
  // Newest first: the drill lists them as made.
  const actions = (status.lastActions as { incidentId: string; operation: string; target: string; before: unknown; after: unknown; status: string }[]);
  expect(actions.map((a) => ({ operation: a.operation, target: a.target, before: a.before, after: a.after, status: a.status })))
    .toEqual(drilled!.actions.map((a) => ({ operation: a.operation, target: a.target, before: a.before, after: a.after, status: a.status })).reverse());
  expect(actions.every((a) => a.incidentId === drilled!.incidentId)).toBe(true);

  const history = (await local('history')).incidents as { incidentId: string; status: string; runbook: string; executionArn: string; actions: number; link: string | null }[];
  expect(history).toEqual([expect.objectContaining({
    incidentId: drilled!.incidentId, status: drilled!.outcome, runbook: 'lambda-runaway', executionArn: drilled!.executionArn, actions: drilled!.actions.length, link: null,
  })]);
  const detail = await local('history', drilled!.incidentId!);
  expect((detail.approvals as { requestId: string; status: string }[]).map((a) => [a.requestId, a.status]))
    .toEqual(drilled!.approvalRequests.map((r) => [r.requestId, r.status]));
  expect((await local('approvals')).waiting).toEqual([]);

  // The report the CLI builds from the kept ledger is the one the report step wrote to the bucket.
  const [written] = fs.readdirSync(path.join(dir, 'reports'));
  const report = await local('report', drilled!.incidentId!);
  expect(report).toMatchObject({ incidentId: drilled!.incidentId, status: 'remediated' });
  expect(report.report).toBe(fs.readFileSync(path.join(dir, 'reports', written!), 'utf8'));
  expect(report.report).toContain('lambda-runaway');
  // An id that is none reads nothing (exit 2); one the ledger does not hold says where it looked (exit 1).
  const badId = await autopilot('--local', '--state-dir', dir, 'report', 'inc-1');
  expect({ code: badId.code, error: oneLineError(badId) }).toEqual({ code: 2, error: expect.stringContaining('not an incident id: "inc-1"') });
  const unknown = await autopilot('--local', '--state-dir', dir, 'report', 'inc-0000000000000000');
  expect({ code: unknown.code, error: oneLineError(unknown) }).toEqual({ code: 1, error: `autopilot: no incident inc-0000000000000000 in the ledger (${path.join(dir, 'state.json')})` });
});

test('--local with no drill state yet is one line, exit 1', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-none-'));
  try {
    const run = await autopilot('--local', '--state-dir', empty, 'status');
    expect(run.code).toBe(1);
    expect(oneLineError(run)).toBe(`autopilot: no drill has left its state in ${path.join(empty, 'state.json')} yet: run npm run drill first`);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
