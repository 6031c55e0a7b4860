import type { IncidentStatus } from '../../../lambdas/shared/ledger';
import { lambdaContext } from '../../support/fixtures';
import { FUNCTION, RUNBOOK_EXEC, UNDO_EXEC, undoHarness } from './harness';

const OTHER_UNDO = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-undo:undo-2';
const h = undoHarness(() => import('../../../lambdas/undo/plan'), 'd');
let incidentId: string;

beforeEach(() => {
  incidentId = h.nextIncidentId();
});

/** An incident of lambda-runaway as the runbook leaves it: the stop recorded and finished. */
async function stoppedIncident(status: IncidentStatus = 'remediated', stop: 'succeeded' | 'planned' | 'intent' = 'succeeded'): Promise<void> {
  await h.ledger.claimIncident({ incidentId, runbook: 'lambda-runaway', target: FUNCTION, dedupeKey: incidentId, executionArn: RUNBOOK_EXEC, summary: 'alarm', firedAt: '2026-11-23T03:00:00Z' });
  const action = { incidentId, actionKey: `stop#lambda:PutFunctionConcurrency#${FUNCTION}`, runbook: 'lambda-runaway', operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, executionArn: RUNBOOK_EXEC, before: null, parameters: { FunctionName: FUNCTION, ReservedConcurrentExecutions: 0 }, intended: 0 };
  if (stop === 'planned') await h.ledger.recordPlan({ ...action, after: 0 });
  else {
    await h.ledger.recordIntent(action);
    if (stop === 'succeeded') await h.ledger.completeAction(incidentId, action.actionKey, 0);
  }
  if (status !== 'admitted') await h.ledger.finishIncident(incidentId, RUNBOOK_EXEC, status, 'done');
}
const request = (id: unknown = incidentId, execution = UNDO_EXEC) => ({ request: { incidentId: id, requestedBy: 'maria' }, execution: { id: execution } });

test('plans the restore from the recorded value and claims the undo beside the incident, leaving its status and rows', async () => {
  await stoppedIncident();

  const result = await h.handler(request(), lambdaContext);

  expect(result).toMatchObject({
    decision: 'undo', reason: '1 change(s) to restore', requestedBy: 'maria',
    incident: { id: incidentId, runbook: 'lambda-runaway', target: FUNCTION, source: { name: 'undo requested by maria' } },
    restores: [{ step: 'undo-stop', operation: 'lambda:DeleteFunctionConcurrency', parameters: { FunctionName: FUNCTION }, expected: 0, restoreTo: null }],
  });
  expect(await h.ledger.getIncident(incidentId)).toMatchObject({ status: 'remediated', executionArn: RUNBOOK_EXEC, undoStatus: 'undoing', undoExecutionArn: UNDO_EXEC, undoRequestedBy: 'maria' });
  expect(await h.ledger.listActions(incidentId)).toHaveLength(1);
});

test('an unknown incident: one line, nothing written', async () => {
  const result = await h.handler(request(), lambdaContext);

  expect(result).toMatchObject({ decision: 'reject', reason: `unknown incident ${incidentId}: the ledger has no record of it`, incident: null, restores: [] });
  expect(await h.ledger.getIncident(incidentId)).toBeUndefined();
});

test('not an incident id: one line, nothing read or written', async () => {
  const result = await h.handler(request('INC-1; drop'), lambdaContext);

  expect(result).toMatchObject({ decision: 'reject', reason: 'not an incident id: "INC-1; drop" (expected inc-<16 hex digits>, as in the notification and the ledger)' });
});

test('an incident still running (or with a call in flight) is not undone', async () => {
  await stoppedIncident('admitted', 'intent');

  const result = await h.handler(request(), lambdaContext);

  expect(result).toMatchObject({ decision: 'reject', reason: `incident ${incidentId} is still running (${RUNBOOK_EXEC}); undo it once it has finished` });
  expect((await h.ledger.getIncident(incidentId))?.undoStatus).toBeUndefined();
});

test('a dry-run incident has nothing to undo: refused with the reason, no claim', async () => {
  await stoppedIncident('skipped', 'planned');

  const result = await h.handler(request(), lambdaContext);

  expect(result).toMatchObject({ decision: 'reject', reason: `nothing to undo for incident ${incidentId}: lambda:PutFunctionConcurrency on ${FUNCTION}: dry run: the call was planned, never made` });
  expect((await h.ledger.getIncident(incidentId))?.undoStatus).toBeUndefined();
});

test('a second undo of the same incident is refused, naming the first; the same execution (a retry) goes on', async () => {
  await stoppedIncident();
  await h.handler(request(), lambdaContext);

  expect(await h.handler(request(incidentId, OTHER_UNDO), lambdaContext)).toMatchObject({
    decision: 'reject', reason: `incident ${incidentId} was already undone by ${UNDO_EXEC} (undoing)`,
  });
  expect(await h.handler(request(), lambdaContext)).toMatchObject({ decision: 'undo' });
  expect(await h.ledger.getIncident(incidentId)).toMatchObject({ undoExecutionArn: UNDO_EXEC });
});

test('a failed undo may be run again by a new execution', async () => {
  await stoppedIncident();
  await h.handler(request(), lambdaContext);
  await h.ledger.finishUndo(incidentId, UNDO_EXEC, 'failed', 'AwsAccessDenied: ...');

  expect(await h.handler(request(incidentId, OTHER_UNDO), lambdaContext)).toMatchObject({ decision: 'undo' });
  expect(await h.ledger.getIncident(incidentId)).toMatchObject({ undoStatus: 'undoing', undoExecutionArn: OTHER_UNDO });
});

test('a row left at intent after its incident finished (a ledger write lost) is not "still running": it is planned, and the restore reads first', async () => {
  await stoppedIncident('failed', 'intent');

  const result = await h.handler(request(), lambdaContext);

  expect(result).toMatchObject({ decision: 'undo', restores: [{ step: 'undo-stop', expected: 0, restoreTo: null }] });
});

test('an incident re-run after its undo (a failed incident taken over, acting again) may be undone again: only the new change is planned', async () => {
  await stoppedIncident('failed');
  await h.handler(request(), lambdaContext);
  const firstKey = `stop#lambda:PutFunctionConcurrency#${FUNCTION}`;
  await h.ledger.recordIntent({ incidentId, actionKey: `undo-stop#lambda:DeleteFunctionConcurrency#${FUNCTION}`, runbook: 'lambda-runaway', operation: 'lambda:DeleteFunctionConcurrency', target: FUNCTION, executionArn: UNDO_EXEC, before: 0, undoes: firstKey });
  await h.ledger.completeAction(incidentId, `undo-stop#lambda:DeleteFunctionConcurrency#${FUNCTION}`, null);
  await h.ledger.finishUndo(incidentId, UNDO_EXEC, 'undone', 'undone');
  expect(await h.handler(request(incidentId, OTHER_UNDO), lambdaContext)).toMatchObject({ decision: 'reject', reason: expect.stringContaining('already undone') });
  // The re-run: it takes the failed incident over, stops the function again (a new row of the key), and finishes.
  const rerun = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-lambda-runaway:run-2';
  expect(await h.ledger.claimIncident({ incidentId, runbook: 'lambda-runaway', target: FUNCTION, dedupeKey: incidentId, executionArn: rerun, summary: 'alarm', firedAt: '2026-11-23T03:00:00Z' })).toEqual({ claimed: true });
  await h.ledger.recordIntent({ incidentId, actionKey: `${firstKey}#2`, generation: 2, runbook: 'lambda-runaway', operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, executionArn: rerun, before: null, intended: 0 });
  await h.ledger.completeAction(incidentId, `${firstKey}#2`, 0);
  await h.ledger.finishIncident(incidentId, rerun, 'remediated', 'stopped');

  const result = await h.handler(request(incidentId, OTHER_UNDO), lambdaContext);

  expect(result).toMatchObject({ decision: 'undo', restores: [{ sourceKey: `${firstKey}#2`, step: 'undo-stop-2' }], skipped: [{ sourceKey: firstKey, why: `already undone by ${UNDO_EXEC}` }] });
});

test('a failed incident is not taken over by a re-run while its undo runs', async () => {
  await stoppedIncident('failed');
  await h.handler(request(), lambdaContext);

  const claim = await h.ledger.claimIncident({ incidentId, runbook: 'lambda-runaway', target: FUNCTION, dedupeKey: incidentId, executionArn: 'arn:aws:states:sa-east-1:111122223333:execution:x:run-2', summary: 'alarm', firedAt: '2026-11-23T03:00:00Z' });

  expect(claim).toMatchObject({ claimed: false, existing: { status: 'failed', undoStatus: 'undoing' } });
});
