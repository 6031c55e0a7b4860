import 'aws-sdk-client-mock-jest';
import { DeleteScheduleCommand, GetScheduleCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { holds, inverseOf, type Inverse } from '../../../lambdas/domain/reversible';
import type { RestoreStep } from '../../../lambdas/domain/undo-plan';
import { UndoResources } from '../../../lambdas/undo/resources';

const scheduler = mockClient(SchedulerClient);
const resources = new UndoResources();
const SERVICE = 'alphaswarm-cluster-prod/alphaswarm-api-prod';
const NAME = 'auth-revert-inc-0123456789abcdef';
const AT = 'at(2026-12-07T04:00:00)';
const notFound = () => new ResourceNotFoundException({ message: `Schedule ${NAME} does not exist.`, Message: `Schedule ${NAME} does not exist.`, $metadata: {} });

/** The schedule step's row: its target is the service, its parameters name the schedule (the undo reads and deletes it by those). */
const inverse = inverseOf({
  actionKey: `schedule-revert#scheduler:CreateSchedule#${SERVICE}`, operation: 'scheduler:CreateSchedule', target: SERVICE, status: 'succeeded', executionArn: 'arn',
  parameters: { Name: NAME, GroupName: 'reverts', ScheduleExpression: AT }, before: null, after: { Name: NAME, ScheduleExpression: AT },
}) as Inverse;
const step: RestoreStep = { ...inverse, sourceKey: 'k', sourceStep: 'schedule-revert', step: 'undo-schedule-revert', newer: [], restoresStart: true };

beforeEach(() => scheduler.reset());

test('an early revert deletes the schedule its row names (by name and group, not by the service it reverts)', async () => {
  expect(inverse).toMatchObject({ kind: 'scheduler-schedule', operation: 'scheduler:DeleteSchedule', parameters: { Name: NAME, GroupName: 'reverts' }, restoreTo: null });
  scheduler.on(DeleteScheduleCommand).resolves({});

  expect(await resources.restore(step)).toBeNull();

  expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([{ Name: NAME, GroupName: 'reverts' }]);
});

test('the undo reads the schedule by the recorded name: what it runs and when while it waits, null once it ran and deleted itself', async () => {
  scheduler.on(GetScheduleCommand).resolvesOnce({ Name: NAME, GroupName: 'reverts', ScheduleExpression: AT, State: 'ENABLED', Target: { Arn: 'undo', RoleArn: 'role', Input: '{}' } })
    .rejectsOnce(notFound());

  const waiting = await resources.read(step.kind, step.target, step.parameters);
  expect(waiting).toEqual({ Name: NAME, ScheduleExpression: AT });
  expect(holds(step.kind, waiting, step.expected)).toBe(true);
  const gone = await resources.read(step.kind, step.target, step.parameters);
  expect(gone).toBeNull();
  expect(holds(step.kind, gone, step.restoreTo)).toBe(true);

  expect(scheduler.commandCalls(GetScheduleCommand).map((c) => c.args[0].input)).toEqual([{ Name: NAME, GroupName: 'reverts' }, { Name: NAME, GroupName: 'reverts' }]);
});

test('a schedule already gone when the revert deletes it (it ran, or a person cancelled it) is the value before: nothing fails', async () => {
  scheduler.on(DeleteScheduleCommand).rejects(notFound());
  expect(await resources.restore(step)).toBeNull();
  expect(scheduler).toHaveReceivedCommandTimes(DeleteScheduleCommand, 1);
});
