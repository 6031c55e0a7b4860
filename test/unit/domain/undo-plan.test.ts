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

test('sameValue ignores key order and treats undefined as null', () => {
  expect(sameValue({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
  expect(sameValue(undefined, null)).toBe(true);
  expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
});
