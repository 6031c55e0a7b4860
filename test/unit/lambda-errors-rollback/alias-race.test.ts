/**
 * The rollback against someone else's deploy of the same alias, in any order, with or without the
 * rollback's answer lost (then the state machine's Retry): the alias's RevisionId is the one record
 * that arbitrates, so a deploy is never overwritten, and the ledger never says the rollback took
 * effect when it did not.
 */
import { GetAliasCommand, LambdaClient, PreconditionFailedException, UpdateAliasCommand, type UpdateAliasCommandInput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { Ledger } from '../../../lambdas/shared/ledger';
import { seedApprovalRequest } from '../../support/approval-requests';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const lambda = mockClient(LambdaClient);
const FN = 'cabruca-segmentation-prod-manager-agent';
const KEY = `${FN}:live`;
const CALL = { FunctionName: FN, Name: 'live', FunctionVersion: '6', RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: 'r0' };
let ledger: Ledger;
let store: ApprovalStore;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>;
let seq = 0;

// The ledger in dynalite and the handler's environment, set before the handler cold-starts.
const harness = ledgerHarness('0', {
  env: {
    ALLOWED_TARGETS: JSON.stringify([FN]), TARGET_ALIASES: JSON.stringify({ [FN]: 'live' }), ROLLBACK_ON_TIMEOUT: 'abort',
  },
});
beforeAll(async () => {
  ledger = harness.ledger;
  store = new ApprovalStore('ledger', harness.dynamo.client);
  handler = (await import('../../../runbooks/lambda-errors-rollback/handlers/rollback')).handler as typeof handler;
});

test('a rollback and a deploy of the same alias, in any order, the rollback answer lost or not', async () => {
  await fc.assert(fc.asyncProperty(fc.scheduler(), fc.boolean(), async (s, lostAnswer) => {
    const incidentId = `inc-${(++seq).toString(16).padStart(16, '0')}`;
    const requestId = await seedApprovalRequest(store, {
      requestId: `apr-${seq.toString(16).padStart(32, '0')}`, incidentId, status: 'approved',
      gate: { runbook: 'lambda-errors-rollback', step: 'rollback', summary: 's', firedAt: 'f', operation: 'lambda:UpdateAlias', target: KEY, parameters: CALL, evidence: null, severity: 'P3' },
    });
    // The alias as Lambda holds it: every applied update moves the RevisionId on.
    let alias = { version: '7', revision: 'r0' };
    let revisions = 0;
    const applied: string[] = [];
    const update = (by: string, version: string, revision: string | undefined) => {
      // As Lambda: an update that names no RevisionId is not checked.
      if (revision !== undefined && revision !== alias.revision) throw new PreconditionFailedException({ message: 'The Revision Id provided does not match the latest Revision Id.', $metadata: { httpStatusCode: 412 } });
      alias = { version, revision: `r${++revisions}` };
      applied.push(by);
    };
    let lost = lostAnswer;
    lambda.reset();
    lambda.on(GetAliasCommand).callsFake(async () => {
      await s.schedule(Promise.resolve(), 'rollback reads the alias');
      return { FunctionVersion: alias.version, RevisionId: alias.revision };
    });
    lambda.on(UpdateAliasCommand).callsFake(async (input: UpdateAliasCommandInput) => {
      await s.schedule(Promise.resolve(), 'rollback updates the alias');
      update('rollback', input.FunctionVersion!, input.RevisionId);
      if (lost) {
        lost = false;
        throw Object.assign(new Error('socket hang up (the call was applied)'), { name: 'TimeoutError' });
      }
      return { FunctionVersion: alias.version, RevisionId: alias.revision };
    });

    // The runbook's step, with the state machine's Retry on a retryable error (at most 3 attempts).
    const rollback = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await handler({ incident: incident({ id: incidentId, runbook: 'lambda-errors-rollback', target: FN }), execution: { id: EXECUTION_ARN }, call: CALL, approval: { decision: 'approved', requestId } }, lambdaContext);
        } catch (e: unknown) {
          const name = (e as Error).name;
          if (!['AwsUnavailable', 'AwsThrottled'].includes(name) || attempt === 3) return name;
        }
      }
    })();
    // Someone's pipeline: reads the alias, then moves it to version 8 with the RevisionId it read.
    const deploy = (async () => {
      await s.schedule(Promise.resolve(), 'deploy reads the alias');
      const read = alias.revision;
      await s.schedule(Promise.resolve(), 'deploy updates the alias');
      try {
        update('deploy', '8', read);
      } catch { /* refused: the pipeline reads again and decides; not this test's party */ }
    })();
    await s.waitFor(Promise.all([rollback, deploy]));

    const row = await ledger.getAction(incidentId, `rollback#lambda:UpdateAlias#${KEY}`);
    // A deploy is never overwritten by the rollback (its RevisionId is stale by then), and at most one update each.
    expect(applied.join(' then ')).not.toContain('deploy then rollback');
    expect(applied.filter((by) => by === 'rollback').length).toBeLessThanOrEqual(1);
    expect(alias.version).toBe({ rollback: '6', deploy: '8', none: '7' }[applied.at(-1) ?? 'none']);
    // The row is settled, and says succeeded only if the rollback's call took effect.
    expect(['succeeded', 'failed']).toContain(row?.status);
    if (row?.status === 'succeeded') expect(applied).toContain('rollback');
    // Alone on the alias, the rollback is recorded as made, whether its answer came or was read back.
    if (applied.join() === 'rollback') expect(row).toMatchObject({ status: 'succeeded', before: { functionVersion: '7' }, after: { functionVersion: '6' } });
  }), { numRuns: 40 });
});
