/**
 * A dry run never calls a mutation, whatever the ledger holds: here the incident's earlier acting
 * run left a failed or unknown row of its stop, and the same alarm is delivered again to an
 * environment now in dry run (admit takes a failed incident over).
 */
import { incidentIdFor, parseTrigger } from '../../lambdas/domain/trigger';
import type { ActionStatus } from '../../lambdas/shared/ledger';
import { deliveryOf, useDrillSandbox, withoutRails } from './drill-harness';

const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const STOP_KEY = `stop#lambda:PutFunctionConcurrency#${FUNCTION}`;
const ACTING_RUN = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-drill-lambda-runaway:acting-run';
const harness = useDrillSandbox(() => ({ config: withoutRails(undefined, { dryRun: true }) }));

/** The incident of the `n`-th transition as an acting run left it: failed, with its stop row in `status`. */
async function actingRunLeft(n: number, status: Extract<ActionStatus, 'failed' | 'unknown'>): Promise<string> {
  const input = deliveryOf('events/lambda-runaway.alarm.json', n);
  if (input.kind !== 'eventbridge') throw new Error('an EventBridge event');
  const trigger = parseTrigger('lambda-runaway', input.event);
  const incidentId = incidentIdFor(trigger.dedupeKey);
  const ledger = harness.drill.ledger;
  await ledger.claimIncident({ incidentId, runbook: 'lambda-runaway', target: FUNCTION, dedupeKey: trigger.dedupeKey, executionArn: ACTING_RUN, summary: trigger.summary, firedAt: trigger.firedAt });
  await ledger.recordIntent({
    incidentId, actionKey: STOP_KEY, runbook: 'lambda-runaway', operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, executionArn: ACTING_RUN,
    before: null, intended: 0, parameters: { FunctionName: FUNCTION, ReservedConcurrentExecutions: 0 },
  });
  if (status === 'failed') await ledger.failAction(incidentId, STOP_KEY, 'AwsAccessDenied: not authorized');
  else await ledger.markUnknown(incidentId, STOP_KEY, 'AwsUnavailable: TimeoutError: socket hang up');
  await ledger.finishIncident(incidentId, ACTING_RUN, 'failed', 'a step failed after its retries');
  return incidentId;
}

test.each([['failed', 1], ['unknown', 2]] as const)('the acting run left its stop %s: the dry-run re-run reads, plans the stop as a new row, and calls nothing', async (status, n) => {
  const incidentId = await actingRunLeft(n, status);
  const mark = harness.drill.mutationMark();

  const r = await harness.drill.handle(deliveryOf('events/lambda-runaway.alarm.json', n));

  expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/^dry run/) });
  expect(harness.drill.mutationsReceived(mark)).toEqual([]);
  expect(harness.drill.sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency).toBeNull();
  // The acting run's row says what happened to its call (an unknown one read again: not in effect); the plan is a row of its own.
  expect((await harness.drill.ledger.listActions(incidentId)).map((a) => [a.actionKey, a.status, a.executionArn === ACTING_RUN])).toEqual([
    [STOP_KEY, 'failed', true],
    [`${STOP_KEY}#2`, 'planned', false],
  ]);
});
