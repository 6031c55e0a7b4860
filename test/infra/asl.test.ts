import * as fs from 'node:fs';
import * as path from 'node:path';
import aslValidator from 'asl-validator';
import { buildCatalog, enabledRunbooks, literalArns, sharedHandlers } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { RUNBOOK_NAMES } from '../../lib/config/schema';
import { REPORT_GIVEN_UP, REPORT_NOT_WRITTEN, REPORT_STATE } from '../../statemachines/src/spine';

const DIR = path.join(__dirname, '..', '..', 'statemachines');
const arns = literalArns('aws', 'sa-east-1', '123456789012');
/**
 * Each runbook's definition as the catalog deploys it in prod; one prod switches off, as the drill
 * builds it (config/drill.json runs every runbook: the contract suite drills each).
 */
const [prod, drill] = [loadConfig('prod'), loadConfig('drill')];
const deployed = (name: string) => {
  const config = enabledRunbooks(prod).some((m) => m.name === name) ? prod : drill;
  const def = buildCatalog(config, arns).find((d) => d.name === name);
  if (!def) throw new Error(`${name} is enabled in neither config/prod.json nor config/drill.json`);
  return { def, shared: sharedHandlers(config, arns) };
};

interface State {
  Type: string; Resource?: string; Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[]; Catch?: { ErrorEquals: string[]; Next: string }[];
  Next?: string; End?: boolean; Default?: string; Choices?: { Next: string }[]; Parameters?: { FunctionName?: string; Payload?: Record<string, unknown> };
}
const load = (name: string) => {
  const text = fs.readFileSync(path.join(DIR, `${name}.asl.json`), 'utf8');
  return { text, definition: JSON.parse(text) as { StartAt: string; States: Record<string, State> } };
};

/** The runbook steps that decide what any error of theirs means (the run goes on, or escalates in words of its own). */
const DECIDED_CATCH_ALL: Readonly<Record<string, readonly string[]>> = {
  // The stop stands whatever the evidence read: what could not be read is reported.
  'lambda-runaway/Find what invokes the function': ['Evidence unavailable'],
  // The last timeouts are evidence only: the decision does not depend on them.
  'lambda-timeouts/Read the last timeouts': ['Timeouts unavailable'],
  // max_connections is told, not decided on (seed 004 "check max_connections"): what could not be read is reported.
  'database-recovery/Read max_connections': ['max_connections unavailable'],
  // The key stays inactive whatever CloudTrail answers: what the key did, if unreadable, is said in the page.
  'credential-exposure/Read what the key did': ['Activity unavailable'],
  // The page goes out whatever the evidence read: what could not be read is said in it.
  'page-on-call/Read the evidence': ['Page without the evidence'],
  // The escalation is sent already; a second one says the undo did not start and how to start it by hand.
  'llm-budget-guardrail/Start the undo of the switch': ['Escalate: undo not started'],
  // The run goes on to its timed restore when the notification of the switch cannot be sent.
  'llm-budget-guardrail/Notify model switched': ['Wait before restoring the model'],
  // An emergency stop's independent parts: a part's failure is recorded and the other parts go on; after the page the
  // part is attempted again by a state that does not catch it, so a failure after the retries still fails the execution there.
  'agentcore-halt/Read the gateway': ['Gateway: to attempt again'],
  'agentcore-halt/Block gateway invocations': ['Gateway: to attempt again'],
  'agentcore-halt/Read the proxy': ['Proxy: to attempt again'],
  'agentcore-halt/Scale the proxy to zero': ['Proxy: to attempt again'],
  'agentcore-halt/POST the kill switches': ['Kill switch: to attempt again'],
};
/** The fields a machine's reads write, as the report names them: `$.diagnosis`, but for a machine that reads its parts each on its own. */
const DIAGNOSIS: Readonly<Record<string, readonly string[]>> = { 'agentcore-halt': ['gateway', 'proxy'] };
/** The spine's report step, in every machine: a report that cannot be written is counted, and the execution ends as it would have. */
const REPORT_CATCH_ALL: Readonly<Record<string, readonly string[]>> = { [REPORT_STATE]: [REPORT_NOT_WRITTEN], [REPORT_NOT_WRITTEN]: [REPORT_GIVEN_UP] };

describe.each(RUNBOOK_NAMES)('%s.asl.json', (name) => {
  const { text, definition } = load(name);

  test('is valid Amazon States Language (its partition filled, as the drill and the stack fill it)', () => {
    const { isValid, errorsText } = aslValidator(JSON.parse(text.replaceAll('${Partition}', 'aws')));
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
  });

  test('every ${Substitution} is filled by the catalog, and the catalog fills nothing unused', () => {
    const used = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    const { def, shared } = deployed(name);
    const provided = new Set([shared.admit.substitution, shared.notify.substitution, shared.report.substitution, ...def.handlers.map((h) => h.substitution), ...Object.keys(def.substitutions)]);
    expect([...used].sort()).toEqual([...provided].sort());
  });

  test('no ARN, partition or account is hard-coded', () => {
    expect(text).not.toMatch(/arn:aws/);
    expect(text).not.toMatch(/\d{12}/);
  });

  test('every Task retries transient AWS errors; only decided outcomes are caught, so a failure after the retries fails the execution at that state', () => {
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type !== 'Task') continue;
      const retried = (state.Retry ?? []).filter((r) => r.MaxAttempts !== 0).flatMap((r) => r.ErrorEquals);
      // A Lambda invoke retries the classified AWS errors its handler throws; a service integration (StartExecution) retries its failed call.
      const transient = state.Resource === 'arn:${Partition}:states:::states:startExecution' ? ['States.TaskFailed'] : ['AwsThrottled', 'AwsUnavailable', 'Lambda.TooManyRequestsException'];
      expect({ stateName, retried }).toEqual({ stateName, retried: expect.arrayContaining(transient) });
      const catchAll = (state.Catch ?? []).filter((c) => c.ErrorEquals.includes('States.ALL')).map((c) => c.Next);
      expect({ stateName, catchAll }).toEqual({ stateName, catchAll: DECIDED_CATCH_ALL[`${name}/${stateName}`] ?? REPORT_CATCH_ALL[stateName] ?? [] });
    }
  });

  test('every ending writes the incident report first: only the report step ends the execution, and only a duplicate delivery ends without it', () => {
    const ends = Object.entries(definition.States).filter(([, s]) => s.End === true || s.Type === 'Succeed' || s.Type === 'Fail').map(([n]) => n).sort();
    expect(ends).toEqual(['Already handled', REPORT_NOT_WRITTEN, REPORT_GIVEN_UP, REPORT_STATE].sort());
    // Each notification that used to end the run goes on to the report, with this run's data and what wrote it.
    const report = definition.States[REPORT_STATE]!;
    expect(report.Parameters).toMatchObject({
      FunctionName: '${ReportFunctionArn}',
      Payload: { mode: 'write', machine: name, 'incident.$': '$.admission.incident', facts: { 'state.$': '$', steps: expect.objectContaining(Object.fromEntries((DIAGNOSIS[name] ?? ['diagnosis']).map((f) => [f, expect.any(String)]))) } },
    });
    expect(Object.values(definition.States).filter((s) => s.Next === REPORT_STATE).length).toBeGreaterThan(2);
  });

  test('follows the spine: admit first; no failure path of its own (the execution fails where a step failed, and the stack\'s rule escalates it)', () => {
    expect(definition.States[definition.StartAt]?.Next).toBe('Admit: dedupe, allowlist, switches, cooldown');
    expect(Object.entries(definition.States).filter(([, s]) => s.Type === 'Fail').map(([n]) => n)).toEqual([]);
    expect(definition.States['Record failure and escalate']).toBeUndefined();
    for (const [stateName, state] of Object.entries(definition.States)) {
      for (const c of state.Catch ?? []) expect({ stateName, next: definition.States[c.Next]?.Type }).not.toEqual({ stateName, next: 'Fail' });
    }
  });
});
