import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';

/** One entry of the execution's event log (the library does not export the type by name). */
export type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
import { lambdaContext, type DrillFunction } from './handlers';

const STATEMACHINES_DIR = path.join(__dirname, '..', 'statemachines');

/** One Task invocation as the drill saw it. */
export interface Invocation {
  readonly state: string;
  readonly functionName: string;
  readonly payload: unknown;
  readonly startedMs: number;
  readonly endedMs: number;
  readonly output?: unknown;
  readonly error?: { name: string; message: string };
}

/** One run of an execution: its first, or a redrive (Step Functions keeps the execution ARN and counts the redrives). */
export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineName: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: { Error: string; Cause: string };
  readonly events: readonly EventLog[];
  readonly invocations: readonly Invocation[];
  readonly startedAt: number;
  readonly endedAt: number;
  /** The execution's input (a redriven run keeps it). */
  readonly input: unknown;
  /** 0 for the first run, then one more per redrive ($$.Execution.RedriveCount). */
  readonly redriveCount: number;
  /** A redriven run: the state it started again from. */
  readonly redrivenFrom?: string;
  /** A failed run: the state it was in when it failed (where a redrive starts), with that state's input. */
  readonly failedState?: { readonly name: string; readonly input: unknown };
}

interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Parameters?: { FunctionName?: string };
  Retry?: unknown[];
  States?: Record<string, AslState>;
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
}

/** Every state, those inside a Map's processor too (the library keys overrides by state name). */
function allStates(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]): [string, AslState][] => {
    const inner = state.ItemProcessor?.States ?? state.Iterator?.States;
    return [[name, state], ...(inner ? allStates(inner) : [])];
  });
}

/** The top-level state a run was in when it ended (states inside a Map report an iteration index). */
function lastStateEntered(events: readonly EventLog[], states: Record<string, AslState>): { name: string; input: unknown } | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.type === 'StateEntered' && event.index === undefined && event.state.name in states) return { name: event.state.name, input: event.state.input };
  }
  return undefined;
}

/** How fast the drill runs time: Wait states and Retry pauses shrink to these. */
export interface TimeCompression {
  readonly waitMs: number;
  readonly retryMs: number;
  /** How long a `.waitForTaskToken` task waits after its request before it times out. @default 50 */
  readonly taskTokenTimeoutMs?: number;
  /** How long a request hangs under an injected `timeout` fault that names no hold of its own. @default 5 */
  readonly hangUpMs?: number;
}

/**
 * Runs a `.waitForTaskToken` Task in the drill (aws-local-stepfunctions has no callback tasks):
 * mints the task token, invokes the function with it, and resolves with what SendTaskSuccess sent,
 * or throws what SendTaskFailure sent, or States.Timeout.
 */
export type TaskTokenRunner = (args: {
  readonly state: string;
  readonly executionArn: string;
  readonly payload: Record<string, unknown>;
  readonly invoke: (payload: Record<string, unknown>) => Promise<unknown>;
}) => Promise<unknown>;

/** Long enough never to fire: the runner enforces the (compressed) deadline itself. */
const LIBRARY_TIMEOUT_SECONDS = 20 * 86_400;

/** The definitions (filled, as run) that passed the library's validation in this process. */
const VALIDATED = new Set<string>();

/** The optimized Step Functions integration that starts another state machine (request-response). */
const START_EXECUTION = 'arn:aws:states:::states:startExecution';

/**
 * Runs a deployed ASL file with aws-local-stepfunctions: the file's ${Substitutions} are filled as
 * the stack fills them, and each Task's Lambda invoke reaches the real handler code in process,
 * answering with the lambda:invoke integration's own result shape (Payload, StatusCode) and its
 * error shape (error name = the function's errorType, Cause = the error JSON).
 */
export class DrillExecutor {
  private readonly definition: { States: Record<string, AslState> };
  readonly stateMachineArn: string;

  constructor(
    readonly name: string,
    definitionFile: string,
    substitutions: Readonly<Record<string, string>>,
    private readonly functionsByArn: ReadonlyMap<string, DrillFunction>,
    stateMachineArn: string,
    private readonly time: TimeCompression,
    private readonly taskTokens?: TaskTokenRunner,
  ) {
    const raw = fs.readFileSync(path.join(STATEMACHINES_DIR, definitionFile), 'utf8');
    const filled = raw.replace(/\$\{(\w+)\}/g, (_m, key: string) => {
      const value = substitutions[key];
      if (value === undefined) throw new Error(`${definitionFile}: no value for substitution \${${key}}`);
      return value;
    });
    this.definition = JSON.parse(filled) as { States: Record<string, AslState> };
    // The library reads TimeoutSecondsPath from the Task's Parameters output, where AWS reads the
    // state input; the drill's task-token runner enforces the deadline instead (compressed).
    for (const state of Object.values(this.definition.States)) {
      if (state.Resource?.endsWith('.waitForTaskToken')) {
        delete state.TimeoutSecondsPath;
        state.TimeoutSeconds = LIBRARY_TIMEOUT_SECONDS;
      }
    }
    this.stateMachineArn = stateMachineArn;
  }

  async run(input: unknown, executionName: string = randomUUID()): Promise<ExecutionRecord> {
    const executionArn = this.stateMachineArn.replace(':stateMachine:', ':execution:') + `:${executionName}`;
    return this.execute({ executionArn, executionName, executionInput: input, startTime: Date.now(), redriveCount: 0 }, this.definition, input, true);
  }

  /**
   * Redrives a failed run as Step Functions does: the same execution ARN and input, from the state
   * that failed, with that state's input, and the next redrive count in the context object. The
   * library has no redrive and no way to start at a state, so this runs the same definition with
   * StartAt set to the failed state. That copy skips the library's validation, whose reachability
   * check would refuse the changed StartAt; the definition itself was validated as written by the
   * first run. Not modelled: a Map or Parallel state is redriven whole (AWS redrives only its
   * failed iterations; the undo's restores are the only Map, and each is idempotent).
   */
  async redrive(previous: ExecutionRecord): Promise<ExecutionRecord> {
    if (!previous.failedState) throw new Error(`${previous.executionArn} did not fail at a state: nothing to redrive`);
    const from = previous.failedState;
    const definition = { ...this.definition, StartAt: from.name };
    const executionName = previous.executionArn.split(':').pop() ?? '';
    const record = await this.execute({
      executionArn: previous.executionArn, executionName, executionInput: previous.input, startTime: previous.startedAt,
      redriveCount: previous.redriveCount + 1, redriveTime: Date.now(),
    }, definition, from.input, false);
    return { ...record, redrivenFrom: from.name };
  }

  private async execute(
    run: { executionArn: string; executionName: string; executionInput: unknown; startTime: number; redriveCount: number; redriveTime?: number },
    definition: { States: Record<string, AslState> }, input: unknown, validate: boolean,
  ): Promise<ExecutionRecord> {
    const { executionArn, executionName } = run;
    const invocations: Invocation[] = [];
    // A Lambda invocation runs to its end even when its execution has already failed (AWS stops
    // the states, not the function): the record waits for each one, so what it did is in the
    // account and the ledger before anyone reads them, and in `invocations`.
    const started: Promise<unknown>[] = [];
    const invoke = (stateName: string, payload: unknown) => {
      const call = this.invoke(stateName, payload, invocations);
      started.push(call);
      return call;
    };
    const allReturned = async () => {
      while (started.length > 0) await Promise.allSettled(started.splice(0));
    };
    const taskHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    const waits: Record<string, number> = {};
    const retries: Record<string, number> = {};
    for (const [stateName, state] of allStates(definition.States)) {
      if (state.Type === 'Task' && state.Resource === START_EXECUTION) {
        taskHandlers[stateName] = (parameters) => this.startExecution(stateName, parameters, invocations);
      } else if (state.Type === 'Task' && state.Resource?.endsWith('.waitForTaskToken')) {
        taskHandlers[stateName] = (parameters) => this.waitForTaskToken(stateName, parameters, invocations, executionArn);
      } else if (state.Type === 'Task') taskHandlers[stateName] = (payload) => invoke(stateName, payload);
      if (state.Type === 'Wait') waits[stateName] = this.time.waitMs;
      if (state.Retry) retries[stateName] = this.time.retryMs;
    }
    // A definition is validated before its first run in this process: the same text again needs no
    // second check (a validation walks the whole definition, the schemas compiled once: patches/).
    const text = validate ? JSON.stringify(definition) : '';
    const check = validate && !VALIDATED.has(text);
    const machine = new StateMachine(definition as never, { validationOptions: check ? { checkArn: true, checkPaths: true } : { noValidate: true } });
    if (check) VALIDATED.add(text);
    const startedAt = Date.now();
    const execution = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: taskHandlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
      context: {
        // Each `.waitForTaskToken` entry gets its own token from the runner; this only satisfies the path.
        Task: { Token: 'minted-per-task-by-the-drill' },
        Execution: {
          Id: executionArn, Name: executionName, Input: run.executionInput, StartTime: new Date(run.startTime).toISOString(), RoleArn: 'arn:aws:iam::111122223333:role/drill',
          RedriveCount: run.redriveCount, ...(run.redriveTime !== undefined ? { RedriveTime: new Date(run.redriveTime).toISOString() } : {}),
        },
        StateMachine: { Id: this.stateMachineArn, Name: this.name },
      } as never,
    });
    const events: EventLog[] = [];
    const collecting = (async () => {
      for await (const event of execution.eventLogs) events.push(event);
    })();
    const base = { executionArn, stateMachineName: this.name, events, invocations, startedAt, input: run.executionInput, redriveCount: run.redriveCount };
    try {
      const output = await execution.result;
      await collecting;
      await allReturned();
      return { ...base, status: 'SUCCEEDED', output, endedAt: Date.now() };
    } catch (e: unknown) {
      // The event log ends with the execution, failed or not; it has no failure of its own to wait out.
      await collecting;
      await allReturned();
      const err = e as { name?: string; message?: string; cause?: unknown };
      // As Step Functions reports it: the error and cause the failing state raised.
      const failed = events.find((event) => event.type === 'ExecutionFailed');
      const error = failed && 'Error' in failed
        ? { Error: failed.Error, Cause: typeof failed.Cause === 'string' ? failed.Cause : JSON.stringify(failed.Cause) }
        : { Error: err.name ?? 'Error', Cause: err.message ?? String(e) };
      const failedState = lastStateEntered(events, definition.States);
      return {
        ...base, status: 'FAILED', endedAt: Date.now(), error,
        ...(failedState ? { failedState } : {}),
      };
    }
  }

  private async waitForTaskToken(state: string, parameters: unknown, invocations: Invocation[], executionArn: string): Promise<unknown> {
    if (!this.taskTokens) throw Object.assign(new Error(`${state}: the drill has no task-token runner`), { name: 'States.Runtime' });
    const { FunctionName, Payload } = parameters as { FunctionName?: string; Payload?: Record<string, unknown> };
    return this.taskTokens({
      state, executionArn, payload: Payload ?? {},
      invoke: (payload) => this.invoke(state, { FunctionName, Payload: payload }, invocations),
    });
  }

  /**
   * `states:startExecution`: StartExecution against the sandbox (which checks the name and input
   * and hands the run to the drill), answering with the integration's result (ExecutionArn,
   * StartDate) or its error name (StepFunctions.<Code>Exception, as the integration names them).
   */
  private async startExecution(state: string, parameters: unknown, invocations: Invocation[]): Promise<unknown> {
    const { StateMachineArn, Name, Input } = parameters as { StateMachineArn?: string; Name?: string; Input?: unknown };
    const payload = { StateMachineArn, Name, Input: typeof Input === 'string' ? Input : JSON.stringify(Input ?? {}) };
    const startedMs = Date.now();
    const sfn = new SFNClient({ maxAttempts: 1 });
    try {
      const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: StateMachineArn, name: Name, input: payload.Input }));
      const output = { ExecutionArn: out.executionArn, StartDate: out.startDate?.toISOString() };
      invocations.push({ state, functionName: 'states:StartExecution', payload, startedMs, endedMs: Date.now(), output });
      return output;
    } catch (e: unknown) {
      const code = e instanceof Error ? e.name : 'Error';
      const name = `StepFunctions.${code.endsWith('Exception') ? code : `${code}Exception`}`;
      const message = e instanceof Error ? e.message : String(e);
      invocations.push({ state, functionName: 'states:StartExecution', payload, startedMs, endedMs: Date.now(), error: { name, message } });
      throw Object.assign(new Error(message), { name });
    } finally {
      sfn.destroy();
    }
  }

  private async invoke(state: string, parameters: unknown, invocations: Invocation[]): Promise<unknown> {
    const { FunctionName, Payload } = parameters as { FunctionName?: string; Payload?: unknown };
    const fn = FunctionName ? this.functionsByArn.get(FunctionName) : undefined;
    if (!fn) throw Object.assign(new Error(`Function not found: ${FunctionName}`), { name: 'Lambda.ResourceNotFoundException' });
    const startedMs = Date.now();
    try {
      // Lambda passes the payload as JSON: the handler never shares objects with the state machine.
      const output: unknown = await fn.handler(JSON.parse(JSON.stringify(Payload ?? {})), lambdaContext(fn));
      const payload: unknown = output === undefined ? null : JSON.parse(JSON.stringify(output));
      invocations.push({ state, functionName: fn.name, payload: Payload, startedMs, endedMs: Date.now(), output: payload });
      return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
    } catch (e: unknown) {
      const name = e instanceof Error ? e.name : 'Error';
      const message = e instanceof Error ? e.message : String(e);
      invocations.push({ state, functionName: fn.name, payload: Payload, startedMs, endedMs: Date.now(), error: { name, message } });
      const failure = new Error(JSON.stringify({ errorType: name, errorMessage: message, trace: [] }));
      failure.name = name;
      throw failure;
    }
  }
}
