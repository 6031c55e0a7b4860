import { assertApproved, type GatedCall } from '../../../lambdas/approval/assert-approved';
import type { ApprovalStore } from '../../../lambdas/approval/store';
import { NOT_ASKED } from '../../../lambdas/domain/approval';

const call: GatedCall = {
  incidentId: 'inc-1', runbook: 'scale-out', step: 'scale', operation: 'ecs:UpdateService', target: 'cluster/service', parameters: { desiredCount: 4 },
};

/** A store that records what it was asked and holds one approved request for `call`. */
function store(): Pick<ApprovalStore, 'get'> & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    get: async (requestId: string) => {
      asked.push(requestId);
      return requestId === 'apr-1'
        ? { requestId, incidentId: call.incidentId, status: 'approved', gate: { runbook: call.runbook, step: call.step, operation: call.operation, target: call.target, parameters: call.parameters } } as never
        : undefined;
    },
  };
}

test("a dry run's gate asked nobody: the step goes on to plan its call, and no approval is read", async () => {
  const approvals = store();
  await expect(assertApproved(approvals, { decision: NOT_ASKED }, call, { onTimeout: 'abort', dryRun: true })).resolves.toBeUndefined();
  expect(approvals.asked).toEqual([]);
});

test.each([[undefined], [false]])('"not-asked" outside a dry run (dryRun %s) is no approval: NotApproved', async (dryRun) => {
  const approvals = store();
  await expect(assertApproved(approvals, { decision: NOT_ASKED }, call, { onTimeout: 'abort', ...(dryRun === undefined ? {} : { dryRun }) }))
    .rejects.toMatchObject({ name: 'NotApproved', message: expect.stringContaining(`got ${NOT_ASKED}`) });
});

test('a dry run does not turn a rejection into a pass', async () => {
  await expect(assertApproved(store(), { decision: 'rejected', requestId: 'apr-1' }, call, { onTimeout: 'abort', dryRun: true })).rejects.toMatchObject({ name: 'NotApproved' });
});

test('an approval the ledger holds for this very call passes, in a dry run too, and names its request', async () => {
  const approvals = store();
  await expect(assertApproved(approvals, { decision: 'approved', requestId: 'apr-1' }, call, { onTimeout: 'abort', dryRun: true })).resolves.toBe('apr-1');
  expect(approvals.asked).toEqual(['apr-1']);
});
