/**
 * lambda-runaway (seed 003 §4): a runaway Lambda function is stopped at once (reserved
 * concurrency 0), what invokes it is found, and a human decides whether it may run again under a
 * conservative reserved concurrency.
 */
import { z } from 'zod';
import { resourceName, runbookBase, targetTagsSchema, gatePolicy, verifySchema } from '../config';
import { byTag, json, tagReads, type AlarmSpec, type Arns, type HandlerDef } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';

const config = z.strictObject({
  ...runbookBase,
  targets: z.array(z.strictObject({ functionName: resourceName })).min(1),
  /** Functions not named above that carry all these tags are targets too. */
  targetTags: targetTagsSchema,
  verify: verifySchema('cleared'),
  thresholds: z.strictObject({
    /** Seed 003: concurrent executions above this share of the function's limit. */
    concurrencyPercentOfLimit: z.number().gt(0).max(100).default(80),
    /** Seed 003 §4: a runaway shows as an invocation count far above normal (per 5 minutes). */
    invocationsPer5Minutes: z.number().int().positive(),
    /** Seed 003: throttles above this notify (not remediated: a throttle alone is no runaway). */
    throttles: z.number().min(0).default(0),
    /** Seed 003: error rate (%) above this notifies (rollback is a separate runbook). */
    errorRatePercent: z.number().min(0).max(100).default(1),
  }),
  /** The account's concurrency limit; the per-function limit when it has no reserved concurrency. */
  accountConcurrencyLimit: z.number().int().positive().default(1000),
  /** Seed 003 §4 "Investigate cause": where to look for what invokes a stopped function. */
  evidence: z.strictObject({
    /** Event buses whose rules may target the functions (names); the default bus is always read. */
    eventBuses: z.array(resourceName).max(10).default([]),
  }).default({ eventBuses: [] }),
  /** Seed 003 §4 "set conservative concurrency limits": after the stop, ask to restore to this. */
  restore: z.strictObject({
    reservedConcurrency: z.number().int().min(1).max(1000).default(5),
    approval: gatePolicy.default({ severity: 'P2', onTimeout: 'abort' }),
  }).default({ reservedConcurrency: 5, approval: { severity: 'P2', onTimeout: 'abort' } }),
});
export type LambdaRunawayConfig = z.infer<typeof config>;

const functionNames = (c: LambdaRunawayConfig) => c.targets.map((t) => t.functionName);
const functionArns = (c: LambdaRunawayConfig, arns: Arns) => functionNames(c).map((name) => arns.lambdaFunction(name));

/**
 * The read-only look at what invokes a stopped function (seed 003 §4). Scoped as far as the
 * Service Authorization Reference allows: the policy of the configured functions only, rules of
 * this account and region, bucket notifications of this account's buckets only (bucket names are
 * found at run time, in the function's policy). ListRuleNamesByTarget and ListEventSourceMappings
 * have no resource type, so "*" is their only resource.
 */
function invokerEvidenceHandler(c: LambdaRunawayConfig, arns: Arns): HandlerDef {
  const buses = ['default', ...c.evidence.eventBuses.filter((b) => b !== 'default')];
  return {
    id: 'LambdaRunawayEvidence', substitution: 'EvidenceFunctionArn', entry: 'runbooks/lambda-runaway/handlers/evidence.ts', usesLedger: false,
    description: 'lambda-runaway: find the rules, buckets and event sources that invoke the function (read-only)',
    environment: {
      FUNCTION_ARNS: json(Object.fromEntries(functionNames(c).map((name) => [name, arns.lambdaFunction(name)]))),
      EVENT_BUSES: json(buses),
    },
    permissions: [
      // ListRuleNamesByTarget has no resource type. A rule ARN names its bus as a path segment, so
      // rule/* on the default bus also covers custom buses: DescribeRule reads any rule of this account and region.
      { actions: ['events:ListRuleNamesByTarget'], resources: ['*'] },
      { actions: ['events:DescribeRule'], resources: [arns.eventRule('default', '*')] },
      { actions: ['lambda:GetPolicy'], resources: functionArns(c, arns) },
      { actions: ['lambda:ListEventSourceMappings'], resources: ['*'] },
      { actions: ['s3:GetBucketNotification'], resources: [arns.s3Bucket('*')], conditions: { StringEquals: { 's3:ResourceAccount': arns.account } } },
    ],
  };
}

export default defineRunbook({
  name: 'lambda-runaway',
  answers: ['runaway-lambda'],
  config,
  targets: functionNames,
  trigger: {
    kind: 'alarm',
    // A runaway shows as concurrency near the limit (also as a % of it, in metric math) or as an
    // invocation surge (threshold or anomaly band).
    route: {
      selectors: [
        { namespaces: ['AWS/Lambda'], metricNames: ['ConcurrentExecutions'], alarmedMetricOnly: false },
        { namespaces: ['AWS/Lambda'], metricNames: ['Invocations'], alarmedMetricOnly: true },
      ],
      targetDimensions: ['FunctionName'],
    },
    dimensions: (c) => c.targets.map((t) => ({ FunctionName: t.functionName })),
  },
  tags: { resource: 'lambda:function', pattern: ({ arns }) => [arns.lambdaFunction('*')] },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({
      RestoreReservedConcurrency: String(c.restore.reservedConcurrency),
      RestoreApprovalTimeoutSeconds: String(deadlineSeconds(c.restore.approval.severity)),
    }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    const functions = functionArns(c, arns);
    const anyFunction = [arns.lambdaFunction('*')];
    const tagEnv: Record<string, string> = c.targetTags ? { ALLOWED_TARGET_TAGS: json(c.targetTags) } : {};
    const change = (actions: string[]) => [
      { actions, resources: functions },
      ...byTag(actions, anyFunction, c.targetTags),
      ...tagReads('lambda:ListTags', anyFunction, c.targetTags),
    ];
    return [
      {
        id: 'LambdaRunawayInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/lambda-runaway/handlers/inspect.ts', usesLedger: false,
        description: 'lambda-runaway: read reserved concurrency', environment: {},
        permissions: [{ actions: ['lambda:GetFunction'], resources: functions }, ...byTag(['lambda:GetFunction'], anyFunction, c.targetTags)],
      },
      {
        id: 'LambdaRunawayStop', substitution: 'StopFunctionArn', entry: 'runbooks/lambda-runaway/handlers/stop.ts', usesLedger: true,
        description: 'lambda-runaway: reserved concurrency 0 (emergency stop)',
        environment: { ALLOWED_TARGETS: json(functionNames(c)), ...tagEnv },
        permissions: change(['lambda:GetFunction', 'lambda:PutFunctionConcurrency']),
      },
      invokerEvidenceHandler(c, arns),
      ctx.verifyAlarm('LambdaRunawayVerify', c.verify),
      ctx.approvalRequest('LambdaRunawayApprovalRequest'),
      {
        id: 'LambdaRunawayRestore', substitution: 'RestoreFunctionArn', entry: 'runbooks/lambda-runaway/handlers/restore.ts', usesLedger: true,
        description: 'lambda-runaway: restore a conservative reserved concurrency, as approved',
        environment: {
          ALLOWED_TARGETS: json(functionNames(c)), ...tagEnv,
          RESTORE_RESERVED_CONCURRENCY: String(c.restore.reservedConcurrency), RESTORE_ON_TIMEOUT: c.restore.approval.onTimeout,
        },
        permissions: change(['lambda:GetFunction', 'lambda:PutFunctionConcurrency']),
      },
    ];
  },
  gates: [{ step: 'restore', policyAt: ['restore', 'approval'] }],
  undo: ({ config: c, arns }) => [{
    operation: 'lambda:PutFunctionConcurrency', targets: functionNames(c), resources: functionArns(c, arns), byTag: true,
    restoreActions: ['lambda:GetFunction', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'],
    verifyActions: ['lambda:GetFunction'],
  }],
  approvalPage: {
    // The restore gate: the page re-reads the function's reserved concurrency.
    permissions: ({ config: c, arns }) => [{ actions: ['lambda:GetFunction'], resources: functionArns(c, arns) }],
  },
  alarms: (c) => c.targets.flatMap((t): AlarmSpec[] => {
    const dimensions = { FunctionName: t.functionName };
    const metric = (metricName: string, statistic: string, periodMinutes = 1) => ({ namespace: 'AWS/Lambda', metricName, dimensions, statistic, periodMinutes });
    const th = c.thresholds;
    return [
      {
        id: `${t.functionName}-concurrency`,
        description: `Seed 003: concurrent executions of ${t.functionName} above ${th.concurrencyPercentOfLimit}% of the limit. Starts lambda-runaway.`,
        metric: metric('ConcurrentExecutions', 'Maximum'),
        threshold: Math.floor((c.accountConcurrencyLimit * th.concurrencyPercentOfLimit) / 100),
        comparison: 'GreaterThanThreshold', evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'notBreaching',
      },
      {
        id: `${t.functionName}-invocations`,
        description: `Seed 003 section 4: invocation surge on ${t.functionName}. Starts lambda-runaway.`,
        metric: metric('Invocations', 'Sum', 5), threshold: th.invocationsPer5Minutes,
        comparison: 'GreaterThanThreshold', evaluationPeriods: 1, treatMissingData: 'notBreaching',
      },
      {
        id: `${t.functionName}-throttles`, informs: true,
        description: `Seed 003: throttles on ${t.functionName}. Informs only.`,
        metric: metric('Throttles', 'Sum', 5), threshold: th.throttles,
        comparison: 'GreaterThanThreshold', evaluationPeriods: 1, treatMissingData: 'notBreaching',
      },
      {
        id: `${t.functionName}-error-rate`, informs: true,
        description: `Seed 003: error rate of ${t.functionName} above ${th.errorRatePercent}%. Informs only.`,
        metric: {
          expression: '100 * errors / MAX([invocations, 1])',
          metrics: { errors: metric('Errors', 'Sum', 5), invocations: metric('Invocations', 'Sum', 5) },
          label: 'Error rate (%)', periodMinutes: 5,
        },
        threshold: th.errorRatePercent, comparison: 'GreaterThanThreshold', evaluationPeriods: 1, treatMissingData: 'notBreaching',
      },
    ];
  }),
  nag: ({ arns }) => [
    {
      id: `AwsSolutions-IAM5[Resource::${arns.eventRule('default', '*')}]`,
      reason: 'lambda-runaway describes (events:DescribeRule, read-only) the rules that target a stopped function; which rules those are is what it finds out.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${arns.s3Bucket('*')}]`,
      reason: 'lambda-runaway reads the notification configuration (s3:GetBucketNotification, read-only) of the buckets a stopped function\'s policy lets S3 invoke it from, found at run time; limited to this account\'s buckets by the s3:ResourceAccount condition.',
    },
  ],
  drill: {
    event: 'events/lambda-runaway.alarm.json',
    samples: [
      'events/samples/anomaly-detection.alarm.json', 'events/samples/metric-math-lambda.alarm.json',
      'events/samples/tag-allowlisted-target.alarm.json', 'events/samples/unconfigured-target.alarm.json',
    ],
    scenarios: [
      'drill/scenarios/function-already-stopped.json', 'drill/scenarios/function-deleted.json',
      'drill/scenarios/flapping-alarm.json', 'drill/scenarios/lambda-runaway-switched-off.json',
    ],
    taggedAlarms: { 'cabruca-segmentation-prod-researcher-agent-concurrency': {} },
    changes: { 'lambda:PutFunctionConcurrency': { fields: ['reservedConcurrency'] } },
    // admit (switches) -> inspect -> stop (reads, then puts) -> verify stopped -> alarm back to OK? -> what invokes it (rules, policy -> buckets, mappings) -> notify
    calls: [
      { call: 'lambda:GetFunction', state: 'Read function concurrency' },
      { call: 'lambda:PutFunctionConcurrency', state: 'Stop function: reserved concurrency 0', mutates: true },
      { call: 'cloudwatch:DescribeAlarms', state: 'Check alarm state' },
      { call: 'events:ListRuleNamesByTarget', state: 'Find what invokes the function', bestEffort: true },
      { call: 'events:DescribeRule', state: 'Find what invokes the function', bestEffort: true },
      // A function without a resource policy answers not found: nothing invokes it through S3.
      { call: 'lambda:GetPolicy', state: 'Find what invokes the function', bestEffort: true, notFound: 'nothing' },
      { call: 's3:GetBucketNotificationConfiguration', state: 'Find what invokes the function', bestEffort: true },
      { call: 'lambda:ListEventSourceMappings', state: 'Find what invokes the function', bestEffort: true },
      { call: 'sns:Publish', state: 'Notify remediated' },
    ],
  },
});
