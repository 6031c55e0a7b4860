import { gateWords } from '../../../lambdas/approval/gate-words';
import type { Gate } from '../../../lambdas/approval/store';
import { restoreOf } from '../undo/harness';

const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const TABLE = 'cabruca-segmentation-prod-agent-tasks';
const today = new Date().toISOString().slice(0, 10);
const gate = (over: Partial<Gate>): Gate => ({
  runbook: 'lambda-runaway', step: 'restore', summary: 's', firedAt: `${today}T03:12:41.000Z`, operation: 'lambda:PutFunctionConcurrency', target: FUNCTION,
  parameters: { FunctionName: FUNCTION, ReservedConcurrentExecutions: 5 }, evidence: null, severity: 'P2', ...over,
});

describe("each gate's words come from its runbook", () => {
  test('lambda-runaway restore: nothing left that invokes it, and a function someone changed since the stop', async () => {
    const words = await gateWords({
      gate: gate({ evidence: { invokedBy: { functionName: FUNCTION, rules: [{ name: 'nightly', eventBus: 'default', state: 'DISABLED', schedule: 'cron(0 3 * * ? *)' }], buckets: [], eventSourceMappings: [], unavailable: [], summary: '' } } }),
      live: { functionName: FUNCTION, reservedConcurrency: 3, state: 'Active' },
    });
    expect(words.headline).toBe(`Let ${FUNCTION} run again, at most 5 at a time?`);
    expect(words.now).toBe('reserved concurrency 3: changed since the runbook stopped it (0)');
    expect(words.risk).toMatch(/^nothing found that still invokes it/);
    expect(words.approve).toBe('sets its reserved concurrency to 5: at most 5 copies run at once.');
    expect(words.unanswered).toBe('it stays stopped');
  });

  test('lambda-runaway restore: no investigation to go on says so, and an unreadable function is said to be unreadable', async () => {
    const words = await gateWords({ gate: gate({}), live: { unreadable: 'AccessDeniedException: no' } });
    expect(words.risk).toMatch(/^unknown: what invokes the function could not be investigated/);
    expect(words.now).toBe('could not be read just now (AccessDeniedException: no); the runbook stopped it (reserved concurrency 0) since the emergency stop after the alarm at 03:12 UTC');
  });

  test('dynamodb-throttling delete-stuck: tasks picked up or gone since the count, and a backup not yet restorable', async () => {
    const words = await gateWords({
      gate: gate({
        runbook: 'dynamodb-throttling', step: 'delete-stuck', operation: 'dynamodb:DeleteItem', target: TABLE,
        parameters: { TableName: TABLE, Keys: [{ task_id: 'a' }, { task_id: 'b' }, { task_id: 'c' }], BackupArn: 'arn:b' },
        evidence: { stuckTasks: { count: 3, reason: '3 stuck tasks (status = pending and timestamp older than 60 min)' }, backup: { backupName: 'b1', backupStatus: 'CREATING' } },
      }),
      live: { tableName: TABLE, status: 'ACTIVE', billingMode: 'PAY_PER_REQUEST', tasks: { approvedKeys: 3, stillPending: 1, changed: [{ key: { task_id: 'b' }, status: 'running' }], gone: [{ task_id: 'c' }], unread: [] } },
    });
    expect(words.headline).toBe(`Delete 3 stuck tasks from ${TABLE}?`);
    expect(words.now).toBe('1 of 3 tasks still pending now, 1 picked up since (it will be skipped), 1 already gone; table ACTIVE, on-demand');
    expect(words.risk).toContain('The backup is CREATING: not restorable yet');
    expect(words.unanswered).toBe('the tasks are kept');
  });

  test('lambda-errors-rollback rollback: the version gone back to, and an alias someone changed since it was read', async () => {
    const fn = 'cabruca-segmentation-prod-manager-agent';
    const call = { FunctionName: fn, Name: 'live', FunctionVersion: '6', RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: 'rev-read' };
    const diagnosis = {
      alias: { functionVersion: '6', additionalVersionWeights: { 7: 0.1 }, revisionId: 'rev-read' },
      versions: [{ version: '6', codeSha256: 'x', description: 'release 1.6', lastModified: '2026-11-20T10:00:00.000+0000' }],
      history: { rolledBackFrom: [], rolledBackTo: [] },
    };
    const at = (live: unknown) => gateWords({
      gate: gate({ runbook: 'lambda-errors-rollback', step: 'rollback', operation: 'lambda:UpdateAlias', target: `${fn}:live`, parameters: call, evidence: { diagnosis } }), live,
    });
    const same = await at({ functionVersion: '6', additionalVersionWeights: { 7: 0.1 }, revisionId: 'rev-read' });
    expect(same.headline).toBe(`Roll alias live of ${fn} back to version 6?`);
    expect(same.now).toBe('serves version 6 and 10% to version 7');
    expect(same.approve).toContain('version 6 (release 1.6, published 2026-11-20) with no weighted canary');
    expect(same.unanswered).toBe('the alias keeps serving version 6 and 10% to version 7');
    const moved = await at({ functionVersion: '8', additionalVersionWeights: {}, revisionId: 'rev-later' });
    expect(moved.now).toBe('serves version 8: it changed since the runbook read it, so Lambda will refuse this rollback (its RevisionId no longer matches) and nothing will change');
  });

  test('the undo of any runbook: the plan in words, and what it cannot undo', async () => {
    const stop = restoreOf('stop', 'lambda:PutFunctionConcurrency', FUNCTION, null, 0);
    const words = await gateWords({
      gate: gate({
        step: 'undo', operation: stop.operation, target: FUNCTION, parameters: { restores: [stop] },
        evidence: { requestedBy: 'alice', notReversible: [{ sourceKey: 'k', operation: 'ecs:UpdateService', target: 'svc', why: 'a forced redeployment has no inverse' }], skipped: [] },
      }),
      live: undefined,
    });
    expect(words.headline).toBe(`Undo what lambda-runaway changed: put back 1 recorded value on ${FUNCTION}?`);
    expect(words.now).toBe(`${FUNCTION}: reserved concurrency as the runbook set it (0); it was none (undo asked for by alice)`);
    expect(words.risk).toBe('not everything can be undone: ecs:UpdateService on svc (a forced redeployment has no inverse)');
    expect(words.reject).toMatch(/^nothing is put back/);
  });

  test('a gate no runbook has words for yet says the exact call plainly', async () => {
    expect((await gateWords({ gate: gate({ runbook: 'ecs-service-recovery', step: 'redeploy', operation: 'ecs:UpdateService', target: 'svc' }), live: undefined })).headline)
      .toBe('Approve ecs:UpdateService on svc?');
  });
});
