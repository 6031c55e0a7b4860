/**
 * lambda-errors-rollback (seed 003 §1 "Quick rollback", seed 004 "Lambda Errors"): errors on a
 * function's alias roll the alias back to the previous published version (UpdateAlias with its
 * RevisionId), as approved in staging and prod; the undo points it back at the version it served.
 * Seed 003 rolls back by re-uploading a backup zip (update-function-code); with published
 * versions and an alias the same rollback is one reversible call that brings back exactly the
 * code the older version ran.
 */
import { z } from 'zod';
import { gatePolicy, resourceName, runbookBase, verifySchema } from '../config';
import { json, type AlarmSpec, type Arns, type HandlerDef } from '../kit';
import { defineRunbook } from '../module';
import definition from './statemachine';

/** Lambda's alias names: letters, digits, - and _, not all digits (a version number). */
const aliasName = z.string().min(1).max(128).regex(/^(?!\d+$)[A-Za-z0-9_-]+$/, 'an alias name (letters, digits, - and _, not only digits)');

const config = z.strictObject({
  ...runbookBase,
  /** Each function and the alias its traffic goes through (the alias rolled back). */
  targets: z.array(z.strictObject({ functionName: resourceName.regex(/^[A-Za-z0-9_-]+$/, 'a function name (letters, digits, - and _)'), alias: aliasName.default('live') })).min(1),
  /** An error rate that a rollback cures leaves a silent metric only when the alias gets no traffic: not proof. */
  verify: verifySchema('not-cleared'),
  thresholds: z.strictObject({
    /** Seed 003 "Key Metrics": error rate (%) of the alias above this starts a rollback. */
    errorRatePercent: z.number().gt(0).max(100).default(1),
  }).default({ errorRatePercent: 1 }),
  /** Seed 004 "Lambda Errors" is Medium (P3): gated wherever the environment requires approvals. */
  rollback: z.strictObject({
    approval: gatePolicy.default({ severity: 'P3', onTimeout: 'abort' }),
  }).default({ approval: { severity: 'P3', onTimeout: 'abort' } }),
});
export type LambdaErrorsRollbackConfig = z.infer<typeof config>;

const functionNames = (c: LambdaErrorsRollbackConfig) => c.targets.map((t) => t.functionName);
/** UpdateAlias, GetAlias and ListVersionsByFunction are authorized on the function (Service Authorization Reference). */
const functionArns = (c: LambdaErrorsRollbackConfig, arns: Arns) => functionNames(c).map((name) => arns.lambdaFunction(name));
const aliasKeys = (c: LambdaErrorsRollbackConfig) => c.targets.map((t) => `${t.functionName}:${t.alias}`);
const targetAliases = (c: LambdaErrorsRollbackConfig) => json(Object.fromEntries(c.targets.map((t) => [t.functionName, t.alias])));

export default defineRunbook({
  name: 'lambda-errors-rollback',
  answers: ['agent-lambda-errors', 'lambda-errors'],
  config,
  targets: functionNames,
  trigger: {
    kind: 'alarm',
    // Errors, alone or in an error-rate expression: the function is the target, the configured alias is rolled back.
    route: { selectors: [{ namespaces: ['AWS/Lambda'], metricNames: ['Errors'], alarmedMetricOnly: false }], targetDimensions: ['FunctionName'] },
    dimensions: (c) => c.targets.map((t) => ({ FunctionName: t.functionName })),
  },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({ RollbackApprovalTimeoutSeconds: String(deadlineSeconds(c.rollback.approval.severity)) }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    const functions = functionArns(c, arns);
    return [
      {
        id: 'LambdaErrorsRollbackInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/lambda-errors-rollback/handlers/inspect.ts', usesLedger: true,
        description: 'lambda-errors-rollback: read the alias, the published versions and earlier rollbacks; choose the version to go back to',
        environment: { TARGET_ALIASES: targetAliases(c) },
        permissions: [{ actions: ['lambda:GetAlias', 'lambda:ListVersionsByFunction'], resources: functions }],
      },
      ctx.approvalRequest('LambdaErrorsRollbackApprovalRequest'),
      {
        id: 'LambdaErrorsRollbackRollback', substitution: 'RollbackFunctionArn', entry: 'runbooks/lambda-errors-rollback/handlers/rollback.ts', usesLedger: true,
        description: 'lambda-errors-rollback: UpdateAlias back to the previous version (RevisionId), as approved',
        environment: { ALLOWED_TARGETS: json(functionNames(c)), TARGET_ALIASES: targetAliases(c), ROLLBACK_ON_TIMEOUT: c.rollback.approval.onTimeout },
        permissions: [{ actions: ['lambda:GetAlias', 'lambda:UpdateAlias'], resources: functions }],
      },
      {
        id: 'LambdaErrorsRollbackCheck', substitution: 'CheckFunctionArn', entry: 'runbooks/lambda-errors-rollback/handlers/check.ts', usesLedger: false,
        description: 'lambda-errors-rollback: read the alias again after the rollback', environment: { TARGET_ALIASES: targetAliases(c) },
        permissions: [{ actions: ['lambda:GetAlias'], resources: functions }],
      },
      ctx.verifyAlarm('LambdaErrorsRollbackVerify', c.verify),
    ];
  },
  gates: [{ step: 'rollback', policyAt: ['rollback', 'approval'] }],
  undo: ({ config: c, arns }) => [{
    operation: 'lambda:UpdateAlias', targets: aliasKeys(c), resources: functionArns(c, arns),
    restoreActions: ['lambda:GetAlias', 'lambda:UpdateAlias'], verifyActions: ['lambda:GetAlias'],
  }],
  approvalPage: {
    // The rollback gate: the page re-reads the alias (its version, weights and RevisionId).
    permissions: ({ config: c, arns }) => [{ actions: ['lambda:GetAlias'], resources: functionArns(c, arns) }],
  },
  alarms: (c) => c.targets.map((t): AlarmSpec => {
    const dimensions = { FunctionName: t.functionName, Resource: `${t.functionName}:${t.alias}` };
    const metric = (metricName: string) => ({ namespace: 'AWS/Lambda', metricName, dimensions, statistic: 'Sum', periodMinutes: 5 });
    return {
      id: `${t.functionName}-${t.alias}-error-rate`,
      description: `Seed 003 "Key Metrics": error rate of ${t.functionName} through alias ${t.alias} above ${c.thresholds.errorRatePercent}%. Starts lambda-errors-rollback.`,
      metric: { expression: '100 * errors / MAX([invocations, 1])', metrics: { errors: metric('Errors'), invocations: metric('Invocations') }, label: 'Error rate (%)', periodMinutes: 5 },
      threshold: c.thresholds.errorRatePercent, comparison: 'GreaterThanThreshold', evaluationPeriods: 1, treatMissingData: 'notBreaching',
    };
  }),
  drill: {
    event: 'events/lambda-errors-rollback.alarm.json',
    // The error-rate alarm the stack deploys (metric math over Errors and Invocations), and the manager's errors again after its rollback.
    samples: ['events/samples/lambda-errors-rollback-error-rate.alarm.json', 'events/samples/lambda-errors-rollback-refired.alarm.json'],
    scenarios: [
      'drill/scenarios/manager-alias-no-older-version.json', 'drill/scenarios/manager-alias-canary.json',
      'drill/scenarios/manager-alias-missing.json', 'drill/scenarios/manager-errors-persist.json', 'drill/scenarios/manager-errors-refire.json',
    ],
    changes: { 'lambda:UpdateAlias': { fields: ['functionVersion', 'additionalVersionWeights'] } },
    // admit (switches) -> alias, versions (and the ledger) -> rollback (alias read, then updated) -> alias read again -> alarm back to OK? -> notify
    calls: [
      { call: 'lambda:GetAlias', state: 'Read alias, versions and earlier rollbacks' },
      { call: 'lambda:ListVersionsByFunction', state: 'Read alias, versions and earlier rollbacks' },
      { call: 'lambda:UpdateAlias', state: 'Roll back alias to the previous version', mutates: true },
      { call: 'cloudwatch:DescribeAlarms', state: 'Check alarm state' },
      { call: 'sns:Publish', state: 'Notify remediated' },
    ],
  },
});
