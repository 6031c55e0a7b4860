import { DeleteCommand, DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AdmitResult } from '../../../lambdas/admit/handler';
import type { RunbookPolicies } from '../../../lambdas/domain/admission';
import { parseBudgetNotification } from '../../../lambdas/domain/budget-notification';
import { incidentIdFor } from '../../../lambdas/domain/trigger';
import { manualStartEvent, type ManualStart } from '../../../lambdas/domain/manual-start';
import { Ledger } from '../../../lambdas/shared/ledger';
import { policyParameterName, switchParameterNames } from '../../../lambdas/domain/switches';
import { seedAccountState, startSandbox, type Sandbox } from '../../../drill/sandbox';
import { handlerTestEnv, startDynalite, type LocalDynamo } from '../../support/dynalite';
import { lambdaContext } from '../../support/fixtures';
import { runbookTriggers } from '../../../lib/catalog';

type Handler = (event: unknown, context: typeof lambdaContext) => Promise<AdmitResult>;

const EVENTS = path.join(__dirname, '..', '..', '..', 'events');
const text = (file: string): string => fs.readFileSync(path.join(EVENTS, file), 'utf8');
const recorded = (file: string): Record<string, unknown> => JSON.parse(text(file)) as Record<string, unknown>;

const RESEARCHER = 'cabruca-segmentation-prod-researcher-agent';
const MANAGER = 'cabruca-segmentation-prod-manager-agent';
const FRONTEND_SERVICE = 'alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod';
const BUDGET = 'alphaswarm-prod-monthly';
const ALARM_ARN = (name: string) => `arn:aws:cloudwatch:sa-east-1:111122223333:alarm:${name}`;
const EXECUTION = (runbook: string, name: string) =>
  `arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-${runbook}:${name}`;

const RUNAWAY = recorded('lambda-runaway.alarm.json');
const RUNAWAY_REFIRED = recorded('samples/lambda-runaway-refired.alarm.json');
const RUNAWAY_KEY = `alarm|${ALARM_ARN('cabruca-segmentation-prod-researcher-agent-concurrency')}|2026-11-03T03:12:41.522+0000`;
const RUNAWAY_REFIRED_KEY = `alarm|${ALARM_ARN('cabruca-segmentation-prod-researcher-agent-concurrency')}|2026-11-03T03:32:41.522+0000`;
const COMPOSITE = recorded('samples/composite.alarm.json');
/** Seed 000's break-glass permission set, as page-on-call's config names it, and the CloudTrail record of its assumption. */
const BREAK_GLASS = 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/sa-east-1/AWSReservedSSO_AlphaSwarm-BreakGlass_';
const ASSUMED = recorded('samples/page-on-call-break-glass.assume-role-with-saml.json') as { detail: Record<string, unknown> };

/** A runbook started by AWS service events: Step Functions executions of a configured state machine that failed. */
const EVENT_RUNBOOK = 'workflow-watch';
const WORKFLOW = 'tradai-prod-backtest-workflow';
const WORKFLOW_EXECUTION = `arn:aws:states:sa-east-1:111122223333:execution:${WORKFLOW}:backtest-2026-12-01`;
const mockTriggers = { ...runbookTriggers(), [EVENT_RUNBOOK]: { events: [{ event: 'sfn-execution-status', detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'] } }] } };
// Admit reads what starts each runbook from its bundle (generated from the registry): here the registry's, and one runbook of the test's own.
jest.mock('../../../lambdas/shared/runbook-triggers', () => ({ BUNDLED_TRIGGERS: mockTriggers }));
/** A Step Functions Execution Status Change event, as the Step Functions developer guide shows it. */
function workflowFailed(id: string, detail: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0', id, 'detail-type': 'Step Functions Execution Status Change', source: 'aws.states', account: '111122223333',
    time: '2026-12-01T04:10:07Z', region: 'sa-east-1', resources: [WORKFLOW_EXECUTION],
    detail: {
      executionArn: WORKFLOW_EXECUTION, stateMachineArn: `arn:aws:states:sa-east-1:111122223333:stateMachine:${WORKFLOW}`, name: 'backtest-2026-12-01',
      status: 'FAILED', startDate: 1764561600000, stopDate: 1764562207000, error: 'States.TaskFailed', cause: 'exchange API timeout', redriveCount: 0, ...detail,
    },
  };
}

/** The policies of this environment: dynamodb-throttling is not configured at all. */
const POLICIES: RunbookPolicies = {
  'lambda-runaway': { enabled: true, cooldownMinutes: 30, targets: [RESEARCHER, MANAGER] },
  [EVENT_RUNBOOK]: { enabled: true, cooldownMinutes: 0, targets: [WORKFLOW] },
  'ecs-service-recovery': { enabled: true, cooldownMinutes: 30, targets: [FRONTEND_SERVICE] },
  'llm-budget-guardrail': { enabled: true, cooldownMinutes: 60, targets: [BUDGET] },
  // A cooldown, and a flapping rail a second remediation of one target would trip: a break-glass assumption is held by neither.
  'page-on-call': { enabled: true, cooldownMinutes: 30, targets: [BREAK_GLASS], flapping: { maxRemediations: 1, windowMinutes: 60 } },
};
/** Another environment: lambda-runaway without a cooldown, ecs-service-recovery switched off. */
const OTHER_POLICIES: RunbookPolicies = {
  'lambda-runaway': {
    enabled: true, cooldownMinutes: 0, targets: [RESEARCHER, MANAGER],
    flapping: { maxRemediations: 3, windowMinutes: 60 }, maxRemediationsPerHour: 4,
  },
  'ecs-service-recovery': { enabled: false, cooldownMinutes: 30, targets: [FRONTEND_SERVICE] },
};

/** The 'Budget Notification' event the budget adapter builds from the recorded SNS notification. */
function budgetEvent(changes: { messageId?: string; timestamp?: string; actual?: number } = {}): Record<string, unknown> {
  const sns = (recorded('llm-budget-guardrail.sns.json') as { Records: [{ Sns: { MessageId: string; TopicArn: string; Message: string; Timestamp: string } }] })
    .Records[0].Sns;
  const alert = parseBudgetNotification(sns.Message);
  return {
    source: 'runbook-autopilot',
    'detail-type': 'Budget Notification',
    detail: {
      budgetName: alert.budgetName,
      alertType: alert.alertType,
      thresholdAmount: alert.thresholdAmount,
      actualOrForecastAmount: changes.actual ?? alert.actualOrForecastAmount,
      budgetedAmount: alert.budgetedAmount,
      messageId: changes.messageId ?? sns.MessageId,
      topicArn: sns.TopicArn,
      timestamp: changes.timestamp ?? sns.Timestamp,
    },
  };
}

/** The switches and policies live in SSM, one prefix per environment; the sandbox account's SSM serves them, as the real API would. */
const PREFIX = '/runbook-autopilot/test';
const OTHER_PREFIX = '/runbook-autopilot/other';
const SWITCHES = switchParameterNames(PREFIX, Object.keys(POLICIES));
let sandbox: Sandbox;
const setSwitch = (name: string, value: string | null) => {
  if (value === null) delete sandbox.state.ssm.parameters[name];
  else sandbox.state.ssm.parameters[name] = { type: 'String', value, version: 1, lastModified: new Date().toISOString(), history: [] };
};
/** As the stack deploys them: the switches on, each runbook's policy. */
function allSwitchesOn() {
  for (const [prefix, policies] of [[PREFIX, POLICIES], [OTHER_PREFIX, OTHER_POLICIES]] as const) {
    const switches = switchParameterNames(prefix, Object.keys(policies));
    setSwitch(switches.automation, 'enabled');
    for (const name of Object.values(switches.runbooks)) setSwitch(name, 'enabled');
    for (const [runbook, policy] of Object.entries(policies)) setSwitch(policyParameterName(prefix, runbook), JSON.stringify(policy));
  }
}

let dynamo: LocalDynamo;
let db: DynamoDBDocumentClient;
let ledger: Ledger;
let admit: Handler;
let admitElsewhere: Handler;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedgerTable('ledger');
  db = DynamoDBDocumentClient.from(dynamo.client);
  ledger = new Ledger('ledger', dynamo.client);
  sandbox = await startSandbox(seedAccountState());
  // The handler reads its environment at cold start, so it is imported after the env is set.
  Object.assign(process.env, handlerTestEnv(dynamo.endpoint, 'ledger'), {
    PARAMETER_PREFIX: PREFIX,
    AWS_ENDPOINT_URL_SSM: sandbox.url,
    AWS_MAX_ATTEMPTS: '1',
    // These tests flip switches between deliveries: read them for every event (the age is tested below).
    SWITCH_MAX_AGE_SECONDS: '0',
    // The ledger is emptied between tests, which no warm container sees: ask it for every cooldown (the memory: claims.test.ts).
    COOLDOWN_MEMORY_SECONDS: '0',
  });
  admit = (await import('../../../lambdas/admit/handler')).handler as unknown as Handler;
  // A second cold start with other policies, against the same ledger.
  process.env.PARAMETER_PREFIX = OTHER_PREFIX;
  await jest.isolateModulesAsync(async () => {
    admitElsewhere = (await import('../../../lambdas/admit/handler')).handler as unknown as Handler;
  });
});
afterAll(async () => {
  await sandbox.close();
  await dynamo.close();
});

type AnyEvent = { detail: Record<string, unknown>; resources: unknown[] };

/** The one row admit writes for an execution it rejected before reading an incident: keyed by the execution. */
function rejectedRow(runbook: string, executionArn: string, reason: string, kind?: string): Record<string, unknown> {
  const id = incidentIdFor(`rejected|${executionArn}`);
  return expect.objectContaining({
    pk: `INCIDENT#${id}`, sk: 'META', incidentId: id, runbook, executionArn, status: 'rejected', reason, target: '(none)',
    dedupeKey: `rejected|${executionArn}`, ...(kind ? { summary: `${kind} rejected at admission` } : {}),
  }) as Record<string, unknown>;
}

async function scanLedger(): Promise<Record<string, unknown>[]> {
  const out = await db.send(new ScanCommand({ TableName: 'ledger', ConsistentRead: true }));
  return out.Items ?? [];
}

beforeEach(async () => {
  allSwitchesOn();
  for (const item of await scanLedger()) {
    await db.send(new DeleteCommand({ TableName: 'ledger', Key: { pk: item.pk, sk: item.sk } }));
  }
});

/** The target's row: its history and the cooldown hold (heldBy, until). */
const cooldownRow = async (runbook: string, target: string) =>
  (await db.send(new GetCommand({ TableName: 'ledger', Key: { pk: `HISTORY#${runbook}#${target}`, sk: 'META' }, ConsistentRead: true }))).Item;

const input = (runbook: string, event: unknown, executionId: string) => ({ runbook, event, execution: { id: executionId } });

describe('admit', () => {
  test('a new alarm transition on a configured target is admitted, recorded in the ledger and starts the cooldown', async () => {
    const exec = EXECUTION('lambda-runaway', 'first');
    const before = Date.now();

    const result = await admit(input('lambda-runaway', RUNAWAY, exec), lambdaContext);

    const after = Date.now();
    const id = incidentIdFor(RUNAWAY_KEY);
    const detail = RUNAWAY.detail as { state: { reason: string } };
    expect(result).toEqual({
      decision: 'admit', switches: { automation: 'enabled', runbook: 'enabled' }, dryRun: false,
      reason: 'new alarm transition on a configured target',
      incident: {
        id,
        runbook: 'lambda-runaway',
        target: RESEARCHER,
        summary: 'CloudWatch alarm cabruca-segmentation-prod-researcher-agent-concurrency went to ALARM',
        firedAt: '2026-11-03T03:12:41.522+0000',
        source: {
          name: 'cabruca-segmentation-prod-researcher-agent-concurrency',
          arn: ALARM_ARN('cabruca-segmentation-prod-researcher-agent-concurrency'),
          reason: detail.state.reason,
        },
      },
    });
    expect(await ledger.getIncident(id)).toEqual({
      incidentId: id, runbook: 'lambda-runaway', target: RESEARCHER, dedupeKey: RUNAWAY_KEY, executionArn: exec,
      status: 'admitted', redriveCount: 0, summary: 'CloudWatch alarm cabruca-segmentation-prod-researcher-agent-concurrency went to ALARM',
      firedAt: '2026-11-03T03:12:41.522+0000', createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const cooldown = await cooldownRow('lambda-runaway', RESEARCHER);
    expect(cooldown).toMatchObject({ runbook: 'lambda-runaway', target: RESEARCHER, heldBy: id, remediations: [{ incidentId: id, at: expect.any(String) }] });
    const untilMs = cooldown?.untilMs as number;
    expect(untilMs).toBeGreaterThanOrEqual(before + 30 * 60_000);
    expect(untilMs).toBeLessThanOrEqual(after + 30 * 60_000);
    expect(cooldown?.until).toBe(new Date(untilMs).toISOString());
    // The incident, this hour's remediation slot and the target's row (its history and cooldown).
    expect((await scanLedger()).map((i) => String(i.pk).split('#')[0]).sort()).toEqual(['CAP', 'HISTORY', 'INCIDENT']);
  });

  test('the same transition delivered again starts a second execution, which is a duplicate naming the first', async () => {
    const first = EXECUTION('lambda-runaway', 'delivery-1');
    const second = EXECUTION('lambda-runaway', 'delivery-2');
    const firstResult = await admit(input('lambda-runaway', recorded('samples/duplicate-delivery/first.alarm.json'), first), lambdaContext);
    expect(firstResult.decision).toBe('admit');

    const result = await admit(input('lambda-runaway', recorded('samples/duplicate-delivery/second.alarm.json'), second), lambdaContext);

    const id = incidentIdFor(`alarm|${ALARM_ARN('cabruca-segmentation-prod-manager-agent-invocations')}|2026-11-03T13:05:38.213+0000`);
    expect(result).toEqual({ decision: 'duplicate', reason: `already handled by ${first} (admitted)`, incident: firstResult.incident, switches: null, dryRun: false });
    expect(result.incident).toMatchObject({ id, target: MANAGER });
    expect(await ledger.getIncident(id)).toMatchObject({ executionArn: first, status: 'admitted' });
  });

  test('the same execution retried (Retry or redrive) is admitted again, not a duplicate of itself', async () => {
    const exec = EXECUTION('lambda-runaway', 'retried');
    await admit(input('lambda-runaway', RUNAWAY, exec), lambdaContext);

    const again = await admit(input('lambda-runaway', RUNAWAY, exec), lambdaContext);

    expect(again).toMatchObject({ decision: 'admit', incident: { id: incidentIdFor(RUNAWAY_KEY) } });
    expect(await ledger.getIncident(incidentIdFor(RUNAWAY_KEY))).toMatchObject({ executionArn: exec, status: 'admitted' });
    // The incident, this hour's remediation slot and the target's row (its history and cooldown).
    expect((await scanLedger()).map((i) => String(i.pk).split('#')[0]).sort()).toEqual(['CAP', 'HISTORY', 'INCIDENT']);
  });

  test('a redriven admit (the same execution, its next run) takes its failed incident back, for that run', async () => {
    const exec = EXECUTION('lambda-runaway', 'redriven');
    await admit(input('lambda-runaway', RUNAWAY, exec), lambdaContext);
    await ledger.markIncidentFailed(incidentIdFor(RUNAWAY_KEY), exec, 0, 'Admit: dedupe, allowlist, switches, cooldown', 'the execution failed at admit');

    const again = await admit({ ...input('lambda-runaway', RUNAWAY, exec), execution: { id: exec, redriveCount: 1 } }, lambdaContext);

    expect(again).toMatchObject({ decision: 'admit' });
    expect(await ledger.getIncident(incidentIdFor(RUNAWAY_KEY))).toMatchObject({ executionArn: exec, status: 'admitted', redriveCount: 1 });
    // The failure of the run before, heard late, leaves the redriven run's record as it is.
    expect(await ledger.markIncidentFailed(incidentIdFor(RUNAWAY_KEY), exec, 0, 'Admit', 'late')).toMatchObject({ marked: false });
  });

  test('a failed incident is taken over by a new execution', async () => {
    const failed = EXECUTION('lambda-runaway', 'failed-run');
    const rerun = EXECUTION('lambda-runaway', 'operator-rerun');
    await admit(input('lambda-runaway', RUNAWAY, failed), lambdaContext);
    await ledger.finishIncident(incidentIdFor(RUNAWAY_KEY), failed, 'failed', 'a step failed and was not retried');

    const result = await admit(input('lambda-runaway', RUNAWAY, rerun), lambdaContext);

    expect(result).toMatchObject({ decision: 'admit', incident: { id: incidentIdFor(RUNAWAY_KEY) } });
    expect(await ledger.getIncident(incidentIdFor(RUNAWAY_KEY))).toMatchObject({ executionArn: rerun, status: 'admitted' });
  });

  test('a failed incident whose undo is running is not taken over: the undo and a re-run would undo each other', async () => {
    const failed = EXECUTION('lambda-runaway', 'failed-run');
    const undo = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-undo:undo-1';
    await admit(input('lambda-runaway', RUNAWAY, failed), lambdaContext);
    await ledger.finishIncident(incidentIdFor(RUNAWAY_KEY), failed, 'failed', 'a step failed and was not retried');
    await ledger.claimUndo(incidentIdFor(RUNAWAY_KEY), undo, 'maria');

    const result = await admit(input('lambda-runaway', RUNAWAY, EXECUTION('lambda-runaway', 'operator-rerun')), lambdaContext);

    expect(result).toMatchObject({ decision: 'duplicate', reason: `its undo ${undo} is running; delivered again once it has finished, the transition is acted on` });
    expect(await ledger.getIncident(incidentIdFor(RUNAWAY_KEY))).toMatchObject({ executionArn: failed, status: 'failed', undoStatus: 'undoing' });
  });

  test('an incident that is not failed is not taken over', async () => {
    const first = EXECUTION('lambda-runaway', 'remediated-run');
    await admit(input('lambda-runaway', RUNAWAY, first), lambdaContext);
    await ledger.finishIncident(incidentIdFor(RUNAWAY_KEY), first, 'remediated', 'reserved concurrency set to 0');

    const result = await admit(input('lambda-runaway', RUNAWAY, EXECUTION('lambda-runaway', 'late')), lambdaContext);

    expect(result).toMatchObject({ decision: 'duplicate', reason: `already handled by ${first} (remediated)` });
    expect(await ledger.getIncident(incidentIdFor(RUNAWAY_KEY))).toMatchObject({ executionArn: first, status: 'remediated' });
  });

  test('another transition of the same alarm within the cooldown is held back, naming the holder and until when', async () => {
    await admit(input('lambda-runaway', RUNAWAY, EXECUTION('lambda-runaway', 'first')), lambdaContext);
    const held = await cooldownRow('lambda-runaway', RESEARCHER);

    const result = await admit(input('lambda-runaway', RUNAWAY_REFIRED, EXECUTION('lambda-runaway', 'refired')), lambdaContext);

    expect(result).toMatchObject({ decision: 'cooldown', incident: { id: incidentIdFor(RUNAWAY_REFIRED_KEY), target: RESEARCHER } });
    expect(result.reason).toBe(`${RESEARCHER} was remediated by ${incidentIdFor(RUNAWAY_KEY)}; cooling down until ${String(held?.until)}`);
    expect(await cooldownRow('lambda-runaway', RESEARCHER)).toEqual(held);
  });

  test('after the cooldown another transition of the same alarm is admitted and takes the cooldown', async () => {
    const first = await admitElsewhere(input('lambda-runaway', RUNAWAY, EXECUTION('lambda-runaway', 'first')), lambdaContext);
    expect(first.decision).toBe('admit');

    const result = await admitElsewhere(input('lambda-runaway', RUNAWAY_REFIRED, EXECUTION('lambda-runaway', 'refired')), lambdaContext);

    expect(result).toMatchObject({ decision: 'admit', incident: { id: incidentIdFor(RUNAWAY_REFIRED_KEY) } });
    expect(await cooldownRow('lambda-runaway', RESEARCHER)).toMatchObject({ heldBy: incidentIdFor(RUNAWAY_REFIRED_KEY) });
  });

  test('a target that is not configured is rejected, naming the target, without taking a cooldown', async () => {
    const result = await admit(input('lambda-runaway', recorded('samples/unconfigured-target.alarm.json'), EXECUTION('lambda-runaway', 'x')), lambdaContext);

    expect(result).toMatchObject({
      decision: 'reject',
      reason: 'tradai-prod-signal-ingest is not a configured target of lambda-runaway',
      incident: { target: 'tradai-prod-signal-ingest' },
    });
    expect(await cooldownRow('lambda-runaway', 'tradai-prod-signal-ingest')).toBeUndefined();
  });

  test('a disabled runbook is rejected', async () => {
    const result = await admitElsewhere(
      input('ecs-service-recovery', recorded('ecs-service-recovery.alarm.json'), EXECUTION('ecs-service-recovery', 'x')), lambdaContext,
    );

    expect(result).toMatchObject({
      decision: 'reject', reason: 'runbook ecs-service-recovery is disabled in this environment', incident: { target: FRONTEND_SERVICE },
    });
    expect(await cooldownRow('ecs-service-recovery', FRONTEND_SERVICE)).toBeUndefined();
  });

  test('a runbook that is not configured is rejected', async () => {
    const result = await admit(
      input('dynamodb-throttling', recorded('dynamodb-throttling.alarm.json'), EXECUTION('dynamodb-throttling', 'x')), lambdaContext,
    );

    expect(result).toMatchObject({
      decision: 'reject', reason: `runbook dynamodb-throttling is not configured in this environment (no ${policyParameterName(PREFIX, 'dynamodb-throttling')})`,
      incident: { target: 'cabruca-segmentation-prod-agent-tasks' },
    });
    expect(await cooldownRow('dynamodb-throttling', 'cabruca-segmentation-prod-agent-tasks')).toBeUndefined();
  });

  test('each assumption of a break-glass role is its own incident, held by no cooldown or flapping rail: every one pages; a redelivery is still a duplicate', async () => {
    const assumption = (eventID: string) => ({ ...ASSUMED, detail: { ...ASSUMED.detail, eventID } });
    const decisions = [];
    for (const [id, exec] of [['a-1', 'first'], ['a-2', 'second'], ['a-3', 'third'], ['a-1', 'again']] as const) {
      decisions.push((await admit(input('page-on-call', assumption(id), EXECUTION('page-on-call', exec)), lambdaContext)).decision);
    }
    expect(decisions).toEqual(['admit', 'admit', 'admit', 'duplicate']);
    // No cooldown taken (an alarm of the same runbook on this target would not be held by an assumption); each is in the history.
    const row = await cooldownRow('page-on-call', BREAK_GLASS);
    expect(row).not.toHaveProperty('heldBy');
    expect(row?.remediations).toHaveLength(3);
  });

  test.each([
    ['not JSON', '{"enabled": true,', 'is not JSON'],
    ['not a policy', JSON.stringify({ enabled: true, cooldownMinutes: -5, targets: [RESEARCHER] }), 'is not an admission policy (cooldownMinutes:'],
  ])('a policy parameter that is %s fails admit, naming the parameter; the incident is left failed and nothing is admitted', async (_what, value, says) => {
    const parameter = policyParameterName(PREFIX, 'lambda-runaway');
    setSwitch(parameter, value);
    const execution = EXECUTION('lambda-runaway', 'bad-policy');
    await expect(admit(input('lambda-runaway', RUNAWAY, execution), lambdaContext))
      .rejects.toMatchObject({ name: 'PolicyInvalid', message: expect.stringContaining(`${parameter} ${says}`) });
    expect(await ledger.getIncident(incidentIdFor(RUNAWAY_KEY))).toMatchObject({ executionArn: execution, status: 'failed' });
    expect(await cooldownRow('lambda-runaway', RESEARCHER)).toBeUndefined();
  });

  test.each([
    ['an OK transition', 'lambda-runaway', recorded('samples/ok-transition.alarm.json'),
      'alarm cabruca-segmentation-prod-researcher-agent-concurrency is in state OK, not ALARM'],
    ['a composite alarm that names no target', 'ecs-service-recovery', COMPOSITE,
      'alarm alphaswarm-admin-frontend-prod-degraded names no ClusterName+ServiceName for ecs-service-recovery'],
    ['a budget notification sent to an alarm runbook', 'lambda-runaway', budgetEvent(),
      'lambda-runaway is not started by budget notifications'],
    ['an alarm sent to the budget runbook', 'llm-budget-guardrail', RUNAWAY,
      'llm-budget-guardrail is not started by CloudWatch alarms'],
    ['a payload of the wrong shape', 'lambda-runaway', recorded('samples/malformed-wrong-shape.json'),
      'input is neither a CloudWatch Alarm State Change event, an AWS service event lambda-runaway is started by, nor a runbook-autopilot event'],
    ['a payload that is not JSON', 'lambda-runaway', text('samples/malformed-not-json.txt'),
      'input is neither a CloudWatch Alarm State Change event, an AWS service event lambda-runaway is started by, nor a runbook-autopilot event'],
  ])('%s is rejected with a one-line reason and no incident, recorded in the ledger as rejected', async (_name, runbook, event, reason) => {
    const result = await admit(input(runbook, event, EXECUTION(runbook, 'x')), lambdaContext);

    expect(result).toEqual({ decision: 'reject', reason, incident: null, switches: null, dryRun: false });
    expect(result.reason).not.toMatch(/\n/);
    expect(await scanLedger()).toEqual([rejectedRow(runbook, EXECUTION(runbook, 'x'), reason)]);
  });

  test.each([
    ['a null alarm name', (e: AnyEvent) => { e.detail.alarmName = null; }, 'detail.alarmName: expected string, received null'],
    ['a state given as a string', (e: AnyEvent) => { e.detail.state = 'ALARM'; }, 'detail.state: expected object, received string'],
    ['a number where the alarm ARN belongs', (e: AnyEvent) => { e.resources = [42]; }, 'resources[0]: expected string, received number'],
  ])('an alarm event with %s is rejected naming the field, recorded as rejected, and nothing else is written', async (_name, spoil, field) => {
    const event = structuredClone(RUNAWAY) as AnyEvent;
    spoil(event);
    const exec = EXECUTION('lambda-runaway', 'spoilt');

    const result = await admit(input('lambda-runaway', event, exec), lambdaContext);
    // A retried admit (Lambda, Step Functions) writes the same row, not a second one.
    await admit(input('lambda-runaway', event, exec), lambdaContext);

    const reason = `lambda-runaway: malformed CloudWatch Alarm State Change event: ${field}`;
    expect(result).toEqual({ decision: 'reject', reason, incident: null, switches: null, dryRun: false });
    expect(await scanLedger()).toEqual([rejectedRow('lambda-runaway', exec, reason, 'CloudWatch Alarm State Change event from aws.cloudwatch')]);
  });

  test('a budget notification event with a number where the topic ARN belongs is rejected naming the field', async () => {
    const event = budgetEvent() as AnyEvent;
    event.detail.topicArn = 42;
    const exec = EXECUTION('llm-budget-guardrail', 'spoilt');

    const result = await admit(input('llm-budget-guardrail', event, exec), lambdaContext);

    const reason = 'llm-budget-guardrail: malformed Budget Notification event: detail.topicArn: expected string, received number';
    expect(result).toMatchObject({ decision: 'reject', reason, incident: null });
    expect(await scanLedger()).toEqual([rejectedRow('llm-budget-guardrail', exec, reason, 'Budget Notification event from runbook-autopilot')]);
  });

  test('a Tagged Alarm event is routed with the target the tag names', async () => {
    const tagged = { source: 'runbook-autopilot', 'detail-type': 'Tagged Alarm', detail: { target: FRONTEND_SERVICE, alarm: COMPOSITE } };
    const exec = EXECUTION('ecs-service-recovery', 'inc-a9a96b33e3e6b0de');

    const result = await admit(input('ecs-service-recovery', tagged, exec), lambdaContext);

    // Same transition, same incident the router named its execution after.
    const id = incidentIdFor(`alarm|${ALARM_ARN('alphaswarm-admin-frontend-prod-degraded')}|2026-11-03T11:48:20.031+0000`);
    expect(id).toBe('inc-d0d7c7e4911d6fdc');
    expect(result).toMatchObject({
      decision: 'admit',
      incident: {
        id, runbook: 'ecs-service-recovery', target: FRONTEND_SERVICE,
        summary: 'CloudWatch alarm alphaswarm-admin-frontend-prod-degraded went to ALARM', firedAt: '2026-11-03T11:48:20.031+0000',
        source: { name: 'alphaswarm-admin-frontend-prod-degraded', arn: ALARM_ARN('alphaswarm-admin-frontend-prod-degraded') },
      },
    });
    expect(await ledger.getIncident(id)).toMatchObject({ executionArn: exec, target: FRONTEND_SERVICE, status: 'admitted' });
    expect(await cooldownRow('ecs-service-recovery', FRONTEND_SERVICE)).toMatchObject({ heldBy: id });
  });

  test('a Budget Notification for llm-budget-guardrail is admitted with the budget on the incident', async () => {
    const id = incidentIdFor('budget|alphaswarm-prod-monthly|ACTUAL|1200|2026-11');
    const exec = EXECUTION('llm-budget-guardrail', id);

    const result = await admit(input('llm-budget-guardrail', budgetEvent(), exec), lambdaContext);

    expect(result).toEqual({
      decision: 'admit', switches: { automation: 'enabled', runbook: 'enabled' }, dryRun: false,
      reason: 'new budget alert on a configured target',
      incident: {
        id,
        runbook: 'llm-budget-guardrail',
        target: BUDGET,
        summary: 'AWS Budgets actual alert: alphaswarm-prod-monthly at $1260.00 (threshold $1200.00 of $1500.00)',
        firedAt: '2026-11-18T14:07:22.418Z',
        source: { name: BUDGET, arn: 'arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-drill-budget' },
        budget: { budgetName: BUDGET, alertType: 'ACTUAL', thresholdAmount: 1200, actualOrForecastAmount: 1260, budgetedAmount: 1500 },
      },
    });
    expect(await ledger.getIncident(id)).toMatchObject({ executionArn: exec, status: 'admitted', dedupeKey: 'budget|alphaswarm-prod-monthly|ACTUAL|1200|2026-11' });
  });

  test('a second notification for the same budget, alert type, threshold and month is a duplicate', async () => {
    const id = incidentIdFor('budget|alphaswarm-prod-monthly|ACTUAL|1200|2026-11');
    const first = EXECUTION('llm-budget-guardrail', 'first');
    await admit(input('llm-budget-guardrail', budgetEvent(), first), lambdaContext);
    const later = budgetEvent({ messageId: '0b7c1a2d-3e4f-5a6b-8c9d-0e1f2a3b4c5d', timestamp: '2026-11-24T09:30:00.000Z', actual: 1342.5 });

    const result = await admit(input('llm-budget-guardrail', later, EXECUTION('llm-budget-guardrail', 'second')), lambdaContext);

    expect(result).toMatchObject({ decision: 'duplicate', reason: `already handled by ${first} (admitted)`, incident: { id } });
    expect(await ledger.getIncident(id)).toMatchObject({ executionArn: first });
  });

  test('a task payload without an execution id is InvalidInput and writes nothing', async () => {
    await expect(admit({ runbook: 'lambda-runaway', event: RUNAWAY, execution: {} }, lambdaContext))
      .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('execution.id') });
    expect(await scanLedger()).toEqual([]);
  });
});

describe('AWS service events', () => {
  const KEY = `event|Step Functions Execution Status Change|${WORKFLOW_EXECUTION}|0|FAILED`;

  test('a failed execution of a configured state machine is admitted as a service event, the execution on its incident', async () => {
    const exec = EXECUTION(EVENT_RUNBOOK, 'first');

    const result = await admit(input(EVENT_RUNBOOK, workflowFailed('e-1'), exec), lambdaContext);

    expect(result).toEqual({
      decision: 'admit', reason: 'new service event on a configured target', switches: { automation: 'enabled', runbook: 'enabled' }, dryRun: false,
      incident: {
        id: incidentIdFor(KEY), runbook: EVENT_RUNBOOK, target: WORKFLOW, firedAt: '2026-12-01T04:10:07Z',
        summary: `Step Functions execution backtest-2026-12-01 of ${WORKFLOW} ended FAILED`,
        source: { name: 'Step Functions Execution Status Change', arn: WORKFLOW_EXECUTION, reason: 'FAILED: States.TaskFailed: exchange API timeout' },
      },
    });
    expect(await ledger.getIncident(incidentIdFor(KEY))).toMatchObject({ dedupeKey: KEY, executionArn: exec, status: 'admitted' });
  });

  test('the same event delivered again (EventBridge retries it, with its id or another) is a duplicate naming the first execution', async () => {
    const first = EXECUTION(EVENT_RUNBOOK, 'delivery-1');
    expect((await admit(input(EVENT_RUNBOOK, workflowFailed('e-1'), first), lambdaContext)).decision).toBe('admit');

    const same = await admit(input(EVENT_RUNBOOK, workflowFailed('e-1'), EXECUTION(EVENT_RUNBOOK, 'delivery-2')), lambdaContext);
    const reissued = await admit(input(EVENT_RUNBOOK, workflowFailed('e-2'), EXECUTION(EVENT_RUNBOOK, 'delivery-3')), lambdaContext);

    expect(same).toMatchObject({ decision: 'duplicate', reason: `already handled by ${first} (admitted)` });
    expect(reissued).toMatchObject({ decision: 'duplicate', reason: `already handled by ${first} (admitted)` });
  });

  test.each([
    ['an ARN that is not one', { stateMachineArn: 'tradai-prod-backtest-workflow' }, 'detail.stateMachineArn: expected a state machine ARN'],
    ['a number where an ARN belongs', { executionArn: 1764561600000 }, 'detail.executionArn: expected string, received number'],
  ])('a malformed event (%s) is rejected in one line naming the field, recorded as rejected, nothing else written', async (_name, detail, field) => {
    const result = await admit(input(EVENT_RUNBOOK, workflowFailed('e-1', detail), EXECUTION(EVENT_RUNBOOK, 'bad')), lambdaContext);

    const reason = `${EVENT_RUNBOOK}: malformed Step Functions Execution Status Change event: ${field}`;
    expect(result).toEqual({ decision: 'reject', incident: null, switches: null, dryRun: false, reason });
    expect(await scanLedger()).toEqual([
      rejectedRow(EVENT_RUNBOOK, EXECUTION(EVENT_RUNBOOK, 'bad'), reason, 'Step Functions Execution Status Change event from aws.states'),
    ]);
  });

  test('a runbook started by alarms only rejects a service event, and records the rejection', async () => {
    const result = await admit(input('lambda-runaway', workflowFailed('e-1'), EXECUTION('lambda-runaway', 'event')), lambdaContext);

    expect(result).toMatchObject({ decision: 'reject', reason: expect.stringContaining('nor a runbook-autopilot event') });
    expect(await scanLedger()).toEqual([expect.objectContaining({ status: 'rejected', executionArn: EXECUTION('lambda-runaway', 'event'), target: '(none)' })]);
  });
});

describe('manual starts', () => {
  const START: ManualStart = {
    runbook: 'lambda-runaway', target: RESEARCHER, alarmName: 'cabruca-segmentation-prod-researcher-agent-concurrency',
    reason: 'invocations surging, the alarm has not fired yet', startedBy: 'alice', requestId: 'man-00000000000000a1', time: new Date('2026-11-03T03:20:00Z'),
  };
  const manual = (changes: Partial<ManualStart> = {}) => manualStartEvent({ ...START, ...changes });

  test('a manual start of an alarm runbook on a configured target is admitted as its own incident, verified by the alarm it names', async () => {
    const exec = EXECUTION('lambda-runaway', 'man-00000000000000a1');

    const result = await admit(input('lambda-runaway', manual(), exec), lambdaContext);

    const id = incidentIdFor('manual|lambda-runaway|man-00000000000000a1');
    expect(result).toEqual({
      decision: 'admit', switches: { automation: 'enabled', runbook: 'enabled' }, dryRun: false,
      reason: 'new manual start on a configured target',
      incident: {
        id, runbook: 'lambda-runaway', target: RESEARCHER, firedAt: '2026-11-03T03:20:00.000Z',
        summary: `Manual start by alice on ${RESEARCHER}: invocations surging, the alarm has not fired yet`,
        source: { name: 'cabruca-segmentation-prod-researcher-agent-concurrency' },
      },
    });
    expect(await ledger.getIncident(id)).toMatchObject({ executionArn: exec, status: 'admitted', dedupeKey: 'manual|lambda-runaway|man-00000000000000a1' });
    expect(await cooldownRow('lambda-runaway', RESEARCHER)).toMatchObject({ heldBy: id });
  });

  test('the same start sent again is a duplicate; another start on the same target is held by the cooldown', async () => {
    const first = EXECUTION('lambda-runaway', 'man-00000000000000a1');
    await admit(input('lambda-runaway', manual(), first), lambdaContext);

    const again = await admit(input('lambda-runaway', manual(), EXECUTION('lambda-runaway', 'again')), lambdaContext);
    const another = await admit(input('lambda-runaway', manual({ requestId: 'man-00000000000000b2' }), EXECUTION('lambda-runaway', 'another')), lambdaContext);

    expect(again).toMatchObject({ decision: 'duplicate', reason: `already handled by ${first} (admitted)` });
    expect(another).toMatchObject({ decision: 'cooldown', reason: expect.stringContaining(`${RESEARCHER} was remediated by ${incidentIdFor('manual|lambda-runaway|man-00000000000000a1')}`) });
  });

  test('the kill switch holds a manual start as it holds an alarm', async () => {
    setSwitch(SWITCHES.automation, 'paused');
    expect(await admit(input('lambda-runaway', manual(), EXECUTION('lambda-runaway', 'held')), lambdaContext))
      .toMatchObject({ decision: 'paused', reason: 'automation is paused (/runbook-autopilot/test/automation = paused)' });
  });

  test('a target that is not configured is rejected, as for an alarm', async () => {
    expect(await admit(input('lambda-runaway', manual({ target: 'tradai-prod-signal-ingest' }), EXECUTION('lambda-runaway', 'other')), lambdaContext))
      .toMatchObject({ decision: 'reject', reason: expect.stringContaining('tradai-prod-signal-ingest is not a configured target of lambda-runaway') });
  });

  test.each([
    ['sent to another runbook', 'ecs-service-recovery', manual(), 'a manual start of lambda-runaway was sent to ecs-service-recovery'],
    ['of a runbook a budget alert starts', 'llm-budget-guardrail', manual({ runbook: 'llm-budget-guardrail', target: BUDGET }),
      'llm-budget-guardrail cannot be started by hand: it acts on what the budget alert or service event that starts it says, which a manual start does not carry'],
    ['naming no alarm', 'lambda-runaway', { ...manual(), detail: { ...manual().detail, alarmName: '' } },
      'lambda-runaway: malformed Manual Start event: detail.alarmName: Too small: expected string to have >=1 characters'],
    ['by a name no approver could have', 'lambda-runaway', manual({ startedBy: 'Alice Smith' }),
      'lambda-runaway: malformed Manual Start event: startedBy: a lower-case user name, as config names approvers'],
  ])('a manual start %s is rejected naming why, and recorded as rejected', async (_name, runbook, event, reason) => {
    const exec = EXECUTION(runbook, 'bad-start');

    const result = await admit(input(runbook, event, exec), lambdaContext);

    expect(result).toEqual({ decision: 'reject', reason, incident: null, switches: null, dryRun: false });
    expect(await scanLedger()).toEqual([rejectedRow(runbook, exec, reason, 'Manual Start event from runbook-autopilot')]);
  });
});

describe('switches', () => {
  const deliver = (executionName: string) => admit({ runbook: 'lambda-runaway', event: RUNAWAY, execution: { id: EXECUTION('lambda-runaway', executionName) } }, lambdaContext);

  test('the kill switch holds every runbook, names the parameter, and takes no cooldown', async () => {
    setSwitch(SWITCHES.automation, 'paused');
    const result = await deliver('paused-1');
    expect(result).toMatchObject({
      decision: 'paused',
      reason: 'automation is paused (/runbook-autopilot/test/automation = paused)',
      switches: { automation: 'paused', runbook: 'enabled' },
    });
    expect(await cooldownRow('lambda-runaway', RESEARCHER)).toBeUndefined();
  });

  test('a runbook switched off is held while the others run', async () => {
    setSwitch(SWITCHES.runbooks['lambda-runaway']!, 'disabled');
    expect(await deliver('off-1')).toMatchObject({ decision: 'paused', reason: `lambda-runaway is switched off (${SWITCHES.runbooks['lambda-runaway']} = disabled)` });
  });

  test('a missing or mistyped switch holds (fails closed)', async () => {
    setSwitch(SWITCHES.automation, null);
    expect(await deliver('missing-1')).toMatchObject({ decision: 'paused', reason: expect.stringContaining('is missing'), switches: { automation: null } });
    setSwitch(SWITCHES.automation, 'Enabled ');
    const again = await admit({ runbook: 'lambda-runaway', event: RUNAWAY_REFIRED, execution: { id: EXECUTION('lambda-runaway', 'typo-1') } }, lambdaContext);
    expect(again).toMatchObject({ decision: 'paused', reason: expect.stringContaining('"Enabled "') });
  });

  test('both switches on: admitted, and the switches are reported', async () => {
    expect(await deliver('on-1')).toMatchObject({ decision: 'admit', switches: { automation: 'enabled', runbook: 'enabled' } });
  });

  test('SSM throttling while reading a switch is AwsThrottled (the state machine retries), nothing decided', async () => {
    sandbox.injectFault({ service: 'ssm', operation: 'GetParameters', error: 'throttling', times: 1 });
    await expect(deliver('throttled-1')).rejects.toMatchObject({ name: 'AwsThrottled' });
    expect(await cooldownRow('lambda-runaway', RESEARCHER)).toBeUndefined();
  });
});

describe('safety rails', () => {
  /** A new transition of a function's concurrency alarm: same alarm, a later state timestamp. */
  function transition(target: string, minute: number): Record<string, unknown> {
    const event = structuredClone(RUNAWAY) as { detail: { alarmName: string; state: { timestamp: string }; configuration: { metrics: { metricStat: { metric: { dimensions: Record<string, string> } } }[] } }; resources: string[] };
    const alarm = `${target}-concurrency`;
    event.resources = [ALARM_ARN(alarm)];
    event.detail.alarmName = alarm;
    event.detail.state.timestamp = `2026-11-03T04:${String(minute).padStart(2, '0')}:00.000+0000`;
    event.detail.configuration.metrics[0]!.metricStat.metric.dimensions = { FunctionName: target };
    return event;
  }
  const fire = (target: string, minute: number) =>
    admitElsewhere(input('lambda-runaway', transition(target, minute), EXECUTION('lambda-runaway', `${target}-${minute}`)), lambdaContext);

  test('flapping: after 3 remediations of one target within the window, the next is held and escalated, not admitted', async () => {
    const results = [];
    for (const minute of [1, 2, 3, 4]) results.push(await fire(RESEARCHER, minute));
    expect(results.map((r) => r.decision)).toEqual(['admit', 'admit', 'admit', 'flapping']);
    const held = await fire(RESEARCHER, 5);
    expect(held.reason).toMatch(/remediated 3 times since .* \(limit 3 in 60 min\): flapping, held for a human/);
    // The held ones took the cooldown's write, then changed nothing: the history keeps the three remediations only.
    expect((await ledger.remediationHistory('lambda-runaway', RESEARCHER)).map((r) => r.incidentId)).toEqual(results.slice(0, 3).map((r) => r.incident!.id));
  });

  test('an incident that ended with nothing to do (skipped: a drift notice, a target found already stopped) is not a remediation; one still running is', async () => {
    const first = [];
    for (const minute of [1, 2, 3]) first.push(await fire(RESEARCHER, minute));
    expect(first.map((r) => r.decision)).toEqual(['admit', 'admit', 'admit']);
    await ledger.finishIncident(first[0]!.incident!.id, EXECUTION('lambda-runaway', `${RESEARCHER}-1`), 'skipped', 'already stopped: nothing to do');
    // Counted: minutes 2 and 3 (still running); with minute 1 counted too this would be held (the test above).
    expect(await fire(RESEARCHER, 4)).toMatchObject({ decision: 'admit' });
  });

  test('a retried admit of a counted remediation is not counted twice', async () => {
    const event = transition(RESEARCHER, 10);
    const execution = EXECUTION('lambda-runaway', 'retried');
    for (let i = 0; i < 4; i++) expect((await admitElsewhere(input('lambda-runaway', event, execution), lambdaContext)).decision).toBe('admit');
    expect(await ledger.remediationHistory('lambda-runaway', RESEARCHER)).toHaveLength(1);
  });

  test('blast radius: the runbook starts at most the configured remediations per hour across the account', async () => {
    const results = [];
    for (const minute of [1, 2, 3]) results.push(await fire(RESEARCHER, minute));
    results.push(await fire(MANAGER, 4));
    const capped = await fire(MANAGER, 5);
    expect(results.map((r) => r.decision)).toEqual(['admit', 'admit', 'admit', 'admit']);
    expect(capped).toMatchObject({ decision: 'capped', reason: 'lambda-runaway already started 4 remediations this hour (the configured cap): held for a human' });
    // The capped one changed nothing: the target's history keeps the remediation before it only.
    expect((await ledger.remediationHistory('lambda-runaway', MANAGER)).map((r) => r.incidentId)).toEqual([results[3]!.incident!.id]);
  });
});
