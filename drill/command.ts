import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../lib/config/load';
import { MODULES, runbookConfig } from '../lib/catalog';
import type { EnvironmentConfig } from '../lib/config/schema';
import { gatePolicyOf, setGatePolicy } from '../runbooks/module';
import { Drill } from './drill';
import { InputError, readInputFile, type DrillInput } from './inputs';
import { DEFAULT_DRILL_STATE_DIR, drillStateDir, writeKeptState } from './kept-state';
import { useColour } from './layout';
import { renderResult, renderSummary } from './render';
import type { DrillResult } from './result';
import { mermaid } from '../statemachines/src/mermaid';
import { readScenario, scenarioConfig, type Scenario } from './scenario';
import type { ApproverAnswer, DrillFault } from './drill';
import { SERVICES, type FaultKind, type ServiceName } from './sandbox';

const ROOT = path.join(__dirname, '..');
const RUNBOOK_NAMES = MODULES.map((m) => m.name);
const USAGE = `Usage: npm run drill -- [runbook ...] [--event FILE ...] [--scenario FILE] [--fault SPEC ...] [--dry-run] [--then-redrive] [--then-undo] [--diagram] [--report DIR] [--state-dir DIR] [--json]

  runbook        one of ${RUNBOOK_NAMES.join(', ')} (default: each one's recorded event, from events/)
  --event FILE   replay a recorded EventBridge event or SNS notification (repeatable, in order)
  --scenario FILE  start from a changed account (see drill/scenarios/)
  --fault SPEC   make the sandbox fail calls, e.g. lambda:PutFunctionConcurrency=throttlingx2
                 (kinds: throttling, access-denied, not-found, server-error, timeout; applied-timeout
                 makes the call, then drops the answer)
  --dry-run      every runbook reads and plans; the exact calls go to the ledger, nothing changes
  --then-redrive after each input, clear the faults not used up and redrive its execution
                 (RedriveExecution: the same execution, from the state that failed, with its input)
  --then-undo    after each input, run the undo state machine for its incident and compare the
                 touched resources with their starting state
  --env ENV      apply that environment's approval policy (dev: none, staging: 1, prod: 2 distinct approvers)
  --approve NAMES  these approvers open their own link and click Approve (comma-separated, in order)
  --reject NAMES   these approvers open their own link and click Reject
  --no-answer    nobody answers: every level's deadline passes (compressed) and the step escalates
  --together     the approvers click at the same moment (a scanner fetches every link meanwhile)
  --serve-approvals PORT  serve the approval pages on 127.0.0.1:PORT, print each approver's link and
                 wait (up to 10 minutes per level) for a person to decide in a browser
  --diagram      after each input, its runbook's state machine as a Mermaid flowchart with the
                 states the run went through marked (with --json: the line's "diagram")
  --report DIR   write each incident's post-incident report into DIR (created if missing), as the report
                 step left it in the report bucket: <yyyy-mm-dd>-<runbook>-<target>.md
  --state-dir DIR  where to keep the sandbox ledger and switches at the end, for autopilot --local
                 (default: .drill/ in the checkout)
  --json         one JSON object per input, one per line
  --calls        with --json: each line also lists the AWS calls the input led to, with the function
                 that made each (its name, as runbook-autopilot-drill-<handler id>)`;

interface Args {
  inputs: DrillInput[];
  scenario?: Scenario;
  scenarioFile?: string;
  dryRun: boolean;
  thenUndo: boolean;
  thenRedrive: boolean;
  faults: DrillFault[];
  json: boolean;
  calls: boolean;
  diagram: boolean;
  env?: 'dev' | 'staging' | 'prod';
  answers: ApproverAnswer[];
  together: boolean;
  servePort?: number;
  reportDir?: string;
  stateDir?: string;
}

class UsageError extends InputError {}

const FAULT_SERVICES: readonly string[] = [...SERVICES, 'dynamodb'];

function parseFault(spec: string): DrillFault {
  const m = /^([a-z0-9-]+)(?::([A-Za-z]+))?=(throttling|access-denied|not-found|server-error|timeout|applied-timeout)(?:x(\d+))?$/.exec(spec);
  if (!m) throw new UsageError(`--fault ${spec}: expected SERVICE[:Operation]=KIND[xN], e.g. lambda:PutFunctionConcurrency=throttlingx2`);
  if (!FAULT_SERVICES.includes(m[1]!)) throw new UsageError(`--fault ${spec}: unknown service ${m[1]} (known: ${FAULT_SERVICES.join(', ')})`);
  return { service: m[1] as ServiceName | 'dynamodb', ...(m[2] ? { operation: m[2] } : {}), error: m[3] as FaultKind, times: m[4] ? Number(m[4]) : 1 } as DrillFault;
}

/** The runbook's recorded event (its module's drill.event). */
function runbookEvent(name: string): string {
  const event = MODULES.find((m) => m.name === name)?.drill.event;
  const file = event === undefined ? undefined : path.join(ROOT, event);
  if (!file || !fs.existsSync(file)) throw new UsageError(`no recorded event for runbook ${name} in events/`);
  return file;
}

/** Reads and checks every input before anything runs: a bad input changes nothing. */
export function parseArgs(argv: readonly string[]): Args {
  const files: string[] = [];
  const faults: DrillFault[] = [];
  let json = false;
  let calls = false;
  let diagram = false;
  let dryRun = false;
  let thenUndo = false;
  let thenRedrive = false;
  let scenario: Scenario | undefined;
  let scenarioFile: string | undefined;
  let env: Args['env'];
  let noAnswer = false;
  let servePort: number | undefined;
  let together = false;
  let reportDir: string | undefined;
  let stateDir: string | undefined;
  const answers: ApproverAnswer[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--calls') calls = true;
    else if (arg === '--diagram') diagram = true;
    else if (arg === '--no-answer') noAnswer = true;
    else if (arg === '--together') together = true;
    else if (arg === '--env' || arg === '--approve' || arg === '--reject' || arg === '--serve-approvals') {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      if (arg === '--env') {
        if (value !== 'dev' && value !== 'staging' && value !== 'prod') throw new UsageError(`--env ${value}: expected dev, staging or prod`);
        env = value;
      } else if (arg === '--serve-approvals') {
        if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`--serve-approvals ${value}: expected a port number`);
        servePort = Number(value);
      } else {
        for (const name of value.split(',')) {
          if (!/^[a-z][a-z0-9._-]{0,62}$/.test(name)) throw new UsageError(`${arg} ${value}: "${name}" is not an approver name`);
          if (answers.some((a) => a.approver === name)) throw new UsageError(`${arg}: ${name} is given more than once`);
          answers.push({ approver: name, decision: arg === '--approve' ? 'approve' : 'reject' });
        }
      }
    }
    else if (arg === '--report') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError('--report needs a directory');
      if (fs.existsSync(value) && !fs.statSync(value).isDirectory()) throw new UsageError(`--report ${value}: not a directory`);
      reportDir = value;
    }
    else if (arg === '--dry-run') dryRun = true;
    else if (arg === '--then-undo') thenUndo = true;
    else if (arg === '--then-redrive') thenRedrive = true;
    else if (arg === '--event' || arg === '--fault' || arg === '--scenario' || arg === '--state-dir') {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      if (arg === '--event') files.push(value);
      else if (arg === '--state-dir') stateDir = value;
      else if (arg === '--scenario') {
        scenario = readScenario(value);
        scenarioFile = value;
      }
      else faults.push(parseFault(value));
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if ((RUNBOOK_NAMES as readonly string[]).includes(arg)) files.push(runbookEvent(arg));
    else throw new UsageError(`unknown runbook "${arg}" (known: ${RUNBOOK_NAMES.join(', ')})`);
  }
  if (noAnswer && answers.length > 0) throw new UsageError('--no-answer cannot be combined with --approve or --reject');
  if (together && answers.length < 2) throw new UsageError('--together needs at least two approvers (--approve, --reject)');
  if (servePort !== undefined && answers.length > 0) throw new UsageError('--serve-approvals: a person answers in the browser; drop --approve and --reject');
  if (calls && !json) throw new UsageError('--calls lists the calls in the --json lines: add --json');
  if (files.length === 0) files.push(...RUNBOOK_NAMES.map(runbookEvent));
  const relative = (f: string) => path.relative(process.cwd(), path.resolve(f)) || f;
  return {
    inputs: files.map((f) => readInputFile(relative(f))), faults, json, calls, diagram, dryRun, thenUndo, thenRedrive, answers, together,
    ...(env ? { env } : {}), ...(stateDir !== undefined ? { stateDir } : {}), ...(servePort !== undefined ? { servePort } : {}), ...(scenario && scenarioFile ? { scenario, scenarioFile } : {}),
    ...(reportDir !== undefined ? { reportDir } : {}),
  };
}

/** The input's runbook's state machine, the states its run went through marked; none where no runbook ran. */
function runDiagram(result: DrillResult): string | undefined {
  const machine = MODULES.find((m) => m.name === result.runbook)?.stateMachine.definition;
  return machine ? mermaid(machine, new Set(result.timeline.map((t) => t.state))) : undefined;
}

/**
 * `--env`: the drill sandbox keeps its own approvers (alice, bob, carol at L1, dave at L2, erin at
 * L3) and takes that environment's policy: how many distinct approvers, and the deadlines.
 */
function applyApprovalPolicy(drill: EnvironmentConfig, env: EnvironmentConfig): void {
  drill.approvals = { ...drill.approvals, requiredApprovals: env.approvals.requiredApprovals, deadlineMinutes: env.approvals.deadlineMinutes };
  // Each gated step's policy (severity, onTimeout, approvers needed), where the drill configures that step.
  for (const m of MODULES) {
    for (const gate of m.gates ?? []) {
      const policy = gatePolicyOf(runbookConfig(env, m), gate);
      if (policy) setGatePolicy(runbookConfig(drill, m), gate, policy);
    }
  }
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  const config = scenarioConfig(args.scenario, loadConfig('drill'), args.scenarioFile ?? '');
  if (args.dryRun) config.dryRun = true;
  if (args.env) applyApprovalPolicy(config, loadConfig(args.env));
  const known = new Set(config.approvals.approvers.map((a) => a.name));
  const unknown = args.answers.find((a) => !known.has(a.approver));
  if (unknown) throw new UsageError(`${unknown.approver} is not an approver of the drill environment (${[...known].join(', ')})`);
  const servePages = args.servePort === undefined ? undefined : {
    port: args.servePort, waitMs: 10 * 60_000,
    onLink: (approver: string, link: string, level: string) => console.log(`approval link for ${approver} (${level}): ${link}`),
  };
  const drill = await Drill.start({
    config, faults: args.faults, answers: args.answers, decideTogether: args.together, ...(servePages ? { servePages } : {}), ...(args.scenario ? { scenario: args.scenario } : {}),
  });
  try {
    if (!args.json) {
      console.log(`runbook-autopilot drill: environment ${drill.config.environment}, account ${drill.config.account ?? '-'}, ${drill.config.region}`);
      console.log(args.scenario ? `scenario: ${args.scenario.description}` : 'scenario: the seed systems as they are');
      const policy = drill.config.approvals;
      console.log(`approvals: ${policy.requiredApprovals === 0 ? 'none required (approved at once, recorded)' : `${policy.requiredApprovals} distinct approver(s)`}`
        + `${args.env ? ` (policy of ${args.env})` : ''}; ${args.answers.length ? `${args.answers.map((a) => `${a.approver} ${a.decision}s`).join(', ')}${args.together ? ', all at the same moment' : ''}` : servePages ? 'a person answers in the browser' : 'nobody answers'}`);
      console.log(args.dryRun || drill.config.dryRun ? 'mode: dry run (plans only; nothing is changed)\n' : 'mode: acting\n');
    }
    const results = [];
    const colour = useColour();
    for (const input of args.inputs) {
      const mark = drill.callsMark();
      const options = { thenRedrive: args.thenRedrive };
      const result = args.thenUndo ? await drill.handleThenUndo(input, options) : await drill.handle(input, options);
      results.push(result);
      const diagram = args.diagram ? runDiagram(result) : undefined;
      const line = { ...result, ...(args.calls ? { calls: drill.callsReceived(mark) } : {}), ...(diagram !== undefined ? { diagram } : {}) };
      const position = args.inputs.length > 1 ? `[${results.length}/${args.inputs.length}]` : undefined;
      console.log(args.json ? JSON.stringify(line) : `${renderResult(result, { colour, ...(position ? { position } : {}) })}\n`);
      if (diagram !== undefined && !args.json) console.log(`\`\`\`mermaid\n${diagram}\n\`\`\`\n`);
    }
    if (!args.json) console.log(renderSummary(results, { colour }));
    if (args.reportDir !== undefined) {
      const written = writeReports(drill, args.reportDir);
      if (!args.json) console.log(`\nreports: ${written.length} written to ${args.reportDir}${written.length > 0 ? `\n${written.map((f) => `  ${f}`).join('\n')}` : ''}`);
    }
    return 0;
  } finally {
    await keepState(drill, args);
    await drill.close();
  }
}

/** `--report DIR`: each report the report bucket holds (its current version), as a file named after its key; the files written. */
function writeReports(drill: Drill, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return drill.reports().map(({ key, body }) => {
    const file = path.join(dir, path.basename(key));
    fs.writeFileSync(file, body);
    return file;
  });
}

/** The sandbox ledger and switches, kept for `autopilot --local`; a failure to keep them is said, and changes no exit code. */
async function keepState(drill: Drill, args: Args): Promise<void> {
  try {
    const dir = drillStateDir(args.stateDir);
    const file = writeKeptState(dir, await drill.keptState());
    const elsewhere = dir === DEFAULT_DRILL_STATE_DIR ? '' : ` --state-dir ${path.relative(process.cwd(), dir) || '.'}`;
    if (!args.json) console.log(`ledger and switches kept in ${path.relative(process.cwd(), file)}, shown by\n  npx autopilot --local${elsewhere} status`);
  } catch (e: unknown) {
    console.error(`drill: could not keep the sandbox ledger and switches: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * `npm run drill -- <argv>`: runs it and answers the exit code (0 done, whatever the runs ended as;
 * 2 a bad input, which changes nothing; 1 the drill itself failed). What it prints goes to the
 * console, as the command prints it.
 */
export async function runDrillCommand(argv: readonly string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e: unknown) {
    if (e instanceof InputError) {
      console.error(`drill: ${e.message}`);
      if (e instanceof UsageError) console.error(USAGE);
      return 2;
    }
    console.error(`drill: internal error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return 1;
  }
}
