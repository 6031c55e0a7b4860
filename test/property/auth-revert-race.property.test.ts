/**
 * auth-degraded-mode's revert can be started twice at once: by its schedule firing and by an
 * operator reverting early (`npm run undo`). Both are the undo state machine; what arbitrates them
 * is the undo's claim on the incident's ledger record (a conditional write). fast-check's scheduler
 * interleaves the two plan steps at every DynamoDB request and answer (real dynalite behind a
 * scheduling proxy): exactly one claims the undo and plans the restores, the other is refused in one
 * line naming the winner, and the record names the winner.
 */
import fc from 'fast-check';
import type { Ledger as LedgerClass } from '../../lambdas/shared/ledger';
import { handlerTestEnv, startDynalite, type LocalDynamo } from '../support/dynalite';
import { lambdaContext, nthIncidentId } from '../support/fixtures';
import { schedulerGate, startSchedulingProxy, type SchedulingProxy } from '../support/scheduling-proxy';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const TABLE = 'auth-revert-race-ledger';
const SERVICE = 'alphaswarm-cluster-prod/alphaswarm-api-prod';
const TD = (n: number) => `arn:aws:ecs:sa-east-1:111122223333:task-definition/alphaswarm-api-prod:${n}`;
const RUNBOOK_EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-auth-degraded-mode:run-1';
const undoExec = (who: string, n: number) => `arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-undo:${who}-${n}`;

let dynamo: LocalDynamo;
let proxy: SchedulingProxy;
let client: DynamoDBClient;
let ledger: LedgerClass;
let plan: (event: unknown, context: typeof lambdaContext) => Promise<{ decision: string; reason: string; restores: { operation: string }[] }>;
let sequence = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedgerTable(TABLE);
  proxy = await startSchedulingProxy(dynamo.endpoint);
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'sa-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  Object.assign(process.env, handlerTestEnv(proxy.url, TABLE));
  plan = (await import('../../lambdas/undo/plan')).handler as unknown as typeof plan;
  ledger = new (await import('../../lambdas/shared/ledger')).Ledger(TABLE, client);
});
afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await dynamo?.close();
});

/** The incident as auth-degraded-mode leaves it: the permissive revision deployed and the revert scheduled, finished. */
async function degradedIncident(incidentId: string): Promise<void> {
  await ledger.claimIncident({ incidentId, runbook: 'auth-degraded-mode', target: SERVICE, dedupeKey: incidentId, executionArn: RUNBOOK_EXEC, summary: 'alarm', firedAt: '2026-12-07T00:10:12Z' });
  const row = (actionKey: string, operation: string, before: unknown, parameters: Record<string, unknown>) =>
    ({ incidentId, actionKey, runbook: 'auth-degraded-mode', operation, target: SERVICE, executionArn: RUNBOOK_EXEC, before, parameters, intended: null });
  const update = row(`degrade-auth#ecs:UpdateService#${SERVICE}`, 'ecs:UpdateService', { taskDefinition: TD(14) }, { cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-api-prod', taskDefinition: TD(15) });
  await ledger.recordIntent(update);
  await ledger.completeAction(incidentId, update.actionKey, { taskDefinition: TD(15) });
  const name = `auth-revert-${incidentId}`;
  const schedule = row(`schedule-revert#scheduler:CreateSchedule#${SERVICE}`, 'scheduler:CreateSchedule', null, { Name: name, GroupName: 'default', ScheduleExpression: 'at(2026-12-07T02:10:00)' });
  await ledger.recordIntent(schedule);
  await ledger.completeAction(incidentId, schedule.actionKey, { Name: name, ScheduleExpression: 'at(2026-12-07T02:10:00)' });
  await ledger.finishIncident(incidentId, RUNBOOK_EXEC, 'remediated', 'permissive until the revert');
}

test('the schedule firing and an early revert at once: exactly one claims the undo and plans both restores, the other is refused naming it', async () => {
  await fc.assert(fc.asyncProperty(fc.scheduler(), async (s) => {
    const n = ++sequence;
    const incidentId = nthIncidentId('a', n);
    await degradedIncident(incidentId);
    const gate = schedulerGate(s);
    const scheduled = { request: { incidentId, requestedBy: `scheduled revert (auth-revert-${incidentId})` }, execution: { id: undoExec('scheduled', n) } };
    const early = { request: { incidentId, requestedBy: 'maria' }, execution: { id: undoExec('maria', n) } };

    proxy.setGate(gate);
    const [a, b] = await s.waitFor(Promise.all([plan(scheduled, lambdaContext), plan(early, lambdaContext)]));
    proxy.setGate(null);

    const results = [a, b];
    const winners = results.filter((r) => r.decision === 'undo');
    expect(winners).toHaveLength(1);
    expect(winners[0]!.restores.map((r) => r.operation)).toEqual(['scheduler:DeleteSchedule', 'ecs:UpdateService']);
    const winner = a.decision === 'undo' ? scheduled : early;
    const loser = results.find((r) => r.decision !== 'undo')!;
    expect(loser).toMatchObject({ decision: 'reject', reason: expect.stringContaining(`was already undone by ${winner.execution.id}`) });
    expect(await ledger.getIncident(incidentId)).toMatchObject({ undoStatus: 'undoing', undoExecutionArn: winner.execution.id, undoRequestedBy: winner.request.requestedBy });
  }), { numRuns: 30 });
}, 120_000);
