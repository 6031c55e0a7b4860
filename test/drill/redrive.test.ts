/**
 * Replay from the console, over each mutating step of the first four runbooks: a step that fails
 * after its Retry fails the execution at that state; the execution-failure rule hears it (the
 * incident is marked failed naming the state, and the critical topic is told "Redrive retries
 * <state>" with the console link); RedriveExecution then runs the same execution from that state,
 * which takes the incident back, acts only where the target still needs it, and ends as the
 * runbook ends. Every change is made once across both runs. The real ASL and handlers, one drill
 * sandbox.
 */
import { DeleteItemCommand, PutItemCommand, ScanCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DrillFault, MutationReceived } from '../../drill/drill';
import { ECS_CLUSTER, FRONTEND_SERVICE, seedAccountState, seedTasks, TOPIC_ARNS } from '../../drill/sandbox';
import { executionConsoleUrl } from '../../lambdas/domain/message';
import { snsSubject } from '../../lambdas/domain/notification';
import { deliveredFromSandbox } from '../support/notifications';
import { deliveryOf, useDrillSandbox, withoutRails } from './drill-harness';
import { runDrill } from './run-drill';

interface MutatingStep {
  readonly state: string;
  /** The step's mutating call, as the account receives it. */
  readonly call: string;
  /** Which arrival of that call in a run is the step's first (the restore is the second PutFunctionConcurrency). */
  readonly nth: number;
}

/**
 * The first four runbooks, step by step (later steps too, each arrival of a call, and what the
 * ledger and the topic say), and the changes a clean run applies (each made once). The contract
 * suite (test/contract/drills.test.ts) holds every registered runbook to the same: each mutating
 * step it lists failing after its Retry, then a redrive.
 */
const RUNBOOKS: Readonly<Record<string, { readonly event: string; readonly steps: readonly MutatingStep[]; readonly clean: Readonly<Record<string, number>> }>> = {
  'lambda-runaway': {
    event: 'events/lambda-runaway.alarm.json',
    steps: [
      { state: 'Stop function: reserved concurrency 0', call: 'lambda:PutFunctionConcurrency', nth: 1 },
      { state: 'Restore function: conservative reserved concurrency', call: 'lambda:PutFunctionConcurrency', nth: 2 },
    ],
    clean: { 'lambda:PutFunctionConcurrency': 2 },
  },
  'dynamodb-throttling': {
    event: 'events/dynamodb-throttling.alarm.json',
    steps: [
      { state: 'Switch to on-demand', call: 'dynamodb:UpdateTable', nth: 1 },
      { state: 'Back up the tasks table', call: 'dynamodb:CreateBackup', nth: 1 },
      { state: 'Delete stuck tasks', call: 'dynamodb:DeleteItem', nth: 1 },
    ],
    clean: { 'dynamodb:UpdateTable': 1, 'dynamodb:CreateBackup': 1, 'dynamodb:DeleteItem': 3 },
  },
  'ecs-service-recovery': {
    event: 'events/ecs-service-recovery.alarm.json',
    steps: [{ state: 'Force new deployment', call: 'ecs:UpdateService', nth: 1 }],
    clean: { 'ecs:UpdateService': 1 },
  },
  'llm-budget-guardrail': {
    event: 'events/llm-budget-guardrail.sns.json',
    steps: [
      { state: 'Switch model preference', call: 'ssm:PutParameter', nth: 1 },
      { state: 'Redeploy agent proxy', call: 'ecs:UpdateService', nth: 1 },
      { state: 'Restore model preference', call: 'ssm:PutParameter', nth: 2 },
      { state: 'Redeploy agent proxy again', call: 'ecs:UpdateService', nth: 2 },
    ],
    // The budget adapter starts the execution (StartExecution, named after the alert).
    clean: { 'states:StartExecution': 1, 'ssm:PutParameter': 2, 'ecs:UpdateService': 2 },
  },
};

const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
const TABLE = 'cabruca-segmentation-prod-agent-tasks';
const PARAMETER = '/alphaswarm/prod/llm_model_preference';
const SEED = seedAccountState();

/** While set, every arrival of the call from the nth on fails with a 5xx (nothing applied; the answer says nothing of it). */
let failing: MutatingStep | undefined;
const arrivals = new Map<string, number>();
const harness = useDrillSandbox(() => ({
  config: withoutRails(),
  onMutation: (operation) => {
    const n = (arrivals.get(operation) ?? 0) + 1;
    arrivals.set(operation, n);
    if (!failing || operation !== failing.call || n < failing.nth) return;
    const [service, op] = operation.split(':') as [DrillFault['service'], string];
    harness.drill.injectFault({ service, operation: op, error: 'server-error', times: 1 } as DrillFault);
  },
}));
const drill = () => harness.drill;
let transition = 0;
/** The ECS services as the drill started (the admin service failing its health checks). */
let seedEcs: ReturnType<typeof seedAccountState>['ecs'];
beforeAll(() => {
  seedEcs = structuredClone(drill().sandbox.state.ecs);
});

beforeEach(async () => {
  drill().clearFaults();
  failing = undefined;
  arrivals.clear();
  drill().sandbox.state.ecs = structuredClone(seedEcs);
  drill().sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency = SEED.lambda.functions[FUNCTION]!.reservedConcurrency;
  drill().sandbox.state.ssm.parameters[PARAMETER]!.value = SEED.ssm.parameters[PARAMETER]!.value;
  const db = drill().directDynamo;
  if ((await drill().tableView(TABLE))?.billingMode === 'PAY_PER_REQUEST') {
    await db.send(new UpdateTableCommand({ TableName: TABLE, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }));
  }
  for (const item of (await db.send(new ScanCommand({ TableName: TABLE }))).Items ?? []) await db.send(new DeleteItemCommand({ TableName: TABLE, Key: { task_id: item.task_id! } }));
  for (const task of seedTasks(new Date())) await db.send(new PutItemCommand({ TableName: TABLE, Item: marshall(task) }));
});

/** How many of each mutating call took effect. */
const appliedCounts = (calls: readonly MutationReceived[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const c of calls.filter((x) => x.applied)) counts[`${c.service}:${c.operation}`] = (counts[`${c.service}:${c.operation}`] ?? 0) + 1;
  return counts;
};
const criticalMessages = (since: number) => drill().sandbox.published.slice(since).filter((m) => m.topicArn === TOPIC_ARNS.critical);

const CASES = Object.entries(RUNBOOKS).flatMap(([runbook, r]) => r.steps.map((step) => ({ runbook, ...r, step })));

describe.each(CASES)('$runbook: "$step.state" fails after its Retry', ({ runbook, event, step, clean }) => {
  test('the execution fails at that state and is heard through the rule; the redrive acts once and ends remediated', async () => {
    failing = step;
    const mark = drill().mutationMark();
    const published = drill().sandbox.published.length;

    const failed = await drill().handle(deliveryOf(event, ++transition));

    expect(failed.runs).toEqual([expect.objectContaining({ redriveCount: 0, status: 'FAILED', failedAt: step.state })]);
    expect(failed.timeline.filter((t) => t.state === step.state).map((t) => t.event)).toEqual(expect.arrayContaining(['retried', 'failed']));
    expect(failed.timeline.map((t) => t.event)).not.toContain('caught');
    expect(failed.notifications.at(-1)).toEqual({ outcome: 'failed', topic: 'critical', via: 'rule' });
    expect(failed.outcome).toBe('failed');
    expect(failed.reason).toContain(`failed at "${step.state}"`);
    const incident = await drill().ledger.getIncident(failed.incidentId!);
    expect(incident).toMatchObject({ status: 'failed', failedState: step.state, redriveCount: 0, executionArn: failed.executionArn });
    expect(incident?.reason).toContain('AwsUnavailable');
    const [message, ...more] = criticalMessages(published).filter((m) => m.message.includes(failed.executionArn!));
    expect(more).toEqual([]);
    expect(message?.subject).toBe(snsSubject(`[FAILED] ${runbook} on ${incident?.target ?? ''}`));
    const { email, chat } = deliveredFromSandbox(message!);
    expect(email).toContain(`Redrive retries ${step.state}`);
    expect(email).toContain(executionConsoleUrl(drill().config.region, failed.executionArn!));
    expect(chat.metadata).toMatchObject({ threadId: failed.incidentId, eventType: 'runbook-autopilot-execution-failed' });

    // The cause is gone (the operator cleared it); Redrive, as from the console.
    failing = undefined;
    drill().clearFaults();
    const redrive = await drill().redrive(failed.executionArn!);

    if (!('run' in redrive)) throw new Error(`redrive refused: ${redrive.refused}`);
    expect(redrive.run).toMatchObject({ executionArn: failed.executionArn, redriveCount: 1, redrivenFrom: step.state, status: 'SUCCEEDED' });
    expect(redrive.run.invocations[0]?.state).toBe(step.state);
    expect(appliedCounts(drill().mutationsReceived(mark))).toEqual(clean);
    expect(await drill().ledger.getIncident(failed.incidentId!)).toMatchObject({ status: 'remediated', redriveCount: 1 });
    expect(await drill().ledger.getIncident(failed.incidentId!)).not.toHaveProperty('failedState');
    const rows = await drill().ledger.listActions(failed.incidentId!);
    expect(rows.map((r) => r.status).filter((s) => s !== 'succeeded')).toEqual([]);
    // Told once per run: the failure, then the outcome; the redriven run's failure event never came.
    expect(criticalMessages(published).filter((m) => m.message.includes(failed.executionArn!))).toHaveLength(1);
    expect(drill().sandbox.state.stepFunctions.executions[failed.executionArn!]).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
  });
});

describe('a redrive after the target was fixed by hand reads it and does not act there', () => {
  test.each([
    ['5xx: the row is unknown, and settled by the read', 'server-error'],
    ['access denied: the row is failed, and the read finds the change made since', 'access-denied'],
  ] as const)('lambda-runaway, %s', async (_name, error) => {
    drill().injectFault({ service: 'lambda', operation: 'PutFunctionConcurrency', error, times: 500 });
    const failed = await drill().handle(deliveryOf(RUNBOOKS['lambda-runaway']!.event, ++transition));
    expect(failed.runs[0]).toMatchObject({ status: 'FAILED', failedAt: 'Stop function: reserved concurrency 0' });
    drill().clearFaults();
    drill().sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency = 0; // a person stopped it by hand
    const mark = drill().mutationMark();

    const redrive = await drill().redrive(failed.executionArn!);

    if (!('run' in redrive)) throw new Error(`redrive refused: ${redrive.refused}`);
    // The stop is not made again; the run goes on from there (the restore, auto-approved here, is the runbook's next step).
    expect(drill().mutationsReceived(mark).map((c) => [c.operation, c.input.ReservedConcurrentExecutions])).toEqual([['PutFunctionConcurrency', 5]]);
    const stops = (await drill().ledger.listActions(failed.incidentId!)).filter((r) => r.actionKey.startsWith('stop#'));
    // A refused row stays failed; the stop found in effect is a new row of the key, made with no call.
    expect(stops).toEqual(error === 'server-error'
      ? [expect.objectContaining({ status: 'succeeded', after: 0, reconciledAt: expect.any(String) })]
      : [expect.objectContaining({ status: 'failed' }), expect.objectContaining({ actionKey: expect.stringMatching(/#2$/), status: 'succeeded', before: 0, after: 0, attempts: 0 })]);
    expect(redrive.run.status).toBe('SUCCEEDED');
  });
});

test('ecs-service-recovery, access denied (the row is failed): a deployment forced by hand since, and the redrive calls nothing and ends remediated', async () => {
  drill().injectFault({ service: 'ecs', operation: 'UpdateService', error: 'access-denied', times: 500 });
  const failed = await drill().handle(deliveryOf(RUNBOOKS['ecs-service-recovery']!.event, ++transition));
  expect(failed.runs[0]).toMatchObject({ status: 'FAILED', failedAt: 'Force new deployment' });
  drill().clearFaults();
  const ecs = new ECSClient({}); // a person, with the CLI
  await ecs.send(new UpdateServiceCommand({ cluster: ECS_CLUSTER, service: FRONTEND_SERVICE, forceNewDeployment: true }));
  ecs.destroy();
  const mark = drill().mutationMark();

  const redrive = await drill().redrive(failed.executionArn!);

  if (!('run' in redrive)) throw new Error(`redrive refused: ${redrive.refused}`);
  expect(drill().mutationsReceived(mark)).toEqual([]);
  expect(redrive.run.status).toBe('SUCCEEDED');
  expect(await drill().ledger.getIncident(failed.incidentId!)).toMatchObject({ status: 'remediated', redriveCount: 1 });
  // The remediated verdict stands on the newest row of the key: the deployment found in effect, no call.
  expect((await drill().ledger.listActions(failed.incidentId!)).map((r) => [r.actionKey.split('#').length, r.status, r.attempts])).toEqual([[3, 'failed', 1], [4, 'succeeded', 0]]);
});

describe('RedriveExecution follows AWS\'s rules', () => {
  test('a succeeded execution is not redrivable, and nothing runs', async () => {
    const done = await drill().handle(deliveryOf(RUNBOOKS['ecs-service-recovery']!.event, ++transition));
    expect(done.runs).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
    const mark = drill().mutationMark();

    const redrive = await drill().redrive(done.executionArn!);

    expect(redrive).toEqual({ refused: expect.stringMatching(/^ExecutionNotRedrivable: Execution is SUCCEEDED and cannot be redriven/) });
    expect(drill().mutationsReceived(mark)).toEqual([]);
  });

  test('--then-redrive on a run that succeeded says why Step Functions refused', async () => {
    const r = await drill().handle(deliveryOf(RUNBOOKS['lambda-runaway']!.event, ++transition), { thenRedrive: true });

    expect(r.outcome).toBe('remediated');
    expect(r.runs).toHaveLength(1);
    expect(r.redriveRefused).toMatch(/^ExecutionNotRedrivable: /);
  });
});

test('npm run drill -- lambda-runaway --fault lambda:PutFunctionConcurrency=server-errorx20 --then-redrive: fails at the stop, heard through the rule, the redrive stops the function with one call and ends remediated', async () => {
  const run = await runDrill(['lambda-runaway', '--fault', 'lambda:PutFunctionConcurrency=server-errorx20', '--then-redrive', '--json']);

  expect(run.code).toBe(0);
  const [r] = run.results;
  expect(r?.runs.map(({ calls: _calls, error: _error, ...rest }) => rest)).toEqual([
    { redriveCount: 0, from: null, status: 'FAILED', failedAt: 'Stop function: reserved concurrency 0' },
    { redriveCount: 1, from: 'Stop function: reserved concurrency 0', status: 'SUCCEEDED' },
  ]);
  expect(r?.runs[0]?.calls.filter((c) => c.applied)).toEqual([]);
  expect(r?.runs[1]?.calls.map((c) => [c.operation, (c.input as { ReservedConcurrentExecutions?: number }).ReservedConcurrentExecutions, c.applied])).toEqual([
    ['lambda:PutFunctionConcurrency', 0, true], // the stop, once
    ['lambda:PutFunctionConcurrency', 5, true], // the approved restore that follows it
  ]);
  expect(r?.notifications).toEqual([{ outcome: 'failed', topic: 'critical', via: 'rule' }, { outcome: 'remediated', topic: 'info' }]);
  expect(r?.timeline).toContainEqual(expect.objectContaining({ event: 'heard', detail: expect.stringContaining('failed at "Stop function: reserved concurrency 0"') }));
  expect(r?.outcome).toBe('remediated');
});
