import { sandboxEndpointEnv, SANDBOX_ACCOUNT_ID, type SandboxHooks } from '../../drill/sandbox';
import { main, parseUndoArgs, UndoUsageError } from '../../tools/undo';
import { useSandbox } from '../sandbox/support';

const PROD_UNDO = `arn:aws:states:sa-east-1:${SANDBOX_ACCOUNT_ID}:stateMachine:runbook-autopilot-prod-undo`;
const DRILL_UNDO = `arn:aws:states:sa-east-1:${SANDBOX_ACCOUNT_ID}:stateMachine:runbook-autopilot-drill-undo`;
const INCIDENT = 'inc-0123456789abcdef';
const started: { arn: string; name: string; input: unknown }[] = [];
const hooks: SandboxHooks = {
  onStartExecution: async (arn, name, input) => {
    started.push({ arn, name, input: JSON.parse(input) });
    return { executionArn: `${arn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: new Date('2026-11-23T03:00:00Z') };
  },
};
const sandbox = useSandbox({ stepFunctions: { stateMachines: { [PROD_UNDO]: { type: 'STANDARD' }, [DRILL_UNDO]: { type: 'STANDARD' } } } }, hooks);

const saved = { ...process.env };
let out: string[];
let err: string[];
beforeEach(() => {
  started.length = 0;
  out = [];
  err = [];
  // The CLI builds its own client: the endpoint override is the only thing pointing it at the sandbox.
  Object.assign(process.env, sandboxEndpointEnv(sandbox().url), { AWS_MAX_ATTEMPTS: '1' });
});
afterEach(() => {
  process.env = { ...saved };
});
const run = (...argv: string[]) => main(argv, (l) => out.push(l), (l) => err.push(l));

test('finds the environment\'s undo state machine by name and starts it with the incident and who asked', async () => {
  const code = await run(INCIDENT, '--env', 'prod', '--requested-by', 'maria');

  expect(code).toBe(0);
  expect(started).toEqual([{ arn: PROD_UNDO, name: expect.stringMatching(new RegExp(`^${INCIDENT}-\\d+$`)), input: { incidentId: INCIDENT, requestedBy: 'maria' } }]);
  const executionArn = `${PROD_UNDO.replace(':stateMachine:', ':execution:')}:${started[0]!.name}`;
  expect(out).toEqual([
    `undo started: ${executionArn}`,
    `watch it: https://sa-east-1.console.aws.amazon.com/states/home?region=sa-east-1#/v2/executions/details/${executionArn}`,
  ]);
  expect(sandbox().state.stepFunctions.executions[executionArn]).toMatchObject({ stateMachineArn: PROD_UNDO, status: 'RUNNING' });
});

test('an environment whose config names the account gets its ARN built, not looked up', async () => {
  sandbox().injectFault({ service: 'states', operation: 'ListStateMachines', error: 'access-denied', times: 5 });

  expect(await run(INCIDENT, '--env', 'drill', '--requested-by', 'ci')).toBe(0);
  expect(started.map((s) => s.arn)).toEqual([DRILL_UNDO]);
});

test('an environment with no deployed undo state machine is one clear line, exit 1', async () => {
  const code = await run(INCIDENT, '--env', 'staging');

  expect(code).toBe(1);
  expect(err).toEqual(['undo: no state machine named runbook-autopilot-staging-undo in sa-east-1: deploy the stack for this environment, or pass --state-machine-arn']);
  expect(started).toEqual([]);
});

test('an ARN that names no state machine is StateMachineDoesNotExist, said in one line', async () => {
  const code = await run(INCIDENT, '--state-machine-arn', `arn:aws:states:sa-east-1:${SANDBOX_ACCOUNT_ID}:stateMachine:nope`);

  expect(code).toBe(1);
  expect(err).toHaveLength(1);
  expect(err[0]).toMatch(/^undo: the undo state machine does not exist \(State Machine Does Not Exist: '.*:nope'\)/);
});

test('without credentials: one line saying so, nothing started', async () => {
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' });

  const code = await run(INCIDENT, '--env', 'drill');

  expect(code).toBe(1);
  expect(err).toEqual([expect.stringMatching(/^undo: no AWS credentials: /)]);
  expect(started).toEqual([]);
});

test('a bad incident id is refused before any call (exit 2)', async () => {
  const code = await run('inc-123', '--env', 'prod');

  expect(code).toBe(2);
  expect(err[0]).toBe('undo: not an incident id: "inc-123" (expected inc-<16 hex digits>, as in the notification and the ledger)');
  expect(started).toEqual([]);
});

test('arguments', () => {
  expect(parseUndoArgs([INCIDENT], 'someone')).toEqual({ incidentId: INCIDENT, env: 'dev', requestedBy: 'someone' });
  expect(() => parseUndoArgs([], 'x')).toThrow(UndoUsageError);
  expect(() => parseUndoArgs([INCIDENT, '--env'], 'x')).toThrow('--env needs a value');
  expect(() => parseUndoArgs([INCIDENT, '--force'], 'x')).toThrow('unknown option --force');
  expect(() => parseUndoArgs([INCIDENT, '--state-machine-arn', 'arn:aws:lambda:x'], 'x')).toThrow('not a state machine ARN');
});
