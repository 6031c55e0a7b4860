/**
 * Undo on a target allowlisted by tag (config/drill.json: lambda-runaway allows functions tagged
 * runbook-autopilot:allow=true). The tagged, unnamed function the runbook stopped is put back to
 * its start; once the tag is gone, the undo is refused, changes nothing and is recorded failed.
 */
import { readInputFile } from '../../drill/inputs';
import { TAGGED_FUNCTION } from '../../drill/sandbox/seed-account';
import { runDrill } from './run-drill';
import { lastNotice, useDrillSandbox } from './drill-harness';

const EVENT = 'events/samples/tag-allowlisted-target.alarm.json';
const ALLOW_TAG = 'runbook-autopilot:allow';

test('npm run drill -- --event tag-allowlisted-target.alarm.json --then-undo: the function is back to its starting reserved concurrency', async () => {
  const { code, results: [r] } = await runDrill(['--event', EVENT, '--then-undo', '--json']);
  expect(code).toBe(0);
  expect(r).toMatchObject({ runbook: 'lambda-runaway', outcome: 'remediated' });
  expect(r!.undo).toMatchObject({ outcome: 'remediated', restored: true });
  expect(r!.undo!.actions).toEqual([
    { operation: 'lambda:PutFunctionConcurrency', target: TAGGED_FUNCTION, before: 5, after: 0, status: 'succeeded', auditedBeforeCall: true },
    { operation: 'lambda:DeleteFunctionConcurrency', target: TAGGED_FUNCTION, before: 0, after: null, status: 'succeeded', auditedBeforeCall: true },
  ]);
  expect(r!.undo!.resources).toEqual([{
    name: TAGGED_FUNCTION, fields: ['reservedConcurrency'],
    start: { reservedConcurrency: null }, afterRunbook: { reservedConcurrency: 5 }, afterUndo: { reservedConcurrency: null }, equalsStart: true,
  }]);
});

describe('the tag removed between the runbook and the undo', () => {
  const harness = useDrillSandbox();
  const concurrencyCalls = () => harness.drill.sandbox.calls.filter((c) => ['PutFunctionConcurrency', 'DeleteFunctionConcurrency'].includes(c.operation)).length;

  test('refused before any change, recorded as a failed undo with the reason, escalated; put back once the tag is', async () => {
    const result = await harness.drill.handle(readInputFile(EVENT));
    expect(result).toMatchObject({ outcome: 'remediated', resources: { after: { [TAGGED_FUNCTION]: { reservedConcurrency: 5 } } } });
    const fn = harness.drill.sandbox.state.lambda.functions[TAGGED_FUNCTION]!;
    const { [ALLOW_TAG]: allow, ...untagged } = fn.tags ?? {};
    expect(allow).toBe('true');
    fn.tags = untagged;
    const callsBefore = concurrencyCalls();

    const refused = await harness.drill.undo(result.incidentId!, 'maria');

    const reason = `${TAGGED_FUNCTION} is not a configured target of lambda-runaway and does not carry ${ALLOW_TAG}=true (tags read at undo time): not restored`;
    expect(refused.status).toBe('FAILED');
    expect(refused.invocations.map((i) => i.state)).toEqual(expect.arrayContaining(['Restore recorded value', 'Record failure and escalate', 'Escalate failure']));
    expect(concurrencyCalls()).toBe(callsBefore);
    expect(fn.reservedConcurrency).toBe(5);
    expect(await harness.drill.ledger.getIncident(result.incidentId!)).toMatchObject({
      status: 'remediated', undoStatus: 'failed', undoExecutionArn: refused.executionArn, undoReason: `TargetNotAllowed: ${reason}`,
    });
    expect((await harness.drill.ledger.listActions(result.incidentId!)).map((a) => a.actionKey)).toEqual([
      `stop#lambda:PutFunctionConcurrency#${TAGGED_FUNCTION}`,
      `restore#lambda:PutFunctionConcurrency#${TAGGED_FUNCTION}`,
    ]);
    expect(lastNotice(refused)).toMatchObject({ outcome: 'failed', topic: 'critical' });

    // A failed undo may be started again: with the tag back, it restores.
    fn.tags = { ...untagged, [ALLOW_TAG]: 'true' };
    const again = await harness.drill.undo(result.incidentId!, 'maria');

    expect(again.status).toBe('SUCCEEDED');
    expect(fn.reservedConcurrency).toBeNull();
    expect(await harness.drill.ledger.getIncident(result.incidentId!)).toMatchObject({ undoStatus: 'undone', undoExecutionArn: again.executionArn });
  });
});
