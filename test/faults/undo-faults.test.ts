/**
 * Faults at the undo's own restore call (lambda:DeleteFunctionConcurrency, which only the undo
 * makes) for every kind. The run stops the function and (auto-approved in config/drill.json)
 * restores it to 5; the undo puts 0 back first, then removes the reserved concurrency. A call that
 * never succeeds ends the undo failed and escalated, with its ledger row settled (failed when
 * refused, unknown when no answer said whether it took effect) and the function left stopped; a
 * burst of a retried kind is retried and lands once.
 */
import { BURST, KINDS, PERSISTENT, RETRIED_KINDS } from './plan';
import { runDrill, type DrillRun } from '../drill/run-drill';
import { startEarly, type StartedEarly } from '../../lambdas/shared/started-early';

const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const runs = new Map<string, StartedEarly<DrillRun>>();
const args = (kind: string, times: number) => ['lambda-runaway', '--then-undo', '--fault', `lambda:DeleteFunctionConcurrency=${kind}x${times}`, '--json'];

beforeAll(() => {
  // Started together, each awaited by its own test.
  for (const kind of KINDS) runs.set(`persistent ${kind}`, startEarly(runDrill(args(kind, PERSISTENT))));
  for (const kind of RETRIED_KINDS) runs.set(`burst ${kind}`, startEarly(runDrill(args(kind, BURST))));
});

describe.each(KINDS)('the restore call fails for good (%s)', (kind) => {
  test('the undo fails and escalates; the ledger row is terminal; the function stays stopped', async () => {
    const { code, results: [r] } = await runs.get(`persistent ${kind}`)!.result();
    expect(code).toBe(0);
    expect(r!.outcome).toBe('remediated');
    expect(r!.undo).toMatchObject({ outcome: 'failed', restored: false, reason: expect.stringContaining('an undo step failed (transient AWS errors are retried first; a refusal is not)') });
    expect(r!.undo!.actions).toEqual([
      expect.objectContaining({ operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, status: 'succeeded', before: 5, after: 0 }),
      expect.objectContaining({ operation: 'lambda:DeleteFunctionConcurrency', target: FUNCTION, status: kind === 'server-error' || kind === 'timeout' ? 'unknown' : 'failed', before: 0 }),
    ]);
    expect(r!.undo!.resources).toEqual([expect.objectContaining({ name: FUNCTION, afterUndo: { reservedConcurrency: 0 }, equalsStart: false })]);
    expect(r!.undo!.timeline).toContainEqual(expect.objectContaining({ state: 'Record failure and escalate', event: 'done' }));
  });
});

describe.each(RETRIED_KINDS)('a burst of %s at the restore call', (kind) => {
  test('is retried and lands once: the function is back to none', async () => {
    const { code, results: [r] } = await runs.get(`burst ${kind}`)!.result();
    expect(code).toBe(0);
    expect(r!.undo).toMatchObject({ outcome: 'remediated', restored: true });
    expect(r!.undo!.actions).toEqual([
      expect.objectContaining({ operation: 'lambda:PutFunctionConcurrency', status: 'succeeded', auditedBeforeCall: true }),
      expect.objectContaining({ operation: 'lambda:DeleteFunctionConcurrency', status: 'succeeded', auditedBeforeCall: true }),
    ]);
  });
});
