/**
 * The seed workflow workflow-stuck answers: the TradAI backtest workflow's failed, redrivable
 * execution (its failure two pages back in its history newest first), its redrive as the sandbox
 * plays it, the one-year limit on an execution, and ListTagsForResource.
 */
import {
  DescribeExecutionCommand, ExecutionNotRedrivable, GetExecutionHistoryCommand, ListTagsForResourceCommand, RedriveExecutionCommand, ResourceNotFound, SFNClient,
} from '@aws-sdk/client-sfn';
import { seedAccountState, startSandbox, WORKFLOW_EXECUTION, WORKFLOW_FAILED_STATE, WORKFLOW_MACHINE, type Sandbox } from '../../drill/sandbox';
import { clientConfig, rejectionOf } from './support';

const NOW = new Date('2026-12-02T04:00:00Z');
let sandbox: Sandbox;
let redriveHooked = 0;
beforeEach(async () => {
  redriveHooked = 0;
  sandbox = await startSandbox(seedAccountState(undefined, { now: NOW }), { now: () => NOW, onRedriveExecution: async () => { redriveHooked++; } });
});
afterEach(() => sandbox.close());
const sfn = () => new SFNClient(clientConfig(sandbox));

test('the backtest execution failed yesterday and may be redriven', async () => {
  expect(await sfn().send(new DescribeExecutionCommand({ executionArn: WORKFLOW_EXECUTION }))).toMatchObject({
    status: 'FAILED', error: 'Backtest.ExchangeTimeout', redriveCount: 0, redriveStatus: 'REDRIVABLE',
  });
});

test('newest first, the task that failed is past the first page: 39 aborted iterations came after it', async () => {
  const first = await sfn().send(new GetExecutionHistoryCommand({ executionArn: WORKFLOW_EXECUTION, reverseOrder: true, maxResults: 100, includeExecutionData: false }));
  expect(first.events?.[0]?.type).toBe('ExecutionFailed');
  const failed = first.events?.find((e) => e.type === 'TaskFailed');
  expect(failed?.taskFailedEventDetails).toMatchObject({ error: 'Backtest.ExchangeTimeout' });
  // Its TaskStarted, and the state it entered, are further back.
  expect(first.events?.some((e) => e.id === failed?.previousEventId)).toBe(false);
  expect(first.nextToken).toBeDefined();
});

test('redriven, the seed workflow runs again from the failed state and succeeds, its history continued; the drill runs nothing', async () => {
  await sfn().send(new RedriveExecutionCommand({ executionArn: WORKFLOW_EXECUTION, clientToken: 't-1' }));

  expect(await sfn().send(new DescribeExecutionCommand({ executionArn: WORKFLOW_EXECUTION }))).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
  const newest = await sfn().send(new GetExecutionHistoryCommand({ executionArn: WORKFLOW_EXECUTION, reverseOrder: true, maxResults: 4 }));
  expect(newest.events?.map((e) => e.type)).toEqual(['ExecutionSucceeded', 'TaskStateExited', 'TaskStateEntered', 'ExecutionRedriven']);
  expect(newest.events?.[2]?.stateEnteredEventDetails?.name).toBe(WORKFLOW_FAILED_STATE);
  expect(redriveHooked).toBe(0);
  // The same client token again: answered, redriven no more; without one, it succeeded and is not redrivable.
  await sfn().send(new RedriveExecutionCommand({ executionArn: WORKFLOW_EXECUTION, clientToken: 't-1' }));
  expect(await sfn().send(new DescribeExecutionCommand({ executionArn: WORKFLOW_EXECUTION }))).toMatchObject({ redriveCount: 1 });
  expect(await rejectionOf(sfn().send(new RedriveExecutionCommand({ executionArn: WORKFLOW_EXECUTION })))).toBeInstanceOf(ExecutionNotRedrivable);
});

test('an execution started more than a year ago is past the max execution time: not redrivable', async () => {
  sandbox.state.stepFunctions.executions[WORKFLOW_EXECUTION]!.startDate = new Date(NOW.getTime() - 366 * 86_400_000).toISOString();

  expect(await sfn().send(new DescribeExecutionCommand({ executionArn: WORKFLOW_EXECUTION })))
    .toMatchObject({ redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution has exceeded the max execution time' });
  const refused = await rejectionOf(sfn().send(new RedriveExecutionCommand({ executionArn: WORKFLOW_EXECUTION })));
  expect(refused).toBeInstanceOf(ExecutionNotRedrivable);
  expect((refused as Error).message).toBe(`Execution has exceeded the max execution time: '${WORKFLOW_EXECUTION}'`);
});

test("ListTagsForResource gives a state machine's tags; one that does not exist is ResourceNotFound", async () => {
  expect((await sfn().send(new ListTagsForResourceCommand({ resourceArn: WORKFLOW_MACHINE }))).tags).toEqual([{ key: 'Project', value: 'tradai' }, { key: 'Environment', value: 'prod' }]);
  expect(await rejectionOf(sfn().send(new ListTagsForResourceCommand({ resourceArn: `${WORKFLOW_MACHINE}-v2` })))).toBeInstanceOf(ResourceNotFound);
});
