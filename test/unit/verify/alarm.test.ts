import { CloudWatchClient, DescribeAlarmsCommand, type DescribeAlarmsCommandOutput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import type { AlarmVerifyResult } from '../../../lambdas/verify/alarm';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const cloudwatch = mockClient(CloudWatchClient);
const ALARM = 'cabruca-segmentation-prod-researcher-agent-concurrency';
const POLICY = { waitSeconds: 300, pollSeconds: 60, checks: 3, insufficientData: 'cleared' };
const ENV = { AWS_REGION: 'sa-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT', VERIFY_POLICY: JSON.stringify(POLICY) };
type Handler = (event: unknown, context: typeof lambdaContext) => Promise<AlarmVerifyResult>;
let handler: Handler;

beforeAll(async () => {
  Object.assign(process.env, ENV);
  handler = (await import('../../../lambdas/verify/alarm')).handler as Handler;
});
beforeEach(() => cloudwatch.reset());

const action = { operation: 'lambda:PutFunctionConcurrency', target: 'cabruca-segmentation-prod-researcher-agent', before: null, after: 0 };
const input = (attempt: number) => ({ incident: incident({ source: { name: ALARM } }), execution: { id: EXECUTION_ARN }, attempt, action });
const metricAlarm = (StateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'): Partial<DescribeAlarmsCommandOutput> => ({
  MetricAlarms: [{ AlarmName: ALARM, StateValue, StateReason: 'reason' }], CompositeAlarms: [],
});

test('attempt 0 schedules the configured wait and reads nothing', async () => {
  const out = await handler(input(0), lambdaContext);

  expect(out).toMatchObject({ status: 'pending', attempt: 1, waitSeconds: 300, alarm: { name: ALARM, state: null } });
  expect(cloudwatch.calls()).toHaveLength(0);
});

test('OK after the wait: verified, naming the action and its before -> after', async () => {
  cloudwatch.on(DescribeAlarmsCommand).resolves(metricAlarm('OK'));

  const out = await handler(input(1), lambdaContext);

  expect(out).toMatchObject({ status: 'verified', elapsedSeconds: 300, alarm: { state: 'OK', type: 'MetricAlarm' } });
  expect(out.reason).toBe(`alarm ${ALARM} returned to OK 5 min after lambda:PutFunctionConcurrency on cabruca-segmentation-prod-researcher-agent (none -> 0) (ALARM -> OK)`);
  expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toEqual({ AlarmNames: [ALARM], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
});

test('still ALARM with checks left: poll again after pollSeconds', async () => {
  cloudwatch.on(DescribeAlarmsCommand).resolves(metricAlarm('ALARM'));

  await expect(handler(input(2), lambdaContext)).resolves.toMatchObject({ status: 'pending', attempt: 3, waitSeconds: 60, elapsedSeconds: 360 });
});

test('still ALARM at the last check: not verified, with a reason a human can act on', async () => {
  cloudwatch.on(DescribeAlarmsCommand).resolves(metricAlarm('ALARM'));

  const out = await handler(input(3), lambdaContext);

  expect(out.status).toBe('not-verified');
  expect(out.reason).toBe(`alarm ${ALARM} still in ALARM 7 min after lambda:PutFunctionConcurrency on cabruca-segmentation-prod-researcher-agent (none -> 0) (ALARM -> ALARM)`);
});

test('INSUFFICIENT_DATA counts as cleared where the policy says the metric goes silent', async () => {
  cloudwatch.on(DescribeAlarmsCommand).resolves(metricAlarm('INSUFFICIENT_DATA'));

  await expect(handler(input(1), lambdaContext)).resolves.toMatchObject({ status: 'verified', alarm: { state: 'INSUFFICIENT_DATA' } });
});

test('a composite alarm is read as well', async () => {
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [{ AlarmName: ALARM, StateValue: 'OK' }] });

  await expect(handler(input(1), lambdaContext)).resolves.toMatchObject({ status: 'verified', alarm: { type: 'CompositeAlarm' } });
});

test('an alarm that no longer exists cannot verify anything', async () => {
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });

  const out = await handler(input(1), lambdaContext);

  expect(out).toMatchObject({ status: 'not-verified', alarm: { state: null } });
  expect(out.reason).toMatch(/no longer exists/);
});

test('throttling is the retryable AwsThrottled the state machine retries', async () => {
  cloudwatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));

  await expect(handler(input(1), lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
});

test('a payload without attempt is an InvalidInput naming the field', async () => {
  await expect(handler({ incident: incident(), execution: { id: EXECUTION_ARN } }, lambdaContext)).rejects.toMatchObject({
    name: 'InvalidInput', message: expect.stringContaining('attempt'),
  });
});
