/**
 * A model test of a failure heard while the execution is redriven: fast-check's scheduler
 * interleaves one to three deliveries of the run's failure event (EventBridge delivers at least
 * once; each is retried as Lambda retries an asynchronous invoke), a publish that fails once, and
 * the redrive (which takes the incident back, acts, and records its outcome) starting at any
 * point, or never. The real notifier and performAction run against dynalite through a proxy that
 * makes every DynamoDB request and answer a scheduling point; Step Functions' history says the
 * execution moved on once the redrive has started.
 */
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import type { ExecutionFailedResult } from '../../lambdas/notify/execution-failed';
import type { performAction as PerformAction } from '../../lambdas/shared/act';
import type { Ledger as LedgerClass } from '../../lambdas/shared/ledger';
import { handlerTestEnv, startDynalite, type LocalDynamo } from '../support/dynalite';
import { incident, lambdaContext, nthIncidentId } from '../support/fixtures';
import { delivered } from '../support/notifications';
import { schedulerGate, startSchedulingProxy, type SchedulingProxy } from '../support/scheduling-proxy';

const TABLE = 'redrive-races-ledger';
const CRITICAL = 'arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-critical';
const MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:RunbookLambdaRunaway-abc';
const STATE = 'Stop function: reserved concurrency 0';
/** Lambda's asynchronous invoke: the first attempt and two retries. */
const ATTEMPTS = 3;

const sfn = mockClient(SFNClient);
const sns = mockClient(SNSClient);
// After escalating, the notifier writes the failed run's report (its own tests: test/unit/report, test/drill/reports.test.ts).
mockClient(S3Client);

let dynamo: LocalDynamo;
let proxy: SchedulingProxy;
let client: DynamoDBClient;
let ledger: LedgerClass;
let notify: (event: unknown, context: typeof lambdaContext) => Promise<ExecutionFailedResult>;
let performAction: typeof PerformAction;
let sequence = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedgerTable(TABLE);
  proxy = await startSchedulingProxy(dynamo.endpoint);
  client = new DynamoDBClient({ endpoint: proxy.url, region: 'sa-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  Object.assign(process.env, handlerTestEnv(proxy.url, TABLE), {
    CRITICAL_TOPIC_ARN: CRITICAL, RUNBOOK_MACHINES: JSON.stringify([{ runbook: 'lambda-runaway', arn: MACHINE }]), REPORT_BUCKET: 'redrive-races-reports',
  });
  // Loaded once the environment is set: the handler reads it at cold start, and the shared logger its level.
  notify = (await import('../../lambdas/notify/execution-failed')).handler as typeof notify;
  ({ performAction } = await import('../../lambdas/shared/act'));
  ledger = new (await import('../../lambdas/shared/ledger')).Ledger(TABLE, client);
});
afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await dynamo?.close();
});

/** The errors a delivery may end in here (Lambda retries them); the notifier throws them by name. */
const EXPECTED_ERRORS = new Set(['NoticeInFlight', 'AwsUnavailable']);

interface Scenario {
  readonly deliveries: number;
  /** Scheduling steps before the redrive starts; null: nobody redrives. */
  readonly redriveAfter: number | null;
  readonly publishFailsOnce: boolean;
  /**
   * A history answer read before the redrive started arrives only once the redrive has recorded its
   * outcome: the notifier then acts on a failure that is no longer current.
   */
  readonly staleAnswer: boolean;
}
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  deliveries: fc.integer({ min: 1, max: 3 }),
  redriveAfter: fc.option(fc.nat(12), { nil: null }),
  publishFailsOnce: fc.boolean(),
  staleAnswer: fc.boolean(),
});

test('deliveries of a failure and a redrive in any order: escalated at most once (exactly once when nobody redrives), and the later run\'s record stands', async () => {
  await fc.assert(fc.asyncProperty(fc.scheduler(), scenarioArb, async (s, sc) => {
    const incidentId = nthIncidentId('d', ++sequence);
    const executionArn = `arn:aws:states:sa-east-1:111122223333:execution:RunbookLambdaRunaway-abc:run-${sequence}`;
    const the = incident({ id: incidentId });
    await ledger.claimIncident({ incidentId, runbook: 'lambda-runaway', target: the.target, dedupeKey: incidentId, executionArn, summary: 'alarm', firedAt: the.firedAt });

    const gate = schedulerGate(s);
    let redriven = false;
    let failureRead = false;
    let publishFails = sc.publishFailsOnce;
    const published: string[] = [];
    let calls = 0;
    const failedRun: HistoryEvent[] = [
      { id: 4, timestamp: new Date(), type: 'ExecutionFailed', executionFailedEventDetails: { error: 'AwsUnavailable', cause: 'boom' } },
      { id: 3, timestamp: new Date(), type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'AwsUnavailable', cause: 'boom' } },
      { id: 2, timestamp: new Date(), type: 'TaskStateEntered', stateEnteredEventDetails: { name: STATE, input: JSON.stringify({ admission: { incident: the } }) } },
      { id: 1, timestamp: new Date(), type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
    ];
    sfn.reset();
    sfn.on(GetExecutionHistoryCommand).callsFake(async () => {
      await gate('history');
      if (!redriven) failureRead = true;
      const events = redriven ? [{ id: 5, timestamp: new Date(), type: 'ExecutionRedriven' as const, executionRedrivenEventDetails: { redriveCount: 1 } }, ...failedRun] : failedRun;
      if (sc.staleAnswer && !redriven && redriveDone) await redriveDone;
      return { events };
    });
    sns.reset();
    sns.on(PublishCommand).callsFake(async (input: { Message: string; MessageStructure: string }) => {
      await gate('publish');
      if (publishFails) {
        publishFails = false;
        throw Object.assign(new Error('internal'), { name: 'InternalErrorException', $metadata: { httpStatusCode: 500 } });
      }
      published.push(delivered(input).email);
      return { MessageId: `m-${published.length}` };
    });
    const event = {
      source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change',
      detail: { executionArn, stateMachineArn: MACHINE, name: `run-${sequence}`, status: 'FAILED', error: 'AwsUnavailable', cause: 'boom', redriveCount: 0 },
    };
    /** One delivery, retried as Lambda retries an asynchronous invoke that throws. */
    const deliver = async () => {
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        try {
          return await notify(event, lambdaContext);
        } catch (e: unknown) {
          // The escalation held by another delivery, or the failed publish; anything else fails the property.
          if (!(e instanceof Error && EXPECTED_ERRORS.has(e.name))) throw e;
          await gate('retry later');
        }
      }
      return undefined;
    };
    let redriveDone: Promise<void> | undefined;
    const redrive = async () => {
      if (sc.redriveAfter === null) return;
      for (let i = 0; i < sc.redriveAfter; i++) await gate('redrive nears');
      redriven = true;
      await performAction(ledger, the, { id: executionArn, redriveCount: 1 }, {
        step: 'stop', operation: 'lambda:PutFunctionConcurrency', target: the.target, parameters: {}, intended: 0,
        readBefore: async () => null, mutate: async () => { calls += 1; return 0; }, inEffect: (v) => (v === 0 ? 0 : undefined),
      });
      await ledger.finishIncident(incidentId, executionArn, 'remediated', 'stopped', 1);
    };

    proxy.setGate(gate);
    redriveDone = redrive();
    const results = await s.waitFor(Promise.all([...Array.from({ length: sc.deliveries }, deliver), redriveDone]));
    proxy.setGate(null);

    const record = await ledger.getIncident(incidentId);
    // Never twice. Once the redrive has started, a delivery finds the execution moved on and sends nothing.
    expect(published.length).toBeLessThanOrEqual(1);
    if (published.length === 1) expect(failureRead).toBe(true);
    for (const message of published) expect(message).toContain(`Redrive retries ${STATE}`);
    if (sc.redriveAfter === null) {
      // Nobody redrives: whatever the duplicates and the failed publish, the failure is heard, once. (A
      // duplicate that found it in flight on every attempt goes to the dead-letter queue: it was sent by the other.)
      expect(published).toHaveLength(1);
      expect(results.some((r) => r?.outcome === 'failed')).toBe(true);
      expect(record).toMatchObject({ status: 'failed', failedState: STATE, redriveCount: 0 });
    } else {
      // The redriven run's outcome stands, whenever the failure of the run before it was heard.
      expect(calls).toBe(1);
      expect(record).toMatchObject({ status: 'remediated', redriveCount: 1 });
    }
  }), { numRuns: 40 });
}, 240_000);
