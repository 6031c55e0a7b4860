import { digestOf } from '../../../lambdas/domain/recorded-items';
import { planUndo, sameValue, type RecordedAction } from '../../../lambdas/domain/undo-plan';

const EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook:exec-1';
const UNDO_EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:undo:exec-2';
const FN = 'cabruca-segmentation-prod-researcher-agent';
const TABLE = 'cabruca-segmentation-prod-agent-state';
const PARAM = '/alphaswarm/prod/llm_model_preference';
const PROXY = 'alphaswarm-cluster-prod/alphaswarm-agentcore-proxy-prod';

const row = (step: string, operation: string, target: string, before: unknown, after: unknown, status = 'succeeded', executionArn = EXEC): RecordedAction => ({
  actionKey: `${step}#${operation}#${target}`, operation, target, before, after, status, executionArn,
});

describe('lambda reserved concurrency', () => {
  test('"none" before the stop is restored by deleting the reserved concurrency', () => {
    const plan = planUndo([row('stop', 'lambda:PutFunctionConcurrency', FN, null, 0)]);

    expect(plan.restores).toEqual([expect.objectContaining({
      step: 'undo-stop', operation: 'lambda:DeleteFunctionConcurrency', target: FN, parameters: { FunctionName: FN }, expected: 0, restoreTo: null,
    })]);
  });

  test('a number before the stop is put back with PutFunctionConcurrency', () => {
    const plan = planUndo([row('stop', 'lambda:PutFunctionConcurrency', FN, 50, 0)]);

    expect(plan.restores[0]).toMatchObject({
      operation: 'lambda:PutFunctionConcurrency', parameters: { FunctionName: FN, ReservedConcurrentExecutions: 50 }, expected: 0, restoreTo: 50,
    });
  });
});

describe('dynamodb capacity', () => {
  const provisioned = {
    billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 10,
    globalSecondaryIndexes: [{ indexName: 'byTask', readCapacityUnits: 3, writeCapacityUnits: 4 }],
  };

  test('PROVISIONED with capacities goes back to PROVISIONED with the same table and index throughput', () => {
    const plan = planUndo([row('switch', 'dynamodb:UpdateTable', TABLE, provisioned, { billingMode: 'PAY_PER_REQUEST' })]);

    expect(plan.restores[0]).toMatchObject({
      operation: 'dynamodb:UpdateTable',
      parameters: {
        TableName: TABLE, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 10 },
        GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'byTask', ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 } } }],
      },
      expected: { billingMode: 'PAY_PER_REQUEST' },
      restoreTo: provisioned,
    });
  });

  test('a table without indexes sends no index updates', () => {
    const plan = planUndo([row('switch', 'dynamodb:UpdateTable', TABLE, { ...provisioned, globalSecondaryIndexes: [] }, { billingMode: 'PAY_PER_REQUEST' })]);

    expect(plan.restores[0]?.parameters).not.toHaveProperty('GlobalSecondaryIndexUpdates');
  });

  test('a table already on-demand before the switch has nothing to restore', () => {
    const plan = planUndo([row('switch', 'dynamodb:UpdateTable', TABLE, { billingMode: 'PAY_PER_REQUEST', readCapacityUnits: null, writeCapacityUnits: null, globalSecondaryIndexes: [] }, { billingMode: 'PAY_PER_REQUEST' })]);

    expect(plan.restores).toEqual([]);
    expect(plan.notReversible[0]?.why).toMatch(/already on-demand/);
  });

  test('missing capacities are not guessed', () => {
    const plan = planUndo([row('switch', 'dynamodb:UpdateTable', TABLE, { billingMode: 'PROVISIONED', readCapacityUnits: null, writeCapacityUnits: 5 }, { billingMode: 'PAY_PER_REQUEST' })]);

    expect(plan.restores).toEqual([]);
    expect(plan.notReversible[0]?.why).toMatch(/capacities are incomplete/);
  });
});

describe('ssm parameter and ecs', () => {
  test('the parameter gets its recorded value back, with Overwrite', () => {
    const plan = planUndo([row('switch', 'ssm:PutParameter', PARAM, 'sonnet', 'haiku')]);

    expect(plan.restores[0]).toMatchObject({ parameters: { Name: PARAM, Value: 'sonnet', Type: 'String', Overwrite: true }, expected: 'haiku', restoreTo: 'sonnet' });
  });

  test("a secret's new version (SecureString) is listed as not reversible: the leaked value is never put back", () => {
    const SECRET = '/alphaswarm/prod/cloudfront_origin_secret';
    // As a rotation records it: versions, never a value, and no Value among its parameters.
    const rotation = { ...row('rotate', 'ssm:PutParameter', SECRET, 3, 4), parameters: { Name: SECRET, Type: 'SecureString', Overwrite: true } };
    const plan = planUndo([rotation]);

    expect(plan.restores).toEqual([]);
    expect(plan.notReversible).toEqual([{ sourceKey: `rotate#ssm:PutParameter#${SECRET}`, operation: 'ssm:PutParameter', target: SECRET, why: expect.stringMatching(/^a secret's new version has no inverse: putting the leaked value back is never a remediation/) }]);
  });

  test('a String parameter recorded with its call is still restored (its Type is what tells it from a secret)', () => {
    const plan = planUndo([{ ...row('switch', 'ssm:PutParameter', PARAM, 'sonnet', 'haiku'), parameters: { Name: PARAM, Value: 'haiku', Type: 'String', Overwrite: true } }]);

    expect(plan.restores[0]).toMatchObject({ parameters: { Name: PARAM, Value: 'sonnet', Type: 'String', Overwrite: true }, restoreTo: 'sonnet' });
  });

  test('a forced ECS redeployment is listed as not reversible, with why', () => {
    const plan = planUndo([row('redeploy', 'ecs:UpdateService', PROXY, { taskDefinition: 'td:1' }, { deploymentId: 'ecs-svc/2' })]);

    expect(plan.restores).toEqual([]);
    expect(plan.notReversible).toEqual([{ sourceKey: `redeploy#ecs:UpdateService#${PROXY}`, operation: 'ecs:UpdateService', target: PROXY, why: expect.stringMatching(/same task definition/) }]);
  });

  test('an operation with no known inverse is not reversible, not dropped', () => {
    const plan = planUndo([row('scale', 'ecs:DeleteService', PROXY, {}, {})]);

    expect(plan.notReversible[0]?.why).toBe('no inverse is known for ecs:DeleteService');
  });
});

describe('stuck tasks deleted by the cleanup (dynamodb:DeleteItem)', () => {
  const TASKS = 'cabruca-segmentation-prod-agent-tasks';
  const BACKUP = `arn:aws:dynamodb:sa-east-1:111122223333:table/${TASKS}/backup/01795473256422-78615023`;
  const task = (id: string, status = 'pending') => ({ task_id: id, status, timestamp: 1795388386, agent: 'engineer', payload: `segment tile ${id}` });
  const cleanup = (items: Record<string, unknown>[], deleted: string[], skipped: { id: string; reason: string }[] = []) => row('cleanup', 'dynamodb:DeleteItem', TASKS,
    { items, missing: [], backupArn: BACKUP },
    { deleted: deleted.map((id) => ({ task_id: id })), skipped: skipped.map(({ id, reason }) => ({ key: { task_id: id }, reason })) });

  test('only the deleted tasks are put back, each as recorded, by a PutItem that never overwrites', () => {
    const plan = planUndo([cleanup([task('t-1'), task('t-2'), task('t-3')], ['t-1', 't-3'], [{ id: 't-2', reason: 'no longer pending' }])]);

    expect(plan.notReversible).toEqual([]);
    expect(plan.restores).toEqual([{
      sourceKey: `cleanup#dynamodb:DeleteItem#${TASKS}`, sourceStep: 'cleanup', step: 'undo-cleanup',
      kind: 'dynamodb-items', operation: 'dynamodb:PutItem', target: TASKS,
      parameters: { TableName: TASKS, ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': 'task_id' } },
      expected: { count: 2, item: null },
      restoreTo: { count: 2, keys: [{ task_id: 't-1' }, { task_id: 't-3' }], digest: digestOf([task('t-1'), task('t-3')]) },
      newer: [], restoresStart: true,
    }]);
  });

  test('500 large deleted tasks (a ledger row of hundreds of KB): the plan carries their keys, count and digest, far under the 256 KiB state limit', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `t-${String(i).padStart(4, '0')}`);
    const big = (id: string) => ({ ...task(id), payload: `${id} `.padEnd(700, 'x') });
    const recorded = cleanup(ids.map(big), ids);
    expect(JSON.stringify(recorded.before).length).toBeGreaterThan(350_000);

    const plan = planUndo([recorded]);

    const [step] = plan.restores;
    expect(step).toMatchObject({ kind: 'dynamodb-items', restoreTo: { count: 500, digest: digestOf(ids.map(big)) } });
    expect((step!.restoreTo as { keys: unknown[] }).keys).toEqual(ids.map((id) => ({ task_id: id })));
    expect(JSON.stringify(step)).not.toContain('xxxx');
    // The plan is the plan handler's output, the Map's items and the approval request's parameters.
    expect(Buffer.byteLength(JSON.stringify(plan))).toBeLessThan(32 * 1024);
  });

  test('the digest follows the items: another item under the same keys is another digest', () => {
    const [one] = planUndo([cleanup([task('t-1')], ['t-1'])]).restores;
    const [other] = planUndo([cleanup([task('t-1', 'running')], ['t-1'])]).restores;

    expect((one!.restoreTo as { digest: string }).digest).not.toBe((other!.restoreTo as { digest: string }).digest);
  });

  test('a table keyed by partition and sort key matches items on both', () => {
    const items = [{ pk: 'a', sk: 1, status: 'pending' }, { pk: 'a', sk: 2, status: 'pending' }];
    const plan = planUndo([row('cleanup', 'dynamodb:DeleteItem', TASKS, { items, missing: [], backupArn: BACKUP }, { deleted: [{ pk: 'a', sk: 2 }], skipped: [] })]);

    expect(plan.restores[0]).toMatchObject({ parameters: { ExpressionAttributeNames: { '#key': 'pk' } }, restoreTo: { count: 1, keys: [{ pk: 'a', sk: 2 }], digest: digestOf([items[1]]) } });
  });

  test('nothing deleted (every task skipped): not reversible, with why', () => {
    const plan = planUndo([cleanup([task('t-1')], [], [{ id: 't-1', reason: 'no longer pending' }])]);

    expect(plan.restores).toEqual([]);
    expect(plan.notReversible).toEqual([expect.objectContaining({ operation: 'dynamodb:DeleteItem', why: 'no task was deleted (1 skipped): nothing to put back' })]);
  });

  test('a deleted key whose item the row does not hold is not guessed: the reason points to the backup', () => {
    const plan = planUndo([cleanup([task('t-1')], ['t-1', 't-9'])]);

    expect(plan.restores).toEqual([]);
    expect(plan.notReversible[0]?.why).toBe(`the ledger row does not hold the deleted item task_id=t-9, so it cannot be put back from the ledger; it is in backup ${BACKUP}`);
  });

  test('a task with a set or binary attribute is not compared as JSON: not reversible, pointing to the backup', () => {
    for (const odd of [{ tags: new Set(['a', 'b']) }, { blob: { nested: new Uint8Array([1, 2]) } }]) {
      const plan = planUndo([cleanup([{ ...task('t-1'), ...odd }], ['t-1'])]);
      expect(plan.restores).toEqual([]);
      expect(plan.notReversible[0]?.why).toBe(`the deleted item task_id=t-1 holds a set or binary attribute, which the undo does not compare or put back; it is in backup ${BACKUP}`);
    }
  });

  test('a row without the deleted keys is not reversible', () => {
    const plan = planUndo([row('cleanup', 'dynamodb:DeleteItem', TASKS, { items: [task('t-1')] }, { deleted: 'all' })]);

    expect(plan.notReversible[0]?.why).toBe('the recorded delete does not list the keys it deleted');
  });

  test('the backup is kept: listed as not reversible, with why', () => {
    const plan = planUndo([
      row('backup', 'dynamodb:CreateBackup', TASKS, { stuckTasks: 1 }, { backupArn: BACKUP }),
      cleanup([task('t-1')], ['t-1']),
    ]);

    expect(plan.restores.map((r) => r.step)).toEqual(['undo-cleanup']);
    expect(plan.notReversible).toEqual([expect.objectContaining({ operation: 'dynamodb:CreateBackup', why: expect.stringContaining('backup is kept') })]);
  });
});

describe('which rows are restored', () => {
  test('newest change first', () => {
    const plan = planUndo([
      row('switch', 'ssm:PutParameter', PARAM, 'sonnet', 'haiku'),
      row('stop', 'lambda:PutFunctionConcurrency', FN, null, 0),
    ]);

    expect(plan.restores.map((r) => r.step)).toEqual(['undo-stop', 'undo-switch']);
  });

  test('planned (dry run) and unfinished calls are skipped with a reason', () => {
    const plan = planUndo([
      row('stop', 'lambda:PutFunctionConcurrency', FN, null, 0, 'planned'),
      row('switch', 'ssm:PutParameter', PARAM, 'sonnet', undefined, 'failed'),
    ]);

    expect(plan.restores).toEqual([]);
    expect(plan.skipped.map((s) => s.why)).toEqual([expect.stringMatching(/did not finish \(failed\)/), expect.stringMatching(/dry run/)]);
  });

  test('a change already put back within its runbook (the timed model restore) is reverted by neither', () => {
    const plan = planUndo([
      row('switch', 'ssm:PutParameter', PARAM, 'sonnet', 'haiku'),
      row('switch-redeploy', 'ecs:UpdateService', PROXY, {}, {}),
      row('restore', 'ssm:PutParameter', PARAM, 'haiku', 'sonnet'),
      row('restore-redeploy', 'ecs:UpdateService', PROXY, {}, {}),
    ]);

    expect(plan.restores).toEqual([]);
    expect(plan.skipped.map((s) => s.sourceKey).sort()).toEqual([`restore#ssm:PutParameter#${PARAM}`, `switch#ssm:PutParameter#${PARAM}`]);
    expect(plan.notReversible).toHaveLength(2);
  });

  test('a restore that wrote something else does not cancel the switch', () => {
    const plan = planUndo([
      row('switch', 'ssm:PutParameter', PARAM, 'sonnet', 'haiku'),
      row('restore', 'ssm:PutParameter', PARAM, 'haiku', 'opus'),
    ]);

    expect(plan.restores.map((r) => [r.step, r.restoreTo])).toEqual([['undo-restore', 'haiku'], ['undo-switch', 'sonnet']]);
  });

  test('an action already undone is not undone twice; its undo rows are never undone', () => {
    const plan = planUndo([
      row('stop', 'lambda:PutFunctionConcurrency', FN, null, 0),
      row('undo-stop', 'lambda:DeleteFunctionConcurrency', FN, 0, null, 'succeeded', UNDO_EXEC),
    ]);

    expect(plan.restores).toEqual([]);
    expect(plan.skipped).toEqual([expect.objectContaining({ why: `already undone by ${UNDO_EXEC}` })]);
  });

  test('an unfinished undo is planned again, under the same step', () => {
    const plan = planUndo([
      row('stop', 'lambda:PutFunctionConcurrency', FN, null, 0),
      row('undo-stop', 'lambda:DeleteFunctionConcurrency', FN, 0, undefined, 'failed', UNDO_EXEC),
    ]);

    expect(plan.restores.map((r) => r.step)).toEqual(['undo-stop']);
  });
});

describe('changes whose outcome is unknown (an answer lost)', () => {
  test('an unknown or stale intent row is planned as if its change took effect, from what it meant to set; the restore reads first', () => {
    const plan = planUndo([
      { ...row('stop', 'lambda:PutFunctionConcurrency', FN, null, undefined, 'unknown'), intended: 0 },
      { ...row('switch', 'ssm:PutParameter', PARAM, 'sonnet', undefined, 'intent'), intended: 'haiku' },
    ]);

    expect(plan.restores).toEqual([
      expect.objectContaining({ step: 'undo-switch', operation: 'ssm:PutParameter', expected: 'haiku', restoreTo: 'sonnet' }),
      expect.objectContaining({ step: 'undo-stop', operation: 'lambda:DeleteFunctionConcurrency', expected: 0, restoreTo: null }),
    ]);
  });

  test('an unknown cleanup is planned over every task it read (the restore settles which are gone)', () => {
    const TASKS = 'cabruca-segmentation-prod-agent-tasks';
    const items = [{ task_id: 't-1', status: 'pending' }, { task_id: 't-2', status: 'pending' }];
    const plan = planUndo([{
      ...row('cleanup', 'dynamodb:DeleteItem', TASKS, { items, missing: [{ task_id: 't-9' }] }, undefined, 'unknown'),
      intended: { deleted: [{ task_id: 't-1' }, { task_id: 't-2' }, { task_id: 't-9' }], skipped: [] },
    }]);

    expect(plan.restores[0]).toMatchObject({ kind: 'dynamodb-items', restoreTo: { count: 2, keys: [{ task_id: 't-1' }, { task_id: 't-2' }], digest: digestOf(items) } });
  });

  test('an unknown row that does not say what it meant to set is skipped with why, not guessed', () => {
    const plan = planUndo([row('stop', 'lambda:PutFunctionConcurrency', FN, null, undefined, 'unknown')]);

    expect(plan.restores).toEqual([]);
    expect(plan.skipped[0]?.why).toMatch(/outcome is unknown \(unknown\)/);
  });
});

describe('several changes to one resource, and re-runs', () => {
  test('each restore names the newer changes to its resource; only the oldest may find the resource already back', () => {
    const plan = planUndo([
      row('stop', 'lambda:PutFunctionConcurrency', FN, null, 0),
      row('switch', 'ssm:PutParameter', PARAM, 'sonnet', 'haiku'),
      row('restore', 'lambda:PutFunctionConcurrency', FN, 0, 5),
    ]);

    expect(plan.restores.map((r) => [r.step, r.newer, r.restoresStart])).toEqual([
      ['undo-restore', [], false],
      ['undo-switch', [], true],
      ['undo-stop', [`restore#lambda:PutFunctionConcurrency#${FN}`], true],
    ]);
  });

  test('a later row of the same key (a re-run that acted again) has its own undo step, and an undo row counts only for the row it undoes', () => {
    const second = { ...row('stop', 'lambda:PutFunctionConcurrency', FN, null, 0, 'succeeded', 'exec-2'), actionKey: `stop#lambda:PutFunctionConcurrency#${FN}#2` };
    const plan = planUndo([
      row('stop', 'lambda:PutFunctionConcurrency', FN, null, 0),
      { ...row('undo-stop', 'lambda:DeleteFunctionConcurrency', FN, 0, null, 'succeeded', UNDO_EXEC), undoes: `stop#lambda:PutFunctionConcurrency#${FN}` },
      second,
    ]);

    expect(plan.restores).toEqual([expect.objectContaining({ sourceKey: second.actionKey, step: 'undo-stop-2', newer: [], restoresStart: true })]);
    expect(plan.skipped).toEqual([expect.objectContaining({ sourceKey: `stop#lambda:PutFunctionConcurrency#${FN}`, why: `already undone by ${UNDO_EXEC}` })]);
  });
});

test('sameValue ignores key order and treats undefined as null', () => {
  expect(sameValue({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
  expect(sameValue(undefined, null)).toBe(true);
  expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
});

describe('ecs:UpdateService: the inverse follows what the row records, not the runbook', () => {
  const ADMIN = 'alphaswarm-cluster-prod/alphaswarm-admin-prod';
  const td = (rev: number) => `arn:aws:ecs:sa-east-1:111122223333:task-definition/alphaswarm-admin-prod:${rev}`;
  const withParameters = (r: RecordedAction, parameters: unknown): RecordedAction => ({ ...r, parameters });

  test('a task definition change goes back to the task definition the service ran', () => {
    const plan = planUndo([withParameters(row('rollback', 'ecs:UpdateService', ADMIN, { taskDefinition: td(43) }, { taskDefinition: td(42) }),
      { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-admin-prod', taskDefinition: td(42) })]);

    expect(plan.restores).toEqual([expect.objectContaining({
      kind: 'ecs-task-definition', step: 'undo-rollback', operation: 'ecs:UpdateService', target: ADMIN,
      parameters: { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-admin-prod', taskDefinition: td(43) },
      expected: { taskDefinition: td(42) }, restoreTo: { taskDefinition: td(43) },
    })]);
  });

  test('a forced new deployment keeps its reason: not reversible, whichever runbook made it', () => {
    const before = { taskDefinition: td(43), desiredCount: 2, runningCount: 0, deploymentId: 'ecs-svc/1' };
    const plan = planUndo([withParameters(row('redeploy', 'ecs:UpdateService', ADMIN, before, { deploymentId: 'ecs-svc/2', taskDefinition: td(43) }),
      { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-admin-prod', forceNewDeployment: true })]);

    expect(plan.restores).toEqual([]);
    expect(plan.notReversible).toEqual([expect.objectContaining({ operation: 'ecs:UpdateService', why: expect.stringContaining('a forced new deployment keeps the same task definition') })]);
  });

  test('a recorded task definition that is not an ARN, or a call that changed nothing, is not put back', () => {
    const params = { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-admin-prod', taskDefinition: td(42) };
    const bare = planUndo([withParameters(row('rollback', 'ecs:UpdateService', ADMIN, { taskDefinition: 'alphaswarm-admin-prod' }, { taskDefinition: td(42) }), params)]);
    expect(bare.notReversible[0]?.why).toContain('is not a task definition ARN');
    const same = planUndo([withParameters(row('rollback', 'ecs:UpdateService', ADMIN, { taskDefinition: td(42) }, { taskDefinition: td(42) }), params)]);
    expect(same.notReversible[0]?.why).toContain('changed nothing');
  });
});
