/**
 * The sandbox's Step Functions answers RedriveExecution with AWS's rules (ExecutionNotRedrivable
 * for a running or succeeded execution, one closed more than 14 days ago or with a full history;
 * ExecutionLimitExceeded at the open-executions quota; ExecutionDoesNotExist; a client token
 * answered again for 15 minutes), and pages the recorded history with GetExecutionHistory.
 */
import {
  DescribeExecutionCommand, ExecutionDoesNotExist, ExecutionLimitExceeded, ExecutionNotRedrivable, GetExecutionHistoryCommand, InvalidArn, InvalidToken,
  RedriveExecutionCommand, SFNClient,
} from '@aws-sdk/client-sfn';
import { startSandbox, seedAccountState, type ExecutionState, type HistoryEventState, type Sandbox } from '../../drill/sandbox';
import { clientConfig, rejectionOf } from './support';

const MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:runbook-autopilot-drill-lambda-runaway';
const EXECUTION = (name: string) => `arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-drill-lambda-runaway:${name}`;
const NOW = new Date('2026-11-18T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

const event = (id: number, type: string, details: Record<string, unknown> = {}): HistoryEventState =>
  ({ id, previousEventId: id - 1, timestamp: daysAgo(1), type, ...details });
const HISTORY: HistoryEventState[] = [
  event(1, 'ExecutionStarted', { executionStartedEventDetails: { input: '{"a":1}', inputDetails: { truncated: false } } }),
  event(2, 'TaskStateEntered', { stateEnteredEventDetails: { name: 'Stop function: reserved concurrency 0', input: '{"s":1}', inputDetails: { truncated: false } } }),
  event(3, 'TaskFailed', { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'AwsUnavailable', cause: 'boom' } }),
  event(4, 'ExecutionFailed', { executionFailedEventDetails: { error: 'AwsUnavailable', cause: 'boom' } }),
];
const closed = (status: ExecutionState['status'], stopDaysAgo = 1, extra: Partial<ExecutionState> = {}): ExecutionState => ({
  stateMachineArn: MACHINE, name: 'x', input: '{"a":1}', status, startDate: daysAgo(stopDaysAgo + 0.01), stopDate: daysAgo(stopDaysAgo),
  redriveCount: 0, history: HISTORY, ...(status === 'FAILED' ? { error: 'AwsUnavailable', cause: 'boom' } : {}), ...extra,
});

let sandbox: Sandbox;
let now = NOW;
const redriven: { arn: string; count: number }[] = [];
beforeEach(async () => {
  now = NOW;
  redriven.length = 0;
  const state = seedAccountState(undefined, { now: NOW });
  state.stepFunctions.stateMachines[MACHINE] = { type: 'STANDARD' };
  state.stepFunctions.executions = {
    [EXECUTION('failed')]: closed('FAILED'),
    [EXECUTION('aborted')]: closed('ABORTED'),
    [EXECUTION('timed-out')]: closed('TIMED_OUT'),
    [EXECUTION('succeeded')]: closed('SUCCEEDED'),
    [EXECUTION('running')]: { ...closed('RUNNING'), stopDate: undefined },
    [EXECUTION('old')]: closed('FAILED', 14.01),
    [EXECUTION('recent')]: closed('FAILED', 13.99),
    [EXECUTION('full')]: closed('FAILED', 1, { history: Array.from({ length: 24_999 }, (_, i) => event(i + 1, 'PassStateEntered')) }),
  };
  sandbox = await startSandbox(state, { now: () => now, onRedriveExecution: async (arn, count) => { redriven.push({ arn, count }); } });
});
afterEach(() => sandbox.close());
const sfn = () => new SFNClient(clientConfig(sandbox));
const redrive = (name: string, clientToken?: string) => sfn().send(new RedriveExecutionCommand({ executionArn: EXECUTION(name), ...(clientToken ? { clientToken } : {}) }));

test.each(['failed', 'aborted', 'timed-out'])('a %s execution is redriven: the same ARN, running again, redrive count 1; the drill runs it', async (name) => {
  const out = await redrive(name);

  expect(out.redriveDate).toEqual(NOW);
  expect(redriven).toEqual([{ arn: EXECUTION(name), count: 1 }]);
  const described = await sfn().send(new DescribeExecutionCommand({ executionArn: EXECUTION(name) }));
  expect(described).toMatchObject({ status: 'RUNNING', redriveCount: 1, redriveDate: NOW, redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is RUNNING and cannot be redriven' });
  expect(described).not.toHaveProperty('error');
});

test('DescribeExecution of a failed run gives its error, cause and that it may be redriven', async () => {
  expect(await sfn().send(new DescribeExecutionCommand({ executionArn: EXECUTION('failed') }))).toMatchObject({
    status: 'FAILED', error: 'AwsUnavailable', cause: 'boom', redriveCount: 0, redriveStatus: 'REDRIVABLE',
  });
});

test.each([
  ['succeeded', 'Execution is SUCCEEDED and cannot be redriven'],
  ['running', 'Execution is RUNNING and cannot be redriven'],
  ['old', 'Execution redrivable period exceeded'],
  ['full', 'Execution history event limit exceeded'],
])('%s: ExecutionNotRedrivable (%s), and nothing runs', async (name, reason) => {
  const error = await rejectionOf(redrive(name));

  expect(error).toBeInstanceOf(ExecutionNotRedrivable);
  expect(error.message).toBe(`${reason}: '${EXECUTION(name)}'`);
  expect(redriven).toEqual([]);
  expect(sandbox.state.stepFunctions.executions[EXECUTION(name)]?.redriveCount).toBe(0);
});

test('closed less than 14 days ago: still redrivable', async () => {
  await redrive('recent');
  expect(redriven).toHaveLength(1);
});

test('unknown execution: ExecutionDoesNotExist; not an execution ARN: InvalidArn', async () => {
  expect(await rejectionOf(redrive('gone'))).toBeInstanceOf(ExecutionDoesNotExist);
  expect(await rejectionOf(sfn().send(new RedriveExecutionCommand({ executionArn: MACHINE })))).toBeInstanceOf(InvalidArn);
  expect(redriven).toEqual([]);
});

test('open executions at the account quota: ExecutionLimitExceeded', async () => {
  sandbox.state.stepFunctions.openExecutionsLimit = 1; // the running execution fills it

  expect(await rejectionOf(redrive('failed'))).toBeInstanceOf(ExecutionLimitExceeded);
  expect(sandbox.state.stepFunctions.executions[EXECUTION('failed')]).toMatchObject({ status: 'FAILED', redriveCount: 0 });
  expect(redriven).toEqual([]);
});

test('the same client token within 15 minutes gets the same answer and redrives nothing; after that it is a new request', async () => {
  const first = await redrive('failed', 'token-1');
  now = new Date(NOW.getTime() + 60_000);
  const again = await redrive('failed', 'token-1');

  expect(again.redriveDate).toEqual(first.redriveDate);
  expect(redriven).toHaveLength(1);

  const execution = sandbox.state.stepFunctions.executions[EXECUTION('failed')]!;
  execution.status = 'FAILED'; // the redrive failed again
  now = new Date(NOW.getTime() + 16 * 60_000);
  await redrive('failed', 'token-1');
  expect(redriven).toEqual([{ arn: EXECUTION('failed'), count: 1 }, { arn: EXECUTION('failed'), count: 2 }]);
});

test('GetExecutionHistory pages the history, oldest or newest first, with or without the data', async () => {
  const executionArn = EXECUTION('failed');
  const first = await sfn().send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 3 }));
  const rest = await sfn().send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 3, nextToken: first.nextToken }));
  const bare = await sfn().send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));

  expect(first.events?.map((e) => e.type)).toEqual(['ExecutionFailed', 'TaskFailed', 'TaskStateEntered']);
  expect(first.events?.[2]?.stateEnteredEventDetails).toEqual({ name: 'Stop function: reserved concurrency 0', input: '{"s":1}', inputDetails: { truncated: false } });
  expect(first.events?.[0]?.timestamp).toEqual(new Date(daysAgo(1)));
  expect(rest.events?.map((e) => e.type)).toEqual(['ExecutionStarted']);
  expect(rest.nextToken).toBeUndefined();
  expect(bare.events?.map((e) => e.id)).toEqual([1, 2, 3, 4]);
  expect(bare.events?.[1]?.stateEnteredEventDetails).toEqual({ name: 'Stop function: reserved concurrency 0' });
  expect(await rejectionOf(sfn().send(new GetExecutionHistoryCommand({ executionArn, nextToken: 'forged' })))).toBeInstanceOf(InvalidToken);
  expect(await rejectionOf(sfn().send(new GetExecutionHistoryCommand({ executionArn: EXECUTION('gone') })))).toBeInstanceOf(ExecutionDoesNotExist);
});
