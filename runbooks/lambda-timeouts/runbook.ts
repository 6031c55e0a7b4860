/**
 * lambda-timeouts (seed 004 "Lambda Timeouts", seed 003 "Duration > 80% of timeout"): a function
 * running close to its timeout gets it raised once, by a configured step up to a ceiling, gated,
 * never to or past the visibility timeout of an SQS queue that invokes it; the undo puts it back.
 */
import { z } from 'zod';
import { gatePolicy, resourceName, runbookBase } from '../config';
import { json, type AlarmSpec, type Arns, type HandlerDef } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';
import { targetTimeout, type TimeoutPolicy } from './timeout-plan';

const seconds = z.number().int().min(1).max(900);

const config = z.strictObject({
  ...runbookBase,
  /**
   * The functions, each with the timeout it is deployed with (seconds): its Duration alarm's
   * threshold is `durationPercentOfTimeout` of it, and the raise is from it (baseline + step).
   */
  targets: z.array(z.strictObject({ functionName: resourceName, timeoutSeconds: seconds })).min(1),
  /** Seed 003: Duration p99 above this share of the timeout. */
  durationPercentOfTimeout: z.number().gt(0).max(100).default(80),
  raise: z.strictObject({
    stepSeconds: seconds.default(30),
    /** Never raised past this (Lambda's own limit is 900 s). */
    ceilingSeconds: seconds.default(300),
    approval: gatePolicy.default({ severity: 'P3', onTimeout: 'abort' }),
  }).default({ stepSeconds: 30, ceilingSeconds: 300, approval: { severity: 'P3', onTimeout: 'abort' } }),
  /** Waiting for LastUpdateStatus Successful after the update. */
  update: z.strictObject({
    pollSeconds: z.number().int().min(5).max(300).default(10),
    timeoutMinutes: z.number().int().min(1).max(60).default(5),
  }).default({ pollSeconds: 10, timeoutMinutes: 5 }),
  /** The last timeouts, read from the function's log group (one bounded page). */
  logs: z.strictObject({
    lookbackMinutes: z.number().int().min(5).max(24 * 60).default(60),
    maxEvents: z.number().int().min(1).max(100).default(20),
  }).default({ lookbackMinutes: 60, maxEvents: 20 }),
});
export type LambdaTimeoutsConfig = z.infer<typeof config>;

const functionNames = (c: LambdaTimeoutsConfig) => c.targets.map((t) => t.functionName);
const functionArns = (c: LambdaTimeoutsConfig, arns: Arns) => functionNames(c).map((name) => arns.lambdaFunction(name));
const policies = (c: LambdaTimeoutsConfig): Record<string, TimeoutPolicy> => Object.fromEntries(c.targets.map((t) => [t.functionName, {
  baselineSeconds: t.timeoutSeconds, targetSeconds: targetTimeout(t.timeoutSeconds, c.raise.stepSeconds, c.raise.ceilingSeconds), ceilingSeconds: c.raise.ceilingSeconds,
}]));

/** The SQS limit: event source mappings name their queues only at run time, and ListEventSourceMappings has no resource type. */
const sourceReads = (arns: Arns) => [
  { actions: ['lambda:ListEventSourceMappings'], resources: ['*'] },
  { actions: ['sqs:GetQueueAttributes'], resources: [arns.sqsQueue('*')] },
];

export default defineRunbook({
  name: 'lambda-timeouts',
  answers: ['function-timeouts', 'duration-near-timeout'],
  config,
  targets: functionNames,
  trigger: {
    kind: 'alarm',
    route: {
      selectors: [{ namespaces: ['AWS/Lambda'], metricNames: ['Duration'], alarmedMetricOnly: true }],
      targetDimensions: ['FunctionName'],
    },
    dimensions: (c) => c.targets.map((t) => ({ FunctionName: t.functionName })),
  },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({ RaiseApprovalTimeoutSeconds: String(deadlineSeconds(c.raise.approval.severity)) }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    const functions = functionArns(c, arns);
    const env = { TIMEOUT_POLICIES: json(policies(c)) };
    return [
      {
        id: 'LambdaTimeoutsInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/lambda-timeouts/handlers/inspect.ts', usesLedger: false,
        description: 'lambda-timeouts: read the timeout, update status and SQS sources', environment: env,
        permissions: [{ actions: ['lambda:GetFunctionConfiguration'], resources: functions }, ...sourceReads(arns)],
      },
      {
        id: 'LambdaTimeoutsEvidence', substitution: 'TimeoutsFunctionArn', entry: 'runbooks/lambda-timeouts/handlers/timeouts.ts', usesLedger: false,
        description: 'lambda-timeouts: read the last timeouts in the function log group (best effort)',
        environment: { LOOKBACK_MINUTES: String(c.logs.lookbackMinutes), MAX_EVENTS: String(c.logs.maxEvents) },
        // The log group by both its ARNs: CloudWatch Logs documents the one with the trailing :* for most actions.
        permissions: [{ actions: ['logs:FilterLogEvents'], resources: functionNames(c).flatMap((name) => [arns.logGroup(`/aws/lambda/${name}`), `${arns.logGroup(`/aws/lambda/${name}`)}:*`]) }],
      },
      ctx.approvalRequest('LambdaTimeoutsApprovalRequest'),
      {
        id: 'LambdaTimeoutsRaise', substitution: 'RaiseFunctionArn', entry: 'runbooks/lambda-timeouts/handlers/raise.ts', usesLedger: true,
        description: 'lambda-timeouts: raise the timeout to the configured target, as approved',
        environment: { ...env, ALLOWED_TARGETS: json(functionNames(c)), RAISE_ON_TIMEOUT: c.raise.approval.onTimeout },
        permissions: [{ actions: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration'], resources: functions }, ...sourceReads(arns)],
      },
      {
        id: 'LambdaTimeoutsCheck', substitution: 'CheckFunctionArn', entry: 'runbooks/lambda-timeouts/handlers/check.ts', usesLedger: false,
        description: 'lambda-timeouts: wait for LastUpdateStatus Successful',
        environment: { POLL_SECONDS: String(c.update.pollSeconds), UPDATE_TIMEOUT_SECONDS: String(c.update.timeoutMinutes * 60) },
        permissions: [{ actions: ['lambda:GetFunctionConfiguration'], resources: functions }],
      },
    ];
  },
  gates: [{ step: 'raise', policyAt: ['raise', 'approval'] }],
  undo: ({ config: c, arns }) => [{
    operation: 'lambda:UpdateFunctionConfiguration', targets: functionNames(c), resources: functionArns(c, arns),
    restoreActions: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration'],
    verifyActions: ['lambda:GetFunctionConfiguration'],
  }],
  approvalPage: {
    permissions: ({ config: c, arns }) => [{ actions: ['lambda:GetFunctionConfiguration'], resources: functionArns(c, arns) }],
  },
  // Seed 003: Duration (p99) above 80% of the timeout the function is deployed with (config's timeoutSeconds, in ms).
  alarms: (c) => c.targets.map((t): AlarmSpec => ({
    id: `${t.functionName}-duration`,
    description: `Seed 003/004: p99 duration of ${t.functionName} above ${c.durationPercentOfTimeout}% of its ${t.timeoutSeconds} s timeout. Starts lambda-timeouts.`,
    metric: { namespace: 'AWS/Lambda', metricName: 'Duration', dimensions: { FunctionName: t.functionName }, statistic: 'p99', periodMinutes: 5 },
    threshold: Math.floor(t.timeoutSeconds * 1000 * c.durationPercentOfTimeout / 100),
    comparison: 'GreaterThanThreshold', evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: 'notBreaching',
  })),
  nag: ({ config: c, arns }) => [
    {
      id: `AwsSolutions-IAM5[Resource::${arns.sqsQueue('*')}]`,
      reason: 'lambda-timeouts reads the visibility timeout (sqs:GetQueueAttributes, read-only) of the SQS queues that invoke a configured function, found at run time in its event source mappings; a raise must stay below it.',
    },
    ...functionNames(c).map((name) => ({
      id: `AwsSolutions-IAM5[Resource::${arns.logGroup(`/aws/lambda/${name}`)}:*]`,
      reason: `lambda-timeouts reads the last timeouts (logs:FilterLogEvents, read-only) of ${name}'s own log group; CloudWatch Logs names a log group in IAM with the trailing :*, which covers its streams only.`,
    })),
  ],
  drill: {
    event: 'events/lambda-timeouts.alarm.json',
    // A team tagged its own Duration alarm of a function lambda-timeouts does not configure: routed by the tag, rejected by admit.
    samples: ['events/samples/timeout-unconfigured-function.alarm.json'],
    scenarios: ['drill/scenarios/timeout-at-ceiling.json', 'drill/scenarios/timeout-sqs-visibility-limit.json'],
    taggedAlarms: { 'tradai-prod-signal-ingest-duration': {} },
    changes: { 'lambda:UpdateFunctionConfiguration': { fields: ['timeout'] } },
    // admit -> configuration, SQS sources -> last timeouts -> approval (auto here) -> re-read, raise -> update status polls -> notify
    calls: [
      { call: 'lambda:GetFunctionConfiguration', state: 'Read function configuration' },
      { call: 'lambda:ListEventSourceMappings', state: 'Read function configuration' },
      { call: 'sqs:GetQueueAttributes', state: 'Read function configuration' },
      // A log group that does not exist: the function never logged, so no timeouts.
      { call: 'logs:FilterLogEvents', state: 'Read the last timeouts', bestEffort: true, notFound: 'nothing' },
      { call: 'lambda:UpdateFunctionConfiguration', state: 'Raise function timeout', mutates: true },
      { call: 'sns:Publish', state: 'Notify remediated' },
    ],
  },
});
