import { readInputFile } from '../../drill/inputs';
import { buildUndoResult } from '../../drill/undo-result';
import { runDrill } from './run-drill';
import { lastNotice, useDrillSandbox } from './drill-harness';

const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const TABLE = 'cabruca-segmentation-prod-agent-tasks';
const PARAMETER = '/alphaswarm/prod/llm_model_preference';
const PROXY = 'alphaswarm-cluster-prod/alphaswarm-agentcore-proxy-prod';
const FRONTEND = 'alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod';

describe('npm run drill -- --then-undo (the CLI, as a user runs it)', () => {
  let results: Awaited<ReturnType<typeof runDrill>>['results'];
  let stdout: string;
  beforeAll(async () => {
    const run = await runDrill(['lambda-runaway', 'dynamodb-throttling', 'llm-budget-guardrail', 'ecs-service-recovery', '--then-undo', '--json']);
    expect(run.code).toBe(0);
    ({ results, stdout } = run);
    expect(results).toHaveLength(4);
  });
  const byRunbook = (name: string) => results.find((r) => r.runbook === name)!;

  test('lambda-runaway: the approved restore (to 5) and then the stop are undone, newest first; the function is back to none', () => {
    const r = byRunbook('lambda-runaway');
    expect(r.outcome).toBe('remediated');
    expect(r.undo).toMatchObject({ outcome: 'remediated', restored: true });
    expect(r.undo!.actions).toEqual([
      { operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, before: 5, after: 0, status: 'succeeded', auditedBeforeCall: true },
      { operation: 'lambda:DeleteFunctionConcurrency', target: FUNCTION, before: 0, after: null, status: 'succeeded', auditedBeforeCall: true },
    ]);
    expect(r.undo!.resources).toEqual([{
      name: FUNCTION, fields: ['reservedConcurrency'],
      start: { reservedConcurrency: null }, afterRunbook: { reservedConcurrency: 5 }, afterUndo: { reservedConcurrency: null }, equalsStart: true,
    }]);
    expect(r.undo!.timeline.map((t) => t.state)).toEqual(expect.arrayContaining(['Admit and plan the undo', 'Restore recorded value', 'Verify restored values', 'Notify undone']));
  });

  test('dynamodb-throttling: the deleted stuck tasks are put back, newest change first, then PROVISIONED with the recorded capacities', () => {
    const r = byRunbook('dynamodb-throttling');
    expect(r.undo).toMatchObject({ outcome: 'remediated', restored: true });
    expect(r.undo!.actions).toEqual([
      expect.objectContaining({ operation: 'dynamodb:PutItem', target: TABLE, status: 'succeeded', auditedBeforeCall: true, after: { restored: expect.any(Array), unchanged: [], left: [] } }),
      expect.objectContaining({ operation: 'dynamodb:UpdateTable', target: TABLE, status: 'succeeded', auditedBeforeCall: true }),
    ]);
    expect(r.undo!.notReversible).toEqual([expect.objectContaining({ operation: 'dynamodb:CreateBackup', why: expect.stringContaining('backup is kept') })]);
    const [table] = r.undo!.resources;
    expect(table).toMatchObject({
      name: TABLE, fields: ['billingMode', 'readCapacityUnits', 'writeCapacityUnits', 'items', 'itemsDigest'],
      start: { billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 5, items: 7 },
      afterRunbook: { billingMode: 'PAY_PER_REQUEST', items: 4 }, afterUndo: { billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 5, items: 7 }, equalsStart: true,
    });
    const digest = (v: unknown) => (v as { itemsDigest: string }).itemsDigest;
    expect(digest(table!.afterUndo)).toBe(digest(table!.start));
    expect(digest(table!.afterRunbook)).not.toBe(digest(table!.start));
  });

  test('llm-budget-guardrail: the timed restore already put the model back; the undo repeats nothing and says the redeploys are not reversible', () => {
    const r = byRunbook('llm-budget-guardrail');
    expect(r.undo).toMatchObject({ outcome: 'rejected', restored: true, reason: expect.stringContaining('already put back within the runbook') });
    expect(r.undo!.actions).toEqual([]);
    expect(r.undo!.resources).toContainEqual(expect.objectContaining({ name: PARAMETER, fields: ['value'], equalsStart: true }));
    // The redeploys have no inverse; the service keeps the task definition and desired count it started with.
    expect(r.undo!.resources).toContainEqual(expect.objectContaining({
      name: PROXY, fields: ['taskDefinition', 'desiredCount'], equalsStart: true, note: expect.stringContaining('a forced new deployment has no inverse'),
    }));
    expect(r.undo!.notReversible.map((n) => n.target)).toEqual([PROXY, PROXY]);
  });

  test('ecs-service-recovery: nothing to put back; the redeploy is named not reversible and the service is compared on what it can change', () => {
    const r = byRunbook('ecs-service-recovery');
    expect(r.undo).toMatchObject({ outcome: 'rejected', restored: true, reason: expect.stringContaining('nothing to undo') });
    expect(r.undo!.notReversible).toEqual([{ operation: 'ecs:UpdateService', target: FRONTEND, why: expect.stringContaining('same task definition') }]);
    expect(r.undo!.resources).toEqual([expect.objectContaining({
      name: FRONTEND, fields: ['taskDefinition', 'desiredCount'], equalsStart: true,
      start: { taskDefinition: expect.any(String), desiredCount: expect.any(Number) }, note: expect.stringContaining('its new tasks stay'),
    })]);
    expect(r.undo!.resources[0]!.afterUndo).toEqual(r.undo!.resources[0]!.start);
  });

  test('the readable output shows each touched resource at the start, after the runbook and after the undo', async () => {
    const text = await runDrill(['lambda-runaway', '--then-undo']);
    // Read as words: a long line wraps under its head.
    expect(text.stdout.replace(/\s+/g, ' ')).toContain(`resource ${FUNCTION} [reservedConcurrency]: start none -> runbook 5 -> undo none: equals the starting state`);
    expect(text.stdout).toContain('RESTORED: every reversible touched resource equals its starting state');
    expect(stdout).not.toContain('MISSING at the call');
  });
});

// One sandbox for these cases: the handlers' SDK clients keep the first sandbox's endpoints for the process.
describe('the undo state machine in a drill sandbox', () => {
  const harness = useDrillSandbox();
  const deletes = () => harness.drill.sandbox.calls.filter((c) => c.operation === 'DeleteFunctionConcurrency' && !c.error).length;

  test('undo twice: one effect; the second is refused naming the first, and the incident keeps its own status and rows', async () => {
    const first = await harness.drill.handleThenUndo(readInputFile('events/lambda-runaway.alarm.json'));
    expect(first.undo).toMatchObject({ outcome: 'remediated', restored: true });
    expect(deletes()).toBe(1);

    const second = await harness.drill.undo(first.incidentId!, 'someone-else');

    expect(deletes()).toBe(1);
    expect(lastNotice(second)).toMatchObject({ outcome: 'rejected', reason: `incident ${first.incidentId} was already undone by ${first.undo!.executionArn} (undone)` });
    expect(await harness.drill.ledger.getIncident(first.incidentId!)).toMatchObject({ status: 'remediated', executionArn: first.executionArn, undoStatus: 'undone', undoExecutionArn: first.undo!.executionArn });
    expect((await harness.drill.ledger.listActions(first.incidentId!)).map((a) => `${a.actionKey} ${a.status}`)).toEqual([
      `stop#lambda:PutFunctionConcurrency#${FUNCTION} succeeded`,
      `restore#lambda:PutFunctionConcurrency#${FUNCTION} succeeded`,
      `undo-restore#lambda:PutFunctionConcurrency#${FUNCTION} succeeded`,
      `undo-stop#lambda:DeleteFunctionConcurrency#${FUNCTION} succeeded`,
    ]);
  });

  test('a resource changed since the runbook: escalated to the critical topic naming it, expected and found; left as it is', async () => {
    const QA = 'cabruca-segmentation-prod-qa-agent';
    const result = await harness.drill.handle(readInputFile('events/samples/metric-math-lambda.alarm.json'));
    expect(result).toMatchObject({ outcome: 'remediated', resources: { after: { [QA]: { reservedConcurrency: 5 } } } });
    harness.drill.sandbox.state.lambda.functions[QA]!.reservedConcurrency = 25;
    const deletesBefore = deletes();

    const execution = await harness.drill.undo(result.incidentId!);
    const undo = await buildUndoResult({ result, execution, afterUndo: await harness.drill.snapshot(), audits: [], ledger: harness.drill.ledger });

    expect(undo).toMatchObject({
      outcome: 'escalated', restored: false,
      reason: `not fully undone: ${QA} was changed since the runbook set it: expected 5, found 25; left as it is`,
    });
    expect(undo.actions).toEqual([]);
    expect(deletes()).toBe(deletesBefore);
    expect(harness.drill.sandbox.state.lambda.functions[QA]!.reservedConcurrency).toBe(25);
    expect(lastNotice(execution)).toMatchObject({ outcome: 'escalated', topic: 'critical' });
    expect(await harness.drill.ledger.getIncident(result.incidentId!)).toMatchObject({ status: 'remediated', undoStatus: 'escalated' });
  });

  test('an unknown incident: refused in one line, nothing changes', async () => {
    const before = await harness.drill.snapshot();

    const execution = await harness.drill.undo('inc-00000000000000ff');

    expect(execution.status).toBe('SUCCEEDED');
    expect(lastNotice(execution)).toMatchObject({ outcome: 'rejected', reason: 'unknown incident inc-00000000000000ff: the ledger has no record of it' });
    const after = await harness.drill.snapshot();
    expect({ ...after, publishedMessages: 0 }).toEqual({ ...before, publishedMessages: 0 });
    expect(await harness.drill.ledger.getIncident('inc-00000000000000ff')).toBeUndefined();
  });
});

test('a dry run then undo: nothing was changed, so nothing is undone', async () => {
  const { code, results: [r] } = await runDrill(['lambda-runaway', '--dry-run', '--then-undo', '--json']);
  expect(code).toBe(0);
  expect(r!.undo).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('dry run: the call was planned, never made'), actions: [], restored: true });
  expect(r!.undo!.resources).toEqual([expect.objectContaining({ name: FUNCTION, start: { reservedConcurrency: null, timeout: 300, environment: expect.any(String) }, afterUndo: { reservedConcurrency: null, timeout: 300, environment: expect.any(String) }, equalsStart: true })]);
});
