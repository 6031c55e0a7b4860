/**
 * The alias is the one record that arbitrates a rollback: every UpdateAlias names the RevisionId
 * it was read with. Run in one drill sandbox (the real ASL and handlers), with the account changed
 * at the moment the rollback's call arrives.
 */
import { seedAccountState } from '../../drill/sandbox';
import { deliveryOf, useDrillSandbox, withoutRails } from './drill-harness';

const FUNCTION = 'cabruca-segmentation-prod-manager-agent';
const ALIAS = `${FUNCTION}:live`;
const EVENT = 'events/lambda-errors-rollback.alarm.json';
const SEED_ALIAS = seedAccountState().lambda.functions[FUNCTION]!.aliases!.live!;

/** Called as each mutating call reaches the account, before it is applied. */
let onMutation: ((operation: string) => void) | undefined;
const harness = useDrillSandbox(() => ({ config: withoutRails(), onMutation: (operation) => onMutation?.(operation) }));
const drill = () => harness.drill;
const live = () => drill().sandbox.state.lambda.functions[FUNCTION]!.aliases!.live!;

beforeEach(() => {
  drill().clearFaults();
  onMutation = undefined;
  drill().sandbox.state.lambda.functions[FUNCTION]!.aliases!.live = structuredClone(SEED_ALIAS);
});

test('a deploy that lands while the rollback waits (the alias moved on): Lambda refuses the stale RevisionId, nothing is overwritten, the run escalates', async () => {
  onMutation = (operation) => {
    // Someone else's pipeline shifts 10% of traffic to version 6 just before the rollback's call.
    if (operation === 'lambda:UpdateAlias') Object.assign(live(), { additionalVersionWeights: { 6: 0.1 }, revisionId: '0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a' });
  };
  const mark = drill().mutationMark();
  const r = await drill().handle(deliveryOf(EVENT, 1));
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('changed since the runbook read it') });
  expect(drill().mutationsReceived(mark).filter((m) => m.operation === 'UpdateAlias').map((m) => m.applied)).toEqual([false]);
  expect(live()).toMatchObject({ functionVersion: '7', additionalVersionWeights: { 6: 0.1 } });
  expect((await drill().ledger.listActions(r.incidentId!)).map((a) => [a.operation, a.target, a.status])).toEqual([['lambda:UpdateAlias', ALIAS, 'failed']]);
});

test('every answer lost: the rollback is made once, recorded from the alias read back, and undone', async () => {
  drill().injectFault({ service: 'lambda', operation: 'UpdateAlias', error: 'applied-timeout', times: 20, holdMs: 5 });
  const mark = drill().mutationMark();
  const r = await drill().handleThenUndo(deliveryOf(EVENT, 2));
  expect(r).toMatchObject({ outcome: 'remediated' });
  const applied = drill().mutationsReceived(mark).filter((m) => m.applied && m.operation === 'UpdateAlias').map((m) => m.input.FunctionVersion);
  // The rollback once (then read back, not repeated), the undo's restore once.
  expect(applied).toEqual(['6', '7']);
  expect(r.actions).toEqual([expect.objectContaining({ target: ALIAS, before: { functionVersion: '7', additionalVersionWeights: {} }, after: { functionVersion: '6', additionalVersionWeights: {} }, status: 'succeeded' })]);
  expect(r.undo).toMatchObject({ outcome: 'remediated', restored: true });
  expect(live().functionVersion).toBe('7');
});
