import { CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, SchedulerClient, type CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { clientConfig, rejectionOf, useSandbox } from './support';

const NOW = new Date('2026-12-07T00:20:00Z');
const started: { arn: string; name: string; input: string }[] = [];
const sandbox = useSandbox(undefined, {
  now: () => NOW,
  onStartExecution: async (arn, name, input) => {
    started.push({ arn, name, input });
    return { executionArn: `${arn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: NOW };
  },
});
const scheduler = () => new SchedulerClient(clientConfig(sandbox()));
const UNDO = 'arn:aws:states:sa-east-1:111122223333:stateMachine:runbook-autopilot-drill-undo';
const ROLE = 'arn:aws:iam::111122223333:role/runbook-autopilot-drill-auth-revert-scheduler';
const revert = (over: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: 'auth-revert-inc-0123456789abcdef', ScheduleExpression: 'at(2026-12-07T02:20:00)', FlexibleTimeWindow: { Mode: 'OFF' }, ActionAfterCompletion: 'DELETE',
  Target: { Arn: UNDO, RoleArn: ROLE, Input: '{"incidentId":"inc-0123456789abcdef"}' }, ...over,
});
const schedules = () => Object.keys(sandbox().state.scheduler?.schedules ?? {}).sort();

beforeEach(() => {
  started.length = 0;
});

describe('EventBridge Scheduler', () => {
  test('CreateSchedule keeps a one-time schedule; GetSchedule answers it as created', async () => {
    const out = await scheduler().send(new CreateScheduleCommand(revert()));

    expect(out.ScheduleArn).toBe('arn:aws:scheduler:sa-east-1:111122223333:schedule/default/auth-revert-inc-0123456789abcdef');
    const got = await scheduler().send(new GetScheduleCommand({ Name: 'auth-revert-inc-0123456789abcdef' }));
    expect(got).toMatchObject({
      Name: 'auth-revert-inc-0123456789abcdef', GroupName: 'default', ScheduleExpression: 'at(2026-12-07T02:20:00)', State: 'ENABLED', ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: UNDO, RoleArn: ROLE, Input: '{"incidentId":"inc-0123456789abcdef"}' },
    });
  });

  test('a second CreateSchedule of the same name is a ConflictException (409) and keeps the first', async () => {
    await scheduler().send(new CreateScheduleCommand(revert()));
    const e = await rejectionOf(scheduler().send(new CreateScheduleCommand(revert({ ScheduleExpression: 'at(2026-12-08T00:00:00)' }))));

    expect({ name: e.name, status: e.$metadata?.httpStatusCode, message: e.message }).toEqual({ name: 'ConflictException', status: 409, message: 'Schedule auth-revert-inc-0123456789abcdef already exists.' });
    expect((await scheduler().send(new GetScheduleCommand({ Name: 'auth-revert-inc-0123456789abcdef' }))).ScheduleExpression).toBe('at(2026-12-07T02:20:00)');
  });

  test.each([
    ['a name outside the pattern', { Name: 'auth revert/1' }, "failed to satisfy constraint: Member must satisfy regular expression pattern"],
    ['an at() that is no date', { ScheduleExpression: 'at(2026-02-30T02:20:00)' }, 'Invalid Schedule Expression at(2026-02-30T02:20:00).'],
    ['an expression of no kind', { ScheduleExpression: 'in(2 hours)' }, 'Invalid Schedule Expression in(2 hours).'],
    ['no FlexibleTimeWindow', { FlexibleTimeWindow: undefined }, "Value null at 'flexibleTimeWindow'"],
    ['a FLEXIBLE window without its maximum', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' as const } }, 'MaximumWindowInMinutes must be between 1 and 1440'],
    ['a target without its role', { Target: { Arn: UNDO, RoleArn: undefined as unknown as string } }, "Value null at 'target.roleArn'"],
    ['a target without its ARN', { Target: { Arn: undefined as unknown as string, RoleArn: ROLE } }, "Value null at 'target.arn'"],
  ])('CreateSchedule with %s is a ValidationException and creates nothing', async (_what, over, message) => {
    const e = await rejectionOf(scheduler().send(new CreateScheduleCommand(revert(over))));

    expect({ name: e.name, status: e.$metadata?.httpStatusCode }).toEqual({ name: 'ValidationException', status: 400 });
    expect(e.message).toContain(message);
    expect(schedules()).toEqual(['default/tradai-prod-nightly-backtest']);
  });

  test('GetSchedule and DeleteSchedule of a schedule that does not exist are ResourceNotFoundException (404)', async () => {
    for (const command of [new GetScheduleCommand({ Name: 'nothing-here' }), new DeleteScheduleCommand({ Name: 'nothing-here' })]) {
      const e = await rejectionOf(scheduler().send(command as GetScheduleCommand));
      expect({ name: e.name, status: e.$metadata?.httpStatusCode, message: e.message }).toEqual({ name: 'ResourceNotFoundException', status: 404, message: 'Schedule nothing-here does not exist.' });
    }
  });

  test('DeleteSchedule removes it', async () => {
    await scheduler().send(new CreateScheduleCommand(revert()));
    await scheduler().send(new DeleteScheduleCommand({ Name: 'auth-revert-inc-0123456789abcdef' }));

    expect(schedules()).toEqual(['default/tradai-prod-nightly-backtest']);
  });

  test('a one-time schedule fires once the sandbox clock passes it: its state machine started with its input, then it deletes itself', async () => {
    await scheduler().send(new CreateScheduleCommand(revert()));

    expect(await sandbox().advanceClock(119 * 60_000)).toEqual([]);
    expect(started).toEqual([]);
    expect(await sandbox().advanceClock(60_000)).toEqual(['auth-revert-inc-0123456789abcdef']);
    expect(started).toEqual([{ arn: UNDO, name: expect.stringMatching(/^auth-revert-inc-0123456789abcdef-[0-9a-f]{8}$/), input: '{"incidentId":"inc-0123456789abcdef"}' }]);
    // Deleted after it ran (ActionAfterCompletion DELETE); the recurring schedule never fires here.
    expect(schedules()).toEqual(['default/tradai-prod-nightly-backtest']);
    expect(await sandbox().advanceClock(24 * 60 * 60_000)).toEqual([]);
  });

  test('a one-time schedule kept after it runs (ActionAfterCompletion NONE) fires once and stays', async () => {
    await scheduler().send(new CreateScheduleCommand(revert({ ActionAfterCompletion: 'NONE' })));

    await sandbox().advanceClock(121 * 60_000);
    await sandbox().advanceClock(60_000);
    expect(started).toHaveLength(1);
    expect(schedules()).toEqual(['default/auth-revert-inc-0123456789abcdef', 'default/tradai-prod-nightly-backtest']);
  });
});
