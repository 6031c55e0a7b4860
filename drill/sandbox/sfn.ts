import { AwsError, validationError } from './aws-error';
import { epochSeconds, uuidFromHex } from './common';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel, StartedExecution } from './model';
import { arn, type AccountState, type ExecutionState, type TaskTokenState } from './state';

/**
 * Step Functions (JSON 1.0): StartExecution hands the run to the drill's hook. As AWS does for
 * Standard workflows, a name is unique per state machine: the same name and input while the
 * execution runs returns it again; anything else is ExecutionAlreadyExists.
 */

const MAX_INPUT_BYTES = 262_144;
const STATE_MACHINE_ARN = /^arn:aws:states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;
const NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Starts awaiting the hook, so a concurrent duplicate waits for the first instead of starting twice. */
const inFlight = new WeakMap<AccountState, Map<string, Promise<StartedExecution>>>();

const stateMachineMissing = (ref: string) => new AwsError('StateMachineDoesNotExist', 400, `State Machine Does Not Exist: '${ref}'`);
const executionMissing = (ref: string) => new AwsError('ExecutionDoesNotExist', 400, `Execution Does Not Exist: '${ref}'`);

function findByName(state: AccountState, stateMachineArn: string, name: string): [string, ExecutionState] | undefined {
  return Object.entries(state.stepFunctions.executions).find(
    ([, e]) => e.stateMachineArn === stateMachineArn && e.name === name,
  );
}

function sameRun(executionArn: string, e: ExecutionState, input: string): Output {
  if (e.status !== 'RUNNING' || e.input !== input) {
    throw new AwsError('ExecutionAlreadyExists', 400, `Execution Already Exists: '${executionArn}'`);
  }
  return { executionArn, startDate: epochSeconds(e.startDate) };
}

async function startExecution(request: Input, ctx: ServiceContext): Promise<Output> {
  const { state } = ctx;
  const fields = new Fields(request);
  const stateMachineArn = fields.string('stateMachineArn');
  const parsed = STATE_MACHINE_ARN.exec(stateMachineArn);
  const machineName = parsed?.[3];
  if (machineName === undefined) throw new AwsError('InvalidArn', 400, `Invalid Arn: '${stateMachineArn}'`);
  const machine = state.stepFunctions.stateMachines[stateMachineArn];
  if (machine === undefined) throw stateMachineMissing(stateMachineArn);
  const name = fields.optString('name') ?? uuidFromHex(ctx.id('execution-name'));
  if (!NAME.test(name)) throw new AwsError('InvalidName', 400, `Invalid Name: '${name}'`);
  const input = fields.optString('input') ?? '{}';
  if (Buffer.byteLength(input) > MAX_INPUT_BYTES) {
    throw new AwsError('InvalidExecutionInput', 400, 'Invalid State Machine Execution Input: input exceeds the maximum size of 262144 bytes');
  }
  try {
    JSON.parse(input);
  } catch (e: unknown) {
    throw new AwsError('InvalidExecutionInput', 400, `Invalid State Machine Execution Input: '${e instanceof Error ? e.message : String(e)}'`);
  }

  const standard = machine.type === 'STANDARD';
  const key = `${stateMachineArn}\n${name}`;
  const pending = inFlight.get(state) ?? new Map<string, Promise<StartedExecution>>();
  inFlight.set(state, pending);
  const running = pending.get(key);
  if (standard && running !== undefined) {
    const first = await running;
    const existing = state.stepFunctions.executions[first.executionArn];
    if (existing !== undefined) return sameRun(first.executionArn, existing, input);
  }
  const known = standard ? findByName(state, stateMachineArn, name) : undefined;
  if (known !== undefined) return sameRun(known[0], known[1], input);

  const start = ctx.hooks.onStartExecution
    ? ctx.hooks.onStartExecution(stateMachineArn, name, input)
    : Promise.resolve({ executionArn: arn.execution(state, machineName, name), startDate: ctx.now() });
  if (standard) pending.set(key, start);
  try {
    const started = await start;
    state.stepFunctions.executions[started.executionArn] = {
      stateMachineArn,
      name,
      input,
      status: 'RUNNING',
      startDate: started.startDate.toISOString(),
    };
    return { executionArn: started.executionArn, startDate: started.startDate.getTime() / 1000 };
  } finally {
    pending.delete(key);
  }
}

function describeExecution(request: Input, { state }: ServiceContext): Output {
  const executionArn = new Fields(request).string('executionArn');
  const e = state.stepFunctions.executions[executionArn];
  if (e === undefined) throw executionMissing(executionArn);
  return {
    executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: epochSeconds(e.startDate),
    ...(e.stopDate === undefined ? {} : { stopDate: epochSeconds(e.stopDate) }),
    input: e.input,
    inputDetails: { included: true },
    ...(e.output === undefined ? {} : { output: e.output, outputDetails: { included: true } }),
  };
}

/** The account's state machines in this region, by name (one page: pagination is not modelled). */
function listStateMachines(_request: Input, { state }: ServiceContext): Output {
  const stateMachines = Object.entries(state.stepFunctions.stateMachines)
    .map(([stateMachineArn, m]) => ({ stateMachineArn, name: STATE_MACHINE_ARN.exec(stateMachineArn)?.[3] ?? '', type: m.type, creationDate: 0 }))
    .filter((m) => m.stateMachineArn.split(':')[3] === state.region)
    .sort((a, b) => a.name.localeCompare(b.name));
  return { stateMachines };
}

/**
 * SendTaskSuccess / SendTaskFailure on a `.waitForTaskToken` task, with Step Functions' answers:
 * a token it never issued is InvalidToken (malformed) or TaskDoesNotExist; a task that already
 * ended (timed out, or answered once) is TaskTimedOut. The first answer wins; the drill resumes.
 */
const MAX_OUTPUT_BYTES = 262_144;
/** Tokens the drill mints start so (real ones are opaque base64 too). */
export const TASK_TOKEN_PREFIX = 'AQCA';

function taskFor(request: Input, ctx: ServiceContext): [string, TaskTokenState] {
  const token = new Fields(request).string('taskToken');
  if (token.length > 2048) throw validationError('taskToken', 'Member must have length less than or equal to 2048', token);
  const entry = ctx.state.stepFunctions.taskTokens?.[token];
  if (!entry) {
    if (!token.startsWith(TASK_TOKEN_PREFIX)) throw new AwsError('InvalidToken', 400, "Invalid Token: 'Invalid token'");
    throw new AwsError('TaskDoesNotExist', 400, "Task Does Not Exist: 'Provided task does not exist'");
  }
  if (entry.status !== 'waiting') throw new AwsError('TaskTimedOut', 400, "Task Timed Out: 'Provided task does not exist anymore'");
  return [token, entry];
}

function sendTaskSuccess(request: Input, ctx: ServiceContext): Output {
  const output = new Fields(request).string('output');
  if (Buffer.byteLength(output) > MAX_OUTPUT_BYTES) throw new AwsError('InvalidOutput', 400, 'Invalid State Machine Execution Output: output exceeds the maximum size of 262144 bytes');
  try {
    JSON.parse(output);
  } catch (e: unknown) {
    throw new AwsError('InvalidOutput', 400, `Invalid State Machine Execution Output: '${e instanceof Error ? e.message : String(e)}'`);
  }
  const [token, entry] = taskFor(request, ctx);
  entry.status = 'succeeded';
  ctx.hooks.onTaskResult?.(token, { kind: 'success', output });
  return {};
}

function sendTaskFailure(request: Input, ctx: ServiceContext): Output {
  const fields = new Fields(request);
  const error = fields.optString('error') ?? '';
  const cause = fields.optString('cause') ?? '';
  if (error.length > 256) throw validationError('error', 'Member must have length less than or equal to 256', error);
  if (cause.length > 32_768) throw validationError('cause', 'Member must have length less than or equal to 32768', cause);
  const [token, entry] = taskFor(request, ctx);
  entry.status = 'failed';
  ctx.hooks.onTaskResult?.(token, { kind: 'failure', error, cause });
  return {};
}

export const sfnModel: ServiceModel = {
  protocol: 'awsJson1_0',
  target: 'AWSStepFunctions',
  operations: {
    StartExecution: { mutating: true, run: startExecution },
    DescribeExecution: { mutating: false, run: describeExecution },
    ListStateMachines: { mutating: false, run: listStateMachines },
    SendTaskSuccess: { mutating: false, run: sendTaskSuccess },
    SendTaskFailure: { mutating: false, run: sendTaskFailure },
  },
};
