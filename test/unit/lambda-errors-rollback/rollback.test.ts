import 'aws-sdk-client-mock-jest';
import { GetAliasCommand, LambdaClient, PreconditionFailedException, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { Ledger } from '../../../lambdas/shared/ledger';
import { seedApprovalRequest } from '../../support/approval-requests';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const lambda = mockClient(LambdaClient);
const FN = 'cabruca-segmentation-prod-manager-agent';
const KEY = `${FN}:live`;
const CALL = { FunctionName: FN, Name: 'live', FunctionVersion: '6', RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: 'rev-at-diagnosis' };
let ledger: Ledger;
let store: ApprovalStore;
let handler: (event: unknown, context: typeof lambdaContext) => Promise<{ before: unknown; after: unknown; planned: boolean }>;
let incidentId: string;
let seq = 0;

// The ledger in dynalite and the handler's environment, set before the handler cold-starts.
const harness = ledgerHarness('0', {
  env: {
    ALLOWED_TARGETS: JSON.stringify([FN]), TARGET_ALIASES: JSON.stringify({ [FN]: 'live' }), ROLLBACK_ON_TIMEOUT: 'abort',
  },
});
beforeAll(async () => {
  ledger = harness.ledger;
  store = new ApprovalStore('ledger', harness.dynamo.client);
  handler = (await import('../../../runbooks/lambda-errors-rollback/handlers/rollback')).handler as typeof handler;
});

beforeEach(() => {
  lambda.reset();
  lambda.on(GetAliasCommand).resolves({ FunctionVersion: '7', RevisionId: 'rev-at-diagnosis' });
  lambda.on(UpdateAliasCommand).resolves({ FunctionVersion: '6', RevisionId: 'rev-after' });
  incidentId = `inc-${(++seq).toString(16).padStart(16, '0')}`;
});

const approve = (parameters: Record<string, unknown> = CALL) => seedApprovalRequest(store, {
  requestId: `apr-${seq.toString(16).padStart(32, '0')}`, incidentId, status: 'approved',
  gate: { runbook: 'lambda-errors-rollback', step: 'rollback', summary: 's', firedAt: 'f', operation: 'lambda:UpdateAlias', target: KEY, parameters, evidence: null, severity: 'P3' },
});
const input = (requestId: string, extra: Record<string, unknown> = {}) => ({
  incident: incident({ id: incidentId, runbook: 'lambda-errors-rollback', target: FN }), execution: { id: EXECUTION_ARN },
  call: CALL, approval: { decision: 'approved', requestId }, ...extra,
});

test('as approved: the routing it replaces is recorded before the call, and UpdateAlias names the version, cleared weights and the RevisionId read at diagnosis', async () => {
  const requestId = await approve();
  let rowAtCall: unknown;
  lambda.on(UpdateAliasCommand).callsFake(async () => {
    rowAtCall = await ledger.getAction(incidentId, `rollback#lambda:UpdateAlias#${KEY}`);
    return { FunctionVersion: '6', RevisionId: 'rev-after' };
  });
  const result = await handler(input(requestId), lambdaContext);
  expect(rowAtCall).toMatchObject({ status: 'intent', before: { functionVersion: '7', additionalVersionWeights: {} } });
  expect(result).toMatchObject({ before: { functionVersion: '7' }, after: { functionVersion: '6', additionalVersionWeights: {} }, planned: false });
  expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 1);
  expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, {
    FunctionName: FN, Name: 'live', FunctionVersion: '6', RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: 'rev-at-diagnosis',
  });
});

test('an alias changed since it was read: Lambda refuses, the row is failed (nothing changed), and the step ends AliasChanged', async () => {
  const requestId = await approve();
  lambda.on(UpdateAliasCommand).rejects(new PreconditionFailedException({ message: 'The Revision Id provided does not match the latest Revision Id.', $metadata: { httpStatusCode: 412 } }));
  await expect(handler(input(requestId), lambdaContext)).rejects.toMatchObject({ name: 'AliasChanged' });
  expect(await ledger.getAction(incidentId, `rollback#lambda:UpdateAlias#${KEY}`)).toMatchObject({ status: 'failed' });
});

test('a lost answer, then a Retry: the alias read again shows the rollback in effect, so no second call', async () => {
  const requestId = await approve();
  lambda.on(UpdateAliasCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
  await expect(handler(input(requestId), lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
  expect(await ledger.getAction(incidentId, `rollback#lambda:UpdateAlias#${KEY}`)).toMatchObject({ status: 'unknown' });
  lambda.on(GetAliasCommand).resolves({ FunctionVersion: '6', RevisionId: 'rev-after' });
  await expect(handler(input(requestId), lambdaContext)).resolves.toMatchObject({ after: { functionVersion: '6' }, replayed: true });
  expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 1);
});

test('an approval of another version, or of no RevisionId match, covers nothing: no call', async () => {
  const requestId = await approve({ ...CALL, FunctionVersion: '5' });
  await expect(handler(input(requestId), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected' });
  expect(lambda).not.toHaveReceivedCommand(UpdateAliasCommand);
});

test('a dry run asks nobody and calls nothing: the exact call is planned', async () => {
  const result = await handler(input('none', { approval: { decision: 'not-asked' }, dryRun: true }), lambdaContext);
  expect(result).toMatchObject({ planned: true, after: { functionVersion: '6' } });
  expect(lambda).not.toHaveReceivedCommand(UpdateAliasCommand);
});

test('not a dry run, without an approval: refused before any read', async () => {
  await expect(handler(input('none', { approval: { decision: 'not-asked' } }), lambdaContext)).rejects.toMatchObject({ name: 'NotApproved' });
  expect(lambda).not.toHaveReceivedAnyCommand();
});

test('a call for another alias than the configured one is refused', async () => {
  const requestId = await approve();
  await expect(handler(input(requestId, { call: { ...CALL, Name: 'canary' } }), lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput' });
  expect(lambda).not.toHaveReceivedCommand(UpdateAliasCommand);
});
