/** `autopilot pause` / `resume`: the SSM switches admit reads, written as an operator would. */
import { GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { autopilot, oneLineError } from './run';

const ssm = mockClient(SSMClient);
const PREFIX = '/runbook-autopilot/prod';
let values: Record<string, string>;

beforeEach(() => {
  ssm.reset();
  values = { [`${PREFIX}/automation`]: 'enabled', [`${PREFIX}/runbooks/lambda-runaway`]: 'enabled', [`${PREFIX}/runbooks/scale-out`]: 'enabled' };
  ssm.on(GetParametersCommand).callsFake((input: { Names: string[] }) => ({
    Parameters: input.Names.filter((n) => n in values).map((Name) => ({ Name, Value: values[Name], Type: 'String' })),
    InvalidParameters: input.Names.filter((n) => !(n in values)),
  }));
  ssm.on(PutParameterCommand).resolves({ Version: 2 });
});

const puts = () => ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input);

test('pause with no runbook writes the kill switch "paused", in the environment and region asked for', async () => {
  const run = await autopilot('--env', 'prod', '--region', 'eu-west-1', 'pause');

  expect(run.code).toBe(0);
  expect(puts()).toEqual([{ Name: `${PREFIX}/automation`, Value: 'paused', Type: 'String', Overwrite: true }]);
  expect(await ssm.call(0).thisValue.config.region()).toBe('eu-west-1');
  expect(run.stdout).toMatch(/^automation: enabled -> paused \(\/runbook-autopilot\/prod\/automation\)\nadmit holds every runbook/);
});

test('pause <runbook> writes that runbook\'s switch "disabled"; resume writes it "enabled", and says the kill switch still holds', async () => {
  expect((await autopilot('--env', 'prod', 'pause', 'scale-out')).code).toBe(0);
  values[`${PREFIX}/runbooks/scale-out`] = 'disabled';
  values[`${PREFIX}/automation`] = 'paused';
  const resumed = await autopilot('resume', 'scale-out', '--env', 'prod', '--json');

  expect(puts()).toEqual([
    { Name: `${PREFIX}/runbooks/scale-out`, Value: 'disabled', Type: 'String', Overwrite: true },
    { Name: `${PREFIX}/runbooks/scale-out`, Value: 'enabled', Type: 'String', Overwrite: true },
  ]);
  expect(JSON.parse(resumed.stdout)).toEqual({
    switch: 'scale-out', parameter: `${PREFIX}/runbooks/scale-out`, before: 'disabled', after: 'enabled', changed: true, automation: 'paused',
  });
});

test('resume of the kill switch writes "enabled"; a switch already so is not written again', async () => {
  values[`${PREFIX}/automation`] = 'paused';
  expect((await autopilot('--env', 'prod', 'resume')).code).toBe(0);
  values[`${PREFIX}/automation`] = 'enabled';
  const again = await autopilot('--env', 'prod', 'resume');

  expect(puts()).toEqual([{ Name: `${PREFIX}/automation`, Value: 'enabled', Type: 'String', Overwrite: true }]);
  expect(again.stdout).toBe(`automation is already enabled (${PREFIX}/automation): nothing written\n`);
});

test('a missing switch is written (admit holds on a missing one)', async () => {
  delete values[`${PREFIX}/runbooks/lambda-runaway`];
  const run = await autopilot('--env', 'prod', 'resume', 'lambda-runaway');
  expect(run.stdout).toMatch(/^lambda-runaway: missing -> enabled/);
  expect(puts()).toEqual([{ Name: `${PREFIX}/runbooks/lambda-runaway`, Value: 'enabled', Type: 'String', Overwrite: true }]);
});

test.each([
  ['an unknown runbook', ['pause', 'lambda-runway'], /^autopilot: unknown runbook "lambda-runway" \(known: lambda-runaway, /],
  ['--local', ['--local', 'pause'], /^autopilot: pause changes the switches of a deployed stack, not the last drill's state: /],
  ['an environment with no config', ['--env', 'nowhere', 'pause'], /^autopilot: --env nowhere: No config for environment "nowhere"/],
])('pause with %s is refused in one line, exit 2, nothing read or written', async (_name, argv, message) => {
  const run = await autopilot(...argv);
  expect(run.code).toBe(2);
  expect(oneLineError(run)).toMatch(message);
  expect(ssm.calls()).toHaveLength(0);
});

test('AWS refusing the write is one line, exit 1', async () => {
  ssm.on(PutParameterCommand).rejects(Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/ReadOnly/x is not authorized to perform: ssm:PutParameter'), { name: 'AccessDeniedException' }));
  const run = await autopilot('--env', 'prod', 'pause');
  expect(run.code).toBe(1);
  expect(oneLineError(run)).toBe(`autopilot: AWS refused writing ${PREFIX}/automation: User: arn:aws:sts::123456789012:assumed-role/ReadOnly/x is not authorized to perform: ssm:PutParameter`);
});
