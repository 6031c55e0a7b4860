/**
 * The execution-failure rule's notifier against a real ledger (dynalite), with Step Functions'
 * history and SNS mocked: which state failed, the incident marked failed, one escalation per
 * execution and redrive count, and what it says when the history or the ledger cannot be read.
 */
import 'aws-sdk-client-mock-jest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { ExecutionFailedResult } from '../../../lambdas/notify/execution-failed';
import { executionConsoleUrl } from '../../../lambdas/domain/message';
import { METRIC } from '../../../lambdas/domain/metrics';
import { tapMetrics } from '../../../drill/metrics-tap';
import { ledgerHarness } from '../../support/ledger-harness';
import { incident, lambdaContext } from '../../support/fixtures';
import { delivered } from '../../support/notifications';

const sns = mockClient(SNSClient);
const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const REPORTS = 'runbook-autopilot-incident-reports';
const CRITICAL = 'arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-critical';
const MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:RunbookLambdaRunaway-abc';
const STATE = 'Stop function: reserved concurrency 0';
const ERROR = 'AwsUnavailable';
const CAUSE = JSON.stringify({ errorType: ERROR, errorMessage: 'lambda:PutFunctionConcurrency on fn: ServiceException: An internal service error has occurred.' });

// The report's metric is asserted as the EMF line the handler prints (taken off stdout by the tap).
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
const PAGES = 'https://github.com/acme/runbook-autopilot/blob/main/docs/runbooks';
const h = ledgerHarness('7', { env: { CRITICAL_TOPIC_ARN: CRITICAL, REPORT_BUCKET: REPORTS, RUNBOOK_MACHINES: JSON.stringify([{ runbook: 'lambda-runaway', arn: MACHINE }]), RUNBOOK_PAGES_URL: PAGES } });
type Handler = (event: unknown, context: typeof lambdaContext) => Promise<ExecutionFailedResult>;
let handler: Handler;
/** Imported once the harness has set the environment (a silent log level), as the handler is. */
let logger: typeof import('../../../lambdas/shared/logger').logger;
beforeAll(async () => {
  handler = (await import('../../../lambdas/notify/execution-failed')).handler as unknown as Handler;
  ({ logger } = await import('../../../lambdas/shared/logger'));
});

let incidentId: string;
let executionArn: string;
let sequence = 0;
beforeEach(() => {
  sns.reset();
  sfn.reset();
  s3.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
  incidentId = h.nextIncidentId();
  executionArn = `arn:aws:states:sa-east-1:111122223333:execution:RunbookLambdaRunaway-abc:run-${++sequence}`;
});

const statusEvent = (overrides: Record<string, unknown> = {}) => ({
  version: '0', id: 'e-1', 'detail-type': 'Step Functions Execution Status Change', source: 'aws.states', account: '111122223333',
  time: '2026-11-23T03:05:00Z', region: 'sa-east-1', resources: [executionArn],
  detail: {
    executionArn, stateMachineArn: MACHINE, name: executionArn.split(':').pop(), status: 'FAILED', startDate: 1, stopDate: 2, input: '{}',
    error: ERROR, cause: CAUSE, redriveCount: 0, ...overrides,
  },
});

/** A run's history, newest first, as GetExecutionHistory(reverseOrder) answers: started (or redriven), the state entered, its failures, the end. */
function history(o: { state?: string | null; input?: unknown; redriveCount?: number; end?: string } = {}): HistoryEvent[] {
  const at = new Date('2026-11-23T03:05:00Z');
  const input = o.input ?? { event: {}, admission: { incident: incident({ id: incidentId }) } };
  const events: HistoryEvent[] = [
    (o.redriveCount ?? 0) > 0
      ? { id: 1, timestamp: at, type: 'ExecutionRedriven', executionRedrivenEventDetails: { redriveCount: o.redriveCount } }
      : { id: 1, timestamp: at, type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
    ...(o.state === null ? [] : [{ id: 2, timestamp: at, type: 'TaskStateEntered' as const, stateEnteredEventDetails: { name: o.state ?? STATE, input: JSON.stringify(input) } }]),
    { id: 3, timestamp: at, type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: ERROR, cause: CAUSE } },
    o.end === 'ExecutionAborted'
      ? { id: 4, timestamp: at, type: 'ExecutionAborted', executionAbortedEventDetails: {} }
      : { id: 4, timestamp: at, type: (o.end ?? 'ExecutionFailed') as HistoryEvent['type'], executionFailedEventDetails: { error: ERROR, cause: CAUSE } },
  ];
  return events.reverse();
}
const claimed = (redriveCount = 0, firedAt = '2026-11-23T03:00:00Z') => h.ledger.claimIncident({
  incidentId, runbook: 'lambda-runaway', target: incident().target, dedupeKey: incidentId, executionArn, summary: 'alarm', firedAt, redriveCount,
});
const published = () => sns.commandCalls(PublishCommand).map((c) => c.args[0].input);

test('marks the incident failed naming the state and the error, and tells the critical topic what a redrive retries, once', async () => {
  await claimed();
  sfn.on(GetExecutionHistoryCommand).resolves({ events: history() });

  const result = await handler(statusEvent(), lambdaContext);

  expect(result).toMatchObject({ outcome: 'failed', topic: 'critical', state: STATE, redriveCount: 0, incidentId });
  expect(sfn).toHaveReceivedCommandWith(GetExecutionHistoryCommand, { executionArn, reverseOrder: true, includeExecutionData: true });
  expect(await h.ledger.getIncident(incidentId)).toMatchObject({
    status: 'failed', failedState: STATE, redriveCount: 0, reason: expect.stringContaining(`failed at "${STATE}": ${ERROR}: lambda:PutFunctionConcurrency on fn`),
  });
  const [message, ...more] = published();
  expect(more).toEqual([]);
  expect(message).toMatchObject({ TopicArn: CRITICAL, Subject: `[FAILED] lambda-runaway on ${incident().target}` });
  const { email, chat } = delivered(message!);
  expect(email).toContain(`Next: Redrive retries ${STATE}: from the Step Functions console`);
  expect(email).toContain(`Execution: ${executionConsoleUrl('sa-east-1', executionArn)}`);
  expect(email).toContain(`Runbook page: ${PAGES}/lambda-runaway.md`);
  expect(email).toContain(`Incident: ${incidentId}`);
  expect(chat).toMatchObject({
    content: { title: `:rotating_light: [FAILED] lambda-runaway on ${incident().target}` },
    metadata: { threadId: incidentId, eventType: 'runbook-autopilot-execution-failed', additionalContext: { incidentId, executionArn } },
  });
  expect(chat.content.nextSteps).toEqual([
    expect.stringMatching(new RegExp(`^Redrive retries ${STATE}: from the Step Functions console`)),
    `Execution: ${executionConsoleUrl('sa-east-1', executionArn)}`, `Runbook page: ${PAGES}/lambda-runaway.md`,
  ]);
});

test('a redelivered event escalates nothing again; a failure of the redriven run is a new one', async () => {
  await claimed();
  sfn.on(GetExecutionHistoryCommand).resolves({ events: history() });
  await handler(statusEvent(), lambdaContext);

  expect(await handler(statusEvent(), lambdaContext)).toEqual({ outcome: 'duplicate', redriveCount: 0 });
  expect(published()).toHaveLength(1);

  sfn.on(GetExecutionHistoryCommand).resolves({ events: [...history({ redriveCount: 1 }), ...history()] });
  expect(await handler(statusEvent({ redriveCount: 1 }), lambdaContext)).toMatchObject({ outcome: 'failed', redriveCount: 1 });
  expect(published()).toHaveLength(2);
  expect(delivered(published()[1]!).email).toContain('(redrive 1)');
});

test('without a redrive count in the event, the history says which run failed', async () => {
  await claimed();
  sfn.on(GetExecutionHistoryCommand).resolves({ events: [...history({ redriveCount: 2 }), ...history()] });

  const { detail } = statusEvent();
  const { redriveCount: _dropped, ...withoutCount } = detail;
  expect(await handler({ ...statusEvent(), detail: withoutCount }, lambdaContext)).toMatchObject({ outcome: 'failed', redriveCount: 2 });
});

test('the execution was redriven since this run ended: nothing is marked or sent', async () => {
  await claimed();
  sfn.on(GetExecutionHistoryCommand).resolves({
    events: [{ id: 5, timestamp: new Date(), type: 'ExecutionRedriven', executionRedrivenEventDetails: { redriveCount: 1 } }, ...history()],
  });

  expect(await handler(statusEvent(), lambdaContext)).toEqual({ outcome: 'moved-on' });
  expect(published()).toEqual([]);
  expect(await h.ledger.getIncident(incidentId)).toMatchObject({ status: 'admitted' });
});

test('a failure before admit named an incident: escalated under the runbook its state machine runs, the ledger untouched', async () => {
  sfn.on(GetExecutionHistoryCommand).resolves({ events: history({ state: 'Admit: dedupe, allowlist, switches, cooldown', input: { event: {}, admission: { incident: null } } }) });

  const result = await handler(statusEvent(), lambdaContext);

  expect(result).toMatchObject({ outcome: 'failed', state: 'Admit: dedupe, allowlist, switches, cooldown', incidentId: null });
  expect(published()[0]).toMatchObject({ Subject: '[FAILED] lambda-runaway on unknown target' });
  expect(delivered(published()[0]!).email).toContain('before admit named an incident');
  expect(await h.ledger.getIncident(incidentId)).toBeUndefined();
});

test.each([['TIMED_OUT', 'timed out'], ['ABORTED', 'was aborted']])('%s: "the execution %s at" the state it was in', async (status, words) => {
  await claimed();
  sfn.on(GetExecutionHistoryCommand).resolves({ events: history({ end: status === 'ABORTED' ? 'ExecutionAborted' : 'ExecutionTimedOut' }) });

  const result = await handler(statusEvent({ status, error: null, cause: null }), lambdaContext);

  expect(result.reason).toContain(`the execution ${words} at "${STATE}"`);
  expect(await h.ledger.getIncident(incidentId)).toMatchObject({ status: 'failed', failedState: STATE });
});

test('the history cannot be read: still escalated, with what the event says', async () => {
  await claimed();
  sfn.on(GetExecutionHistoryCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));

  const result = await handler(statusEvent(), lambdaContext);

  expect(result).toMatchObject({ outcome: 'failed', state: null, incidentId: null });
  expect(delivered(published()[0]!).email).toContain(`the state could not be read from its history: AwsAccessDenied`);
  expect(delivered(published()[0]!).email).toContain(`${ERROR}: lambda:PutFunctionConcurrency on fn`);
});

test("a later run's record is left as it is, and the message says so", async () => {
  await claimed();
  await h.ledger.resumeIncident(incidentId, executionArn, 1);
  await h.ledger.finishIncident(incidentId, executionArn, 'remediated', 'stopped', 1);
  sfn.on(GetExecutionHistoryCommand).resolves({ events: history() });

  const result = await handler(statusEvent(), lambdaContext);

  expect(result.reason).toContain(`the incident was left as recorded (remediated, by ${executionArn} redrive 1)`);
  expect(await h.ledger.getIncident(incidentId)).toMatchObject({ status: 'remediated', redriveCount: 1 });
});

test('a publish that fails releases the claim: the retry escalates', async () => {
  await claimed();
  sfn.on(GetExecutionHistoryCommand).resolves({ events: history() });
  sns.on(PublishCommand).rejectsOnce(Object.assign(new Error('internal'), { name: 'InternalErrorException', $metadata: { httpStatusCode: 500 } })).resolves({ MessageId: 'msg-2' });

  await expect(handler(statusEvent(), lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
  expect(await handler(statusEvent(), lambdaContext)).toMatchObject({ outcome: 'failed', messageId: 'msg-2' });
  expect(await handler(statusEvent(), lambdaContext)).toMatchObject({ outcome: 'duplicate' });
  expect(published()).toHaveLength(2);
});

test('an event that is not an execution status change is one line, and nothing happens', async () => {
  await expect(handler({ source: 'aws.cloudwatch', detail: {} }, lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringMatching(/^Invalid task input at source: /) });
  expect(published()).toEqual([]);
  expect(sfn.calls()).toEqual([]);
});

describe("the failed run's incident report (the run never reached its report step)", () => {
  const failedState = { event: {}, admission: { incident: incident({ id: incidentId }), decision: 'admit', reason: 'new alarm transition', switches: null, dryRun: false }, diagnosis: { reservedConcurrency: null, state: 'Active' } };

  test('is written after the escalation, from the ledger and what the failed state held', async () => {
    // A day no other incident of this file fired on: its report takes the name without a number.
    await claimed(0, '2026-12-01T03:00:00Z');
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history({ input: { ...failedState, admission: { ...failedState.admission, incident: incident({ id: incidentId }) } } }) });

    const result = await handler(statusEvent(), lambdaContext);

    const key = `incidents/2026-12-01-lambda-runaway-${incident().target}.md`;
    expect(result.report).toEqual({ written: true, key, versionId: 'v1', reason: null });
    const [put, ...more] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(more).toEqual([]);
    expect(put).toMatchObject({ Bucket: REPORTS, Key: key, ContentType: 'text/markdown; charset=utf-8', Metadata: { 'incident-id': incidentId, runbook: 'lambda-runaway' } });
    const body = String(put?.Body);
    expect(body).toMatch(/^# lambda-runaway on `cabruca-segmentation-prod-researcher-agent`: failed\n/);
    // The failed state's data, by its path (the notifier does not know the machine's state names), and where the run failed.
    expect(body).toContain('- `$.diagnosis`: `reservedConcurrency=none state=Active`');
    expect(body).toContain(`The run failed at \`${STATE}\``);
    expect(body).toContain(`The execution failed at \`${STATE}\` (run 0); the execution-failure rule paged the critical topic`);
    expect(await h.ledger.getIncident(incidentId)).toMatchObject({ reportKey: key });
    // The escalation went out first.
    expect(s3.commandCalls(PutObjectCommand)[0]!.calledAfter(sns.commandCalls(PublishCommand)[0]!)).toBe(true);
  });

  test('a report that cannot be written is counted and logged; the escalation stands', async () => {
    await claimed();
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history() });
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const tap = tapMetrics();
    const logged = jest.spyOn(logger, 'error');
    try {
      const result = await handler(statusEvent(), lambdaContext);

      expect(result).toMatchObject({ outcome: 'failed', topic: 'critical', messageId: 'msg-1', report: { written: false, key: null, reason: expect.stringContaining('AwsAccessDenied') } });
      expect(published()).toHaveLength(1);
      expect(tap.metrics).toEqual([expect.objectContaining({ name: METRIC.reportsNotWritten, value: 1, dimensions: expect.objectContaining({ runbook: 'lambda-runaway' }), executionArn })]);
      expect(logged).toHaveBeenCalledWith('Incident report not written', { incidentId, reason: expect.stringContaining('AccessDenied') });
    } finally {
      tap.stop();
      logged.mockRestore();
    }
  });
});
