/**
 * The ledger says what really changed, whatever the answers: lost answers (`applied-timeout`: the
 * call takes effect, its answer never comes), refusals after a lost answer, re-runs, undos and
 * a human changing a resource between them. Each test is one of the reproductions that used to
 * end with a record that lied, run in one drill sandbox (the real ASL and handlers).
 */
import { PutItemCommand, ScanCommand, UpdateTableCommand, DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { CapacityModeRule } from '../../drill/capacity-mode-rule';
import { LEDGER_TABLE, type MutationReceived } from '../../drill/drill';
import { seedAccountState, seedTasks } from '../../drill/sandbox';
import type { ActionRecord } from '../../lambdas/shared/ledger';
import { deliveryOf, lastNotice, useDrillSandbox, withoutRails } from './drill-harness';

const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const TABLE = 'cabruca-segmentation-prod-agent-tasks';
const PARAMETER = '/alphaswarm/prod/llm_model_preference';
const FRONTEND = 'alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod';
const LAMBDA_EVENT = 'events/lambda-runaway.alarm.json';
const TABLE_EVENT = 'events/dynamodb-throttling.alarm.json';
const ECS_EVENT = 'events/ecs-service-recovery.alarm.json';
const BUDGET_EVENT = 'events/llm-budget-guardrail.sns.json';
const SEED = seedAccountState();
const SEED_MODEL = SEED.ssm.parameters[PARAMETER]!.value;

/** Called as each mutating call reaches the account; a test sets it to inject a fault at that moment. */
let onMutation: ((operation: string) => void) | undefined;
// Each test is a day apart for DynamoDB's limit on switches to on-demand (four a day per table).
let day = 0;
const harness = useDrillSandbox(() => ({
  config: withoutRails(), onMutation: (operation) => onMutation?.(operation), capacityModeRule: new CapacityModeRule(() => day * 86_400_000),
}));
const drill = () => harness.drill;

/** Every test starts from the seed account: the function, the table and its tasks, the model, no faults left. */
beforeEach(async () => {
  day += 1;
  drill().clearFaults();
  onMutation = undefined;
  drill().sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency = SEED.lambda.functions[FUNCTION]!.reservedConcurrency;
  drill().sandbox.state.ssm.parameters[PARAMETER]!.value = SEED_MODEL;
  const db = drill().directDynamo;
  if ((await drill().tableView(TABLE))?.billingMode === 'PAY_PER_REQUEST') {
    await db.send(new UpdateTableCommand({ TableName: TABLE, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }));
  }
  const items = (await db.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
  for (const item of items) await db.send(new DeleteItemCommand({ TableName: TABLE, Key: { task_id: item.task_id! } }));
  for (const task of seedTasks(new Date())) await db.send(new PutItemCommand({ TableName: TABLE, Item: marshall(task) }));
});

/** Mutating calls that reached the account during `run`, and took effect. */
async function appliedDuring<T>(run: () => Promise<T>): Promise<{ result: T; applied: MutationReceived[] }> {
  const mark = drill().mutationMark();
  const result = await run();
  return { result, applied: drill().mutationsReceived(mark).filter((m) => m.applied) };
}
const rowsOf = (incidentId: string | null) => drill().ledger.listActions(incidentId!);
const rowOf = async (incidentId: string | null, operation: string, step = ''): Promise<ActionRecord | undefined> =>
  (await rowsOf(incidentId)).find((r) => r.operation === operation && r.actionKey.startsWith(step));
const taskCount = async () => ((await drill().directDynamo.send(new ScanCommand({ TableName: TABLE }))).Items ?? []).length;
const lostAnswers = (service: 'lambda' | 'ssm' | 'ecs', operation: string, times: number) => drill().injectFault({ service, operation, error: 'applied-timeout', times, holdMs: 5 });

test('a stop whose answers are all lost is recorded as made (read back), once per row, and undone; the event again is a duplicate', async () => {
  lostAnswers('lambda', 'PutFunctionConcurrency', 20);

  const { result: r, applied } = await appliedDuring(() => drill().handleThenUndo(deliveryOf(LAMBDA_EVENT, 1)));

  expect(r.outcome).toBe('remediated');
  expect(await rowOf(r.incidentId, 'lambda:PutFunctionConcurrency', 'stop#')).toMatchObject({ status: 'succeeded', before: null, after: 0, attempts: 1, reconciledAt: expect.any(String) });
  // One call per row: the stop (0), the approved restore (5), the undo of the restore (0); then the undo of the stop.
  expect(applied.map((m) => [m.operation, m.input.ReservedConcurrentExecutions ?? null])).toEqual([
    ['PutFunctionConcurrency', 0], ['PutFunctionConcurrency', 5], ['PutFunctionConcurrency', 0], ['DeleteFunctionConcurrency', null],
  ]);
  expect(r.undo).toMatchObject({ outcome: 'remediated', restored: true });
  expect(drill().sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency).toBeNull();

  const again = await appliedDuring(() => drill().handle(deliveryOf(LAMBDA_EVENT, 1)));
  expect(again.result).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('duplicate') });
  expect(again.applied).toEqual([]);
});

test('a switch whose answer was lost, then a refusal: the table is recorded on-demand; the refusal fails the undo, which is run again and puts it back', async () => {
  drill().injectFault({ service: 'dynamodb', operation: 'UpdateTable', table: TABLE, error: 'applied-timeout', times: 1, holdMs: 5 });
  drill().injectFault({ service: 'dynamodb', operation: 'UpdateTable', table: TABLE, error: 'access-denied', times: 1 });

  const r = await drill().handleThenUndo(deliveryOf(TABLE_EVENT, 1));

  expect(r.outcome).toBe('remediated');
  expect(await rowOf(r.incidentId, 'dynamodb:UpdateTable', 'switch#')).toMatchObject({
    status: 'succeeded', before: { billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 5 }, after: { billingMode: 'PAY_PER_REQUEST' }, reconciledAt: expect.any(String),
  });
  // The refusal met the undo's UpdateTable: that undo failed, and says so; the deleted tasks it had put back stay back.
  expect(r.undo).toMatchObject({ outcome: 'failed', restored: false });
  expect(await drill().ledger.getIncident(r.incidentId!)).toMatchObject({ undoStatus: 'failed' });
  expect(await taskCount()).toBe(7);

  const second = await drill().undo(r.incidentId!);

  expect(lastNotice(second)).toMatchObject({ outcome: 'remediated', reason: expect.stringMatching(/^undone/) });
  expect(await drill().tableView(TABLE)).toMatchObject({ billingMode: 'PROVISIONED' });
});

test('a model switch whose answers are all lost: one write per row, the timed restore runs, and the model is back', async () => {
  lostAnswers('ssm', 'PutParameter', 20);
  const version = drill().sandbox.state.ssm.parameters[PARAMETER]!.version;

  const { result: r, applied } = await appliedDuring(() => drill().handleThenUndo(deliveryOf(BUDGET_EVENT, 1)));

  expect(r.outcome).toBe('remediated');
  const rows = await rowsOf(r.incidentId);
  expect(rows.filter((a) => a.operation === 'ssm:PutParameter').map((a) => [a.actionKey.split('#')[0], a.status, a.before, a.after])).toEqual([
    ['switch', 'succeeded', SEED_MODEL, expect.stringContaining('haiku')], ['restore', 'succeeded', expect.stringContaining('haiku'), SEED_MODEL],
  ]);
  expect(applied.filter((m) => m.operation === 'PutParameter')).toHaveLength(2);
  expect(drill().sandbox.state.ssm.parameters[PARAMETER]).toMatchObject({ value: SEED_MODEL, version: version + 2 });
  expect(r.undo).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('already put back within the runbook'), restored: true });
});

test('a stuck task deleted by a call whose answer was lost is recorded deleted, and the undo puts all three back', async () => {
  drill().injectFault({ service: 'dynamodb', operation: 'DeleteItem', table: TABLE, error: 'applied-timeout', times: 1, holdMs: 5 });

  const r = await drill().handleThenUndo(deliveryOf(TABLE_EVENT, 2));

  expect(r.outcome).toBe('remediated');
  const cleanup = await rowOf(r.incidentId, 'dynamodb:DeleteItem');
  expect(cleanup).toMatchObject({ status: 'succeeded', after: { skipped: [] } });
  expect((cleanup!.after as { deleted: unknown[] }).deleted).toHaveLength(3);
  expect(r.undo).toMatchObject({ outcome: 'remediated', restored: true });
  expect(await taskCount()).toBe(7);
});

test('a cleanup that failed part way is recorded unknown; its re-run is not a skip, and the undo puts back the task it deleted', async () => {
  drill().injectFault({ service: 'dynamodb', operation: 'DeleteItem', table: TABLE, error: 'applied-timeout', times: 1, holdMs: 5 });
  drill().injectFault({ service: 'dynamodb', operation: 'DeleteItem', table: TABLE, error: 'access-denied', times: 10 });
  const delivery = () => deliveryOf(TABLE_EVENT, 3);

  const first = await drill().handle(delivery());

  expect(first.outcome).toBe('failed');
  expect(await rowOf(first.incidentId, 'dynamodb:DeleteItem')).toMatchObject({ status: 'unknown', error: expect.stringContaining('AwsAccessDenied') });
  expect(await taskCount()).toBe(6);

  const rerun = await drill().handle(delivery());

  // Already on-demand, by this incident's own earlier run, which did not finish: escalated, not skipped.
  expect(rerun).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining("this incident's earlier run made changes still in place") });
  expect(await drill().ledger.getIncident(first.incidentId!)).toMatchObject({ status: 'escalated' });

  drill().clearFaults();
  const undo = await drill().undo(first.incidentId!);

  expect(lastNotice(undo)).toMatchObject({ outcome: 'remediated' });
  expect(await taskCount()).toBe(7);
  const settled = await rowOf(first.incidentId, 'dynamodb:DeleteItem');
  expect(settled).toMatchObject({ status: 'succeeded', reconciledAt: expect.any(String) });
  expect((settled!.after as { deleted: unknown[]; skipped: unknown[] }).deleted).toHaveLength(1);
  expect((settled!.after as { deleted: unknown[]; skipped: unknown[] }).skipped).toHaveLength(2);
});

test('a forced deployment whose answers are lost rolls the service once', async () => {
  lostAnswers('ecs', 'UpdateService', 3);

  const { result: r, applied } = await appliedDuring(() => drill().handle(deliveryOf(ECS_EVENT, 1)));

  expect(r.outcome).toBe('remediated');
  expect(applied.filter((m) => m.operation === 'UpdateService')).toHaveLength(1);
  expect(await rowOf(r.incidentId, 'ecs:UpdateService')).toMatchObject({ status: 'succeeded', target: FRONTEND, attempts: 1, reconciledAt: expect.any(String) });
});

test('an undo whose UpdateTable answers are lost puts the table back once and says so', async () => {
  const r = await drill().handle(deliveryOf(TABLE_EVENT, 4));
  drill().injectFault({ service: 'dynamodb', operation: 'UpdateTable', table: TABLE, error: 'applied-timeout', times: 5, holdMs: 5 });

  const { result: undo, applied } = await appliedDuring(() => drill().undo(r.incidentId!));

  expect(lastNotice(undo)).toMatchObject({ outcome: 'remediated', reason: expect.stringMatching(/^undone: 2 change\(s\) put back/) });
  expect(applied.filter((m) => m.operation === 'UpdateTable')).toHaveLength(1);
  expect(await drill().tableView(TABLE)).toMatchObject({ billingMode: 'PROVISIONED' });
  expect(await rowOf(r.incidentId, 'dynamodb:UpdateTable', 'undo-')).toMatchObject({ status: 'succeeded', reconciledAt: expect.any(String) });
});

test('an undo whose put of the tasks fails after its retries stops there: the capacity restore after it never starts, and every row says what happened', async () => {
  const r = await drill().handle(deliveryOf(TABLE_EVENT, 8));
  expect(r.outcome).toBe('remediated');
  // Every put of the deleted tasks hangs up (no answer, nothing applied) through every retry.
  drill().injectFault({ service: 'dynamodb', operation: 'PutItem', table: TABLE, error: 'timeout', times: 50, holdMs: 2 });

  const { result: undo, applied } = await appliedDuring(() => drill().undo(r.incidentId!));

  expect(undo.status).toBe('FAILED');
  expect(lastNotice(undo)).toMatchObject({ outcome: 'failed' });
  // Step Functions starts no Map iteration after one failed: the table's capacity restore (the next, older change) is never tried.
  expect(undo.invocations.filter((i) => (i.payload as { restore?: { step?: string } }).restore?.step === 'undo-switch')).toEqual([]);
  expect(applied).toEqual([]);
  expect(await drill().tableView(TABLE)).toMatchObject({ billingMode: 'PAY_PER_REQUEST' });
  const undoRows = (await rowsOf(r.incidentId)).filter((row) => row.actionKey.startsWith('undo-'));
  expect(undoRows.map((row) => [row.actionKey.split('#')[0], row.status])).toEqual([['undo-cleanup', 'unknown']]);
});

test('a human stopped the function again after the approved restore: the undo keeps the stop, escalates naming what it found, and calls nothing', async () => {
  const r = await drill().handle(deliveryOf(LAMBDA_EVENT, 2));
  expect(r).toMatchObject({ outcome: 'remediated', resources: { after: { [FUNCTION]: { reservedConcurrency: 5 } } } });
  drill().sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency = 0;

  const { result: undo, applied } = await appliedDuring(() => drill().undo(r.incidentId!));

  expect(applied).toEqual([]);
  expect(drill().sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency).toBe(0);
  expect(lastNotice(undo)).toMatchObject({ outcome: 'escalated', topic: 'critical', reason: `not fully undone: ${FUNCTION} was changed since the runbook set it: expected 5, found 0; left as it is` });
});

test('a re-fired alarm after its failed incident was undone stops the function again, and that stop is undone in turn', async () => {
  drill().injectFault({ service: 'cloudwatch', operation: 'DescribeAlarms', error: 'access-denied', times: 1 });
  const delivery = () => deliveryOf(LAMBDA_EVENT, 3);
  const first = await drill().handleThenUndo(delivery());
  expect(first.outcome).toBe('failed');
  expect(first.undo).toMatchObject({ outcome: 'remediated', restored: true });

  const { result: again, applied } = await appliedDuring(() => drill().handleThenUndo(delivery()));

  expect(again.outcome).toBe('remediated');
  expect(applied.map((m) => [m.operation, m.input.ReservedConcurrentExecutions ?? null])).toEqual([
    ['PutFunctionConcurrency', 0], ['PutFunctionConcurrency', 5], ['PutFunctionConcurrency', 0], ['DeleteFunctionConcurrency', null],
  ]);
  expect((await rowsOf(first.incidentId)).map((a) => `${a.actionKey.replace(`#${FUNCTION}`, '')} ${a.status}`)).toEqual([
    'stop#lambda:PutFunctionConcurrency succeeded',
    'undo-stop#lambda:DeleteFunctionConcurrency succeeded',
    'stop#lambda:PutFunctionConcurrency#2 succeeded',
    'restore#lambda:PutFunctionConcurrency succeeded',
    'undo-restore#lambda:PutFunctionConcurrency succeeded',
    'undo-stop-2#lambda:DeleteFunctionConcurrency succeeded',
  ]);
  expect(again.undo).toMatchObject({ outcome: 'remediated', restored: true });
});

test('a ledger outage while recording a lost answer leaves the row at intent after its run ended: the undo reads the function, settles the row and puts it back', async () => {
  // Four answers lost before anything applied, then one after the stop applied; as that last call
  // arrives, the ledger refuses its next write (all four attempts of its DynamoDB client), so the
  // row stays at intent and the run ends failed.
  drill().injectFault({ service: 'lambda', operation: 'PutFunctionConcurrency', error: 'timeout', times: 4, holdMs: 5 });
  drill().injectFault({ service: 'lambda', operation: 'PutFunctionConcurrency', error: 'applied-timeout', times: 1, holdMs: 5 });
  let puts = 0;
  onMutation = (operation) => {
    if (operation === 'lambda:PutFunctionConcurrency' && ++puts === 5) {
      drill().injectFault({ service: 'dynamodb', operation: 'UpdateItem', table: LEDGER_TABLE, error: 'server-error', times: 4 });
    }
  };

  const r = await drill().handle(deliveryOf(LAMBDA_EVENT, 4));

  expect(r.outcome).toBe('failed');
  expect(await rowOf(r.incidentId, 'lambda:PutFunctionConcurrency')).toMatchObject({ status: 'intent', attempts: 5 });
  expect(drill().sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency).toBe(0);

  const undo = await drill().undo(r.incidentId!);

  expect(lastNotice(undo)).toMatchObject({ outcome: 'remediated', reason: expect.stringMatching(/^undone: 1 change\(s\) put back/) });
  expect(drill().sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency).toBeNull();
  expect(await rowOf(r.incidentId, 'lambda:PutFunctionConcurrency', 'stop#')).toMatchObject({ status: 'succeeded', after: 0, reconciledAt: expect.any(String) });
});
