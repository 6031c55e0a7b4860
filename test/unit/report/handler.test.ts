/**
 * The report step's handler against a real ledger (dynalite), S3 mocked: what it puts, that a
 * transient S3 failure is raised for the state machine to retry, and that `not-written` counts
 * (the EMF line) and logs a report given up on, and changes nothing else.
 */
import 'aws-sdk-client-mock-jest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { tapMetrics } from '../../../drill/metrics-tap';
import { METRIC } from '../../../lambdas/domain/metrics';
import type { ReportWritten } from '../../../lambdas/report/writer';
import { lambdaContext } from '../../support/fixtures';
import { ledgerHarness } from '../../support/ledger-harness';

const s3 = mockClient(S3Client);
const BUCKET = 'runbook-autopilot-incident-reports';
const EXEC = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-lambda-runaway:run-1';
const execution = { id: EXEC, redriveCount: 0 };

process.env.POWERTOOLS_METRICS_DISABLED = 'false';
const h = ledgerHarness('5', { env: { REPORT_BUCKET: BUCKET, HARD_RULES: JSON.stringify({ 'lambda-runaway': { 'lambda:PutFunctionConcurrency': 'never by hand' } }) } });
type Handler = (event: unknown, context: typeof lambdaContext) => Promise<ReportWritten>;
let handler: Handler;
/** Imported once the harness has set the environment (a silent log level), as the handler is. */
let logger: typeof import('../../../lambdas/shared/logger').logger;
beforeAll(async () => {
  handler = (await import('../../../lambdas/report/handler')).handler as unknown as Handler;
  ({ logger } = await import('../../../lambdas/shared/logger'));
});
beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

async function endedIncident(): Promise<string> {
  const id = h.nextIncidentId();
  await h.ledger.claimIncident({ incidentId: id, runbook: 'lambda-runaway', target: 'fn', dedupeKey: id, executionArn: EXEC, summary: 'alarm went to ALARM', firedAt: '2026-11-03T03:12:41.522+0000' });
  await h.ledger.recordIntent({ incidentId: id, actionKey: 'stop#lambda:PutFunctionConcurrency#fn', runbook: 'lambda-runaway', operation: 'lambda:PutFunctionConcurrency', target: 'fn', executionArn: EXEC, before: null });
  await h.ledger.completeAction(id, 'stop#lambda:PutFunctionConcurrency#fn', 0);
  await h.ledger.finishIncident(id, EXEC, 'remediated', 'stopped');
  return id;
}

test("write: the run's data is kept beside the incident and the report put at its key, with the runbook's hard rules applied", async () => {
  const id = await endedIncident();
  const state = { event: { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: { alarmName: 'a', state: { value: 'ALARM' } } }, diagnosis: { reservedConcurrency: null } };

  const out = await handler({ mode: 'write', machine: 'lambda-runaway', incident: { id, runbook: 'lambda-runaway' }, execution, facts: { state, steps: { diagnosis: 'Read function concurrency' } } }, lambdaContext);

  expect(out).toEqual({ written: true, key: 'incidents/2026-11-03-lambda-runaway-fn.md', versionId: 'v1', reason: null });
  expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
  expect(put).toMatchObject({ Bucket: BUCKET, Key: out.key, ContentType: 'text/markdown; charset=utf-8', Metadata: { 'incident-id': id, runbook: 'lambda-runaway' } });
  expect(String(put.Body)).toContain('- **Read function concurrency** (`$.diagnosis`): `reservedConcurrency=none`');
  expect(String(put.Body)).toContain('**P1**: revert `lambda:PutFunctionConcurrency` on `fn` (none -> 0): it bypasses a hard rule, never by hand.');
});

test('write: S3 throttling or a 5xx is raised classified, for the state machine to retry; nothing else is changed', async () => {
  const id = await endedIncident();
  s3.on(PutObjectCommand).rejects(Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 }, $retryable: { throttling: true } }));

  await expect(handler({ mode: 'write', machine: 'lambda-runaway', incident: { id }, execution }, lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
  expect(await h.ledger.getIncident(id)).toMatchObject({ status: 'remediated', reason: 'stopped' });
});

test('write, with no incident (an event rejected before admit read one): nothing to report, nothing called', async () => {
  expect(await handler({ mode: 'write', machine: 'lambda-runaway', incident: null, execution }, lambdaContext))
    .toEqual({ written: false, key: null, versionId: null, reason: 'no incident: admit read none from the event, so there is nothing to report' });
  expect(s3.calls()).toEqual([]);
});

test('not-written: one IncidentReportsNotWritten metric and one error line with the reason; nothing written or changed', async () => {
  const id = await endedIncident();
  const tap = tapMetrics();
  const logged = jest.spyOn(logger, 'error');
  try {
    const cause = JSON.stringify({ errorType: 'AwsAccessDenied', errorMessage: 'writing the report: AccessDenied: Access Denied' });
    const out = await handler({ mode: 'not-written', machine: 'lambda-runaway', incident: { id, runbook: 'lambda-runaway' }, execution, error: { Error: 'AwsAccessDenied', Cause: cause } }, lambdaContext);

    expect(out).toEqual({ written: false, key: null, versionId: null, reason: 'AwsAccessDenied: writing the report: AccessDenied: Access Denied' });
    expect(tap.metrics).toEqual([expect.objectContaining({ name: METRIC.reportsNotWritten, value: 1, unit: 'Count', dimensions: expect.objectContaining({ runbook: 'lambda-runaway' }), executionArn: EXEC })]);
    expect(logged).toHaveBeenCalledWith('Incident report not written', { incidentId: id, reason: out.reason });
    expect(s3.calls()).toEqual([]);
    expect(await h.ledger.getIncident(id)).not.toHaveProperty('reportKey');
  } finally {
    tap.stop();
    logged.mockRestore();
  }
});

test('a payload that is not the report step\'s is one line naming the field', async () => {
  await expect(handler({ mode: 'publish', machine: 'lambda-runaway', execution }, lambdaContext)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringMatching(/^Invalid task input at mode: /) });
  await expect(handler({ mode: 'write', machine: 'lambda-runaway', incident: { id: 'inc-1' }, execution }, lambdaContext)).rejects.toMatchObject({ message: expect.stringMatching(/^Invalid task input at incident\.id: /) });
});
