/**
 * model-drift's retraining start, raced: one to three attempts of the step for one incident (a
 * Lambda retry overlapping an attempt whose answer was lost), the first StartExecution's answer
 * lost or not after the execution began, every Step Functions call and every ledger request a
 * scheduling point (fast-check's scheduler). What arbitrates is Step Functions' one execution of
 * a name per state machine: the retraining is named after the incident. Then a last retry, as
 * the state machine makes once the attempts have ended.
 */
import 'aws-sdk-client-mock-jest';
import {
  ExecutionAlreadyExists, ListExecutionsCommand, SFNClient, StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import type { Ledger as LedgerClass } from '../../lambdas/shared/ledger';
import type { RetrainResult } from '../../runbooks/model-drift/handlers/retrain';
import { handlerTestEnv, startDynalite, type LocalDynamo } from '../support/dynalite';
import { incident, lambdaContext, nthIncidentId } from '../support/fixtures';
import { schedulerGate, startSchedulingProxy, type SchedulingProxy } from '../support/scheduling-proxy';

const TABLE = 'retraining-races-ledger';
const MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:tradai-prod-model-retraining';
const EXECUTION = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-model-drift:run-1';
const sfn = mockClient(SFNClient);

let dynamo: LocalDynamo;
let proxy: SchedulingProxy;
let client: DynamoDBClient;
let ledger: LedgerClass;
let retrain: (event: unknown, context: typeof lambdaContext) => Promise<RetrainResult>;
let sequence = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedgerTable(TABLE);
  proxy = await startSchedulingProxy(dynamo.endpoint);
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'sa-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  Object.assign(process.env, handlerTestEnv(proxy.url, TABLE), { ALLOWED_TARGETS: JSON.stringify(['momentum-v3']), RETRAINING_MACHINE_ARN: MACHINE });
  retrain = (await import('../../runbooks/model-drift/handlers/retrain')).handler as unknown as typeof retrain;
  ledger = new (await import('../../lambdas/shared/ledger')).Ledger(TABLE, client);
});
afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await dynamo?.close();
});

const meta = { $metadata: { httpStatusCode: 400 } };

test('attempts of one incident\'s retraining start in any order, an answer lost or not: one retraining, and every attempt that ends reports it', async () => {
  await fc.assert(fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 3 }), fc.boolean(), async (s, attempts, answerLost) => {
    const incidentId = nthIncidentId('e', ++sequence);
    const the = incident({ id: incidentId, runbook: 'model-drift', target: 'momentum-v3' });
    /** Step Functions, as the retraining workflow's executions: one of a name, its input kept. */
    const executions = new Map<string, { input: string; status: string }>();
    let starts = 0;
    let loseNext = answerLost;
    let gated = true;
    const step = (label: string) => (gated ? s.schedule(Promise.resolve(), label) : Promise.resolve());
    const arnOf = (name: string) => `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
    sfn.reset();
    sfn.on(ListExecutionsCommand).callsFake(async (input: { statusFilter?: string }) => {
      await step('list');
      return {
        executions: [...executions].filter(([, e]) => input.statusFilter === undefined || e.status === input.statusFilter)
          .map(([name, e]) => ({ executionArn: arnOf(name), name, status: e.status, stateMachineArn: MACHINE, startDate: new Date() })),
      };
    });
    sfn.on(StartExecutionCommand).callsFake(async (input: { name: string; input: string }) => {
      await step('start');
      starts++;
      const e = executions.get(input.name);
      if (e && !(e.status === 'RUNNING' && e.input === input.input)) throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${arnOf(input.name)}'`, ...meta });
      if (!e) executions.set(input.name, { input: input.input, status: 'RUNNING' });
      if (loseNext) {
        loseNext = false;
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      }
      return { executionArn: arnOf(input.name), startDate: new Date() };
    });
    proxy.setGate(schedulerGate(s));
    const payload = { incident: the, execution: { id: EXECUTION } };
    try {
      const settled = await s.waitFor(Promise.allSettled(Array.from({ length: attempts }, () => retrain(payload, lambdaContext))));
      proxy.setGate(null);
      gated = false;
      // The state machine retries a failed attempt once the others have ended.
      const last = await retrain(payload, lambdaContext);

      const ended = [...settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])), last];
      expect(executions.size).toBe(1);
      const [name] = [...executions.keys()];
      expect(name).toBe(`model-drift-${incidentId}`);
      for (const r of ended) expect(r).toMatchObject({ executionArn: arnOf(name!), startedByThisRun: true });
      expect(await ledger.latestAction(incidentId, `retrain#states:StartExecution#${arnOf(name!)}`)).toMatchObject({ status: 'succeeded', after: { status: 'RUNNING' } });
      // A start is made only where no attempt had one recorded as done: never more than one per attempt.
      expect(starts).toBeLessThanOrEqual(attempts + 1);
    } finally {
      proxy.setGate(null);
    }
  }), { numRuns: 40 });
});

test('a retraining already running (another incident\'s, or a nightly one) is watched: nothing started, nothing recorded', async () => {
  const incidentId = nthIncidentId('e', ++sequence);
  sfn.reset();
  sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:nightly`, name: 'nightly', status: 'RUNNING', stateMachineArn: MACHINE, startDate: new Date('2026-12-06T02:00:00Z') }] });

  const result = await retrain({ incident: incident({ id: incidentId, runbook: 'model-drift', target: 'momentum-v3' }), execution: { id: EXECUTION } }, lambdaContext);

  expect(result).toMatchObject({ name: 'nightly', startedByThisRun: false, action: null, reason: expect.stringContaining('already running (nightly, started 2026-12-06T02:00:00.000Z)') });
  expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  expect(sfn.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toMatchObject({ stateMachineArn: MACHINE, statusFilter: 'RUNNING' });
  expect(await ledger.listActions(incidentId)).toEqual([]);
});

test('once this incident has started its retraining, a retry watches its own, not another that started since', async () => {
  const incidentId = nthIncidentId('e', ++sequence);
  const payload = { incident: incident({ id: incidentId, runbook: 'model-drift', target: 'momentum-v3' }), execution: { id: EXECUTION } };
  const own = `${MACHINE.replace(':stateMachine:', ':execution:')}:model-drift-${incidentId}`;
  const nightly = { executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:nightly`, name: 'nightly', status: 'RUNNING' as const, stateMachineArn: MACHINE, startDate: new Date() };
  let started = false;
  sfn.reset();
  const ownRun = { executionArn: own, name: `model-drift-${incidentId}`, status: 'RUNNING' as const, stateMachineArn: MACHINE, startDate: new Date() };
  sfn.on(ListExecutionsCommand).callsFake(async () => ({ executions: started ? [nightly, ownRun] : [] }));
  sfn.on(StartExecutionCommand).callsFake(async () => {
    started = true;
    return { executionArn: own, startDate: new Date() };
  });
  const first = await retrain(payload, lambdaContext);

  const retried = await retrain(payload, lambdaContext);

  expect(first).toMatchObject({ executionArn: own, startedByThisRun: true });
  expect(retried).toMatchObject({ executionArn: own, startedByThisRun: true, action: { replayed: true } });
  expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
});
