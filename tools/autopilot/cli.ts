/**
 * `npx autopilot`: the operator's command line (bin/autopilot.js runs it from source). commander
 * parses: subcommands, each with its own --help, required options and one-line usage errors,
 * which node:util parseArgs leaves to be written by hand. Each command's code (and the AWS SDK,
 * the config schema, the runbook modules) is loaded only when that command runs, so --help is
 * quick.
 */
import { Command, CommanderError } from 'commander';
import { CliError, usageError } from './errors';
import type { Output } from './output';
import { defaultEnvironment, settingsOf, type GlobalOptions } from './settings';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

const DESCRIPTION = 'Operate runbook-autopilot: what is paused, what runs, what waits for a person, what was done. '
  + 'Talks to the deployed stack of an environment (RunbookAutopilot-<env>) with the usual AWS credential chain, '
  + 'or, with --local, reads what the last drill left in .drill/.';

type Action = (command: Command) => Promise<Output>;

function program(io: Io, done: (output: Output, json: boolean) => void): Command {
  const p = new Command('autopilot')
    .description(DESCRIPTION)
    .option('--env <env>', `the environment: config/<env>.json, stack RunbookAutopilot-<env> (default: cdk.json's context env, ${defaultEnvironment()})`)
    .option('--profile <profile>', 'the AWS profile (default: the usual credential chain)')
    .option('--region <region>', "the AWS region (default: the environment's, from its config)")
    .option('--local', "read what the last drill left (.drill/state.json) instead of a deployed stack")
    .option('--state-dir <dir>', 'with --local: where that drill kept its state (default: .drill/)')
    .option('--json', 'print one JSON document, for scripts')
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (t) => io.out(t),
      writeErr: (t) => io.err(t),
      outputError: (t, write) => write(`autopilot: ${t.replace(/^error: /, '')}`),
    });
  const action = (perform: Action) => async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    done(await perform(command), (command.optsWithGlobals() as GlobalOptions).json === true);
  };
  const settings = (c: Command) => settingsOf(c.optsWithGlobals() as GlobalOptions);

  p.command('status')
    .description("paused or not (the kill switch and each runbook's switch), incidents open and waiting for approval, the last actions")
    .action(action(async (c) => (await import('./read')).status(settings(c))));
  p.command('history')
    .argument('[incident]', 'one incident in full: its record, every action, every approval request')
    .description('recent incidents, newest first, with how each ended')
    .option('--limit <n>', 'how many', '20')
    .option('--runbook <runbook>', "only this runbook's")
    .action(action(async (c) => {
      const o = c.opts<{ limit: string; runbook?: string }>();
      const incident = c.args[0];
      return (await import('./read')).history(settings(c), { ...o, ...(incident !== undefined ? { incident } : {}) });
    }));
  p.command('pause')
    .argument('[runbook]', 'hold only this runbook (its switch); without it, every runbook (the kill switch)')
    .description('hold runbooks: admit lets no new incident act (the SSM switches admit reads)')
    .action(action(async (c) => (await import('./switches')).setSwitch(settings(c), c.args[0], false)));
  p.command('resume')
    .argument('[runbook]', 'release only this runbook (its switch); without it, the kill switch')
    .description('release what pause held')
    .action(action(async (c) => (await import('./switches')).setSwitch(settings(c), c.args[0], true)));
  p.command('start')
    .argument('<runbook>', 'a runbook started by alarms, or one started by service events that names what else a start gives (an access key, say)')
    .description('run a runbook on one target by hand, through the same admit as an alarm (switches, cooldown, safety rails)')
    .requiredOption('--target <target>', "the target, as config names it (function, table, cluster/service)")
    .option('--alarm <name>', 'the CloudWatch alarm whose return to OK verifies the run')
    .option('--occurrence <value>', 'what the run acts on besides the target, where the runbook asks (an access key id, say)')
    .option('--reason <text>', 'why, for the ledger and every notification of the run')
    .option('--as <name>', 'who starts it (default: your user name); they may not approve the run')
    .action(action(async (c) => (await import('./start')).startRunbook(settings(c), c.args[0]!, c.opts<{ target: string; alarm?: string; occurrence?: string; reason?: string; as?: string }>())));
  p.command('approvals')
    .description('what waits for whom: each open approval request, who may still decide, the deadline, what silence does')
    .option('--as <approver>', 'only the requests this approver may still decide')
    .action(action(async (c) => (await import('./read')).approvals(settings(c), c.opts<{ as?: string }>())));
  p.command('undo')
    .argument('<incident>', 'inc-<16 hex digits>, as in a notification and the ledger')
    .description('start the undo of an incident (npm run undo): it puts back what the runbook replaced, through the approval policy')
    .option('--as <name>', 'who asks (default: your user name), recorded in the ledger')
    .action(action(async (c) => (await import('./undo')).undoIncident(settings(c), c.args[0]!, c.opts<{ as?: string }>())));
  p.command('validate')
    .description("check each environment's config (or --env's) and every state machine against its source, as synth and npm run statemachines -- --check would")
    .action(action(async (c) => {
      const o = c.optsWithGlobals() as GlobalOptions;
      if (o.local || o.profile !== undefined || o.region !== undefined) throw usageError('validate checks the configs and state machines of this checkout: only --env and --json apply');
      return (await import('./validate')).validate(o.env);
    }));
  p.command('drill')
    .description("run the drill, with npm run drill's arguments after it (autopilot drill --help)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw usageError('give the drill its arguments right after "drill", with no option before it: autopilot drill --json');
    });
  p.command('backtest')
    .description("what the runbooks would have done over the account's alarm history, read-only (autopilot backtest --help; docs/backtest.md)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw usageError('give the backtest its arguments right after "backtest", with no option before it: autopilot backtest --local --since 14d');
    });
  p.command('report')
    .argument('<incident>', 'inc-<16 hex digits>')
    .description('the post-incident report of an incident (Markdown), built from the ledger as the report step builds it')
    .action(action(async (c) => (await import('./read')).report(settings(c), c.args[0]!)));
  return p;
}

/** Runs the command line; resolves with its exit code (0, 1 AWS or state, 2 usage: nothing changed). */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  // The drill parses its own arguments (drill/command.ts), as `npm run drill` does.
  if (argv[0] === 'drill') return (await import('../../drill/command')).runDrillCommand(argv.slice(1));
  // So does the backtest (tools/backtest/cli.ts), as `npm run backtest` does.
  if (argv[0] === 'backtest') return (await import('../backtest/cli')).main(argv.slice(1), io.out, (line) => io.err(`${line}\n`));
  let code = 0;
  const print = (output: Output, json: boolean) => {
    io.out(`${json ? JSON.stringify(output.data, null, 2) : output.text.join('\n')}\n`);
    code = output.exitCode ?? 0;
  };
  try {
    await program(io, print).parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e: unknown) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    if (e instanceof CliError) {
      io.err(`autopilot: ${e.message}\n`);
      return e.exitCode;
    }
    io.err(`autopilot: internal error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    return 1;
  }
}

export function run(argv: readonly string[] = process.argv.slice(2)): void {
  void main(argv).then((code) => {
    process.exitCode = code;
  });
}
