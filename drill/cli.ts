import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../lib/config/load';
import { RUNBOOK_NAMES } from '../lib/config/schema';
import { Drill } from './drill';
import { InputError, readInputFile, type DrillInput } from './inputs';
import { renderResult, renderSummary } from './render';
import { readScenario, scenarioConfig, type Scenario } from './scenario';
import type { DrillFault } from './drill';
import { SERVICES, type FaultKind, type ServiceName } from './sandbox';

const EVENTS_DIR = path.join(__dirname, '..', 'events');
const USAGE = `Usage: npm run drill -- [runbook ...] [--event FILE ...] [--scenario FILE] [--fault SPEC ...] [--dry-run] [--then-undo] [--json]

  runbook        one of ${RUNBOOK_NAMES.join(', ')} (default: all four, from events/)
  --event FILE   replay a recorded EventBridge event or SNS notification (repeatable, in order)
  --scenario FILE  start from a changed account (see drill/scenarios/)
  --fault SPEC   make the sandbox fail calls, e.g. lambda:PutFunctionConcurrency=throttlingx2
                 (kinds: throttling, access-denied, not-found, server-error, timeout)
  --dry-run      every runbook reads and plans; the exact calls go to the ledger, nothing changes
  --then-undo    after each input, run the undo state machine for its incident and compare the
                 touched resources with their starting state
  --json         one JSON object per input, one per line`;

interface Args {
  inputs: DrillInput[];
  scenario?: Scenario;
  scenarioFile?: string;
  dryRun: boolean;
  thenUndo: boolean;
  faults: DrillFault[];
  json: boolean;
}

class UsageError extends InputError {}

const FAULT_SERVICES: readonly string[] = [...SERVICES, 'dynamodb'];

function parseFault(spec: string): DrillFault {
  const m = /^([a-z0-9-]+)(?::([A-Za-z]+))?=(throttling|access-denied|not-found|server-error|timeout)(?:x(\d+))?$/.exec(spec);
  if (!m) throw new UsageError(`--fault ${spec}: expected SERVICE[:Operation]=KIND[xN], e.g. lambda:PutFunctionConcurrency=throttlingx2`);
  if (!FAULT_SERVICES.includes(m[1]!)) throw new UsageError(`--fault ${spec}: unknown service ${m[1]} (known: ${FAULT_SERVICES.join(', ')})`);
  return { service: m[1] as ServiceName | 'dynamodb', ...(m[2] ? { operation: m[2] } : {}), error: m[3] as FaultKind, times: m[4] ? Number(m[4]) : 1 } as DrillFault;
}

function runbookEvent(name: string): string {
  const candidates = [`${name}.alarm.json`, `${name}.sns.json`].map((f) => path.join(EVENTS_DIR, f));
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) throw new UsageError(`no recorded event for runbook ${name} in events/`);
  return file;
}

/** Reads and checks every input before anything runs: a bad input changes nothing. */
export function parseArgs(argv: readonly string[]): Args {
  const files: string[] = [];
  const faults: DrillFault[] = [];
  let json = false;
  let dryRun = false;
  let thenUndo = false;
  let scenario: Scenario | undefined;
  let scenarioFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--dry-run') dryRun = true;
    else if (arg === '--then-undo') thenUndo = true;
    else if (arg === '--event' || arg === '--fault' || arg === '--scenario') {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      if (arg === '--event') files.push(value);
      else if (arg === '--scenario') {
        scenario = readScenario(value);
        scenarioFile = value;
      }
      else faults.push(parseFault(value));
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if ((RUNBOOK_NAMES as readonly string[]).includes(arg)) files.push(runbookEvent(arg));
    else throw new UsageError(`unknown runbook "${arg}" (known: ${RUNBOOK_NAMES.join(', ')})`);
  }
  if (files.length === 0) files.push(...RUNBOOK_NAMES.map(runbookEvent));
  const relative = (f: string) => path.relative(process.cwd(), path.resolve(f)) || f;
  return { inputs: files.map((f) => readInputFile(relative(f))), faults, json, dryRun, thenUndo, ...(scenario && scenarioFile ? { scenario, scenarioFile } : {}) };
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  const config = scenarioConfig(args.scenario, loadConfig('drill'), args.scenarioFile ?? '');
  if (args.dryRun) config.dryRun = true;
  const drill = await Drill.start({ config, faults: args.faults, ...(args.scenario ? { scenario: args.scenario } : {}) });
  try {
    if (!args.json) {
      console.log(`runbook-autopilot drill: environment ${drill.config.environment}, account ${drill.config.account ?? '-'}, ${drill.config.region}`);
      console.log(args.scenario ? `scenario: ${args.scenario.description}` : 'scenario: the seed systems as they are');
      console.log(args.dryRun || drill.config.dryRun ? 'mode: dry run (plans only; nothing is changed)\n' : 'mode: acting\n');
    }
    const results = [];
    for (const input of args.inputs) {
      const result = args.thenUndo ? await drill.handleThenUndo(input) : await drill.handle(input);
      results.push(result);
      console.log(args.json ? JSON.stringify(result) : `${renderResult(result)}\n`);
    }
    if (!args.json) console.log(renderSummary(results));
    return 0;
  } finally {
    await drill.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof InputError) {
      console.error(`drill: ${e.message}`);
      if (e instanceof UsageError) console.error(USAGE);
      process.exit(2);
    }
    console.error(`drill: internal error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    process.exit(1);
  },
);
