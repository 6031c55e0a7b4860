import type { Context } from 'aws-lambda';
import type { Incident } from '../../lambdas/shared/task-input';

export const EXECUTION_ARN = 'arn:aws:states:sa-east-1:111122223333:execution:runbook-autopilot-test:exec-1';

/**
 * The n-th incident id of a test that counts its own: `fill` (one hex digit per test) then n in hex,
 * zero-padded. Padding with the fill digit instead would give n = 0xd and n = 0xdd the same id.
 */
export function nthIncidentId(fill: string, n: number): string {
  return `inc-${fill}${n.toString(16).padStart(15, '0')}`;
}

export function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-0123456789abcdef',
    runbook: 'lambda-runaway',
    target: 'cabruca-segmentation-prod-researcher-agent',
    summary: 'CloudWatch alarm test went to ALARM',
    firedAt: '2026-11-23T03:00:00.000+0000',
    source: { name: 'test-alarm' },
    ...overrides,
  };
}

/** A Lambda context good enough for middy and the Powertools logger. */
export const lambdaContext = {
  functionName: 'test', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:sa-east-1:111122223333:function:test',
  memoryLimitInMB: '256', awsRequestId: 'req-1', logGroupName: '/aws/lambda/test', logStreamName: 's', callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30000, done: () => undefined, fail: () => undefined, succeed: () => undefined,
} as unknown as Context;
