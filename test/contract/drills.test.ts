/**
 * The contract every registered runbook keeps, run: its recorded events route to it and only to
 * it, its recorded event remediates in the seed account (or pages, drill.ends), a dry run acts on nothing, an undo puts
 * back what it changed, its scenarios and a gated run end in a defined state (every call it makes
 * failing for good is the fault matrix's, test/faults), each mutating step failing after its Retry
 * fails the execution there and a redrive (as from the console) ends it as a clean run does, its
 * fault list (drill.calls) is the calls it makes, and each function's permissions cover every call
 * it made and nothing else (an IAM evaluator on the synthesized roles). Each drill runs as
 * `npm run drill -- ... --json --calls` (drill-runs.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { APPROVAL_SECRET, LEDGER_TABLE, REPORT_BUCKET } from '../../drill/drill';
import type { AwsCallReceived } from '../../drill/drill';
import { readScenario, scenarioConfig } from '../../drill/scenario';
import { SANDBOX_ACCOUNT_ID, TOPIC_ARNS } from '../../drill/sandbox';
import { toId } from '../../lib/autopilot-stack';
import { contextOf, literalArns, runbookConfig, sharedHandlers, type AnyRunbook } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { drillCalls } from '../../runbooks/module';
import { synthesizeIam, type SynthesizedIam } from '../iam/stack-roles';
import { iamRequests, targetOf, type Scope } from './iam-requests';
import { drillRun, type ContractRun } from './drill-runs';
import { drillFunctionName, EACH_RUNBOOK, ROOT, type RunResult } from './support';

const OUTCOMES = ['remediated', 'skipped', 'escalated', 'rejected', 'failed'];
const base = loadConfig('drill');
const arns = literalArns('aws', base.region, SANDBOX_ACCOUNT_ID);

/** A run as the suite names it in a sentence. */
interface Run {
  readonly what: string;
  readonly config: EnvironmentConfig;
  readonly done: Promise<ContractRun>;
}

function runsOf(module: AnyRunbook): Run[] {
  const event = module.drill.event;
  const run = (what: string, args: string[], config: EnvironmentConfig = base): Run => ({ what, config, done: drillRun(args) });
  const configOf = (file: string) => scenarioConfig(readScenario(path.join(ROOT, file)), base, file);
  const scenarioRun = (file: string) => run(`scenario ${file}`, ['--scenario', file, '--event', event], configOf(file));
  // An undo that needs an approver in every environment gets one (the drill's policy asks none).
  const approver = module.undoMinimumApprovals ? ['--approve', 'alice'] : [];
  const undoRun = (file: string | undefined) => (file
    ? run('its event, then an undo', ['--scenario', file, '--event', event, '--then-undo', ...approver], configOf(file))
    : run('its event, then an undo', ['--event', event, '--then-undo', ...approver]));
  return [
    run('its recorded event and samples', [event, ...(module.drill.samples ?? [])].flatMap((e) => ['--event', e])),
    run('a dry run', ['--event', event, '--dry-run']),
    ...(module.undo ? [undoRun(module.drill.undoScenario)] : []),
    ...(module.gates?.length ? [run('its event with an approver (the policy of staging)', [...gateEvents(module).flatMap((e) => ['--event', e]), '--env', 'staging', '--approve', 'alice'])] : []),
    ...(module.drill.scenarios ?? []).map(scenarioRun),
    ...mutatingSteps(module).map((c) => run(`${c.call} failing after its Retry, then a redrive`, ['--event', event, '--fault', `${c.call}=server-errorx20`, '--then-redrive'])),
  ];
}

/** The recorded events that reach its gates: its own, then each second path's (GateDef.reachedBy). */
const gateEvents = (module: AnyRunbook) => [...new Set([module.drill.event, ...(module.gates ?? []).map((g) => g.reachedBy ?? module.drill.event)])];

/** Each mutating call of its recorded event, with the state that first makes it (a redrive starts there). */
const mutatingSteps = (module: AnyRunbook) => module.drill.calls.filter((c): c is typeof c & { state: string } => c.mutates === true && c.state !== undefined);

const planned = new Map(EACH_RUNBOOK.map(([name, module]) => [name, runsOf(module)]));

async function finished(run: Run): Promise<RunResult[]> {
  const r = await run.done;
  if (r.code !== 0) throw new Error(`npm run drill -- ${r.args.join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n').slice(0, 3).join(' ')}`);
  return [...r.results];
}

const byName = (name: string) => planned.get(name)!;
const runNamed = (name: string, what: string) => byName(name).find((r) => r.what === what);
const ledgerCall = (c: AwsCallReceived) => c.service === 'dynamodb' && c.input.TableName === LEDGER_TABLE;
const rowsAtIntent = (r: RunResult) => r.ledger.filter((row) => row.status === 'intent');

/** The functions a runbook's module defines (for the drill's config), by the name calls carry. */
function handlersOf(module: AnyRunbook, config: EnvironmentConfig) {
  return module.handlers(contextOf(module, config, arns)).map((h) => ({ ...h, fn: drillFunctionName(h.id) }));
}

const iamByConfig = new Map<string, SynthesizedIam>();
function iamFor(config: EnvironmentConfig): SynthesizedIam {
  const key = JSON.stringify(config);
  let iam = iamByConfig.get(key);
  if (!iam) {
    iam = synthesizeIam(undefined, { config, account: SANDBOX_ACCOUNT_ID });
    iamByConfig.set(key, iam);
  }
  return iam;
}

/** The stack's own resources that the drill's stand for. */
function scopeOf(iam: SynthesizedIam, config: EnvironmentConfig): Scope {
  const machine = (name: string) => arns.stateMachine(`runbook-autopilot-drill-${name}`);
  const own = new Map<string, string>([
    [arns.dynamodbTable(LEDGER_TABLE), iam.arnOf('AWS::DynamoDB::GlobalTable', 'LedgerTable')],
    [TOPIC_ARNS.critical, iam.arnOf('AWS::SNS::Topic', 'NotificationsCritical')],
    [TOPIC_ARNS.info, iam.arnOf('AWS::SNS::Topic', 'NotificationsInfo')],
    [TOPIC_ARNS.approvals, iam.arnOf('AWS::SNS::Topic', 'NotificationsApprovals')],
    [APPROVAL_SECRET, iam.arnOf('AWS::SecretsManager::Secret', 'ApprovalsSigningKey')],
    [`arn:aws:s3:::${REPORT_BUCKET}`, iam.arnOf('AWS::S3::Bucket', 'IncidentReportsBucket')],
    [arns.stateMachine('runbook-autopilot-drill-undo'), iam.arnOf('AWS::StepFunctions::StateMachine', 'UndoStateMachine')],
    ...EACH_RUNBOOK.filter(([, m]) => runbookConfig(config, m).enabled)
      .map(([name]): [string, string] => [machine(name), iam.arnOf('AWS::StepFunctions::StateMachine', `${toId(name)}StateMachine`)]),
  ]);
  return { partition: 'aws', region: config.region, account: SANDBOX_ACCOUNT_ID, own };
}

describe.each(EACH_RUNBOOK)('%s', (name, module: AnyRunbook) => {
  const main = () => runNamed(name, 'its recorded event and samples')!;

  test('its recorded event and samples route to it, and only to it; its recorded event remediates in the seed account (or pages, for a runbook that changes nothing)', async () => {
    const results = await finished(main());
    const problems = results.filter((r) => r.runbook !== name).map((r) => `${name}: ${r.input} reaches ${r.runbook ?? 'no runbook'} (${r.reason})`);
    const event = results[0];
    const ends = module.drill.ends ?? 'remediated';
    if (event && event.outcome !== ends) problems.push(`${name}: its recorded event ${event.input} ends ${event.outcome} in the seed account (${event.reason}): it should ${ends === 'remediated' ? 'show the runbook acting' : `end ${ends}, as its drill.ends says`}`);
    // A runbook that only pages changes nothing: nothing it calls mutates, and it lists no change.
    if (ends === 'escalated') {
      if (Object.keys(module.drill.changes).length > 0) problems.push(`${name}: drill.ends is escalated (it changes nothing) but drill.changes lists ${Object.keys(module.drill.changes).join(', ')}`);
      for (const c of module.drill.calls.filter((call) => call.mutates)) problems.push(`${name}: drill.ends is escalated (it changes nothing) but ${c.call} mutates`);
    }
    expect(problems).toEqual([]);
  });

  test('drill.calls lists exactly the calls its recorded event makes (the fault matrix fails each), each state named is a state of it', async () => {
    const [event] = await finished(main());
    const config = base;
    const shared = sharedHandlers(config, arns);
    // The runbook's own path: admit, its handlers, notify, the report step, a trigger function; not the approval step (shared, tested apart) or the ledger.
    const own = new Set([shared.admit, shared.notify, shared.report, ...handlersOf(module, config).filter((h) => h.entry !== 'lambdas/approval/request.ts')].map((h) => drillFunctionName(h.id)));
    const calls = (event?.calls ?? []).filter((c) => !ledgerCall(c) && (own.has(c.caller ?? '') || /-(BudgetAdapter|AlarmRouter)$/.test(c.caller ?? '')));
    const made = new Map(calls.map((c) => [`${c.service}:${c.operation}`, c.caller]));
    // Its own calls, and the spine's that every run ends with (the report step's).
    const declared = new Set(drillCalls(module).map((c) => c.call));
    const unfaulted = module.drill.unfaulted ?? {};
    const asl = fs.readFileSync(path.join(ROOT, 'statemachines', `${name}.asl.json`), 'utf8');
    const problems = [
      ...[...made].filter(([call]) => !declared.has(call) && !(call in unfaulted))
        .map(([call, by]) => `${name}: its recorded event makes ${call} (${by}), which drill.calls does not list: add it (with the state that makes it), or list it in drill.unfaulted with the reason`),
      ...[...declared].filter((call) => !made.has(call)).map((call) => `${name}: drill.calls lists ${call}, which its recorded event never makes`),
      ...drillCalls(module).filter((c) => c.state && !asl.includes(`"${c.state}": {`)).map((c) => `${name}: drill.calls names state "${c.state}" for ${c.call}, which its state machine does not have`),
      ...drillCalls(module).filter((c) => c.failsAt && !asl.includes(`"${c.failsAt}": {`)).map((c) => `${name}: drill.calls names failsAt "${c.failsAt}" for ${c.call}, which its state machine does not have`),
    ];
    expect(problems).toEqual([]);
  });

  test('a dry run acts on nothing: it plans its calls, makes none, asks no approver, and leaves every resource as it was', async () => {
    const [r] = await finished(runNamed(name, 'a dry run')!);
    const mutating = new Set([...module.drill.calls.filter((c) => c.mutates).map((c) => c.call), ...Object.keys(module.drill.changes)]);
    const problems: string[] = [];
    if (!r) problems.push(`${name}: its dry run gave no result`);
    else {
      // A runbook that only pages has nothing to plan: its dry run pages as its run does.
      if (module.drill.ends === 'escalated') {
        if (r.outcome !== 'escalated') problems.push(`${name}: its dry run ends ${r.outcome} (${r.reason}), not escalated as its run does (it changes nothing)`);
      } else if (r.outcome !== 'skipped' || !r.reason.startsWith('dry run')) problems.push(`${name}: its dry run ends ${r.outcome} (${r.reason}), not "skipped: dry run ..."`);
      for (const c of r.calls.filter((call) => !ledgerCall(call) && mutating.has(`${call.service}:${call.operation}`))) problems.push(`${name}: its dry run called ${c.service}:${c.operation} (${c.caller ?? '?'})`);
      if (JSON.stringify(r.resources.after) !== JSON.stringify(r.resources.before)) problems.push(`${name}: its dry run changed ${JSON.stringify(r.resources.before)} to ${JSON.stringify(r.resources.after)}`);
      for (const a of r.actions.filter((action) => !action.planned)) problems.push(`${name}: its dry run recorded ${a.operation} on ${a.target} as ${a.status}, not planned`);
      // Nobody is asked to approve a call that will not be made.
      for (const a of r.approvalRequests) problems.push(`${name}: its dry run asked for an approval (${JSON.stringify(a)})`);
    }
    expect(problems).toEqual([]);
  });

  if (module.undo) test('an undo of its incident puts back every reversible change it made', async () => {
    const [r] = await finished(runNamed(name, 'its event, then an undo')!);
    const undo = r?.undo;
    const problems: string[] = [];
    if (!undo) problems.push(`${name}: no undo ran after its recorded event (${r?.reason ?? 'no result'})`);
    else {
      if (undo.outcome !== 'remediated') problems.push(`${name}: its undo ends ${undo.outcome}: ${undo.reason}`);
      for (const res of undo.resources.filter((x) => x.equalsStart === false)) {
        problems.push(`${name}: after its undo, ${res.name} is ${JSON.stringify(res.afterUndo)}, not ${JSON.stringify(res.start)} as at the start`);
      }
      if (!undo.restored) problems.push(`${name}: its undo does not say the touched resources are back (restored: false)`);
      if (undo.actions.length === 0) problems.push(`${name}: its undo restored nothing`);
    }
    expect(problems).toEqual([]);
  });

  const scenarios = module.drill.scenarios ?? [];
  if (scenarios.length > 0) test('each of its scenarios ends in a defined state, with no ledger row left at intent', async () => {
    const problems: string[] = [];
    for (const file of scenarios) {
      const [r] = await finished(runNamed(name, `scenario ${file}`)!);
      if (!r) problems.push(`${name}: scenario ${file} gave no result`);
      else {
        if (r.runbook !== name) problems.push(`${name}: under scenario ${file} its event reaches ${r.runbook ?? 'no runbook'} (${r.reason})`);
        if (!OUTCOMES.includes(r.outcome)) problems.push(`${name}: scenario ${file} ends ${r.outcome}`);
        for (const row of rowsAtIntent(r)) problems.push(`${name}: scenario ${file} left ${row.actionKey} at intent`);
      }
    }
    expect(problems).toEqual([]);
  });

  if (module.gates?.length) test('with an approver to ask, each gated step waits for the decision and then acts (or, for an acknowledgement, stops escalating)', async () => {
    const results = await finished(runNamed(name, 'its event with an approver (the policy of staging)')!);
    const problems: string[] = [];
    // Its own event ends as it always does; a second path's event ends remediated.
    gateEvents(module).forEach((event, i) => {
      const r = results[i];
      const ends = i === 0 ? module.drill.ends ?? 'remediated' : 'remediated';
      if (r?.outcome !== ends) problems.push(`${name}: with alice approving its gates, ${event} ends ${r?.outcome ?? 'without a result'} (${r?.reason ?? ''})`);
    });
    const steps = new Set(results.flatMap((r) => r.approvalRequests.map((q) => q.step)));
    for (const gate of module.gates ?? []) if (!steps.has(gate.step)) problems.push(`${name}: its gate ${gate.step} asked no approver`);
    // An acknowledgement gate has one button: alice says yes to it by acknowledging.
    const said = module.gates?.every((g) => g.acknowledge) ? 'acknowledged' : 'approved';
    for (const gate of module.gates ?? []) {
      const r = results[gateEvents(module).indexOf(gate.reachedBy ?? module.drill.event)];
      if (!r?.approvals.some((a) => a.approver === 'alice' && a.decision === said)) problems.push(`${name}: alice's ${said === 'approved' ? 'approval' : 'acknowledgement'} of ${gate.step} is not in the ledger`);
    }
    expect(problems).toEqual([]);
  });

  test('each mutating step failing after its Retry fails the execution there, is heard through the rule, and a redrive from that state ends as a clean run, each change made once', async () => {
    const problems: string[] = [];
    const [clean] = await finished(main());
    const applied = (r: RunResult) => r.runs.flatMap((x) => x.calls.filter((c) => c.applied).map((c) => c.operation)).sort();
    for (const c of mutatingSteps(module)) {
      const [r] = await finished(runNamed(name, `${c.call} failing after its Retry, then a redrive`)!);
      const what = `with ${c.call} failing after its Retry`;
      if (!r || !clean) {
        problems.push(`${name}: ${what} its event gave no result`);
        continue;
      }
      const [first, redriven, ...more] = r.runs;
      // An independent part's step is caught where first made and attempted again by its failsAt state, which fails.
      const failsAt = c.failsAt ?? c.state;
      if (first?.status !== 'FAILED' || first.failedAt !== failsAt) problems.push(`${name}: ${what} the execution ends ${first?.status ?? 'without a run'}${first?.failedAt ? ` at "${first.failedAt}"` : ''}, not FAILED at "${failsAt}" (where a redrive retries it)`);
      if (!r.notifications.some((n) => n.via === 'rule' && n.outcome === 'failed' && n.topic === 'critical')) problems.push(`${name}: ${what} the execution-failure rule told nobody (${JSON.stringify(r.notifications)})`);
      if (redriven?.from !== failsAt || redriven.status !== 'SUCCEEDED' || more.length > 0) problems.push(`${name}: ${what} the redrive ran ${JSON.stringify(r.runs.slice(1).map(({ calls: _calls, ...x }) => x))}, not once from "${failsAt}" to success${r.redriveRefused ? ` (refused: ${r.redriveRefused})` : ''}`);
      if (r.outcome !== clean.outcome) problems.push(`${name}: ${what} and redriven, its event ends ${r.outcome} (${r.reason}), not ${clean.outcome} as a clean run does`);
      if (JSON.stringify(applied(r)) !== JSON.stringify(applied(clean))) problems.push(`${name}: ${what} and redriven, the account took ${JSON.stringify(applied(r))}, not ${JSON.stringify(applied(clean))} as in a clean run`);
      for (const row of rowsAtIntent(r)) problems.push(`${name}: ${what} and redriven, ${row.actionKey} is left at intent`);
    }
    expect(problems).toEqual([]);
  });

  test("each function's permissions cover every call it made in its drills, and its own handlers' grant nothing they never called", async () => {
    const problems: string[] = [];
    const calledBy = new Map<string, Set<string>>();
    for (const run of byName(name).filter((r) => !r.what.includes(' failing '))) {
      const results = await finished(run);
      const iam = iamFor(run.config);
      const scope = scopeOf(iam, run.config);
      const tags = runbookConfig(run.config, module).targetTags;
      const named = new Set(module.targets(runbookConfig(run.config, module)));
      for (const call of results.flatMap((r) => r.calls)) {
        if (!call.caller) continue;
        const id = call.caller.replace(/^runbook-autopilot-drill-/, '');
        const requests = iamRequests(call, scope);
        if (!requests) {
          problems.push(`${name}: test/contract/iam-requests.ts does not know the IAM request of ${call.service}:${call.operation} (made by ${id}): add it`);
          continue;
        }
        // A target not named in config was allowed by its tags (the drill read them): IAM sees them too.
        const target = targetOf(call);
        const tagged = tags && target && !named.has(target) ? Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])) : {};
        for (const request of requests) {
          calledBy.set(id, new Set([...(calledBy.get(id) ?? []), request.action]));
          const decision = await iam.decide(iam.role(id), request.action, request.resource, { ...request.context, ...tagged });
          if (decision !== 'Allowed') problems.push(`${name}: ${id} may not ${request.action} on ${request.resource}, which it called in ${run.what}: grant it where ${id}'s permissions are defined`);
        }
      }
    }
    for (const h of handlersOf(module, base).filter((handler) => handler.entry.startsWith(`runbooks/${name}/handlers/`))) {
      const used = calledBy.get(h.id) ?? new Set<string>();
      for (const action of new Set(h.permissions.flatMap((p) => p.actions))) {
        if (!used.has(action)) problems.push(`${name}: ${h.id} is granted ${action}, which it never called in its drills: drop the grant, or add a sample or scenario that needs it`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });
});
