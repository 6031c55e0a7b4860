import 'aws-sdk-client-mock-jest';
import { GetFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ApprovalStore, type RequestStatus } from '../../../lambdas/approval/store';
import { Ledger } from '../../../lambdas/shared/ledger';
import { handlerTestEnv, startDynalite, type LocalDynamo } from '../../support/dynalite';
import { seedApprovalRequest } from '../../support/approval-requests';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const lambda = mockClient(LambdaClient);
const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
let dynamo: LocalDynamo;
let ledger: Ledger;
let store: ApprovalStore;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<{ before: unknown; after: unknown }>;
let incidentId: string;
let seq = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createLedgerTable('ledger');
  ledger = new Ledger('ledger', dynamo.client);
  store = new ApprovalStore('ledger', dynamo.client);
  Object.assign(process.env, handlerTestEnv(dynamo.endpoint, 'ledger'), {
    ALLOWED_TARGETS: JSON.stringify([FUNCTION]), RESTORE_RESERVED_CONCURRENCY: '5', RESTORE_ON_TIMEOUT: 'abort',
  });
  handler = (await import('../../../runbooks/lambda-runaway/handlers/restore')).handler as typeof handler;
});
afterAll(() => dynamo.close());

beforeEach(() => {
  lambda.reset();
  lambda.on(GetFunctionCommand).resolves({ Concurrency: { ReservedConcurrentExecutions: 0 }, Configuration: { State: 'Active' } });
  lambda.on(PutFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 5 });
  incidentId = `inc-${(++seq).toString(16).padStart(16, '0')}`;
});

async function approval(status: RequestStatus, parameters: Record<string, unknown> = { FunctionName: FUNCTION, ReservedConcurrentExecutions: 5 }, forIncident = incidentId) {
  return seedApprovalRequest(store, {
    requestId: `apr-${seq.toString(16).padStart(32, '0')}`, incidentId: forIncident, status,
    gate: { runbook: 'lambda-runaway', step: 'restore', summary: 's', firedAt: 'f', operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, parameters, evidence: null, severity: 'P2' },
  });
}

const input = (requestId: string, decision = 'approved') => ({
  incident: incident({ id: incidentId }), execution: { id: EXECUTION_ARN }, approval: { decision, requestId },
});

test('an approved request that names this exact call: 0 is recorded, then 5 is set', async () => {
  const requestId = await approval('approved');
  let intentAtCall: unknown;
  lambda.on(PutFunctionConcurrencyCommand).callsFake(async () => {
    intentAtCall = await ledger.getAction(incidentId, `restore#lambda:PutFunctionConcurrency#${FUNCTION}`);
    return { ReservedConcurrentExecutions: 5 };
  });
  const result = await handler(input(requestId), lambdaContext);
  expect(result).toMatchObject({ before: 0, after: 5 });
  expect(intentAtCall).toMatchObject({ status: 'intent', before: 0 });
  expect(lambda).toHaveReceivedCommandWith(PutFunctionConcurrencyCommand, { FunctionName: FUNCTION, ReservedConcurrentExecutions: 5 });
});

test.each([
  ['a request still open', () => approval('open')],
  ['a rejected request', () => approval('rejected')],
  ['a timed-out request on a step that aborts', () => approval('timed-out')],
  ['an approval of another value', () => approval('approved', { FunctionName: FUNCTION, ReservedConcurrentExecutions: 50 })],
  ["another incident's approval", () => approval('approved', undefined, 'inc-ffffffffffffffff')],
])('refuses %s: no call is made', async (_what, make) => {
  const requestId = await make();
  await expect(handler(input(requestId), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected' });
  expect(lambda).not.toHaveReceivedCommand(PutFunctionConcurrencyCommand);
});

test('refuses a request id the ledger does not hold', async () => {
  await expect(handler(input('apr-00000000000000000000000000000bad'), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected' });
  expect(lambda).not.toHaveReceivedCommand(PutFunctionConcurrencyCommand);
});
