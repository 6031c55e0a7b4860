import 'aws-sdk-client-mock-jest';
import { DescribeTableCommand, DynamoDBClient, ResourceInUseException, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteFunctionConcurrencyCommand, GetAliasCommand, GetFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand, TooManyRequestsException, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { planUndo, type RestoreStep } from '../../../lambdas/domain/undo-plan';
import { seedApprovalRequest } from '../../support/approval-requests';
import { incident, lambdaContext } from '../../support/fixtures';
import { FUNCTION, restoreOf, RUNBOOK_EXEC, UNDO_EXEC, undoHarness } from './harness';

const lambda = mockClient(LambdaClient);
const ssm = mockClient(SSMClient);
const dynamodb = mockClient(DynamoDBClient);
const TABLE = 'cabruca-segmentation-prod-agent-state';
const PARAMETER = '/alphaswarm/prod/llm_model_preference';
const h = undoHarness(() => import('../../../lambdas/undo/restore'), 'c', {
  env: { ALLOWED_TARGETS: JSON.stringify([FUNCTION, TABLE, PARAMETER, `${FUNCTION}:live`]) },
  mockedDynamo: dynamodb,
});
let incidentId: string;

beforeEach(() => {
  lambda.reset();
  ssm.reset();
  dynamodb.reset();
  incidentId = h.nextIncidentId();
});

const input = (restore: RestoreStep) => ({ incident: incident({ id: incidentId }), execution: { id: UNDO_EXEC }, restore });
const reserved = (value: number | null) => lambda.on(GetFunctionCommand).resolves(value === null ? {} : { Concurrency: { ReservedConcurrentExecutions: value } });

describe('lambda alias (lambda-errors-rollback)', () => {
  const ALIAS = `${FUNCTION}:live`;
  const rollback = () => restoreOf('rollback', 'lambda:UpdateAlias', ALIAS, { functionVersion: '7', additionalVersionWeights: {} }, { functionVersion: '6', additionalVersionWeights: {} });

  test('the alias still on the version the rollback set: UpdateAlias back to the recorded version, with the RevisionId of the read just before', async () => {
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '6', RevisionId: 'rev-now' });
    lambda.on(UpdateAliasCommand).resolves({ FunctionVersion: '7', RevisionId: 'rev-after' });

    const result = await h.handler(input(rollback()), lambdaContext);

    expect(result).toMatchObject({ outcome: 'restored', found: { functionVersion: '6' } });
    expect(lambda).toHaveReceivedCommandWith(UpdateAliasCommand, {
      FunctionName: FUNCTION, Name: 'live', FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: 'rev-now',
    });
  });

  test('moved on since (a new deploy on 8): left as it is, no call', async () => {
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '8', RevisionId: 'rev-now' });

    const result = await h.handler(input(rollback()), lambdaContext);

    expect(result).toMatchObject({ outcome: 'changed-since' });
    expect(lambda).not.toHaveReceivedCommand(UpdateAliasCommand);
  });

  test('changed between the compare and the restore: the second read refuses, nothing is written to the alias', async () => {
    lambda.on(GetAliasCommand).resolvesOnce({ FunctionVersion: '6', RevisionId: 'rev-1' }).resolves({ FunctionVersion: '8', RevisionId: 'rev-2' });

    await expect(h.handler(input(rollback()), lambdaContext)).rejects.toMatchObject({ name: 'AliasChanged' });
    expect(lambda).not.toHaveReceivedCommand(UpdateAliasCommand);
  });
});

describe('lambda reserved concurrency', () => {
  const stopOfNone = () => restoreOf('stop', 'lambda:PutFunctionConcurrency', FUNCTION, null, 0);

  test('"none" before the stop: deletes the reserved concurrency, after recording the 0 it replaces', async () => {
    reserved(0);
    let intentAtCall: unknown;
    lambda.on(DeleteFunctionConcurrencyCommand).callsFake(async () => {
      intentAtCall = await h.ledger.getAction(incidentId, `undo-stop#lambda:DeleteFunctionConcurrency#${FUNCTION}`);
      return {};
    });

    const result = await h.handler(input(stopOfNone()), lambdaContext);

    expect(lambda).toHaveReceivedCommandWith(DeleteFunctionConcurrencyCommand, { FunctionName: FUNCTION });
    expect(lambda).toHaveReceivedCommandTimes(PutFunctionConcurrencyCommand, 0);
    expect(intentAtCall).toMatchObject({ status: 'intent', before: 0, executionArn: UNDO_EXEC, parameters: { FunctionName: FUNCTION } });
    expect(result).toMatchObject({ outcome: 'restored', found: 0, restoredTo: null, replayed: false });
    expect(await h.ledger.getAction(incidentId, `undo-stop#lambda:DeleteFunctionConcurrency#${FUNCTION}`)).toMatchObject({ status: 'succeeded', before: 0, after: null });
  });

  test('a number before the stop: puts that number back', async () => {
    reserved(0);
    lambda.on(PutFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 50 });

    await h.handler(input(restoreOf('stop', 'lambda:PutFunctionConcurrency', FUNCTION, 50, 0)), lambdaContext);

    expect(lambda).toHaveReceivedCommandWith(PutFunctionConcurrencyCommand, { FunctionName: FUNCTION, ReservedConcurrentExecutions: 50 });
  });

  test('changed since the runbook set it: left as it is, nothing written, the reason names expected and found', async () => {
    reserved(25);

    const result = await h.handler(input(stopOfNone()), lambdaContext);

    expect(result).toMatchObject({
      outcome: 'changed-since', expected: 0, found: 25,
      reason: `${FUNCTION} was changed since the runbook set it: expected 0, found 25; left as it is`,
    });
    expect(lambda).toHaveReceivedCommandTimes(DeleteFunctionConcurrencyCommand, 0);
    expect(await h.ledger.listActions(incidentId)).toEqual([]);
  });

  test('already back at the recorded value (put back by hand): no call, no row', async () => {
    reserved(null);

    const result = await h.handler(input(stopOfNone()), lambdaContext);

    expect(result).toMatchObject({ outcome: 'unchanged' });
    expect(lambda).toHaveReceivedCommandTimes(DeleteFunctionConcurrencyCommand, 0);
    expect(await h.ledger.listActions(incidentId)).toEqual([]);
  });

  test('a second run of the same restore (a second undo, a redrive) reads the ledger and calls nothing', async () => {
    reserved(0);
    lambda.on(DeleteFunctionConcurrencyCommand).resolves({});
    await h.handler(input(stopOfNone()), lambdaContext);
    lambda.reset();

    const again = await h.handler(input(stopOfNone()), lambdaContext);

    expect(lambda.calls()).toHaveLength(0);
    expect(again).toMatchObject({ outcome: 'restored', replayed: true, reason: `restored by ${UNDO_EXEC}` });
  });

  test('throttled: AwsThrottled for the state machine to retry; the retry finishes it once', async () => {
    reserved(0);
    lambda.on(DeleteFunctionConcurrencyCommand).rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } })).resolves({});
    await expect(h.handler(input(stopOfNone()), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
    expect(await h.ledger.getAction(incidentId, `undo-stop#lambda:DeleteFunctionConcurrency#${FUNCTION}`)).toMatchObject({ status: 'failed' });

    const retried = await h.handler(input(stopOfNone()), lambdaContext);

    expect(retried).toMatchObject({ outcome: 'restored' });
    expect(lambda).toHaveReceivedCommandTimes(DeleteFunctionConcurrencyCommand, 2);
    expect(await h.ledger.getAction(incidentId, `undo-stop#lambda:DeleteFunctionConcurrency#${FUNCTION}`)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  test('a retry whose first call did land is finished without calling again, not mistaken for a human change', async () => {
    reserved(0);
    lambda.on(DeleteFunctionConcurrencyCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    await expect(h.handler(input(stopOfNone()), lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
    lambda.reset();
    reserved(null);

    const retried = await h.handler(input(stopOfNone()), lambdaContext);

    expect(retried).toMatchObject({ outcome: 'restored' });
    expect(lambda).toHaveReceivedCommandTimes(DeleteFunctionConcurrencyCommand, 0);
  });

  test('a target outside the config is refused before any call', async () => {
    await expect(h.handler(input(restoreOf('stop', 'lambda:PutFunctionConcurrency', 'someone-elses-function', null, 0)), lambdaContext))
      .rejects.toMatchObject({ name: 'TargetNotAllowed' });
    expect(lambda.calls()).toHaveLength(0);
  });
});

describe('several changes to one resource, newest first: "changed since" is checked before "already back"', () => {
  /** A stop (none -> 0) then an approved restore (0 -> 5) in the ledger, and the plan made from it. */
  const plan = async () => {
    for (const [step, before, after] of [['stop', null, 0], ['restore', 0, 5]] as const) {
      const actionKey = `${step}#lambda:PutFunctionConcurrency#${FUNCTION}`;
      await h.ledger.recordIntent({ incidentId, actionKey, runbook: 'lambda-runaway', operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, executionArn: RUNBOOK_EXEC, before });
      await h.ledger.completeAction(incidentId, actionKey, after);
      // The ledger lists an incident's rows by when they started: the restore starts after the stop.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return planUndo(await h.ledger.listActions(incidentId)).restores;
  };

  test('a human stopped the function again after the restore to 5: the newest change is left (found 0, not 5), and so is the stop; nothing is called', async () => {
    reserved(0);
    const [undoRestore, undoStop] = await plan();

    const newest = await h.handler(input(undoRestore!), lambdaContext);
    const oldest = await h.handler(input(undoStop!), lambdaContext);

    expect(newest).toMatchObject({ outcome: 'changed-since', reason: `${FUNCTION} was changed since the runbook set it: expected 5, found 0; left as it is` });
    expect(oldest).toMatchObject({ outcome: 'changed-since', reason: expect.stringContaining(`the newer change restore#lambda:PutFunctionConcurrency#${FUNCTION} was not undone`) });
    expect(lambda).toHaveReceivedCommandTimes(PutFunctionConcurrencyCommand, 0);
    expect(lambda).toHaveReceivedCommandTimes(DeleteFunctionConcurrencyCommand, 0);
  });

  test('the newest undone first, the older one is restored after it', async () => {
    lambda.on(GetFunctionCommand).resolvesOnce({ Concurrency: { ReservedConcurrentExecutions: 5 } }).resolves({ Concurrency: { ReservedConcurrentExecutions: 0 } });
    lambda.on(PutFunctionConcurrencyCommand).resolves({ ReservedConcurrentExecutions: 0 });
    lambda.on(DeleteFunctionConcurrencyCommand).resolves({});
    const [undoRestore, undoStop] = await plan();

    expect(await h.handler(input(undoRestore!), lambdaContext)).toMatchObject({ outcome: 'restored' });
    expect(await h.handler(input(undoStop!), lambdaContext)).toMatchObject({ outcome: 'restored' });
    expect(lambda).toHaveReceivedCommandTimes(DeleteFunctionConcurrencyCommand, 1);
  });
});

describe('a change whose answer was lost (its row unknown): the restore reads the resource and settles the row first', () => {
  const KEY = `stop#lambda:PutFunctionConcurrency#${FUNCTION}`;
  const unknownStop = async () => {
    await h.ledger.recordIntent({ incidentId, actionKey: KEY, runbook: 'lambda-runaway', operation: 'lambda:PutFunctionConcurrency', target: FUNCTION, executionArn: RUNBOOK_EXEC, before: null, intended: 0 });
    await h.ledger.markUnknown(incidentId, KEY, 'AwsUnavailable: TimeoutError');
    return planUndo(await h.ledger.listActions(incidentId)).restores[0]!;
  };

  test('in effect (the function is at 0): the row is settled succeeded, then restored', async () => {
    const step = await unknownStop();
    reserved(0);
    lambda.on(DeleteFunctionConcurrencyCommand).resolves({});

    expect(await h.handler(input(step), lambdaContext)).toMatchObject({ outcome: 'restored' });
    expect(await h.ledger.getAction(incidentId, KEY)).toMatchObject({ status: 'succeeded', after: 0, reconciledAt: expect.any(String) });
  });

  test('not in effect (the function as before): the row is settled failed, nothing is called', async () => {
    const step = await unknownStop();
    reserved(null);

    expect(await h.handler(input(step), lambdaContext)).toMatchObject({ outcome: 'unchanged', reason: expect.stringContaining('did not take effect') });
    expect(lambda).toHaveReceivedCommandTimes(DeleteFunctionConcurrencyCommand, 0);
    expect(await h.ledger.getAction(incidentId, KEY)).toMatchObject({ status: 'failed', error: expect.stringContaining('reconciled by the undo') });
  });

  test('neither (someone set another value): left as it is, the row stays unknown', async () => {
    const step = await unknownStop();
    reserved(25);

    expect(await h.handler(input(step), lambdaContext)).toMatchObject({ outcome: 'changed-since', reason: expect.stringContaining('expected 0, found 25') });
    expect(await h.ledger.getAction(incidentId, KEY)).toMatchObject({ status: 'unknown' });
  });
});

describe('dynamodb capacity and ssm parameter', () => {
  const provisioned = { billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 10, globalSecondaryIndexes: [] };

  test('an on-demand table goes back to PROVISIONED with the recorded throughput, exactly as planned', async () => {
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE', BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' }, ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 } } });
    dynamodb.on(UpdateTableCommand).resolves({ TableDescription: { TableStatus: 'UPDATING' } });

    const result = await h.handler(input(restoreOf('switch', 'dynamodb:UpdateTable', TABLE, provisioned, { billingMode: 'PAY_PER_REQUEST' })), lambdaContext);

    expect(dynamodb).toHaveReceivedCommandWith(UpdateTableCommand, {
      TableName: TABLE, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 10 },
    });
    expect(result).toMatchObject({ outcome: 'restored' });
  });

  test('a table someone put on other provisioned capacities since is left as it is', async () => {
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE', ProvisionedThroughput: { ReadCapacityUnits: 50, WriteCapacityUnits: 50 } } });

    const result = await h.handler(input(restoreOf('switch', 'dynamodb:UpdateTable', TABLE, provisioned, { billingMode: 'PAY_PER_REQUEST' })), lambdaContext);

    expect(result).toMatchObject({ outcome: 'changed-since', reason: expect.stringContaining('expected {"billingMode":"PAY_PER_REQUEST"}, found {"billingMode":"PROVISIONED","readCapacityUnits":50') });
    expect(dynamodb).toHaveReceivedCommandTimes(UpdateTableCommand, 0);
  });

  test('a table still switching is TableBusy, for the state machine to wait out', async () => {
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'UPDATING', BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' } } });
    dynamodb.on(UpdateTableCommand).rejects(new ResourceInUseException({ message: 'Attempt to change a resource which is still in use', $metadata: {} }));

    await expect(h.handler(input(restoreOf('switch', 'dynamodb:UpdateTable', TABLE, provisioned, { billingMode: 'PAY_PER_REQUEST' })), lambdaContext))
      .rejects.toMatchObject({ name: 'TableBusy' });
  });

  test('the model preference gets the recorded value back, with Overwrite', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Value: 'haiku' } });
    ssm.on(PutParameterCommand).resolves({ Version: 3 });

    await h.handler(input(restoreOf('switch', 'ssm:PutParameter', PARAMETER, 'sonnet', 'haiku')), lambdaContext);

    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: PARAMETER, Value: 'sonnet', Type: 'String', Overwrite: true });
  });
});

test('a restore the plan could not have made is InvalidInput naming the field', async () => {
  await expect(h.handler({ ...input(restoreOf('stop', 'lambda:PutFunctionConcurrency', FUNCTION, null, 0)), restore: { operation: 'lambda:DeleteFunction' } }, lambdaContext))
    .rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('restore.') });
});

describe('only as the undo was approved (assertApproved)', () => {
  const stop = () => restoreOf('stop', 'lambda:PutFunctionConcurrency', FUNCTION, null, 0);
  const undoGate = (restores: unknown[]) => ({
    runbook: incident().runbook, step: 'undo', summary: 'undo', firedAt: new Date().toISOString(), operation: 'lambda:DeleteFunctionConcurrency',
    target: FUNCTION, parameters: { restores }, evidence: null, severity: 'P3',
  });
  const requestId = () => `apr-${incidentId.slice(4).padStart(32, '0')}`;

  test('no approval handed over: NotApproved, before any read or change', async () => {
    await expect(h.unapprovedHandler(input(stop()), lambdaContext)).rejects.toMatchObject({ name: 'NotApproved', message: expect.stringContaining('got none') });
    await expect(h.unapprovedHandler({ ...input(stop()), approval: { decision: 'rejected', requestId: 'apr-x' } }, lambdaContext)).rejects.toMatchObject({ name: 'NotApproved' });
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  test('an approved request whose plan does not hold this restore, or a request the ledger says was rejected: ChangeRejected, nothing changed', async () => {
    const other = restoreOf('stop', 'lambda:PutFunctionConcurrency', FUNCTION, 50, 0);
    const id = await seedApprovalRequest(h.approvals, { requestId: requestId(), incidentId, status: 'approved', gate: undoGate([other]) });
    await expect(h.unapprovedHandler({ ...input(stop()), approval: { decision: 'approved', requestId: id } }, lambdaContext))
      .rejects.toMatchObject({ name: 'ChangeRejected', message: expect.stringContaining('for a different call') });
    incidentId = h.nextIncidentId();
    const rejected = await seedApprovalRequest(h.approvals, { requestId: requestId(), incidentId, status: 'rejected', gate: undoGate([stop()]) });
    await expect(h.unapprovedHandler({ ...input(stop()), approval: { decision: 'approved', requestId: rejected } }, lambdaContext))
      .rejects.toMatchObject({ name: 'ChangeRejected', message: expect.stringContaining('rejected') });
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  test('an approved plan of several restores covers each of them', async () => {
    reserved(0);
    lambda.on(DeleteFunctionConcurrencyCommand).resolves({});
    const switchBack = restoreOf('switch', 'dynamodb:UpdateTable', TABLE, { billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 5, globalSecondaryIndexes: [] }, { billingMode: 'PAY_PER_REQUEST' });
    const id = await seedApprovalRequest(h.approvals, { requestId: requestId(), incidentId, status: 'approved', gate: undoGate([switchBack, stop()]) });
    const result = await h.unapprovedHandler({ ...input(stop()), approval: { decision: 'approved', requestId: id } }, lambdaContext);
    expect(result).toMatchObject({ outcome: 'restored' });
    expect(lambda).toHaveReceivedCommandWith(DeleteFunctionConcurrencyCommand, { FunctionName: FUNCTION });
  });
});
