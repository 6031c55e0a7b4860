/**
 * Approvers who click at the same moment, while an email scanner fetches every link: the drill
 * runs the real ASL, request handler and page (--together), and the run ends as the ledger's
 * request row says, whatever order the clicks land in.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DrillResult } from '../../drill/result';
import { runDrill } from './run-drill';

const RESEARCHER = 'cabruca-segmentation-prod-researcher-agent';
const PROCESSOR = 'cabruca-segmentation-prod-data_processor-agent';

/** Each approver's click as the drill noted it: who, which button, the HTTP status and what the page said. */
function clicks(r: DrillResult): { approver: string; button: string; status: number; message: string }[] {
  return r.timeline.filter((t) => t.event === 'decided').map((t) => {
    const m = /^(\w+) clicked (Approve|Reject) at the same moment as \d+ other\(s\): HTTP (\d+) (.*)$/.exec(t.detail ?? '');
    if (!m) throw new Error(`not a click together: ${t.detail}`);
    return { approver: m[1]!, button: m[2]!, status: Number(m[3]), message: m[4]! };
  });
}

/** The run, the ledger and what each person was told agree. */
function expectConsistent(r: DrillResult, fn: string): void {
  const [request] = r.approvalRequests;
  expect(r.approvalRequests).toHaveLength(1);
  const counted = new Map(r.approvals.map((a) => [a.approver, a.decision]));
  for (const c of clicks(r)) {
    if (c.status === 200) expect(counted.get(c.approver)).toBe(c.button === 'Approve' ? 'approved' : 'rejected');
    else {
      expect(c.status).toBe(409);
      expect(counted.has(c.approver)).toBe(false);
      expect(c.message).toMatch(new RegExp(`^It was already ${request!.status} by .+ at \\d\\d:\\d\\d UTC; your ${c.button === 'Approve' ? 'approval' : 'rejection'} was not counted`));
    }
  }
  if (request!.status === 'approved') {
    expect(r.outcome).toBe('remediated');
    expect(r.resources.after).toEqual({ [fn]: { reservedConcurrency: 5, timeout: 300, environment: expect.any(String) } });
    expect([...counted.values()].every((d) => d === 'approved')).toBe(true);
  } else {
    expect(request!.status).toBe('rejected');
    expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('the restore was rejected') });
    expect(r.resources.after).toEqual({ [fn]: { reservedConcurrency: 0, timeout: 300, environment: expect.any(String) } });
    expect([...counted.values()]).toContain('rejected');
  }
  expect(r.timeline).toContainEqual(expect.objectContaining({ event: 'scanned', detail: expect.stringContaining('during the clicks') }));
}

test('prod, 4-eyes: alice and bob click Approve at the same moment while a scanner fetches every link: restored, the ledger approved', async () => {
  const { code, results: [r] } = await runDrill(['lambda-runaway', '--env', 'prod', '--approve', 'alice,bob', '--together', '--json']);
  expect(code).toBe(0);
  expectConsistent(r!, RESEARCHER);
  expect(r!.approvalRequests[0]).toMatchObject({ status: 'approved' });
  expect(clicks(r!).map((c) => c.status)).toEqual([200, 200]);
  expect(clicks(r!).map((c) => c.message).join(' | ')).toContain('Quorum reached (2 of 2)');
});

test('prod: alice and bob approve while carol rejects at the same moment: one verdict, and the run, the ledger and every page agree on it', async () => {
  const { code, results: [r] } = await runDrill(['lambda-runaway', '--env', 'prod', '--approve', 'alice,bob', '--reject', 'carol', '--together', '--json']);
  expect(code).toBe(0);
  expectConsistent(r!, RESEARCHER);
});

test('two incidents in one drill, each with approvers clicking together: both restored', async () => {
  const second = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'approvals-together-')), 'data-processor.alarm.json');
  const event = fs.readFileSync(path.join(__dirname, '..', '..', 'events', 'lambda-runaway.alarm.json'), 'utf8')
    .replaceAll('researcher', 'data_processor').replace('64c30393-1434-4f53-a2ca-f706dd14af01', '64c30393-1434-4f53-a2ca-f706dd14af02');
  fs.writeFileSync(second, event);
  const { code, results } = await runDrill(['--event', 'events/lambda-runaway.alarm.json', '--event', second, '--env', 'prod', '--approve', 'alice,bob', '--together', '--json']);
  expect(code).toBe(0);
  expect(results.map((r) => r.outcome)).toEqual(['remediated', 'remediated']);
  expectConsistent(results[0]!, RESEARCHER);
  expectConsistent(results[1]!, PROCESSOR);
});
