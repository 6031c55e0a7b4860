/** `autopilot undo`: npm run undo's start of the undo state machine (tools/undo.ts), with the command line's settings. */
import { ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { autopilot, oneLineError } from './run';

const sfn = mockClient(SFNClient);
const UNDO = 'arn:aws:states:sa-east-1:123456789012:stateMachine:runbook-autopilot-staging-undo';
const INCIDENT = 'inc-0123456789abcdef';

beforeEach(() => {
  sfn.reset();
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: 'runbook-autopilot-staging-undo', stateMachineArn: UNDO, type: 'STANDARD', creationDate: new Date() }] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${UNDO.replace(':stateMachine:', ':execution:')}:x`, startDate: new Date() });
});

test('starts the environment\'s undo state machine with the incident and who asks', async () => {
  const run = await autopilot('--env', 'staging', 'undo', INCIDENT, '--as', 'maria');

  expect(run.code).toBe(0);
  expect(sfn.commandCalls(StartExecutionCommand).map((c) => [c.args[0].input.stateMachineArn, JSON.parse(c.args[0].input.input!)]))
    .toEqual([[UNDO, { incidentId: INCIDENT, requestedBy: 'maria' }]]);
  expect(run.stdout).toMatch(new RegExp(`^undo of ${INCIDENT} started \\(asked by maria\\): arn:aws:states:sa-east-1:123456789012:execution:runbook-autopilot-staging-undo:x\\n {2}watch it: https://`));
});

test('not an incident id: one line, exit 2, nothing started; --local: refused the same way', async () => {
  const bad = await autopilot('--env', 'staging', 'undo', 'inc-123');
  expect(bad.code).toBe(2);
  expect(oneLineError(bad)).toMatch(/^autopilot: not an incident id: "inc-123"/);
  const local = await autopilot('--local', 'undo', INCIDENT);
  expect(local.code).toBe(2);
  expect(oneLineError(local)).toMatch(/^autopilot: undo starts the undo state machine of a deployed stack/);
  expect(sfn.calls()).toHaveLength(0);
});
