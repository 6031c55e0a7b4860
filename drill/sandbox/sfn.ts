import { AwsError, validationError } from './aws-error';
import { epochSeconds, uuidFromHex } from './common';
import { Fields, type Input } from './input';
import type { Output, ServiceContext, ServiceModel, StartedExecution } from './model';
import { arn, type AccountState, type ExecutionState, type HistoryEventState, type TaskTokenState } from './state';

/**
 * Step Functions (JSON 1.0): StartExecution hands the run to the drill's hook. As AWS does for
 * Standard workflows, a name is unique per state machine: the same name and input while the
 * execution runs returns it again; anything else is ExecutionAlreadyExists. RedriveExecution
 * hands a closed, unsuccessful execution back to the drill with AWS's rules; GetExecutionHistory
 * pages the history the drill records for each run. A seed workflow (its machine's `run`) is run by
 * the sandbox itself: it ends after a set number of DescribeExecution calls; ListExecutions lists a
 * machine's executions newest first.
 */

const MAX_INPUT_BYTES = 262_144;
const STATE_MACHINE_ARN = /^arn:aws:states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;
const NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Starts awaiting the hook, so a concurrent duplicate waits for the first instead of starting twice. */
const inFlight = new WeakMap<AccountState, Map<string, Promise<StartedExecution>>>();

const stateMachineMissing = (ref: string) => new AwsError('StateMachineDoesNotExist', 400, `State Machine Does Not Exist: '${ref}'`);
const executionMissing = (ref: string) => new AwsError('ExecutionDoesNotExist', 400, `Execution Does Not Exist: '${ref}'`);
const EXECUTION_ARN = /^arn:aws:states:([a-z0-9-]+):(\d{12}):execution:([A-Za-z0-9_-]{1,80}):([A-Za-z0-9_-]{1,80})$/;
/** Step Functions' default quota of open executions per account and region. */
const OPEN_EXECUTIONS_LIMIT = 1_000_000;
/** How long after it closes an execution may be redriven. */
const REDRIVABLE_MS = 14 * 86_400_000;
/** A Standard execution runs for at most a year, redrives included. */
const MAX_EXECUTION_MS = 365 * 86_400_000;
/** A redrive appends at least two events, within the 25,000 a history holds. */
const HISTORY_EVENTS_LIMIT = 24_999;
/** Client tokens of successful redrives answered again: the last 10, for 15 minutes. */
const REDRIVE_TOKENS = 10;
const REDRIVE_TOKEN_MS = 15 * 60_000;

/** The execution an ARN names, or InvalidArn / ExecutionDoesNotExist as AWS answers. */
function executionOf(state: AccountState, executionArn: string): ExecutionState {
  if (!EXECUTION_ARN.test(executionArn)) throw new AwsError('InvalidArn', 400, `Invalid Arn: 'Resource type not valid in this context: ${executionArn}'`);
  const e = state.stepFunctions.executions[executionArn];
  if (e === undefined) throw executionMissing(executionArn);
  return e;
}

/** Running executions already fill the account's quota: ExecutionLimitExceeded. */
function checkOpenExecutions(state: AccountState): void {
  const open = Object.values(state.stepFunctions.executions).filter((e) => e.status === 'RUNNING').length;
  if (open >= (state.stepFunctions.openExecutionsLimit ?? OPEN_EXECUTIONS_LIMIT)) {
    throw new AwsError('ExecutionLimitExceeded', 400, 'Maximum number of running executions reached: running executions must end or be stopped before another can start');
  }
}

/** Why an execution cannot be redriven now (DescribeExecution's redriveStatusReason), or undefined when it can. */
function notRedrivable(e: ExecutionState, machineType: 'STANDARD' | 'EXPRESS' | undefined, now: Date): string | undefined {
  if (machineType === 'EXPRESS') return 'Execution of an EXPRESS state machine cannot be redriven';
  if (e.status === 'RUNNING' || e.status === 'SUCCEEDED') return `Execution is ${e.status} and cannot be redriven`;
  if (e.stopDate !== undefined && now.getTime() - Date.parse(e.stopDate) > REDRIVABLE_MS) return 'Execution redrivable period exceeded';
  if (now.getTime() - Date.parse(e.startDate) > MAX_EXECUTION_MS) return 'Execution has exceeded the max execution time';
  if ((e.history?.length ?? 0) >= HISTORY_EVENTS_LIMIT) return 'Execution history event limit exceeded';
  return undefined;
}

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

  checkOpenExecutions(state);
  // A seed workflow is the sandbox's to run (machine.run); the drill's hook runs this system's own.
  const start = ctx.hooks.onStartExecution && machine.run === undefined
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
      ...(machine.run ? { playing: { ...machine.run, describesLeft: machine.run.describesToEnd } } : {}),
    };
    return { executionArn: started.executionArn, startDate: started.startDate.getTime() / 1000 };
  } finally {
    pending.delete(key);
  }
}

/** A seed workflow's run, one DescribeExecution further: it ends when its describes are used up. */
function play(e: ExecutionState, now: Date): void {
  const run = e.playing;
  if (run === undefined || e.status !== 'RUNNING') return;
  run.describesLeft -= 1;
  if (run.describesLeft > 0) return;
  delete e.playing;
  e.status = run.status;
  e.stopDate = now.toISOString();
  if (run.status === 'SUCCEEDED') e.output = run.output ?? '{}';
  else {
    e.error = run.error ?? 'States.TaskFailed';
    e.cause = run.cause ?? '';
  }
}

/** DescribeExecution; `includedData: METADATA_ONLY` leaves out the input and output, as Step Functions does. */
function describeExecution(request: Input, ctx: ServiceContext): Output {
  const fields = new Fields(request);
  const executionArn = fields.string('executionArn');
  const includedData = fields.optString('includedData') ?? 'ALL_DATA';
  if (includedData !== 'ALL_DATA' && includedData !== 'METADATA_ONLY') {
    throw validationError('includedData', "Member must satisfy enum value set: [ALL_DATA, METADATA_ONLY]", includedData);
  }
  const e = ctx.state.stepFunctions.executions[executionArn];
  if (e === undefined) throw executionMissing(executionArn);
  play(e, ctx.now());
  const why = notRedrivable(e, ctx.state.stepFunctions.stateMachines[e.stateMachineArn]?.type, ctx.now());
  const data = includedData === 'ALL_DATA';
  return {
    executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: epochSeconds(e.startDate),
    ...(e.stopDate === undefined ? {} : { stopDate: epochSeconds(e.stopDate) }),
    ...(data ? { input: e.input, inputDetails: { included: true } } : {}),
    ...(data && e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
    ...(e.error === undefined ? {} : { error: e.error }),
    ...(e.cause === undefined ? {} : { cause: e.cause }),
    redriveCount: e.redriveCount ?? 0,
    ...(e.redriveDate === undefined ? {} : { redriveDate: epochSeconds(e.redriveDate) }),
    redriveStatus: why === undefined ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
    ...(why === undefined ? {} : { redriveStatusReason: why }),
  };
}

/**
 * GetExecutionHistory: the recorded events, oldest first or newest first, `maxResults` at a time
 * (1..1000, default 100) with an opaque `nextToken`; without `includeExecutionData` the events'
 * inputs and outputs are left out.
 */
function getExecutionHistory(request: Input, { state }: ServiceContext): Output {
  const fields = new Fields(request);
  const e = executionOf(state, fields.string('executionArn'));
  const maxResults = fields.optInt('maxResults') ?? 100;
  if (maxResults < 0 || maxResults > 1000) throw validationError('maxResults', 'Member must have value less than or equal to 1000', maxResults);
  const events = [...(e.history ?? [])];
  if (fields.optBool('reverseOrder') === true) events.reverse();
  const token = fields.optString('nextToken');
  const from = token === undefined ? 0 : Number(/^h(\d+)$/.exec(token)?.[1] ?? NaN);
  if (!Number.isInteger(from) || from > events.length) throw new AwsError('InvalidToken', 400, `Invalid Token: '${token ?? ''}'`);
  const page = events.slice(from, from + (maxResults === 0 ? 100 : maxResults));
  const withData = fields.optBool('includeExecutionData') ?? true;
  const next = from + page.length;
  return {
    events: page.map((event) => ({ ...(withData ? event : withoutData(event)), timestamp: epochSeconds(event.timestamp) })),
    ...(next < events.length ? { nextToken: `h${next}` } : {}),
  };
}

const DATA_FIELDS = new Set(['input', 'output', 'parameters', 'inputDetails', 'outputDetails']);
function withoutData(event: HistoryEventState): HistoryEventState {
  return Object.fromEntries(Object.entries(event).map(([k, v]) => [k, k.endsWith('EventDetails') && v && typeof v === 'object'
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([f]) => !DATA_FIELDS.has(f)))
    : v])) as HistoryEventState;
}

/**
 * RedriveExecution, with AWS's rules: an execution that does not exist (ExecutionDoesNotExist), is
 * running or succeeded, closed more than 14 days ago, or whose history is full, is not redrivable
 * (ExecutionNotRedrivable); open executions at the account's quota are ExecutionLimitExceeded. A
 * client token that redrove this execution in the last 15 minutes (one of its last 10) gets the
 * same answer and redrives nothing. The drill's hook runs the redrive.
 */
async function redriveExecution(request: Input, ctx: ServiceContext): Promise<Output> {
  const fields = new Fields(request);
  const executionArn = fields.string('executionArn');
  const e = executionOf(ctx.state, executionArn);
  const clientToken = fields.optString('clientToken');
  if (clientToken !== undefined && (clientToken.length < 1 || clientToken.length > 64)) {
    throw validationError('clientToken', 'Member must have length between 1 and 64', clientToken);
  }
  const now = ctx.now();
  const repeated = clientToken === undefined ? undefined
    : e.redriveTokens?.find((t) => t.token === clientToken && now.getTime() - Date.parse(t.at) <= REDRIVE_TOKEN_MS);
  if (repeated) return { redriveDate: epochSeconds(repeated.redriveDate) };
  const why = notRedrivable(e, ctx.state.stepFunctions.stateMachines[e.stateMachineArn]?.type, now);
  if (why !== undefined) throw new AwsError('ExecutionNotRedrivable', 400, `${why}: '${executionArn}'`);
  checkOpenExecutions(ctx.state);
  const redriveCount = (e.redriveCount ?? 0) + 1;
  e.status = 'RUNNING';
  e.redriveCount = redriveCount;
  e.redriveDate = now.toISOString();
  delete e.stopDate;
  delete e.error;
  delete e.cause;
  if (clientToken !== undefined) e.redriveTokens = [...(e.redriveTokens ?? []), { token: clientToken, at: e.redriveDate, redriveDate: e.redriveDate }].slice(-REDRIVE_TOKENS);
  if (e.afterRedrive) playRedrive(e, e.afterRedrive, now);
  else await ctx.hooks.onRedriveExecution?.(executionArn, redriveCount);
  return { redriveDate: epochSeconds(e.redriveDate) };
}

/**
 * A seed workflow's redriven run, played at once: ExecutionRedriven, the failed state entered
 * again, then its end, appended to the history (ids and previousEventId continue it).
 */
function playRedrive(e: ExecutionState, run: NonNullable<ExecutionState['afterRedrive']>, now: Date): void {
  const history = (e.history ??= []);
  const at = now.toISOString();
  const next = (type: string, details: Record<string, unknown> = {}) => {
    const id = history.length + 1;
    history.push({ id, previousEventId: id - 1, timestamp: at, type, ...details });
  };
  next('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: e.redriveCount } });
  next('TaskStateEntered', { stateEnteredEventDetails: { name: run.state } });
  if (run.status === 'SUCCEEDED') {
    next('TaskStateExited', { stateExitedEventDetails: { name: run.state } });
    next('ExecutionSucceeded', { executionSucceededEventDetails: {} });
    e.output = '{}';
  } else {
    next('TaskFailed', { taskFailedEventDetails: { resource: 'invoke', resourceType: 'lambda', error: run.error ?? 'States.TaskFailed', cause: run.cause ?? '' } });
    next('ExecutionFailed', { executionFailedEventDetails: { error: run.error ?? 'States.TaskFailed', cause: run.cause ?? '' } });
    e.error = run.error ?? 'States.TaskFailed';
    e.cause = run.cause ?? '';
  }
  e.status = run.status;
  e.stopDate = at;
}

const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

/**
 * ListExecutions of a state machine, newest first (as Step Functions sorts them), optionally of one
 * status, `maxResults` at a time (0..1000; 0 or absent is 100) with an opaque `nextToken`. A machine
 * that does not exist is StateMachineDoesNotExist; an Express one is StateMachineTypeNotSupported.
 */
function listExecutions(request: Input, { state }: ServiceContext): Output {
  const fields = new Fields(request);
  const stateMachineArn = fields.string('stateMachineArn');
  if (!STATE_MACHINE_ARN.test(stateMachineArn)) throw new AwsError('InvalidArn', 400, `Invalid Arn: '${stateMachineArn}'`);
  const machine = state.stepFunctions.stateMachines[stateMachineArn];
  if (machine === undefined) throw stateMachineMissing(stateMachineArn);
  if (machine.type === 'EXPRESS') throw new AwsError('StateMachineTypeNotSupported', 400, 'This operation is not supported by this type of state machine');
  const statusFilter = fields.optString('statusFilter');
  if (statusFilter !== undefined && !EXECUTION_STATUSES.includes(statusFilter)) {
    throw validationError('statusFilter', `Member must satisfy enum value set: [${EXECUTION_STATUSES.join(', ')}]`, statusFilter);
  }
  const maxResults = fields.optInt('maxResults') ?? 0;
  if (maxResults < 0 || maxResults > 1000) throw validationError('maxResults', 'Member must have value less than or equal to 1000', maxResults);
  const all = Object.entries(state.stepFunctions.executions)
    .filter(([, e]) => e.stateMachineArn === stateMachineArn && (statusFilter === undefined || e.status === statusFilter))
    .sort(([a, x], [b, y]) => Date.parse(y.startDate) - Date.parse(x.startDate) || b.localeCompare(a));
  const token = fields.optString('nextToken');
  const from = token === undefined ? 0 : Number(/^x(\d+)$/.exec(token)?.[1] ?? NaN);
  if (!Number.isInteger(from) || from > all.length) throw new AwsError('InvalidToken', 400, `Invalid Token: '${token ?? ''}'`);
  const page = all.slice(from, from + (maxResults === 0 ? 100 : maxResults));
  const next = from + page.length;
  return {
    executions: page.map(([executionArn, e]) => ({
      executionArn, stateMachineArn, name: e.name, status: e.status, startDate: epochSeconds(e.startDate),
      ...(e.stopDate === undefined ? {} : { stopDate: epochSeconds(e.stopDate) }),
      ...(e.redriveCount ? { redriveCount: e.redriveCount } : {}),
      ...(e.redriveDate === undefined ? {} : { redriveDate: epochSeconds(e.redriveDate) }),
    })),
    ...(next < all.length ? { nextToken: `x${next}` } : {}),
  };
}

/** A state machine's tags; one that does not exist is ResourceNotFound, as Step Functions answers ListTagsForResource. */
function listTagsForResource(request: Input, { state }: ServiceContext): Output {
  const resourceArn = new Fields(request).string('resourceArn');
  const machine = state.stepFunctions.stateMachines[resourceArn];
  if (machine === undefined) throw new AwsError('ResourceNotFound', 400, `Resource not found: '${resourceArn}'`);
  return { tags: Object.entries(machine.tags ?? {}).map(([key, value]) => ({ key, value })) };
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
    GetExecutionHistory: { mutating: false, run: getExecutionHistory },
    RedriveExecution: { mutating: true, run: redriveExecution },
    ListStateMachines: { mutating: false, run: listStateMachines },
    ListExecutions: { mutating: false, run: listExecutions },
    ListTagsForResource: { mutating: false, run: listTagsForResource },
    SendTaskSuccess: { mutating: false, run: sendTaskSuccess },
    SendTaskFailure: { mutating: false, run: sendTaskFailure },
  },
};
