import 'aws-sdk-client-mock-jest';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { incident, lambdaContext } from '../../support/fixtures';
import { FUNCTION, RUNBOOK_EXEC, UNDO_EXEC, undoHarness } from './harness';

const lambda = mockClient(LambdaClient);
const h = undoHarness(() => import('../../../lambdas/undo/finish'), 'e');
let incidentId: string;

beforeEach(async () => {
  lambda.reset();
  incidentId = h.nextIncidentId();
  await h.ledger.claimIncident({ incidentId, runbook: 'lambda-runaway', target: FUNCTION, dedupeKey: incidentId, executionArn: RUNBOOK_EXEC, summary: 'alarm', firedAt: '2026-11-23T03:00:00Z' });
  await h.ledger.finishIncident(incidentId, RUNBOOK_EXEC, 'remediated', 'stopped');
  await h.ledger.claimUndo(incidentId, UNDO_EXEC, 'maria');
});

const restores = [{ kind: 'lambda-reserved-concurrency', operation: 'lambda:DeleteFunctionConcurrency', target: FUNCTION, restoreTo: null }];
const verify = (results: unknown[]) => ({
  mode: 'verify', incident: incident({ id: incidentId }), execution: { id: UNDO_EXEC }, restores, results,
  notReversible: [{ operation: 'ecs:UpdateService', target: 'c/s', why: 'no inverse' }],
});

test('every restored resource re-read at its recorded value: undone, recorded beside the incident', async () => {
  lambda.on(GetFunctionCommand).resolves({});

  const result = await h.handler(verify([{ target: FUNCTION, outcome: 'restored', reason: 'restored' }]), lambdaContext);

  expect(lambda).toHaveReceivedCommandWith(GetFunctionCommand, { FunctionName: FUNCTION });
  expect(result).toEqual({
    allRestored: true,
    reason: 'undone: 1 change(s) put back to the recorded value; not reversible: ecs:UpdateService on c/s (no inverse)',
    checks: [{ target: FUNCTION, operation: 'lambda:DeleteFunctionConcurrency', expected: null, found: null, restored: true }],
  });
  expect(await h.ledger.getIncident(incidentId)).toMatchObject({ status: 'remediated', undoStatus: 'undone', undoReason: result.reason });
});

test('a resource changed since the runbook is escalated, naming the resource, expected and found', async () => {
  lambda.on(GetFunctionCommand).resolves({ Concurrency: { ReservedConcurrentExecutions: 25 } });
  const changed = `${FUNCTION} was changed since the runbook set it: expected 0, found 25; left as it is`;

  const result = await h.handler(verify([{ target: FUNCTION, outcome: 'changed-since', reason: changed }]), lambdaContext);

  expect(result).toMatchObject({ allRestored: false, reason: expect.stringMatching(new RegExp(`^not fully undone: ${changed.replace(/[()]/g, '\\$&')}`)) });
  expect(await h.ledger.getIncident(incidentId)).toMatchObject({ undoStatus: 'escalated' });
});

test('a restore that reported success but does not read back is not called undone', async () => {
  lambda.on(GetFunctionCommand).resolves({ Concurrency: { ReservedConcurrentExecutions: 0 } });

  const result = await h.handler(verify([{ target: FUNCTION, outcome: 'restored', reason: 'restored' }]), lambdaContext);

  expect(result).toMatchObject({ allRestored: false, reason: expect.stringContaining(`${FUNCTION} does not hold the recorded value after the restore: expected null, found 0`) });
});

test('fail: marks the undo failed so it may be run again; a claim of another execution is left alone', async () => {
  const error = { Error: 'AwsAccessDenied', Cause: JSON.stringify({ errorMessage: 'not allowed' }) };

  expect(await h.handler({ mode: 'fail', incident: incident({ id: incidentId }), execution: { id: UNDO_EXEC }, error }, lambdaContext)).toEqual({ recorded: true });
  expect(await h.ledger.getIncident(incidentId)).toMatchObject({ undoStatus: 'failed', undoReason: 'AwsAccessDenied: not allowed' });

  await h.handler({ mode: 'fail', incident: incident({ id: incidentId }), execution: { id: 'arn:aws:states:sa-east-1:111122223333:execution:x:other' }, error }, lambdaContext);
  expect(await h.ledger.getIncident(incidentId)).toMatchObject({ undoExecutionArn: UNDO_EXEC, undoStatus: 'failed' });
  expect(await h.handler({ mode: 'fail', incident: null, execution: { id: UNDO_EXEC } }, lambdaContext)).toEqual({ recorded: false });
});
