import { DescribeServicesCommand, ECSClient, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { seedApprovalRequest } from '../../support/approval-requests';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';
import { ledgerHarness } from '../../support/ledger-harness';

const ecs = mockClient(ECSClient);
const CLUSTER = 'tradai-cluster-prod';
const STRATEGY = `${CLUSTER}/tradai-prod-strategy-service`;
const COLLECTION = `${CLUSTER}/tradai-prod-data-collection-service`;
const OLD = 'ecs-svc/1111111111111111111';
const NEW = 'ecs-svc/2222222222222222222';
const PLAN = [
  { cluster: CLUSTER, service: 'tradai-prod-strategy-service', forceNewDeployment: true },
  { cluster: CLUSTER, service: 'tradai-prod-data-collection-service', forceNewDeployment: true },
];
const h = ledgerHarness('d', { env: { ALLOWED_TARGETS: JSON.stringify([STRATEGY, COLLECTION, `${CLUSTER}/tradai-prod-other-service`]), REDEPLOY_ON_TIMEOUT: 'abort' } });
let store: ApprovalStore;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<{ target: string; before: unknown; after: unknown; planned: boolean }>;
let incidentId: string;
let seq = 0;

beforeAll(async () => {
  store = new ApprovalStore('ledger', h.dynamo.client);
  handler = (await import('../../../runbooks/database-recovery/handlers/restart')).handler as typeof handler;
});
beforeEach(() => {
  ecs.reset();
  incidentId = h.nextIncidentId();
  const service = (primary: string): Service => ({ status: 'ACTIVE', desiredCount: 2, runningCount: 2, deployments: [{ id: primary, status: 'PRIMARY', rolloutState: 'COMPLETED' }] });
  ecs.on(DescribeServicesCommand).resolves({ services: [service(OLD)] });
  ecs.on(UpdateServiceCommand).resolves({ service: service(NEW) });
});

/** The restart gate's request, as the approval step writes it: one approval for the plan, on the database. */
const approved = (redeploys: unknown[] = PLAN, status: 'approved' | 'rejected' = 'approved') => seedApprovalRequest(store, {
  requestId: `apr-${(++seq).toString(16).padStart(32, '0')}`, incidentId, status,
  gate: {
    runbook: 'database-recovery', step: 'restart', summary: 's', firedAt: 'f', operation: 'ecs:UpdateService', target: 'tradai-prod-db',
    parameters: { redeploys }, evidence: null, severity: 'P2',
  },
});
const input = (target: string, approval: unknown, dryRun = false) => ({
  incident: incident({ id: incidentId, runbook: 'database-recovery', target: 'tradai-prod-db' }), execution: { id: EXECUTION_ARN },
  step: 'restart', target, approval, dryRun,
});

test('a service of the approved plan: its deployment recorded, then one forced deployment of exactly it', async () => {
  const requestId = await approved();
  const result = await handler(input(COLLECTION, { decision: 'approved', requestId }), lambdaContext);
  expect(result).toMatchObject({ target: COLLECTION, before: { deploymentId: OLD }, after: { deploymentId: NEW }, planned: false });
  expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER, service: 'tradai-prod-data-collection-service', forceNewDeployment: true }]);
  expect(await h.ledger.listActions(incidentId)).toEqual([expect.objectContaining({ target: COLLECTION, status: 'succeeded' })]);
});

test('a service the approved plan does not name (though allowed) is refused before anything is read or changed', async () => {
  const requestId = await approved([PLAN[0]]);
  await expect(handler(input(COLLECTION, { decision: 'approved', requestId }), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected' });
  expect(ecs.calls()).toHaveLength(0);
  expect(await h.ledger.listActions(incidentId)).toEqual([]);
});

test('no approved decision: NotApproved, nothing called; a rejected request named as approved: ChangeRejected', async () => {
  await expect(handler(input(STRATEGY, { decision: 'rejected' }), lambdaContext)).rejects.toMatchObject({ name: 'NotApproved' });
  const requestId = await approved(PLAN, 'rejected');
  await expect(handler(input(STRATEGY, { decision: 'approved', requestId }), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected' });
  expect(ecs.calls()).toHaveLength(0);
});

test('a dry run asks for no approval and plans the call, making none', async () => {
  const result = await handler(input(STRATEGY, { decision: 'not-asked' }, true), lambdaContext);
  expect(result).toMatchObject({ planned: true, target: STRATEGY });
  expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
});

test('a Retry after the call took effect replays the row: one forced deployment', async () => {
  const requestId = await approved();
  await handler(input(STRATEGY, { decision: 'approved', requestId }), lambdaContext);
  await handler(input(STRATEGY, { decision: 'approved', requestId }), lambdaContext);
  expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
});
