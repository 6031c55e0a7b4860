/** `autopilot start`: StartExecution of the runbook's state machine with the manual start admit reads. */
import { ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { manualStartEventSchema } from '../../../lambdas/domain/manual-start';
import { incidentIdFor, parseTrigger } from '../../../lambdas/domain/trigger';
import { BUNDLED_TRIGGERS } from '../../../lambdas/shared/runbook-triggers';
import { autopilot, oneLineError } from './run';

const sfn = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:sa-east-1:123456789012:stateMachine:runbook-autopilot-prod-lambda-runaway';
const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const ALARM = `${FUNCTION}-concurrency`;

beforeEach(() => {
  sfn.reset();
  sfn.on(ListStateMachinesCommand).resolves({
    stateMachines: [
      { name: 'runbook-autopilot-staging-lambda-runaway', stateMachineArn: MACHINE.replace('prod', 'staging'), type: 'STANDARD', creationDate: new Date() },
      { name: 'runbook-autopilot-prod-lambda-runaway', stateMachineArn: MACHINE, type: 'STANDARD', creationDate: new Date() },
    ],
  });
  sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date(),
  }));
});

const start = (...extra: string[]) => autopilot('--env', 'prod', 'start', 'lambda-runaway', '--target', FUNCTION, '--alarm', ALARM, '--reason', 'surge before the alarm', ...extra);
const starts = () => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

test('starts the environment\'s state machine of the runbook with a manual start admit reads as this person\'s, named after the start', async () => {
  const run = await start('--as', 'maria', '--json');

  expect(run.code).toBe(0);
  const [sent] = starts();
  expect(starts()).toHaveLength(1);
  expect(sent!.stateMachineArn).toBe(MACHINE);
  const input = JSON.parse(sent!.input!) as unknown;
  expect(input).toEqual({
    source: 'runbook-autopilot', 'detail-type': 'Manual Start', time: expect.any(String), startedBy: 'maria',
    detail: { runbook: 'lambda-runaway', target: FUNCTION, alarmName: ALARM, reason: 'surge before the alarm', requestId: sent!.name },
  });
  expect(manualStartEventSchema.safeParse(input).success).toBe(true);
  // Admit, given this input, reads the target and the alarm the verify step reads; the incident is the one printed.
  const trigger = parseTrigger('lambda-runaway', input, BUNDLED_TRIGGERS['lambda-runaway']);
  expect(trigger).toMatchObject({ kind: 'manual', target: FUNCTION, source: { name: ALARM } });
  const printed = JSON.parse(run.stdout) as { incidentId: string; executionArn: string; consoleUrl: string };
  expect(printed).toMatchObject({
    incidentId: incidentIdFor(trigger.dedupeKey), executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${sent!.name}`,
    consoleUrl: expect.stringMatching(/^https:\/\/sa-east-1\.console\.aws\.amazon\.com\/states\/home\?region=sa-east-1#\/v2\/executions\/details\/arn:aws:states:/),
  });
});

test('two starts are two requests (two incidents); the person defaults to the user name', async () => {
  const user = process.env.USER;
  process.env.USER = 'joao';
  try {
    await start();
    await start();
  } finally {
    process.env.USER = user;
  }
  const [a, b] = starts().map((s) => JSON.parse(s.input!) as { startedBy: string; detail: { requestId: string } });
  expect([a!.startedBy, b!.startedBy]).toEqual(['joao', 'joao']);
  expect(a!.detail.requestId).not.toBe(b!.detail.requestId);
});

test.each([
  ['no alarm', ['--env', 'prod', 'start', 'lambda-runaway', '--target', FUNCTION, '--reason', 'r'], /--alarm NAME is needed: lambda-runaway verifies its change by that CloudWatch alarm returning to OK$/],
  ['no reason', ['--env', 'prod', 'start', 'lambda-runaway', '--target', FUNCTION, '--alarm', ALARM], /--reason TEXT is needed/],
  ['a target config does not name', ['--env', 'prod', 'start', 'lambda-runaway', '--target', 'tradai-prod-signal-ingest', '--alarm', ALARM, '--reason', 'r'],
    /tradai-prod-signal-ingest is not a target of lambda-runaway in config\/prod\.json \(configured: cabruca-segmentation-prod-manager-agent, /],
  ['a runbook a budget alert starts', ['--env', 'prod', 'start', 'llm-budget-guardrail', '--target', 'alphaswarm-prod-monthly', '--alarm', 'a', '--reason', 'r'],
    /llm-budget-guardrail cannot be started by hand: it acts on what the budget alert or service event that starts it says/],
  ['a name no approver could have', ['--env', 'prod', 'start', 'lambda-runaway', '--target', FUNCTION, '--alarm', ALARM, '--reason', 'r', '--as', 'Maria Silva'],
    /--as "Maria Silva": your name as config names approvers/],
  ['no target', ['--env', 'prod', 'start', 'lambda-runaway', '--alarm', ALARM, '--reason', 'r'], /required option '--target <target>' not specified/],
  ['--local', ['--local', 'start', 'lambda-runaway', '--target', FUNCTION, '--alarm', ALARM, '--reason', 'r'], /start runs a runbook in a deployed stack, not the last drill's state/],
  ['no access key for a runbook that acts on one', ['--env', 'drill', 'start', 'credential-exposure', '--target', 'alphaswarm-ci-deployer', '--reason', 'r', '--as', 'ci'],
    /--occurrence: a manual start of credential-exposure must name an IAM user's access key id \(AKIA\.\.\.\)/],
  ['temporary credentials instead of a user\'s key', ['--env', 'drill', 'start', 'credential-exposure', '--target', 'alphaswarm-ci-deployer', '--occurrence', 'ASIAIOSFODNN7EXAMPLE', '--reason', 'r', '--as', 'ci'],
    /--occurrence: a manual start of credential-exposure names "ASIAIOSFODNN7EXAMPLE", which is not an IAM user's access key id/],
])('a start with %s is refused in one line, exit 2, nothing sent', async (_name, argv, message) => {
  const run = await autopilot(...argv);
  expect(run.code).toBe(2);
  expect(oneLineError(run)).toMatch(message);
  expect(sfn.calls()).toHaveLength(0);
});

test('a state machine that is not deployed in the region is one line, exit 1, nothing started', async () => {
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
  const run = await start();
  expect(run.code).toBe(1);
  expect(oneLineError(run)).toBe('autopilot: no state machine named runbook-autopilot-prod-lambda-runaway in sa-east-1: deploy the stack for this environment, or give the --region and --profile RunbookAutopilot-prod is deployed with');
  expect(starts()).toEqual([]);
});

test('an environment whose config names the account gets its ARN built, not listed', async () => {
  const run = await autopilot('--env', 'drill', 'start', 'lambda-runaway', '--target', FUNCTION, '--alarm', ALARM, '--reason', 'r', '--as', 'ci');
  expect(run.code).toBe(0);
  expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
  expect(starts().map((s) => s.stateMachineArn)).toEqual(['arn:aws:states:sa-east-1:111122223333:stateMachine:runbook-autopilot-drill-lambda-runaway']);
});

test("a runbook started by service events that names what a start gives: the access key, read by admit as the event's would be", async () => {
  const KEY = 'AKIAIOSFODNN7EXAMPLE';
  const run = await autopilot('--env', 'drill', 'start', 'credential-exposure', '--target', 'alphaswarm-ci-deployer', '--occurrence', KEY, '--reason', 'pasted in chat', '--as', 'ci');

  expect(run.code).toBe(0);
  const input = JSON.parse(starts()[0]!.input!) as { detail: Record<string, unknown> };
  expect(input.detail).toEqual({ runbook: 'credential-exposure', target: 'alphaswarm-ci-deployer', occurrence: KEY, reason: 'pasted in chat', requestId: expect.any(String) });
  expect(parseTrigger('credential-exposure', input, BUNDLED_TRIGGERS['credential-exposure'])).toMatchObject({
    kind: 'manual', target: 'alphaswarm-ci-deployer', source: { name: 'manual start by ci', occurrence: KEY },
  });
});

test('a configured secret is started on its parameter with the version that leaked; a version that is no number is refused in one line', async () => {
  const SECRET = '/alphaswarm/prod/cloudfront_origin_secret';
  const run = await autopilot('--env', 'drill', 'start', 'credential-exposure', '--target', SECRET, '--occurrence', '4', '--reason', 'in a ticket', '--as', 'ci');
  expect(run.code).toBe(0);
  const input = JSON.parse(starts()[0]!.input!) as { detail: Record<string, unknown> };
  expect(parseTrigger('credential-exposure', input, BUNDLED_TRIGGERS['credential-exposure'])).toMatchObject({ kind: 'manual', target: SECRET, source: { occurrence: '4' } });

  const refused = await autopilot('--env', 'drill', 'start', 'credential-exposure', '--target', SECRET, '--occurrence', 'v4', '--reason', 'r', '--as', 'ci');
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/--occurrence: a manual start of credential-exposure names "v4", which is not .*the parameter version that leaked \(a number\)/);
  expect(starts()).toHaveLength(1);
});

test('admit refuses a manual start of an alarm runbook that names no alarm, and one of credential-exposure that names no key', () => {
  const manual = (runbook: string, detail: Record<string, unknown>) => ({
    source: 'runbook-autopilot', 'detail-type': 'Manual Start', time: '2026-12-06T21:50:00.000Z', startedBy: 'alice',
    detail: { runbook, reason: 'r', requestId: 'man-0123456789abcdef', ...detail },
  });

  expect(() => parseTrigger('lambda-runaway', manual('lambda-runaway', { target: FUNCTION }), BUNDLED_TRIGGERS['lambda-runaway']))
    .toThrow('a manual start of lambda-runaway names no alarm: it verifies its change by the alarm the start names');
  expect(() => parseTrigger('credential-exposure', manual('credential-exposure', { target: 'alphaswarm-ci-deployer' }), BUNDLED_TRIGGERS['credential-exposure']))
    .toThrow("a manual start of credential-exposure must name an IAM user's access key id (AKIA...)");
});

test('the emergency stop is started on its environment with a reason, nothing more; an --occurrence there is refused, nothing started', async () => {
  const HALT = 'arn:aws:states:sa-east-1:123456789012:stateMachine:runbook-autopilot-prod-agentcore-halt';
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: 'runbook-autopilot-prod-agentcore-halt', stateMachineArn: HALT, type: 'STANDARD', creationDate: new Date() }] });
  const refused = await autopilot('--env', 'prod', 'start', 'agentcore-halt', '--target', 'prod', '--occurrence', 'AKIAIOSFODNN7EXAMPLE', '--reason', 'x', '--as', 'maria');
  expect(refused.code).not.toBe(0);
  expect(oneLineError(refused)).toMatch(/names only its target and a reason/);
  expect(starts()).toEqual([]);

  const run = await autopilot('--env', 'prod', 'start', 'agentcore-halt', '--target', 'prod', '--reason', 'agents trading outside their limits', '--as', 'maria', '--json');
  expect(run.code).toBe(0);
  const [sent] = starts();
  expect(sent!.stateMachineArn).toBe(HALT);
  expect(JSON.parse(sent!.input!)).toMatchObject({ startedBy: 'maria', detail: { runbook: 'agentcore-halt', target: 'prod', reason: 'agents trading outside their limits' } });
  expect(parseTrigger('agentcore-halt', JSON.parse(sent!.input!), BUNDLED_TRIGGERS['agentcore-halt'])).toMatchObject({ kind: 'manual', target: 'prod' });
});
