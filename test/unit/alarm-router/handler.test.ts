import 'aws-sdk-client-mock-jest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CloudWatchClient, ListTagsForResourceCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand, SFNServiceException } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { incidentIdFor, parseTrigger } from '../../../lambdas/domain/trigger';
import type { RouteResult } from '../../../lambdas/alarm-router/handler';
import { lambdaContext } from '../../support/fixtures';
import { triggerOf } from '../../support/runbooks';

const cloudwatch = mockClient(CloudWatchClient);
const sfn = mockClient(SFNClient);

// As the stack names its machines: runbook-autopilot-<env>-<runbook>.
const ARN_PREFIX = 'arn:aws:states:sa-east-1:111122223333:stateMachine:runbook-autopilot-prod-';
const MACHINE = (runbook: string) => `${ARN_PREFIX}${runbook}`;
// As the stack deploys them: one configured target each; the routes' metrics come from the bundle.
const ROUTES = {
  'lambda-runaway': { FunctionName: ['cabruca-segmentation-prod-researcher-agent'] },
  'ecs-service-recovery': { ClusterName: ['alphaswarm-cluster-prod'], ServiceName: ['alphaswarm-admin-frontend-prod'] },
};

const EVENTS = path.join(__dirname, '../../../events');
const recorded = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(EVENTS, file), 'utf8')) as Record<string, unknown>;
const COMPOSITE = recorded('samples/composite.alarm.json');
const COMPOSITE_ARN = 'arn:aws:cloudwatch:sa-east-1:111122223333:alarm:alphaswarm-admin-frontend-prod-degraded';
// incidentIdFor('alarm|<composite ARN>|2026-11-03T11:48:20.031+0000'), pinned so a change to the naming shows here.
const COMPOSITE_NAME = 'inc-d0d7c7e4911d6fdc';
const FRONTEND_SERVICE = 'alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod';
const STARTED_ARN = `arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-ecs-service-recovery:${COMPOSITE_NAME}`;

const tags = (entries: Record<string, string>) => ({ Tags: Object.entries(entries).map(([Key, Value]) => ({ Key, Value })) });
const ecsTags = tags({ 'runbook-autopilot:runbook': 'ecs-service-recovery', 'runbook-autopilot:target': FRONTEND_SERVICE, Environment: 'prod' });
const sentInput = (call = 0): unknown => JSON.parse(sfn.commandCalls(StartExecutionCommand)[call]?.args[0].input.input ?? 'null');
const sentName = (call: number): string | undefined => sfn.commandCalls(StartExecutionCommand)[call]?.args[0].input.name;

let handler: (event: unknown, context: typeof lambdaContext) => Promise<RouteResult>;
let errorLog: jest.SpyInstance;
let warnLog: jest.SpyInstance;

beforeAll(async () => {
  // The handler reads ROUTES at cold start, so it is imported after the env is set.
  Object.assign(process.env, {
    AWS_REGION: 'sa-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', POWERTOOLS_LOG_LEVEL: 'SILENT',
    ROUTES: JSON.stringify(ROUTES), STATE_MACHINE_ARN_PREFIX: ARN_PREFIX,
  });
  handler = (await import('../../../lambdas/alarm-router/handler')).handler as typeof handler;
  const { logger } = await import('../../../lambdas/shared/logger');
  errorLog = jest.spyOn(logger, 'error');
  warnLog = jest.spyOn(logger, 'warn');
});

beforeEach(() => {
  cloudwatch.reset();
  sfn.reset();
  errorLog.mockClear();
  warnLog.mockClear();
});

test('a tagged composite alarm starts its runbook with a Tagged Alarm event named after the transition', async () => {
  cloudwatch.on(ListTagsForResourceCommand).resolves(ecsTags);
  sfn.on(StartExecutionCommand).resolves({ executionArn: STARTED_ARN, startDate: new Date() });

  const result = await handler(COMPOSITE, lambdaContext);

  expect(cloudwatch).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 1);
  expect(cloudwatch).toHaveReceivedCommandWith(ListTagsForResourceCommand, { ResourceARN: COMPOSITE_ARN });
  expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
    stateMachineArn: MACHINE('ecs-service-recovery'), name: COMPOSITE_NAME, input: expect.any(String),
  });
  const expectedInput = { source: 'runbook-autopilot', 'detail-type': 'Tagged Alarm', detail: { target: FRONTEND_SERVICE, alarm: COMPOSITE } };
  expect(sentInput()).toEqual(expectedInput);
  expect(result).toEqual({
    routed: true, runbook: 'ecs-service-recovery', target: FRONTEND_SERVICE, executionArn: STARTED_ARN,
    reason: 'tagged runbook-autopilot:runbook=ecs-service-recovery',
  });
});

test('the execution is named after the incident admit derives from the same input', async () => {
  cloudwatch.on(ListTagsForResourceCommand).resolves(ecsTags);
  sfn.on(StartExecutionCommand).resolves({ executionArn: STARTED_ARN, startDate: new Date() });

  await handler(COMPOSITE, lambdaContext);

  const trigger = parseTrigger('ecs-service-recovery', sentInput(), triggerOf('ecs-service-recovery'));
  expect(trigger).toMatchObject({ kind: 'alarm', target: FRONTEND_SERVICE });
  expect(sentName(0)).toBe(incidentIdFor(trigger.dedupeKey));
});

test('an alarm a metric rule already routes makes no AWS call at all', async () => {
  const result = await handler(recorded('lambda-runaway.alarm.json'), lambdaContext);

  expect(result).toEqual({ routed: false, runbook: 'lambda-runaway', reason: 'routed by metric' });
  expect(cloudwatch.calls()).toHaveLength(0);
  expect(sfn.calls()).toHaveLength(0);
});

test('a metric alarm on a target no rule names falls back to its tag, with the target read from its dimensions', async () => {
  cloudwatch.on(ListTagsForResourceCommand).resolves(tags({ 'runbook-autopilot:runbook': 'lambda-runaway' }));
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-lambda-runaway:x' });

  const result = await handler(recorded('samples/unconfigured-target.alarm.json'), lambdaContext);

  expect(cloudwatch).toHaveReceivedCommandWith(ListTagsForResourceCommand, {
    ResourceARN: 'arn:aws:cloudwatch:sa-east-1:111122223333:alarm:tradai-prod-signal-ingest-concurrency',
  });
  expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: MACHINE('lambda-runaway') });
  expect(sentInput()).toMatchObject({ detail: { target: 'tradai-prod-signal-ingest' } });
  expect(result).toMatchObject({ routed: true, runbook: 'lambda-runaway', target: 'tradai-prod-signal-ingest' });
});

test('an untagged alarm starts nothing and is not an error', async () => {
  cloudwatch.on(ListTagsForResourceCommand).resolves(tags({ Environment: 'prod', Team: 'payments' }));

  const result = await handler(COMPOSITE, lambdaContext);

  expect(result).toEqual({ routed: false, reason: 'untagged' });
  expect(sfn.calls()).toHaveLength(0);
  expect(errorLog).not.toHaveBeenCalled();
  expect(warnLog).not.toHaveBeenCalled();
});

test('a tag naming a runbook not enabled here is skipped with a warning', async () => {
  cloudwatch.on(ListTagsForResourceCommand).resolves(tags({ 'runbook-autopilot:runbook': 'dynamodb-throttling', 'runbook-autopilot:target': 'x' }));

  const result = await handler(COMPOSITE, lambdaContext);

  expect(result).toEqual({
    routed: false,
    reason: 'tag runbook-autopilot:runbook=dynamodb-throttling names no alarm runbook enabled here (enabled: lambda-runaway, ecs-service-recovery)',
  });
  expect(sfn.calls()).toHaveLength(0);
  expect(warnLog).toHaveBeenCalledTimes(1);
});

test('a tag naming an unknown runbook is skipped with a warning', async () => {
  cloudwatch.on(ListTagsForResourceCommand).resolves(tags({ 'runbook-autopilot:runbook': 'queue-depth-scale-out' }));

  const result = await handler(COMPOSITE, lambdaContext);

  expect(result).toMatchObject({ routed: false, reason: expect.stringContaining('queue-depth-scale-out names no alarm runbook') });
  expect(sfn.calls()).toHaveLength(0);
  expect(warnLog).toHaveBeenCalledTimes(1);
});

test('a composite alarm without a target tag is skipped: nothing names the target', async () => {
  cloudwatch.on(ListTagsForResourceCommand).resolves(tags({ 'runbook-autopilot:runbook': 'ecs-service-recovery' }));

  const result = await handler(COMPOSITE, lambdaContext);

  expect(result).toEqual({
    routed: false, runbook: 'ecs-service-recovery',
    reason: 'alarm names no target for ecs-service-recovery: add a runbook-autopilot:target tag',
  });
  expect(sfn.calls()).toHaveLength(0);
  expect(warnLog).toHaveBeenCalledTimes(1);
});

test('two deliveries of one alarm transition ask for the same execution name; the second is a duplicate', async () => {
  const first = recorded('samples/duplicate-delivery/first.alarm.json');
  const second = recorded('samples/duplicate-delivery/second.alarm.json');
  expect(second.id).not.toBe(first.id);
  cloudwatch.on(ListTagsForResourceCommand).resolves(tags({ 'runbook-autopilot:runbook': 'lambda-runaway' }));
  const name = 'inc-5b07672cfe3d21ea';
  const executionArn = `arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-prod-lambda-runaway:${name}`;
  sfn.on(StartExecutionCommand)
    .resolvesOnce({ executionArn, startDate: new Date() })
    .rejectsOnce(new ExecutionAlreadyExists({ message: `Execution Already Exists: '${executionArn}'`, $metadata: { httpStatusCode: 400 } }));

  const one = await handler(first, lambdaContext);
  const two = await handler(second, lambdaContext);

  expect(sentName(0)).toBe(name);
  expect(sentName(1)).toBe(name);
  expect(one).toMatchObject({ routed: true, executionArn });
  expect(two).toEqual({
    routed: false, runbook: 'lambda-runaway', target: 'cabruca-segmentation-prod-manager-agent', executionArn,
    reason: 'duplicate: this alarm transition already started an execution',
  });
  expect(errorLog).not.toHaveBeenCalled();
});

test('throttling on StartExecution throws AwsThrottled so EventBridge retries the event', async () => {
  cloudwatch.on(ListTagsForResourceCommand).resolves(ecsTags);
  sfn.on(StartExecutionCommand).rejects(new SFNServiceException({
    name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 },
  }));

  await expect(handler(COMPOSITE, lambdaContext)).rejects.toMatchObject({ name: 'AwsThrottled' });
});

test('a 5xx reading the tags throws AwsUnavailable and starts nothing', async () => {
  cloudwatch.on(ListTagsForResourceCommand).rejects(Object.assign(new Error('Internal failure'), {
    name: 'InternalServiceFault', $metadata: { httpStatusCode: 500 },
  }));

  await expect(handler(COMPOSITE, lambdaContext)).rejects.toMatchObject({ name: 'AwsUnavailable' });
  expect(sfn.calls()).toHaveLength(0);
});

test('an alarm deleted before its tags were read is skipped with a warning', async () => {
  cloudwatch.on(ListTagsForResourceCommand).rejects(new ResourceNotFoundException({
    message: 'Alarm alphaswarm-admin-frontend-prod-degraded does not exist.', $metadata: { httpStatusCode: 404 },
  }));

  const result = await handler(COMPOSITE, lambdaContext);

  expect(result).toEqual({ routed: false, reason: 'the alarm no longer exists' });
  expect(sfn.calls()).toHaveLength(0);
  expect(warnLog).toHaveBeenCalledTimes(1);
});

test('a malformed event makes no call and logs one clear error line', async () => {
  const result = await handler(recorded('samples/malformed-wrong-shape.json'), lambdaContext);

  expect(result).toMatchObject({ routed: false, reason: expect.stringMatching(/^not a CloudWatch Alarm State Change event \(source: /) });
  expect(cloudwatch.calls()).toHaveLength(0);
  expect(sfn.calls()).toHaveLength(0);
  expect(errorLog).toHaveBeenCalledTimes(1);
  expect(errorLog.mock.calls[0]).toHaveLength(1);
  expect(String(errorLog.mock.calls[0]?.[0])).not.toContain('\n');
});

test('a non-ALARM transition starts nothing', async () => {
  const result = await handler(recorded('samples/ok-transition.alarm.json'), lambdaContext);

  expect(result).toMatchObject({ routed: false, reason: expect.stringContaining('not ALARM') });
  expect(cloudwatch.calls()).toHaveLength(0);
  expect(sfn.calls()).toHaveLength(0);
});

describe('its configuration, read at cold start', () => {
  const coldStart = async (env: Record<string, string>): Promise<unknown> => {
    const saved = { ROUTES: process.env.ROUTES, STATE_MACHINE_ARN_PREFIX: process.env.STATE_MACHINE_ARN_PREFIX };
    Object.assign(process.env, env);
    try {
      let loaded: unknown;
      await jest.isolateModulesAsync(async () => {
        loaded = await import('../../../lambdas/alarm-router/handler');
      });
      return loaded;
    } finally {
      Object.assign(process.env, saved);
    }
  };

  test('a runbook the bundled triggers do not start by alarm is refused with one line that says so', async () => {
    await expect(coldStart({ ROUTES: JSON.stringify({ 'ecs-deployment-rollback': 'any' }) }))
      .rejects.toThrow('Environment variable ROUTES is not valid: ecs-deployment-rollback is not started by alarms in the bundled triggers (npm run triggers)');
  });

  test('a prefix that does not make a state machine ARN is refused', async () => {
    await expect(coldStart({ STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:sa-east-1:111122223333:function:' }))
      .rejects.toThrow('lambda-runaway: arn:aws:states:sa-east-1:111122223333:function:lambda-runaway is not a state machine ARN');
  });

  test('a route that matches any target leaves to the metric rule an alarm on a target no configured route names', async () => {
    const anyTarget = { 'lambda-runaway': 'any' };
    const { handler: anyHandler } = (await coldStart({ ROUTES: JSON.stringify(anyTarget) })) as { handler: typeof handler };

    const result = await anyHandler(recorded('samples/unconfigured-target.alarm.json'), lambdaContext);

    expect(result).toEqual({ routed: false, runbook: 'lambda-runaway', reason: 'routed by metric' });
    expect(cloudwatch.calls()).toHaveLength(0);
  });
});
