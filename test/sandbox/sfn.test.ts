import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidExecutionInput,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import type { SandboxHooks } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:runbook-autopilot-drill-ecs-service-recovery';
const started: { arn: string; name: string; input: string }[] = [];
const hooks: SandboxHooks = {
  onStartExecution: async (arn, name, input) => {
    started.push({ arn, name, input });
    // Yield, so a concurrent duplicate arrives while this start is still in flight.
    await new Promise<void>((resolve) => setImmediate(resolve));
    return { executionArn: `arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-drill-ecs-service-recovery:${name}`, startDate: new Date('2026-11-18T12:00:05Z') };
  },
};
const sandbox = useSandbox({ stepFunctions: { stateMachines: { [MACHINE]: { type: 'STANDARD' } } } }, hooks);
const sfn = () => new SFNClient(clientConfig(sandbox()));
const start = (name: string, input: string) => sfn().send(new StartExecutionCommand({ stateMachineArn: MACHINE, name, input }));

beforeEach(() => {
  started.length = 0;
});

test('StartExecution hands the run to the drill hook and returns its ARN and start date', async () => {
  const out = await start('inc-1', '{"a":1}');

  expect(started).toEqual([{ arn: MACHINE, name: 'inc-1', input: '{"a":1}' }]);
  expect(out.executionArn).toMatch(/:execution:runbook-autopilot-drill-ecs-service-recovery:inc-1$/);
  expect(out.startDate).toEqual(new Date('2026-11-18T12:00:05Z'));
});

test('the same name and input while running returns the same execution without starting another', async () => {
  const first = await start('inc-1', '{"a":1}');
  const again = await start('inc-1', '{"a":1}');

  expect(again.executionArn).toBe(first.executionArn);
  expect(started).toHaveLength(1);
});

test('concurrent duplicates start one execution', async () => {
  const [a, b] = await Promise.all([start('inc-2', '{}'), start('inc-2', '{}')]);

  expect(a.executionArn).toBe(b.executionArn);
  expect(started).toHaveLength(1);
});

test('the same name with different input is ExecutionAlreadyExists', async () => {
  await start('inc-1', '{"a":1}');
  const error = await rejectionOf(start('inc-1', '{"a":2}'));

  expect(error).toBeInstanceOf(ExecutionAlreadyExists);
  expect(started).toHaveLength(1);
});

test('the same name and input after the execution closed is ExecutionAlreadyExists', async () => {
  const first = await start('inc-1', '{}');
  const execution = first.executionArn === undefined ? undefined : sandbox().state.stepFunctions.executions[first.executionArn];
  if (execution === undefined) throw new Error('execution not recorded');
  execution.status = 'SUCCEEDED';

  const error = await rejectionOf(start('inc-1', '{}'));

  expect(error).toBeInstanceOf(ExecutionAlreadyExists);
});

test('an unknown state machine is StateMachineDoesNotExist and the hook is not called', async () => {
  const error = await rejectionOf(sfn().send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}-gone`, name: 'x' })));

  expect(error).toBeInstanceOf(StateMachineDoesNotExist);
  expect(error.message).toBe(`State Machine Does Not Exist: '${MACHINE}-gone'`);
  expect(started).toEqual([]);
});

test('input that is not JSON is InvalidExecutionInput', async () => {
  const error = await rejectionOf(start('inc-3', 'not json'));

  expect(error).toBeInstanceOf(InvalidExecutionInput);
});

test('DescribeExecution reads the recorded execution; an unknown one is ExecutionDoesNotExist', async () => {
  const { executionArn } = await start('inc-4', '{"x":true}');
  const described = await sfn().send(new DescribeExecutionCommand({ executionArn }));
  const error = await rejectionOf(sfn().send(new DescribeExecutionCommand({ executionArn: `${executionArn}-gone` })));

  expect(described).toMatchObject({ executionArn, stateMachineArn: MACHINE, name: 'inc-4', status: 'RUNNING', input: '{"x":true}' });
  expect(error).toBeInstanceOf(ExecutionDoesNotExist);
});
