import { paginateListStateMachines, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import * as os from 'node:os';
import { executionConsoleUrl } from '../lambdas/domain/message';
import { partitionOf, undoStateMachineName } from '../lib/catalog';
import { ConfigError, loadConfig } from '../lib/config/load';

/**
 * `npm run undo -- <incident-id> [--env prod] [--requested-by NAME] [--state-machine-arn ARN]`:
 * starts the deployed undo state machine for an incident (Step Functions StartExecution) and
 * prints the execution and its console link. The state machine itself decides what is undone.
 */
export const USAGE = `Usage: npm run undo -- <incident-id> [--env ENV] [--requested-by NAME] [--state-machine-arn ARN] [--region REGION]

  incident-id          inc-<16 hex digits>, as in the notification and the ledger
  --env ENV            the environment whose undo state machine to start (default: dev)
  --requested-by NAME  who asks, recorded in the ledger (default: your user name)
  --state-machine-arn  start this state machine instead of runbook-autopilot-<env>-undo
  --region REGION      default: the environment's region (config/<env>.json)`;

const INCIDENT_ID = /^inc-[0-9a-f]{16}$/;
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** A problem with what the user typed: one line, exit code 2, nothing started. */
export class UndoUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndoUsageError';
  }
}

/** AWS refused or could not be reached: one line, exit code 1. */
export class UndoStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndoStartError';
  }
}

export interface UndoArgs {
  readonly incidentId: string;
  readonly env: string;
  readonly requestedBy: string;
  readonly stateMachineArn?: string;
  readonly region?: string;
}

export function parseUndoArgs(argv: readonly string[], defaultUser: string = userName()): UndoArgs {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--env' || arg === '--requested-by' || arg === '--state-machine-arn' || arg === '--region') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UndoUsageError(`${arg} needs a value`);
      options[arg] = value;
    } else if (arg.startsWith('-')) throw new UndoUsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new UndoUsageError(positional.length === 0 ? 'which incident? give its id (inc-<16 hex digits>)' : `one incident at a time (got ${positional.join(', ')})`);
  const incidentId = positional[0]!;
  if (!INCIDENT_ID.test(incidentId)) throw new UndoUsageError(`not an incident id: ${JSON.stringify(incidentId)} (expected inc-<16 hex digits>, as in the notification and the ledger)`);
  const arn = options['--state-machine-arn'];
  if (arn !== undefined && !STATE_MACHINE_ARN.test(arn)) throw new UndoUsageError(`not a state machine ARN: ${arn}`);
  const requestedBy = (options['--requested-by'] ?? defaultUser).trim();
  if (requestedBy === '' || requestedBy.length > 128) throw new UndoUsageError('--requested-by: a name of 1 to 128 characters');
  return {
    incidentId, env: options['--env'] ?? 'dev', requestedBy,
    ...(arn ? { stateMachineArn: arn } : {}), ...(options['--region'] ? { region: options['--region'] } : {}),
  };
}

export interface StartedUndo {
  readonly executionArn: string;
  readonly consoleUrl: string;
  readonly stateMachineArn: string;
}

/** Finds the environment's undo state machine (from its ARN when the config names the account, else by name) and starts it. */
export async function startUndo(args: UndoArgs, client?: SFNClient): Promise<StartedUndo> {
  let region = args.region ?? (args.stateMachineArn ? STATE_MACHINE_ARN.exec(args.stateMachineArn)?.[1] : undefined);
  let account: string | undefined;
  if (!args.stateMachineArn || !region) {
    try {
      const config = loadConfig(args.env);
      region ??= config.region;
      account = config.account;
    } catch (e: unknown) {
      if (e instanceof ConfigError) throw new UndoUsageError(`--env ${args.env}: ${e.message}`);
      throw e;
    }
  }
  const sfn = client ?? new SFNClient({ region });
  const name = undoStateMachineName(args.env);
  try {
    const stateMachineArn = args.stateMachineArn ?? await deployedStateMachineArn(sfn, name, region!, account, 'or pass --state-machine-arn');
    const out = await sfn.send(new StartExecutionCommand({
      stateMachineArn,
      // Unique per request: the ledger, not the execution name, makes a second undo of an incident change nothing.
      name: `${args.incidentId}-${Date.now()}`,
      input: JSON.stringify({ incidentId: args.incidentId, requestedBy: args.requestedBy }),
    }));
    const executionArn = out.executionArn ?? '';
    return { executionArn, stateMachineArn, consoleUrl: executionConsoleUrl(STATE_MACHINE_ARN.exec(stateMachineArn)?.[1] ?? region!, executionArn) };
  } catch (e: unknown) {
    throw explain(e, name);
  }
}

/**
 * A state machine of the stack by its fixed name: its ARN built when the config names the account,
 * else found by listing the region's state machines. Not found: UndoStartError, ending with `orElse`.
 */
export async function deployedStateMachineArn(sfn: SFNClient, name: string, region: string, account: string | undefined, orElse: string): Promise<string> {
  if (account) return `arn:${partitionOf(region)}:states:${region}:${account}:stateMachine:${name}`;
  for await (const page of paginateListStateMachines({ client: sfn }, {})) {
    const found = page.stateMachines?.find((m) => m.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
  }
  throw new UndoStartError(`no state machine named ${name} in ${region}: deploy the stack for this environment, ${orElse}`);
}

function explain(e: unknown, name: string): Error {
  if (e instanceof UndoStartError || e instanceof UndoUsageError) return e;
  const err = e as { name?: string; message?: string };
  const text = `${err.name ?? 'Error'}: ${err.message ?? String(e)}`;
  if (err.name === 'CredentialsProviderError' || /credential/i.test(err.message ?? '')) {
    return new UndoStartError(`no AWS credentials: sign in (aws sso login, AWS_PROFILE) for the account the stack is deployed in (${text})`);
  }
  if (err.name === 'StateMachineDoesNotExist') return new UndoStartError(`the undo state machine does not exist (${err.message ?? name}): deploy the stack for this environment, or pass --state-machine-arn`);
  if (err.name === 'AccessDeniedException') return new UndoStartError(`not allowed to start the undo: ${err.message ?? ''}`.trim());
  return new UndoStartError(text.split('\n')[0]!);
}

function userName(): string {
  try {
    return process.env.USER ?? os.userInfo().username;
  } catch (e: unknown) {
    // A uid with no passwd entry (some containers): os.userInfo throws a SystemError, which has a code.
    if (!(e instanceof Error && 'code' in e)) throw e;
    return 'unknown';
  }
}

export async function main(argv: readonly string[], print: (line: string) => void = console.log, printError: (line: string) => void = console.error): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    print(USAGE);
    return 0;
  }
  try {
    const started = await startUndo(parseUndoArgs(argv));
    print(`undo started: ${started.executionArn}`);
    print(`watch it: ${started.consoleUrl}`);
    return 0;
  } catch (e: unknown) {
    if (e instanceof UndoUsageError) {
      printError(`undo: ${e.message}`);
      printError(USAGE);
      return 2;
    }
    printError(`undo: ${e instanceof UndoStartError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
