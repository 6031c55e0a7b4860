/**
 * Verify or escalate, then undo where the runbook says so: llm-budget-guardrail's switch that is
 * not verified (the proxy rollout fails) is escalated, then the runbook starts the undo state
 * machine for its incident (config `undoIfNotVerified`, on by default), which puts the previous
 * model back under the environment's undo approval policy.
 */
import { readInputFile, type DrillInput } from '../../drill/inputs';
import { readScenario } from '../../drill/scenario';
import { budgetDedupeKey, incidentIdFor } from '../../lambdas/domain/trigger';
import { loadConfig } from '../../lib/config/load';
import { runDrill, scenario, scenarioDrill } from './run-drill';
import { useDrillSandbox } from './drill-harness';

const PARAMETER = '/alphaswarm/prod/llm_model_preference';
const PROXY = 'alphaswarm-cluster-prod/alphaswarm-agentcore-proxy-prod';
const SONNET = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU = 'anthropic.claude-haiku-4-5-20251022-v1:0';
const REQUESTED_BY = 'llm-budget-guardrail: switch not verified';

test('not verified: escalated, then the runbook starts the undo and the model is put back (drill env: no approver needed)', async () => {
  const { results: [r] } = await scenarioDrill('llm-budget-guardrail', 'proxy-rollout-fails');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringMatching(/did not finish rolling out .*\. The undo is starting/) });
  // The escalation goes out before the undo starts; the undo then reports on its own.
  const states = r!.timeline.map((t) => t.state);
  expect(states.indexOf('Escalate: switch not verified')).toBeLessThan(states.indexOf('Start the undo of the switch'));
  expect(r!.timeline).toContainEqual(expect.objectContaining({ state: 'Start the undo of the switch', detail: `started ${r!.undo!.executionArn}` }));
  expect(r!.undo!.executionArn).toMatch(new RegExp(`:execution:runbook-autopilot-drill-undo:not-verified-${r!.incidentId}$`));
  // After the runbook the cheaper model is set; after the undo the previous one is back.
  expect(r!.resources.after[PARAMETER]).toMatchObject({ value: HAIKU });
  expect(r!.undo).toMatchObject({ requestedBy: REQUESTED_BY, outcome: 'remediated', restored: true });
  expect(r!.undo!.actions).toEqual([
    { operation: 'ssm:PutParameter', target: PARAMETER, before: HAIKU, after: SONNET, status: 'succeeded', auditedBeforeCall: true },
  ]);
  expect(r!.undo!.resources).toContainEqual(expect.objectContaining({ name: PARAMETER, start: { value: SONNET }, afterUndo: { value: SONNET }, equalsStart: true }));
  expect(r!.undo!.notReversible).toEqual([expect.objectContaining({ operation: 'ecs:UpdateService', target: PROXY })]);
  expect(r!.timeline.some((t) => t.state === 'Restore model preference')).toBe(false);
});

test('prod: the started undo waits for two approvers; approved by alice and bob, the model is put back', async () => {
  const { results: [r] } = await runDrill(['llm-budget-guardrail', '--scenario', scenario('proxy-rollout-fails'), '--env', 'prod', '--approve', 'alice,bob', '--json']);
  expect(r).toMatchObject({ outcome: 'escalated', undo: { requestedBy: REQUESTED_BY, outcome: 'remediated', restored: true } });
  expect(r!.undo!.timeline).toContainEqual(expect.objectContaining({ event: 'decided', detail: expect.stringContaining('alice opened their link and clicked Approve') }));
  expect(r!.undo!.timeline).toContainEqual(expect.objectContaining({ event: 'decided', detail: expect.stringContaining('bob opened their link and clicked Approve') }));
});

test('prod, nobody answers: the undo is not approved, the cheaper model stays and the undo may be asked for again', async () => {
  const { results: [r] } = await runDrill(['llm-budget-guardrail', '--scenario', scenario('proxy-rollout-fails'), '--env', 'prod', '--no-answer', '--json']);
  expect(r).toMatchObject({ outcome: 'escalated', undo: { requestedBy: REQUESTED_BY, restored: false } });
  expect(r!.undo!.actions).toEqual([]);
  expect(r!.undo!.resources).toContainEqual(expect.objectContaining({ name: PARAMETER, afterUndo: { value: HAIKU }, equalsStart: false }));
});

test('undoIfNotVerified off: escalated with how to undo by hand; nothing is started', async () => {
  const { results: [r], stdout } = await scenarioDrill('llm-budget-guardrail', 'proxy-rollout-fails-switch-kept');
  expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining('The switch is kept (undoIfNotVerified is off): npm run undo --') });
  expect(r!.undo).toBeUndefined();
  expect(r!.timeline).toContainEqual(expect.objectContaining({ state: 'Undo the unverified switch?', detail: '→ Switch kept for the operator' }));
  expect(r!.resources.after[PARAMETER]).toMatchObject({ value: HAIKU });
  expect(stdout).not.toContain('Start the undo of the switch');
});

describe('starting the undo, in one drill sandbox', () => {
  const config = loadConfig('drill');
  const guardrail = config.runbooks['llm-budget-guardrail'];
  // One sandbox, several incidents on the same parameter: no cooldown or flapping hold between them.
  const drillConfig = { ...config, runbooks: { ...config.runbooks, 'llm-budget-guardrail': { ...guardrail, cooldownMinutes: 0, flapping: { maxRemediations: 100, windowMinutes: 1 } } } };
  const undoArn = 'arn:aws:states:sa-east-1:111122223333:stateMachine:runbook-autopilot-drill-undo';
  const harness = useDrillSandbox({ config: drillConfig, scenario: readScenario(scenario('proxy-rollout-fails')) });

  /** The recorded budget notification, for another month: a new incident. */
  function alertFor(month: string): { input: DrillInput; incidentId: string } {
    const input = readInputFile('events/llm-budget-guardrail.sns.json');
    if (input.kind !== 'sns') throw new Error('expected an SNS event');
    const event = JSON.parse(JSON.stringify(input.lambdaEvent).replace(/2026-11-18T/g, `${month}-18T`)) as { Records: unknown[] };
    const incidentId = incidentIdFor(budgetDedupeKey({ budgetName: guardrail.budget.budgetName, alertType: 'ACTUAL', thresholdAmount: 1200, timestamp: `${month}-18T14:07:22.418Z` }));
    return { input: { ...input, lambdaEvent: event }, incidentId };
  }
  const startCalls = () => harness.drill.sandbox.calls.filter((c) => c.service === 'states' && c.operation === 'StartExecution' && String(c.input.stateMachineArn) === undoArn);

  beforeEach(() => {
    harness.drill.sandbox.state.ssm.parameters[PARAMETER]!.value = SONNET;
  });

  test('the undo state machine cannot be started: a second escalation says so and how to undo by hand; the switch stays recorded', async () => {
    const { input, incidentId } = alertFor('2026-09');
    const machine = harness.drill.sandbox.state.stepFunctions.stateMachines[undoArn]!;
    delete harness.drill.sandbox.state.stepFunctions.stateMachines[undoArn];
    try {
      const r = await harness.drill.handle(input);
      expect(r.incidentId).toBe(incidentId);
      expect(r).toMatchObject({ outcome: 'escalated', reason: expect.stringContaining(`The undo could not be started (StepFunctions.StateMachineDoesNotExistException: State Machine Does Not Exist: '${undoArn}'): put back the previous model with npm run undo -- ${incidentId}`) });
      expect(r.notifications).toEqual([{ outcome: 'escalated', topic: 'critical' }, { outcome: 'escalated', topic: 'critical' }]);
      expect(r.undo).toBeUndefined();
      expect(harness.drill.sandbox.state.ssm.parameters[PARAMETER]!.value).toBe(HAIKU);
      expect(await harness.drill.ledger.getIncident(incidentId)).toMatchObject({ status: 'escalated' });
      expect((await harness.drill.ledger.getIncident(incidentId))?.undoStatus).toBeUndefined();
    } finally {
      harness.drill.sandbox.state.stepFunctions.stateMachines[undoArn] = machine;
    }
  });

  test('an undo of that name already ran (a redrive, a retry after a timeout): not started twice, the run ends "already started"', async () => {
    const { input, incidentId } = alertFor('2026-08');
    const name = `not-verified-${incidentId}`;
    const executionArn = `${undoArn.replace(':stateMachine:', ':execution:')}:${name}`;
    harness.drill.sandbox.state.stepFunctions.executions[executionArn] = { stateMachineArn: undoArn, name, input: '{}', status: 'SUCCEEDED', startDate: new Date().toISOString() };
    const startsBefore = startCalls().length;

    const r = await harness.drill.handle(input);

    expect(r.incidentId).toBe(incidentId);
    expect(r).toMatchObject({ outcome: 'escalated' });
    expect(r.timeline).toContainEqual(expect.objectContaining({ state: 'Start the undo of the switch', event: 'caught', detail: expect.stringContaining('StepFunctions.ExecutionAlreadyExistsException') }));
    // It ends there, then writes the incident's report as every ending does.
    expect(r.timeline.slice(-2).map((t) => t.state)).toEqual(['Undo already started', 'Write the incident report']);
    expect(r.undo).toBeUndefined();
    expect(startCalls().length).toBe(startsBefore + 1);
    expect(harness.drill.sandbox.state.ssm.parameters[PARAMETER]!.value).toBe(HAIKU);
  });
});
