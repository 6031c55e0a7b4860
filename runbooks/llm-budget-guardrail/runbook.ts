/**
 * llm-budget-guardrail (seed 000 "Cost guardrails"): on an AWS Budgets alert driven by Bedrock
 * tokens, the agent's model preference is switched to a cheaper model and the agent proxy
 * redeployed; after a wait the recorded model is put back (unless a human changed it).
 */
import { z } from 'zod';
import { resourceName, runbookBase, verifySchema } from '../config';
import { ECS_UPDATE_SERVICE_CHANGES, json, undoStateMachineName, verifyPolicy, type HandlerDef } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';

const config = z.strictObject({
  ...runbookBase,
  budget: z.strictObject({
    budgetName: resourceName,
    monthlyLimitUsd: z.number().positive(),
    /** Seed 000: alerts at 50/80/100 %. */
    alertThresholdsPercent: z.array(z.number().positive().max(1000)).min(1).default([50, 80, 100]),
    /** Create the AWS Budgets budget; false when it already exists and notifies the budget topic. */
    create: z.boolean().default(true),
  }),
  costBucketTag: z.strictObject({ key: z.string().min(1), value: z.string().min(1) }),
  /** Bedrock "drives" the alert when its share of month-to-date spend is at least this. */
  driverSharePercent: z.number().gt(0).max(100).default(50),
  modelPreferenceParameter: z.string().regex(/^\/[A-Za-z0-9_.\-/]+$/, 'an SSM parameter name starting with /'),
  cheaperModel: z.string().min(1),
  proxyService: z.strictObject({ clusterName: resourceName, serviceName: resourceName }),
  /** Verify the switch: the parameter holds the cheaper model and the proxy rollout completed (no alarm to read). */
  verify: verifySchema('not-cleared'),
  /** Seed 000: the cheaper model stays for 24 h while the operator investigates. */
  revertAfterHours: z.number().gt(0).max(24 * 14).default(24),
  /**
   * When the switch is not verified (the proxy did not roll out, or the parameter no longer holds
   * the cheaper model), start the undo after escalating: the previous model is put back, under the
   * environment's undo approval policy. Only this runbook offers it: undoing the other runbooks'
   * changes (a stopped function, an on-demand table) would bring back the fault they contain.
   */
  undoIfNotVerified: z.boolean().default(true),
});
export type LlmBudgetGuardrailConfig = z.infer<typeof config>;

const proxyKey = (c: LlmBudgetGuardrailConfig) => `${c.proxyService.clusterName}/${c.proxyService.serviceName}`;

export default defineRunbook({
  name: 'llm-budget-guardrail',
  answers: ['cost-guardrails'],
  config,
  targets: (c) => [c.budget.budgetName],
  trigger: { kind: 'budget', budget: (c) => c.budget },
  stateMachine: {
    definition,
    substitutions: ({ config: c, environment, arns }) => ({
      ProxyService: proxyKey(c),
      // "true"/"false": a Choice reads it after the not-verified escalation.
      UndoIfNotVerified: String(c.undoIfNotVerified),
      UndoIfNotVerifiedNote: c.undoIfNotVerified
        ? 'The undo is starting: it puts back the previous model once the undo approval policy allows, and reports its own outcome.'
        : 'The switch is kept (undoIfNotVerified is off): npm run undo -- <incident id> puts back the previous model.',
      UndoStateMachineArn: arns.stateMachine(undoStateMachineName(environment)),
    }),
    // Starts the undo (fire and forget: the undo waits for its own approvals and notifies its own outcome).
    permissions: ({ config: c, environment, arns }) => (c.undoIfNotVerified
      ? [{ actions: ['states:StartExecution'], resources: [arns.stateMachine(undoStateMachineName(environment))] }]
      : []),
  },
  handlers: ({ config: c, arns }): HandlerDef[] => {
    const parameter = arns.ssmParameter(c.modelPreferenceParameter);
    const proxy = arns.ecsService(c.proxyService.clusterName, c.proxyService.serviceName);
    return [
      {
        id: 'LlmBudgetGuardrailInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/llm-budget-guardrail/handlers/inspect.ts', usesLedger: false,
        description: 'llm-budget-guardrail: is Bedrock the cost driver?',
        environment: {
          COST_BUCKET_TAG_KEY: c.costBucketTag.key, COST_BUCKET_TAG_VALUE: c.costBucketTag.value,
          DRIVER_SHARE_PERCENT: String(c.driverSharePercent), MODEL_PARAMETER: c.modelPreferenceParameter,
          CHEAPER_MODEL: c.cheaperModel, REVERT_AFTER_SECONDS: String(Math.round(c.revertAfterHours * 3600)),
        },
        permissions: [
          // Cost Explorer has no resource-level permissions: "*" is the only resource it accepts.
          { actions: ['ce:GetCostAndUsage'], resources: ['*'] },
          { actions: ['ssm:GetParameter'], resources: [parameter] },
        ],
      },
      {
        id: 'LlmBudgetGuardrailPreference', substitution: 'PreferenceFunctionArn', entry: 'runbooks/llm-budget-guardrail/handlers/preference.ts', usesLedger: true,
        description: 'llm-budget-guardrail: set or restore the model preference',
        environment: { MODEL_PARAMETER: c.modelPreferenceParameter, CHEAPER_MODEL: c.cheaperModel, ALLOWED_TARGETS: json([c.modelPreferenceParameter]) },
        permissions: [{ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [parameter] }],
      },
      {
        id: 'LlmBudgetGuardrailRedeploy', substitution: 'RedeployFunctionArn', entry: 'runbooks/llm-budget-guardrail/handlers/redeploy.ts', usesLedger: true,
        description: 'llm-budget-guardrail: redeploy the agent proxy',
        environment: { ALLOWED_TARGETS: json([proxyKey(c)]) },
        permissions: [{ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [proxy] }],
      },
      {
        id: 'LlmBudgetGuardrailVerify', substitution: 'VerifyFunctionArn', entry: 'runbooks/llm-budget-guardrail/handlers/verify.ts', usesLedger: false,
        description: 'llm-budget-guardrail: verify the cheaper model is in effect',
        environment: { MODEL_PARAMETER: c.modelPreferenceParameter, CHEAPER_MODEL: c.cheaperModel, PROXY_SERVICE: proxyKey(c), VERIFY_POLICY: verifyPolicy(c.verify) },
        permissions: [
          { actions: ['ssm:GetParameter'], resources: [parameter] },
          { actions: ['ecs:DescribeServices'], resources: [proxy] },
        ],
      },
    ];
  },
  undo: ({ config: c, arns }) => [{
    operation: 'ssm:PutParameter', targets: [c.modelPreferenceParameter], resources: [arns.ssmParameter(c.modelPreferenceParameter)],
    restoreActions: ['ssm:GetParameter', 'ssm:PutParameter'], verifyActions: ['ssm:GetParameter'],
  }],
  drill: {
    event: 'events/llm-budget-guardrail.sns.json',
    samples: ['events/samples/budget-forecasted.sns.json', 'events/samples/budget-bare-message.json'],
    scenarios: [
      'drill/scenarios/bedrock-not-the-driver.json', 'drill/scenarios/model-already-cheaper.json', 'drill/scenarios/model-parameter-deleted.json',
      'drill/scenarios/proxy-rollout-fails.json', 'drill/scenarios/proxy-rollout-fails-switch-kept.json',
    ],
    // Its recorded event puts the model back itself after the wait: the switch stays only when the rollout fails and undoIfNotVerified is off.
    undoScenario: 'drill/scenarios/proxy-rollout-fails-switch-kept.json',
    changes: {
      // The parameter's version counts every write, a restore included: only the value can come back.
      'ssm:PutParameter': { fields: ['value'] },
      'ecs:UpdateService': ECS_UPDATE_SERVICE_CHANGES,
    },
    // budget adapter -> admit -> cost + model preference -> switch -> redeploy proxy -> verify (parameter, proxy) -> notify -> wait -> restore -> redeploy -> notify
    calls: [
      { call: 'states:StartExecution' },
      // Cost Explorer's not found (DataUnavailableException) says nothing of the target.
      { call: 'ce:GetCostAndUsage', state: 'Check Bedrock spend', notFound: 'failed' },
      { call: 'ssm:GetParameter', state: 'Check Bedrock spend' },
      { call: 'ssm:PutParameter', state: 'Switch model preference', mutates: true },
      { call: 'ecs:DescribeServices', state: 'Redeploy agent proxy' },
      { call: 'ecs:UpdateService', state: 'Redeploy agent proxy', mutates: true },
      // The switch's notification is caught (the run goes on to its timed restore); the restore's fails the execution.
      { call: 'sns:Publish', state: 'Notify model switched', failsAt: 'Notify model restored' },
    ],
  },
});
