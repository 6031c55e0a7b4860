import { MetricReader } from '../../../lambdas/aws/cloudwatch';
import { WorkflowClient, type ExecutionListed } from '../../../lambdas/aws/sfn';
import { ParameterClient } from '../../../lambdas/aws/ssm';
import { requireEnv, requireJsonEnv } from '../../../lambdas/shared/env';
import { TargetNotFound } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { allowedTargets } from '../../../lambdas/shared/targets';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { planDrift, PSI_METRIC, psiPolicySchema, type AlarmFacts, type DriftPlan, type Positions } from '../drift-plan';
import { openPositionsSchema, readPositions } from '../open-positions';
import { pauseKey } from '../switch-keys';

const POLICY = requireJsonEnv('PSI_POLICY', (raw) => psiPolicySchema.parse(raw));
const TRADING_SWITCH = requireEnv('TRADING_SWITCH');
const PAUSED_VALUE = requireEnv('PAUSED_VALUE');
const POSITIONS = requireJsonEnv('OPEN_POSITIONS', (raw) => openPositionsSchema.parse(raw));
const RETRAINING_MACHINE_ARN = requireEnv('RETRAINING_MACHINE_ARN');
const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const assertAllowed = allowedTargets();
const metrics = new MetricReader();
const parameters = new ParameterClient();
const workflows = new WorkflowClient();

/** PSI is published once a period: the newest value is looked for over the last three. */
const PSI_PERIODS_BACK = 3;

export interface DriftDiagnosis {
  readonly model: string;
  readonly alarm: AlarmFacts & { readonly reason: string };
  /** The model's newest PSI datapoint; null when none in the last periods. */
  readonly psi: { readonly value: number; readonly at: string } | null;
  readonly switch: { readonly name: string; readonly value: string; readonly pausedValue: string };
  readonly positions: Positions;
  /** The retraining workflow's running executions, newest first. */
  readonly retrainings: readonly ExecutionListed[];
  readonly plan: DriftPlan;
}

/**
 * Diagnose (seed 004 "Model Drift Detected: assess PSI severity"): the alarm that fired, read as it
 * is now (its metric, comparison and threshold tell drift from significant drift by config's
 * levels), the model's newest PSI, the trading switch, the open positions the application reports,
 * and the retraining workflow's running executions; then the plan.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<DriftDiagnosis> => {
  await assertAllowed(incident.target);
  const now = new Date();
  const alarm = await metrics.metricAlarm(incident.source.name);
  if (alarm === null) throw new TargetNotFound(`alarm ${incident.source.name} does not exist (DescribeAlarms found no metric alarm of that name)`);
  const [psi, switchValue, positions, retrainings, paused] = await Promise.all([
    metrics.latest(
      { namespace: PSI_METRIC.namespace, metricName: PSI_METRIC.metricName, dimensions: { [PSI_METRIC.modelDimension]: incident.target } },
      { periodSeconds: POLICY.periodSeconds, stat: 'Maximum', lookbackMinutes: (PSI_PERIODS_BACK * POLICY.periodSeconds) / 60, now },
    ),
    parameters.read(TRADING_SWITCH),
    readPositions(metrics, POSITIONS, now),
    workflows.running(RETRAINING_MACHINE_ARN),
    ledger.latestAction(incident.id, pauseKey(TRADING_SWITCH)),
  ]);
  const plan = planDrift({
    model: incident.target, alarm, policy: POLICY, psi, switchValue, pausedValue: PAUSED_VALUE,
    pausedByThisIncident: paused?.status === 'succeeded', positions, runningRetrainings: retrainings,
  });
  return {
    model: incident.target, alarm, psi, switch: { name: TRADING_SWITCH, value: switchValue, pausedValue: PAUSED_VALUE },
    positions, retrainings, plan,
  };
});
