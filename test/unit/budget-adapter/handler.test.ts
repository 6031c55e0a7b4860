import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { autopilotEventSchema, incidentIdFor, parseTrigger } from '../../../lambdas/domain/trigger';
import { lambdaContext } from '../../support/fixtures';
import { triggerOf } from '../../support/runbooks';

const sfn = mockClient(SFNClient);
const STATE_MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:runbook-autopilot-llm-budget-guardrail';
const TOPIC = 'arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-drill-budget';
const SNS_EVENT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'events', 'llm-budget-guardrail.sns.json'), 'utf8')) as {
  Records: [{ Sns: { MessageId: string; Message: string; Timestamp: string } & Record<string, unknown> }];
};

interface Summary { started: string[]; duplicates: number; skipped: { reason: string }[] }
let handler: (event: unknown, context: typeof lambdaContext) => Promise<Summary>;
let errorLog: jest.SpyInstance;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'sa-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', POWERTOOLS_LOG_LEVEL: 'SILENT',
    RUNBOOK: 'llm-budget-guardrail', STATE_MACHINE_ARN: STATE_MACHINE, BUDGET_NAMES: JSON.stringify(['alphaswarm-prod-monthly']),
  });
  const { logger } = await import('../../../lambdas/shared/logger');
  errorLog = jest.spyOn(logger, 'error');
  handler = (await import('../../../lambdas/budget-adapter/handler')).handler as unknown as typeof handler;
});

beforeEach(() => {
  sfn.reset();
  errorLog.mockClear();
});

/** The sample event with its SNS fields changed. */
function snsEvent(changes: Record<string, unknown> = {}): unknown {
  const event = structuredClone(SNS_EVENT);
  Object.assign(event.Records[0].Sns, changes);
  return event;
}
const executionArn = (name: string) => STATE_MACHINE.replace(':stateMachine:', ':execution:') + `:${name}`;
const startedInputs = () => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

test('an AWS Budgets notification starts llm-budget-guardrail with the Budget Notification event, named after its incident', async () => {
  const name = incidentIdFor('budget|alphaswarm-prod-monthly|ACTUAL|1200|2026-11');
  sfn.on(StartExecutionCommand).resolves({ executionArn: executionArn(name), startDate: new Date() });

  const summary = await handler(snsEvent(), lambdaContext);

  const [call] = startedInputs();
  expect(call).toEqual({ stateMachineArn: STATE_MACHINE, name, input: expect.any(String) });
  const event = JSON.parse(call!.input!) as unknown;
  expect(event).toEqual({
    source: 'runbook-autopilot',
    'detail-type': 'Budget Notification',
    detail: {
      budgetName: 'alphaswarm-prod-monthly', alertType: 'ACTUAL', thresholdAmount: 1200, actualOrForecastAmount: 1260, budgetedAmount: 1500,
      messageId: '7d3f0c1e-5a62-5b8e-9c41-2f6e8a9b1d04', topicArn: TOPIC, timestamp: '2026-11-18T14:07:22.418Z',
    },
  });
  // Admit reads the same event and derives the same incident the execution is named after.
  expect(autopilotEventSchema.safeParse(event).success).toBe(true);
  expect(incidentIdFor(parseTrigger('llm-budget-guardrail', event, triggerOf('llm-budget-guardrail')).dedupeKey)).toBe(name);
  expect(summary).toEqual({ started: [executionArn(name)], duplicates: 0, skipped: [] });
  expect(errorLog).not.toHaveBeenCalled();
});

test('a redelivered notification asks for the same execution name and counts as a duplicate, not an error', async () => {
  sfn.on(StartExecutionCommand)
    .resolvesOnce({ executionArn: 'arn:first', startDate: new Date() })
    .rejects(new ExecutionAlreadyExists({ message: "Execution Already Exists: 'arn:first'", $metadata: { httpStatusCode: 400 } }));

  await handler(snsEvent(), lambdaContext);
  const again = await handler(snsEvent(), lambdaContext);
  // The same alert published again under another message id is still the same incident.
  const republished = await handler(snsEvent({ MessageId: '0b9e4f7a-1111-5222-8333-944455556666', Timestamp: '2026-11-18T16:30:00.000Z' }), lambdaContext);

  const names = startedInputs().map((c) => c.name);
  expect(new Set(names).size).toBe(1);
  expect(names).toHaveLength(3);
  expect(again).toEqual({ started: [], duplicates: 1, skipped: [] });
  expect(republished).toEqual({ started: [], duplicates: 1, skipped: [] });
  expect(errorLog).not.toHaveBeenCalled();
});

test('a forecast alert is another incident than the actual one at the same threshold', async () => {
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
  const forecast = SNS_EVENT.Records[0].Sns.Message.replace('Alert Type: ACTUAL', 'Alert Type: FORECASTED').replace('ACTUAL Amount:', 'FORECASTED Amount:');

  await handler(snsEvent(), lambdaContext);
  await handler(snsEvent({ Message: forecast }), lambdaContext);

  const [actual, forecasted] = startedInputs().map((c) => c.name);
  expect(forecasted).toBe(incidentIdFor('budget|alphaswarm-prod-monthly|FORECASTED|1200|2026-11'));
  expect(forecasted).not.toBe(actual);
});

test('a malformed budget notification starts nothing and logs one clear error line', async () => {
  const summary = await handler(snsEvent({ Message: 'AWS Budget Notification November 18, 2026\nBudget Name: alphaswarm-prod-monthly\n' }), lambdaContext);

  expect(sfn.calls()).toHaveLength(0);
  expect(errorLog).toHaveBeenCalledTimes(1);
  expect(errorLog).toHaveBeenCalledWith('Ignored a malformed budget notification: budget notification has no "Budget Type" line', expect.objectContaining({ messageId: '7d3f0c1e-5a62-5b8e-9c41-2f6e8a9b1d04' }));
  expect(summary).toEqual({ started: [], duplicates: 0, skipped: [{ reason: 'budget notification has no "Budget Type" line' }] });
});

test('an input that is not an SNS notification starts nothing and logs one clear error line', async () => {
  const summary = await handler({ hello: 'world' }, lambdaContext);

  expect(sfn.calls()).toHaveLength(0);
  expect(errorLog).toHaveBeenCalledTimes(1);
  expect(errorLog.mock.calls[0]![0]).toMatch(/^Ignored an input that is not an SNS notification: /);
  expect(summary.skipped).toHaveLength(1);
});

test('a notification for a budget that is not configured starts nothing', async () => {
  const other = SNS_EVENT.Records[0].Sns.Message.replace('Budget Name: alphaswarm-prod-monthly', 'Budget Name: alphaswarm-dev-monthly');

  const summary = await handler(snsEvent({ Message: other }), lambdaContext);

  expect(sfn.calls()).toHaveLength(0);
  expect(errorLog).not.toHaveBeenCalled();
  expect(summary).toEqual({ started: [], duplicates: 0, skipped: [{ reason: 'budget alphaswarm-dev-monthly is not a configured budget of llm-budget-guardrail' }] });
});

test('throttling on StartExecution throws, so the asynchronous invoke retries the notification', async () => {
  sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

  await expect(handler(snsEvent(), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
});

test('a Step Functions 5xx throws as well', async () => {
  sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Internal error'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }));

  await expect(handler(snsEvent(), lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
});
