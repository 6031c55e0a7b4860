import type { AccountState, AlarmState } from './state';
import { minutesBefore } from './common';

/**
 * The TradAI trading models (seed 004's drift alerts: drift detected, significant drift with PSI > 0.25):
 * the application publishes each model's population stability index hourly (TradAI/Models PSI by
 * Model) and its open positions every minute (TradAI/Trading OpenPositions), and reads the trading
 * switch /tradai/prod/trading_paused before it trades. momentum-v3's PSI has climbed past 0.1 two
 * hours ago and past 0.25 in the last hour, so both its drift alarms are in ALARM; the last open
 * position closed ten minutes ago. The retraining workflow retrains a model and validates it on
 * held-out data: started, it succeeds after three reads of its execution, its validation PASSED.
 * Scenarios open positions, start a retraining beforehand, or make its validation fail.
 */
export const DRIFT_MODEL = 'momentum-v3';
export const TRADING_SWITCH = '/tradai/prod/trading_paused';
export const PSI_DRIFT_ALARM = 'tradai-prod-momentum-v3-psi-drift';
export const PSI_SIGNIFICANT_ALARM = 'tradai-prod-momentum-v3-psi-significant';
export const RETRAINING_MACHINE_NAME = 'tradai-prod-model-retraining';
const REGION = 'sa-east-1';
const ACCOUNT = '111122223333';
export const RETRAINING_MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${RETRAINING_MACHINE_NAME}`;
/** What a retraining of momentum-v3 returns: its validation, the field the runbook reads, PASSED. */
export const RETRAINING_OUTPUT = {
  model: DRIFT_MODEL, modelVersion: 'momentum-v3.8', trainedThrough: '2026-12-06',
  validation: { status: 'PASSED', psi: 0.04, sharpeRatio: 1.38, maxDrawdown: 0.071 },
};

/** Adds the trading switch, the two published metrics, the PSI alarms and the retraining workflow to a seeded account. */
export function seedModelSystems(state: AccountState, now: Date): void {
  state.ssm.parameters[TRADING_SWITCH] = {
    type: 'String', value: 'false', version: 3, lastModified: minutesBefore(now, 60 * 24 * 9), history: [],
  };
  state.cloudwatch.metrics = {
    ...state.cloudwatch.metrics,
    'momentum-v3 PSI': {
      namespace: 'TradAI/Models', metricName: 'PSI', dimensions: { Model: DRIFT_MODEL }, periodSeconds: 3600,
      endsAt: minutesBefore(now, 5), values: [0.04, 0.05, 0.05, 0.07, 0.09, 0.14, 0.19, 0.31],
    },
    'open positions': {
      namespace: 'TradAI/Trading', metricName: 'OpenPositions', dimensions: {}, periodSeconds: 60,
      endsAt: minutesBefore(now, 1), values: [...Array<number>(20).fill(1), ...Array<number>(10).fill(0)],
    },
  };
  const psiAlarm = (threshold: number, minutes: number, reading: number): AlarmState => ({
    description: '', namespace: 'TradAI/Models', metricName: 'PSI', dimensions: { Model: DRIFT_MODEL }, statistic: 'Maximum',
    period: 3600, evaluationPeriods: 1, threshold, comparisonOperator: 'GreaterThanThreshold', treatMissingData: 'notBreaching',
    stateValue: 'ALARM', stateUpdatedAt: minutesBefore(now, minutes), alarmActions: [], okActions: [],
    stateReason: `Threshold Crossed: 1 out of the last 1 datapoints [${reading} (07/12/26 02:00:00)] was greater than the threshold (${threshold}) (minimum 1 datapoint for OK -> ALARM transition).`,
    tags: { Project: 'tradai', Environment: 'prod' },
  });
  state.cloudwatch.alarms[PSI_DRIFT_ALARM] = { ...psiAlarm(0.1, 125, 0.14), description: 'Seed 004, drift detected (Medium): PSI of momentum-v3 above 0.1.' };
  state.cloudwatch.alarms[PSI_SIGNIFICANT_ALARM] = { ...psiAlarm(0.25, 5, 0.31), description: 'Seed 004, significant drift (High): PSI of momentum-v3 above 0.25.' };
  state.stepFunctions.stateMachines[RETRAINING_MACHINE] = {
    type: 'STANDARD', tags: { Project: 'tradai', Environment: 'prod' },
    run: { describesToEnd: 3, status: 'SUCCEEDED', output: JSON.stringify(RETRAINING_OUTPUT) },
  };
}
