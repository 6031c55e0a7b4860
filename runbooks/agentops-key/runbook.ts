/**
 * agentops-key (seed 003 §5 "AgentOps Connection Issues"): "Failed to initialize AgentOps" in an
 * agent function's logs starts it; it finds the configured agent functions whose AGENTOPS_API_KEY
 * is missing or empty and, gated, sets the key from the configured Secrets Manager secret into
 * their environments. The value is never recorded, logged or told: the ledger holds digests.
 */
import { z } from 'zod';
import { gatePolicy, resourceName, runbookBase, verifySchema } from '../config';
import { json, type AlarmSpec, type Arns, type HandlerDef } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';

/**
 * What each agent function's log metric filter publishes for "Failed to initialize AgentOps", the
 * function's name as its FunctionName dimension: the same in every environment, as the routes are.
 */
export const FAILURES_METRIC = { namespace: 'Cabruca/AgentOps', metricName: 'AgentOpsInitFailures' } as const;

const config = z.strictObject({
  ...runbookBase,
  /** The agent functions: each is diagnosed on every run, and each without the key gets it. */
  targets: z.array(z.strictObject({ functionName: resourceName })).min(1),
  /** The environment variable the AgentOps SDK reads its key from. */
  variable: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an environment variable name').default('AGENTOPS_API_KEY'),
  /** Where the key is kept: a Secrets Manager secret (by name), its whole string or one field of its JSON. */
  secret: z.strictObject({ name: resourceName, jsonField: z.string().min(1).optional() }),
  /** The alarm's period over FAILURES_METRIC. */
  failuresPeriodMinutes: z.number().int().min(1).max(60).default(5),
  set: z.strictObject({ approval: gatePolicy.default({ severity: 'P3', onTimeout: 'abort' }) }).default({ approval: { severity: 'P3', onTimeout: 'abort' } }),
  /** Waiting for LastUpdateStatus Successful after the update. */
  update: z.strictObject({
    pollSeconds: z.number().int().min(5).max(300).default(10),
    timeoutMinutes: z.number().int().min(1).max(60).default(5),
  }).default({ pollSeconds: 10, timeoutMinutes: 5 }),
  // A fixed function stops logging the failure: its metric goes silent.
  verify: verifySchema('cleared'),
});
export type AgentOpsKeyConfig = z.infer<typeof config>;

const functionNames = (c: AgentOpsKeyConfig) => c.targets.map((t) => t.functionName);
const functionArns = (c: AgentOpsKeyConfig, arns: Arns) => functionNames(c).map((name) => arns.lambdaFunction(name));
const readConfiguration = (c: AgentOpsKeyConfig, arns: Arns) => ({ actions: ['lambda:GetFunctionConfiguration'], resources: functionArns(c, arns) });

export default defineRunbook({
  name: 'agentops-key',
  answers: ['agentops-connection'],
  config,
  targets: functionNames,
  trigger: {
    kind: 'alarm',
    route: {
      selectors: [{ namespaces: [FAILURES_METRIC.namespace], metricNames: [FAILURES_METRIC.metricName], alarmedMetricOnly: true }],
      targetDimensions: ['FunctionName'],
    },
    dimensions: (c) => c.targets.map((t) => ({ FunctionName: t.functionName })),
  },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({ SetKeyApprovalTimeoutSeconds: String(deadlineSeconds(c.set.approval.severity)) }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    const env = { AGENT_FUNCTIONS: json(functionNames(c)), KEY_VARIABLE: c.variable, KEY_SECRET_ID: c.secret.name };
    return [
      {
        id: 'AgentopsKeyInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/agentops-key/handlers/inspect.ts', usesLedger: false,
        description: 'agentops-key: read whether each agent function has its AgentOps key (never the value)', environment: env,
        permissions: [readConfiguration(c, arns)],
      },
      ctx.approvalRequest('AgentopsKeyApprovalRequest'),
      {
        id: 'AgentopsKeySet', substitution: 'SetKeyFunctionArn', entry: 'runbooks/agentops-key/handlers/set-key.ts', usesLedger: true,
        description: 'agentops-key: set the key from the secret into the functions without it, as approved',
        environment: {
          ...env, ...(c.secret.jsonField ? { KEY_SECRET_FIELD: c.secret.jsonField } : {}),
          ALLOWED_TARGETS: json(functionNames(c)), SET_ON_TIMEOUT: c.set.approval.onTimeout,
        },
        permissions: [
          { actions: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration'], resources: functionArns(c, arns) },
          { actions: ['secretsmanager:GetSecretValue'], resources: [arns.secret(c.secret.name)] },
        ],
      },
      {
        id: 'AgentopsKeyCheck', substitution: 'CheckFunctionArn', entry: 'runbooks/agentops-key/handlers/check.ts', usesLedger: false,
        description: 'agentops-key: wait for LastUpdateStatus Successful with the key set',
        environment: { AGENT_FUNCTIONS: env.AGENT_FUNCTIONS, KEY_VARIABLE: c.variable, POLL_SECONDS: String(c.update.pollSeconds), UPDATE_TIMEOUT_SECONDS: String(c.update.timeoutMinutes * 60) },
        permissions: [readConfiguration(c, arns)],
      },
      ctx.verifyAlarm('AgentopsKeyVerify', c.verify),
    ];
  },
  gates: [{ step: 'set-key', policyAt: ['set', 'approval'] }],
  undo: ({ config: c, arns }) => [{
    operation: 'lambda:UpdateFunctionConfiguration', targets: functionNames(c), resources: functionArns(c, arns),
    restoreActions: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration'],
    verifyActions: ['lambda:GetFunctionConfiguration'],
  }],
  approvalPage: { permissions: ({ config: c, arns }) => [readConfiguration(c, arns)] },
  // Seed 003 §5: "Failed to initialize AgentOps" in an agent function's logs, counted by its log metric filter.
  alarms: (c) => c.targets.map((t): AlarmSpec => ({
    id: `${t.functionName}-agentops-init`,
    description: `Seed 003 §5: "Failed to initialize AgentOps" in the logs of ${t.functionName} (its log metric filter's ${FAILURES_METRIC.metricName}). Starts agentops-key.`,
    metric: { ...FAILURES_METRIC, dimensions: { FunctionName: t.functionName }, statistic: 'Sum', periodMinutes: c.failuresPeriodMinutes },
    threshold: 0, comparison: 'GreaterThanThreshold', evaluationPeriods: 1, treatMissingData: 'notBreaching',
  })),
  drill: {
    event: 'events/agentops-key.alarm.json',
    scenarios: ['drill/scenarios/agentops-key-all-set.json', 'drill/scenarios/agentops-key-secret-missing.json'],
    changes: { 'lambda:UpdateFunctionConfiguration': { fields: ['environment'] } },
    // admit -> every agent's configuration -> approval (auto here) -> secret, re-read, update -> update status polls -> alarm -> notify
    calls: [
      { call: 'lambda:GetFunctionConfiguration', state: 'Read the agent functions' },
      { call: 'secretsmanager:GetSecretValue', state: 'Set the key' },
      { call: 'lambda:UpdateFunctionConfiguration', state: 'Set the key', mutates: true },
      { call: 'cloudwatch:DescribeAlarms', state: 'Check alarm state' },
      { call: 'sns:Publish', state: 'Notify remediated' },
    ],
  },
});
