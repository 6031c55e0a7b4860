/**
 * model-drift (seed 004 "Model Drift Detected: assess PSI severity, consider pause", "Significant
 * Drift (PSI > 0.25): pause trading, trigger retraining"): the application publishes each model's
 * PSI (TradAI/Models PSI by Model); the stack alarms on it at two levels. Drift notifies. Significant
 * drift pauses trading through the switch the application reads (unless a position is open, seed
 * 004 "Position Stuck"), starts the retraining workflow once, waits for its validation, and resumes
 * trading as approved; the undo puts the switch back.
 */
import { z } from 'zod';
import { gatePolicy, minutes, resourceName, runbookBase } from '../config';
import { json, type AlarmSpec, type Arns, type HandlerDef } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';
import { PSI_METRIC, type PsiPolicy } from './drift-plan';
import type { OpenPositionsSource } from './open-positions';

const psi = z.number().gt(0).max(10);
const severity = z.enum(['Critical', 'High', 'Medium']);
const customNamespace = z.string().min(1).max(255).regex(/^(?!AWS\/)[^:]+$/, 'a CloudWatch namespace an application publishes to (not AWS/...)');

const config = z.strictObject({
  ...runbookBase,
  /**
   * 0 by default: the drift notice and the significant drift of one model fire together when PSI
   * jumps, and a cooldown taken by the notice would hold the pause. Its acting steps are
   * idempotent across incidents: the pause reads the switch first, the retraining starts once per
   * incident and never beside a running one.
   */
  cooldownMinutes: minutes.default(0),
  /** The models whose PSI the application publishes (TradAI/Models PSI, dimension Model), one target each. */
  targets: z.array(z.strictObject({ model: resourceName })).min(1),
  /** How often the application publishes PSI: the alarms' period. */
  psiPeriodMinutes: z.number().int().min(1).max(1440).default(60),
  /** Seed 004 "Model Drift Detected" (Medium): PSI above this notifies. */
  drift: z.strictObject({ psi: psi.default(0.1), severity: severity.default('Medium') }).default({ psi: 0.1, severity: 'Medium' }),
  /** Seed 004 "Significant Drift (PSI > 0.25)" (High): PSI above this pauses trading and retrains. */
  significant: z.strictObject({ psi: psi.default(0.25), severity: severity.default('High') }).default({ psi: 0.25, severity: 'High' }),
  /** The switch the application reads before it trades: an SSM String parameter, and the value that pauses trading. */
  tradingSwitch: z.strictObject({
    parameterName: z.string().regex(/^\/[A-Za-z0-9_.\-/]+$/, 'an SSM parameter name starting with /'),
    pausedValue: z.string().min(1).max(100).default('true'),
  }),
  /** Where the application publishes its open positions: the newest datapoint must say 0, and be recent, for a pause. */
  openPositions: z.strictObject({
    namespace: customNamespace.default('TradAI/Trading'),
    metricName: z.string().min(1).max(255).default('OpenPositions'),
    dimensions: z.record(z.string().min(1).max(255), z.string().min(1).max(1024)).default({}),
    periodSeconds: z.number().int().min(60).max(3600).multipleOf(60).default(60),
    freshMinutes: z.number().int().min(1).max(60).default(5),
  }).default({ namespace: 'TradAI/Trading', metricName: 'OpenPositions', dimensions: {}, periodSeconds: 60, freshMinutes: 5 }),
  /** The retraining workflow (a Step Functions state machine) and how its verdict is read. */
  retraining: z.strictObject({
    stateMachineName: resourceName,
    /** Waiting for it to end (bounded): its status polled every pollSeconds. */
    watch: z.strictObject({
      pollSeconds: z.number().int().min(30).max(3600).default(300),
      timeoutMinutes: z.number().int().min(5).max(24 * 60).default(360),
    }).default({ pollSeconds: 300, timeoutMinutes: 360 }),
    /** The field of its output that says whether the retrained model passed validation, and the value that says it did. */
    validation: z.strictObject({
      outputField: z.string().min(1).max(255).regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'a dotted path into the output, e.g. validation.status').default('validation.status'),
      passedValue: z.string().min(1).max(255).default('PASSED'),
    }).default({ outputField: 'validation.status', passedValue: 'PASSED' }),
  }),
  resume: z.strictObject({
    approval: gatePolicy.default({ severity: 'P2', onTimeout: 'abort' }),
  }).default({ approval: { severity: 'P2', onTimeout: 'abort' } }),
}).refine((c) => c.significant.psi > c.drift.psi, { message: 'significant.psi must be above drift.psi', path: ['significant', 'psi'] });
export type ModelDriftConfig = z.infer<typeof config>;

const models = (c: ModelDriftConfig) => c.targets.map((t) => t.model);
const machine = (c: ModelDriftConfig, arns: Arns) => arns.stateMachine(c.retraining.stateMachineName);
const executions = (c: ModelDriftConfig, arns: Arns) => arns.executions(c.retraining.stateMachineName);
const psiPolicy = (c: ModelDriftConfig): PsiPolicy => ({ drift: c.drift, significant: c.significant, periodSeconds: c.psiPeriodMinutes * 60 });
const positions = (c: ModelDriftConfig): OpenPositionsSource => c.openPositions;
/** GetMetricData has no resource-level permissions: "*" is the only resource it takes. */
const readMetrics = { actions: ['cloudwatch:GetMetricData'], resources: ['*'] };

export default defineRunbook({
  name: 'model-drift',
  answers: ['model-drift-detected', 'significant-drift'],
  config,
  targets: models,
  trigger: {
    kind: 'alarm',
    route: {
      selectors: [{ namespaces: [PSI_METRIC.namespace], metricNames: [PSI_METRIC.metricName], alarmedMetricOnly: true }],
      targetDimensions: [PSI_METRIC.modelDimension],
    },
    dimensions: (c) => c.targets.map((t) => ({ [PSI_METRIC.modelDimension]: t.model })),
  },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({ ResumeApprovalTimeoutSeconds: String(deadlineSeconds(c.resume.approval.severity)) }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    const allowed = { ALLOWED_TARGETS: json(models(c)) };
    const tradingSwitch = { TRADING_SWITCH: c.tradingSwitch.parameterName, PAUSED_VALUE: c.tradingSwitch.pausedValue, OPEN_POSITIONS: json(positions(c)) };
    const switchParameter = arns.ssmParameter(c.tradingSwitch.parameterName);
    const retraining = { RETRAINING_MACHINE_ARN: machine(c, arns) };
    return [
      {
        id: 'ModelDriftInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/model-drift/handlers/inspect.ts', usesLedger: true,
        description: 'model-drift: read the alarm that fired, the PSI, the trading switch, open positions and running retrainings',
        environment: { ...allowed, ...tradingSwitch, ...retraining, PSI_POLICY: json(psiPolicy(c)) },
        permissions: [
          // DescribeAlarms returns composite alarms only to a caller granted it on "*"; read-only, as the shared verify step.
          { actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] }, readMetrics,
          { actions: ['ssm:GetParameter'], resources: [switchParameter] },
          { actions: ['states:ListExecutions'], resources: [machine(c, arns)] },
        ],
      },
      {
        id: 'ModelDriftSwitch', substitution: 'SwitchFunctionArn', entry: 'runbooks/model-drift/handlers/switch.ts', usesLedger: true,
        description: 'model-drift: pause trading (open positions read again first), or resume it as approved',
        environment: { ...allowed, ...tradingSwitch, RESUME_ON_TIMEOUT: c.resume.approval.onTimeout },
        permissions: [{ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [switchParameter] }, readMetrics],
      },
      {
        id: 'ModelDriftRetrain', substitution: 'RetrainFunctionArn', entry: 'runbooks/model-drift/handlers/retrain.ts', usesLedger: true,
        description: 'model-drift: start the retraining workflow once per incident, or watch the one already running',
        environment: { ...allowed, ...retraining },
        permissions: [{ actions: ['states:ListExecutions', 'states:StartExecution'], resources: [machine(c, arns)] }],
      },
      {
        id: 'ModelDriftCheck', substitution: 'CheckFunctionArn', entry: 'runbooks/model-drift/handlers/check.ts', usesLedger: false,
        description: "model-drift: wait for the retraining and read its validation",
        environment: {
          ...retraining, VALIDATION: json(c.retraining.validation),
          POLL_SECONDS: String(c.retraining.watch.pollSeconds), WATCH_TIMEOUT_SECONDS: String(c.retraining.watch.timeoutMinutes * 60),
        },
        permissions: [{ actions: ['states:DescribeExecution'], resources: [executions(c, arns)] }],
      },
      ctx.approvalRequest('ModelDriftApprovalRequest'),
    ];
  },
  gates: [{ step: 'resume', policyAt: ['resume', 'approval'] }],
  undo: ({ config: c, arns }) => [{
    operation: 'ssm:PutParameter', targets: [c.tradingSwitch.parameterName], resources: [arns.ssmParameter(c.tradingSwitch.parameterName)],
    restoreActions: ['ssm:GetParameter', 'ssm:PutParameter'], verifyActions: ['ssm:GetParameter'],
  }],
  approvalPage: {
    permissions: ({ config: c, arns }) => [{ actions: ['ssm:GetParameter'], resources: [arns.ssmParameter(c.tradingSwitch.parameterName)] }],
  },
  // The application publishes PSI; the stack alarms on it at the two levels config sets, both starting this runbook.
  alarms: (c) => c.targets.flatMap((t): AlarmSpec[] => ([['drift', 'Model Drift Detected', c.drift], ['significant', 'Significant Drift', c.significant]] as const).map(([level, alert, at]) => ({
    id: `${t.model}-psi-${level}`,
    description: `Seed 004 "${alert}" (${at.severity}): PSI of ${t.model} above ${at.psi}. Starts model-drift, which ${level === 'drift' ? 'assesses and notifies' : 'pauses trading and retrains'}.`,
    metric: { namespace: PSI_METRIC.namespace, metricName: PSI_METRIC.metricName, dimensions: { [PSI_METRIC.modelDimension]: t.model }, statistic: 'Maximum', periodMinutes: c.psiPeriodMinutes },
    threshold: at.psi, comparison: 'GreaterThanThreshold', evaluationPeriods: 1, treatMissingData: 'notBreaching',
  }))),
  nag: ({ config: c, arns }) => [{
    id: `AwsSolutions-IAM5[Resource::${executions(c, arns)}]`,
    reason: `model-drift waits on (states:DescribeExecution, read-only) the retraining executions of ${c.retraining.stateMachineName}: the one it starts is named after the incident, and one already running is found at run time; IAM names an execution by its state machine and its name.`,
  }],
  drill: {
    event: 'events/model-drift.alarm.json',
    // Seed 004 "Model Drift Detected": the drift alarm, which notifies and changes nothing.
    samples: ['events/samples/model-drift-notice.alarm.json'],
    scenarios: ['drill/scenarios/trading-positions-open.json', 'drill/scenarios/retraining-already-running.json', 'drill/scenarios/retrained-model-fails-validation.json'],
    // Its recorded event resumes trading itself once approved: the pause stays only when the retrained model fails validation.
    undoScenario: 'drill/scenarios/retrained-model-fails-validation.json',
    // The model is no resource of the account; the switch is, and every run reads it.
    watches: (c) => [c.tradingSwitch.parameterName],
    changes: {
      'ssm:PutParameter': { fields: ['value'] },
      'states:StartExecution': { fields: ['status'], note: 'a started retraining cannot be taken back: it runs to its end' },
    },
    // admit -> alarm, PSI and positions, switch, running retrainings -> pause (positions again) -> start retraining -> its result -> approval (auto here) -> resume -> notify
    calls: [
      // An alarm that does not exist is an empty answer (escalated); a not-found error is not about the target.
      { call: 'cloudwatch:DescribeAlarms', state: 'Assess drift' },
      // A metric nobody published is an empty answer, never an error: a not-found answer is not about the target.
      { call: 'cloudwatch:GetMetricData', state: 'Assess drift', notFound: 'failed' },
      { call: 'states:ListExecutions', state: 'Assess drift' },
      { call: 'ssm:GetParameter', state: 'Assess drift' },
      { call: 'ssm:PutParameter', state: 'Pause trading', mutates: true },
      { call: 'states:StartExecution', state: 'Start retraining' },
      { call: 'states:DescribeExecution', state: 'Check the retraining' },
      { call: 'sns:Publish', state: 'Notify remediated' },
    ],
  },
});
