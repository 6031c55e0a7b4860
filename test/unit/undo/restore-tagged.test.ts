/**
 * The undo's restore on targets allowlisted by tag: a function or table nobody named is restored
 * only while it carries the incident's runbook's tags, read at undo time; otherwise it is refused
 * before any read or change of the resource.
 */
import 'aws-sdk-client-mock-jest';
import { DescribeTableCommand, DynamoDBClient, ListTagsOfResourceCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteFunctionConcurrencyCommand, GetFunctionCommand, LambdaClient, ListTagsCommand, PutFunctionConcurrencyCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { RestoreStep } from '../../../lambdas/domain/undo-plan';
import { incident, lambdaContext } from '../../support/fixtures';
import { FUNCTION, restoreOf, UNDO_EXEC, undoHarness } from './harness';

const lambda = mockClient(LambdaClient);
const dynamodb = mockClient(DynamoDBClient);
const TAGGED_FUNCTION = 'cabruca-segmentation-prod-annotator-agent';
const TAGGED_TABLE = 'cabruca-segmentation-prod-agent-tasks';
const ALLOW = { 'runbook-autopilot:allow': 'true' };
// The ARNs are built from the invoked function's own ARN (lambdaContext: sa-east-1, 111122223333).
const FUNCTION_ARN = `arn:aws:lambda:sa-east-1:111122223333:function:${TAGGED_FUNCTION}`;
const TABLE_ARN = `arn:aws:dynamodb:sa-east-1:111122223333:table/${TAGGED_TABLE}`;
const h = undoHarness(() => import('../../../lambdas/undo/restore'), 'd', {
  env: {
    ALLOWED_TARGETS: JSON.stringify([FUNCTION]),
    ALLOWED_TARGET_TAGS_BY_RUNBOOK: JSON.stringify({ 'lambda-runaway': ALLOW, 'dynamodb-throttling': { 'runbook-autopilot:allow': 'dynamodb-throttling' } }),
  },
  mockedDynamo: dynamodb,
});
let incidentId: string;

beforeEach(() => {
  lambda.reset();
  dynamodb.reset();
  incidentId = h.nextIncidentId();
});

const input = (runbook: string, target: string, restore: RestoreStep) =>
  ({ incident: incident({ id: incidentId, runbook, target }), execution: { id: UNDO_EXEC }, restore });
const stopOfNone = () => restoreOf('stop', 'lambda:PutFunctionConcurrency', TAGGED_FUNCTION, null, 0);
function expectNoConcurrencyChange() {
  expect(lambda).toHaveReceivedCommandTimes(PutFunctionConcurrencyCommand, 0);
  expect(lambda).toHaveReceivedCommandTimes(DeleteFunctionConcurrencyCommand, 0);
}

test('a function carrying the tags now: its tags are read by ARN, then the reserved concurrency is put back', async () => {
  lambda.on(ListTagsCommand).resolves({ Tags: { ...ALLOW, Project: 'cabruca-segmentation' } });
  lambda.on(GetFunctionCommand).resolves({ Concurrency: { ReservedConcurrentExecutions: 0 } });
  lambda.on(DeleteFunctionConcurrencyCommand).resolves({});

  const result = await h.handler(input('lambda-runaway', TAGGED_FUNCTION, stopOfNone()), lambdaContext);

  expect(lambda).toHaveReceivedCommandWith(ListTagsCommand, { Resource: FUNCTION_ARN });
  expect(lambda).toHaveReceivedCommandWith(DeleteFunctionConcurrencyCommand, { FunctionName: TAGGED_FUNCTION });
  expect(result).toMatchObject({ outcome: 'restored', target: TAGGED_FUNCTION, found: 0, restoredTo: null });
  expect(await h.ledger.getAction(incidentId, `undo-stop#lambda:DeleteFunctionConcurrency#${TAGGED_FUNCTION}`)).toMatchObject({ status: 'succeeded', before: 0, after: null });
});

test.each<[string, Record<string, string>]>([
  ['removed since the runbook acted', { Project: 'cabruca-segmentation' }],
  ['changed to another value', { 'runbook-autopilot:allow': 'false' }],
])('the tag %s: refused in one line before any read or change; no ledger row', async (_, tags) => {
  lambda.on(ListTagsCommand).resolves({ Tags: tags });

  await expect(h.handler(input('lambda-runaway', TAGGED_FUNCTION, stopOfNone()), lambdaContext)).rejects.toMatchObject({
    name: 'TargetNotAllowed',
    message: `${TAGGED_FUNCTION} is not a configured target of lambda-runaway and does not carry runbook-autopilot:allow=true (tags read at undo time): not restored`,
  });

  // Only the tag read was sent: no GetFunction, no Put/DeleteFunctionConcurrency.
  expect(lambda.calls().map((c) => c.args[0].constructor.name)).toEqual(['ListTagsCommand']);
  expectNoConcurrencyChange();
  expect(await h.ledger.listActions(incidentId)).toEqual([]);
});

test('a function deleted since: refused, saying it does not exist', async () => {
  lambda.on(ListTagsCommand).rejects(new ResourceNotFoundException({ message: `Function not found: ${FUNCTION_ARN}`, $metadata: { httpStatusCode: 404 } }));

  await expect(h.handler(input('lambda-runaway', TAGGED_FUNCTION, stopOfNone()), lambdaContext)).rejects.toMatchObject({
    name: 'TargetNotAllowed', message: `${TAGGED_FUNCTION} is not a configured target of lambda-runaway and does not exist (tags read at undo time): not restored`,
  });
  expectNoConcurrencyChange();
});

test("the tags are the incident's runbook's: an incident of a runbook without targetTags is refused without reading any", async () => {
  await expect(h.handler(input('llm-budget-guardrail', TAGGED_FUNCTION, stopOfNone()), lambdaContext)).rejects.toMatchObject({
    name: 'TargetNotAllowed', message: `${TAGGED_FUNCTION} is not a configured target of llm-budget-guardrail: not restored`,
  });
  expect(lambda.calls()).toHaveLength(0);
});

test('a named target needs no tag read', async () => {
  lambda.on(GetFunctionCommand).resolves({ Concurrency: { ReservedConcurrentExecutions: 0 } });
  lambda.on(DeleteFunctionConcurrencyCommand).resolves({});

  await h.handler(input('lambda-runaway', FUNCTION, restoreOf('stop', 'lambda:PutFunctionConcurrency', FUNCTION, null, 0)), lambdaContext);

  expect(lambda).toHaveReceivedCommandTimes(ListTagsCommand, 0);
  expect(lambda).toHaveReceivedCommandWith(DeleteFunctionConcurrencyCommand, { FunctionName: FUNCTION });
});

describe('a table allowlisted by tag (dynamodb-throttling)', () => {
  const provisioned = { billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 5, globalSecondaryIndexes: [] };
  const switchBack = () => restoreOf('switch', 'dynamodb:UpdateTable', TAGGED_TABLE, provisioned, { billingMode: 'PAY_PER_REQUEST' });

  test('carrying its runbook\'s tags: back to PROVISIONED', async () => {
    dynamodb.on(ListTagsOfResourceCommand).resolves({ Tags: [{ Key: 'runbook-autopilot:allow', Value: 'dynamodb-throttling' }] });
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE', BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' } } });
    dynamodb.on(UpdateTableCommand).resolves({ TableDescription: { TableStatus: 'UPDATING' } });

    const result = await h.handler(input('dynamodb-throttling', TAGGED_TABLE, switchBack()), lambdaContext);

    expect(dynamodb).toHaveReceivedCommandWith(ListTagsOfResourceCommand, { ResourceArn: TABLE_ARN });
    expect(dynamodb).toHaveReceivedCommandWith(UpdateTableCommand, { TableName: TAGGED_TABLE, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } });
    expect(result).toMatchObject({ outcome: 'restored' });
  });

  test('carrying lambda-runaway\'s tag only: refused, the table is neither described nor updated', async () => {
    dynamodb.on(ListTagsOfResourceCommand).resolves({ Tags: [{ Key: 'runbook-autopilot:allow', Value: 'true' }] });

    await expect(h.handler(input('dynamodb-throttling', TAGGED_TABLE, switchBack()), lambdaContext)).rejects.toMatchObject({
      name: 'TargetNotAllowed', message: expect.stringContaining('does not carry runbook-autopilot:allow=dynamodb-throttling'),
    });
    expect(dynamodb).toHaveReceivedCommandTimes(DescribeTableCommand, 0);
    expect(dynamodb).toHaveReceivedCommandTimes(UpdateTableCommand, 0);
  });
});
