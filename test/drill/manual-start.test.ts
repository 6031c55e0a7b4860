/** A manual start (`autopilot start`): the runbook's state machine started with the input admit reads as one. */
import { runDrill } from './run-drill';

const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';

test('a manual start runs the whole runbook through admit, verified by the alarm it names; its starter is not asked to approve; sent again it is a duplicate', async () => {
  const { code, results: [started, again] } = await runDrill([
    '--event', 'events/samples/manual-start.json', '--event', 'events/samples/manual-start.json',
    '--env', 'prod', '--approve', 'alice,bob,carol', '--json',
  ]);

  expect(code).toBe(0);
  expect(started).toMatchObject({ runbook: 'lambda-runaway', outcome: 'remediated' });
  expect(started!.actions.map((a) => [a.operation, a.target, a.before, a.after, a.status])).toEqual([
    ['lambda:PutFunctionConcurrency', FUNCTION, null, 0, 'succeeded'],
    ['lambda:PutFunctionConcurrency', FUNCTION, 0, 5, 'succeeded'],
  ]);
  expect(started!.timeline).toContainEqual(expect.objectContaining({ state: 'Check alarm state', detail: expect.stringContaining('cabruca-segmentation-prod-researcher-agent-concurrency returned to OK') }));
  // alice started it: no link for her (she is an L1 approver of the drill), bob and carol make the quorum of two.
  expect(started!.timeline).toContainEqual(expect.objectContaining({ event: 'requested', detail: expect.stringMatching(/personal link each to bob, carol;/) }));
  expect(started!.approvals.map((a) => [a.approver, a.decision])).toEqual([['bob', 'approved'], ['carol', 'approved']]);
  expect(again).toMatchObject({ outcome: 'skipped', incidentId: started!.incidentId, reason: expect.stringMatching(/^duplicate: already handled by /) });
  expect(again!.actions).toEqual([]);
});
