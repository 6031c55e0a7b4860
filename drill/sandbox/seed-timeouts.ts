import type { AccountState } from './state';
import { minutesBefore } from './common';

/** A team's own alarm on a function no runbook configures (its Duration near its 300 s timeout). */
export const UNCONFIGURED_DURATION_ALARM = 'tradai-prod-signal-ingest-duration';

/**
 * The TradAI backtest worker (seed 004, its timeouts alert): a function that runs close to its 30 s
 * timeout and logs "Task timed out", fed by an SQS queue whose 300 s visibility timeout leaves room
 * to raise it. A scenario lowers the visibility timeout to 60 s (the event source's limit).
 */
export const TIMEOUT_FUNCTION = 'tradai-prod-backtest-worker';
export const TIMEOUT_QUEUE = 'tradai-prod-backtest-jobs';
const REGION = 'sa-east-1';
const ACCOUNT = '111122223333';
export const TIMEOUT_QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${TIMEOUT_QUEUE}`;

/** Adds the worker, its queue, its event source mapping and its log group to a seeded account. */
export function seedTimeoutSystems(state: AccountState, now: Date, lastModified: string): void {
  state.lambda.functions[TIMEOUT_FUNCTION] = {
    runtime: 'python3.12', handler: 'worker.handler', memorySize: 2048, timeout: 30, reservedConcurrency: null, lastModified,
    description: 'TradAI strategy backtest worker', environment: { ENVIRONMENT: 'prod' }, tags: { Project: 'tradai', Environment: 'prod' },
  };
  state.lambda.eventSourceMappings = [...(state.lambda.eventSourceMappings ?? []), {
    uuid: '7f3e2d1c-0b9a-4c8d-9e7f-6a5b4c3d2e1f', functionName: TIMEOUT_FUNCTION,
    eventSourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${TIMEOUT_QUEUE}`, state: 'Enabled', batchSize: 1, lastModified,
  }];
  state.sqs = { queues: { ...state.sqs?.queues, [TIMEOUT_QUEUE]: { visibilityTimeout: 300, messageRetentionPeriod: 345_600, createdAt: lastModified } } };
  state.cloudwatch.alarms[UNCONFIGURED_DURATION_ALARM] = {
    description: 'TradAI team alarm: signal ingest running close to its 300 s timeout.',
    namespace: 'AWS/Lambda', metricName: 'Duration', dimensions: { FunctionName: 'tradai-prod-signal-ingest' }, statistic: 'Maximum',
    period: 300, evaluationPeriods: 1, threshold: 240_000, comparisonOperator: 'GreaterThanThreshold', treatMissingData: 'notBreaching',
    stateValue: 'ALARM', stateReason: 'Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold (240000.0).',
    stateUpdatedAt: minutesBefore(now, 1), alarmActions: [], okActions: [], tags: { Project: 'tradai', Environment: 'prod' },
  };
  const stream = '2026/11/03/[$LATEST]5b1c0e7f9a2d4c8e8f3a6b7c9d0e1f2a';
  const timedOut = (minutes: number, requestId: string) => ({
    logStreamName: stream, timestamp: minutesBefore(now, minutes),
    message: `${minutesBefore(now, minutes)} ${requestId} Task timed out after 30.03 seconds`,
  });
  state.logs = {
    groups: {
      ...state.logs?.groups,
      [`/aws/lambda/${TIMEOUT_FUNCTION}`]: [
        { logStreamName: stream, timestamp: minutesBefore(now, 40), message: 'START RequestId: 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f Version: $LATEST' },
        timedOut(31, '3f2e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f'),
        timedOut(18, '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d'),
        timedOut(4, 'c4d3e2f1-a0b9-4c8d-8e7f-6a5b4c3d2e1f'),
      ],
    },
  };
}
