import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { DriftDiagnosis } from '../../../runbooks/model-drift/handlers/inspect';
import { ledgerHarness } from '../../support/ledger-harness';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const cw = mockClient(CloudWatchClient);
const ssm = mockClient(SSMClient);
const sfn = mockClient(SFNClient);
const SWITCH = '/tradai/prod/trading_paused';
const MODEL = 'momentum-v3';
const MACHINE = 'arn:aws:states:sa-east-1:111122223333:stateMachine:tradai-prod-model-retraining';
const ALARM = 'tradai-prod-momentum-v3-psi-significant';
const h = ledgerHarness('6', {
  env: {
    ALLOWED_TARGETS: JSON.stringify([MODEL]), TRADING_SWITCH: SWITCH, PAUSED_VALUE: 'true', RETRAINING_MACHINE_ARN: MACHINE,
    PSI_POLICY: JSON.stringify({ drift: { psi: 0.1, severity: 'Medium' }, significant: { psi: 0.25, severity: 'High' }, periodSeconds: 3600 }),
    OPEN_POSITIONS: JSON.stringify({ namespace: 'TradAI/Trading', metricName: 'OpenPositions', dimensions: {}, periodSeconds: 60, freshMinutes: 5 }),
  },
});
let handler: (event: unknown, context: typeof lambdaContext) => Promise<DriftDiagnosis>;
let incidentId: string;

beforeAll(async () => {
  handler = (await import('../../../runbooks/model-drift/handlers/inspect')).handler as unknown as typeof handler;
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
function account(alarm: Partial<MetricAlarm> | null = {}, switchValue = 'false') {
  cw.reset();
  ssm.reset();
  sfn.reset();
  cw.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: alarm === null ? [] : [{
      AlarmName: ALARM, Namespace: 'TradAI/Models', MetricName: 'PSI', Dimensions: [{ Name: 'Model', Value: MODEL }], Threshold: 0.25,
      ComparisonOperator: 'GreaterThanThreshold', StateValue: 'ALARM', StateReason: 'Threshold Crossed', ...alarm,
    }],
  });
  cw.on(GetMetricDataCommand).callsFake(async (input: { MetricDataQueries: { MetricStat: { Metric: { Namespace: string } } }[] }) => {
    const psi = input.MetricDataQueries[0]!.MetricStat.Metric.Namespace === 'TradAI/Models';
    return { MetricDataResults: [{ Id: 'm', StatusCode: 'Complete', Timestamps: [minutesAgo(psi ? 7 : 1)], Values: [psi ? 0.31 : 0] }] };
  });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: SWITCH, Type: 'String', Value: switchValue } });
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
}

beforeEach(() => {
  account();
  incidentId = h.nextIncidentId();
});

const input = () => ({ incident: incident({ id: incidentId, runbook: 'model-drift', target: MODEL, source: { name: ALARM } }), execution: { id: EXECUTION_ARN } });

test('reads the alarm that fired by its name, the PSI of the model and the open positions it needs, the switch and running retrainings: pause', async () => {
  const d = await handler(input(), lambdaContext);

  expect(cw.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input).toEqual({ AlarmNames: [ALARM], AlarmTypes: ['MetricAlarm'] });
  const queries = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries?.[0]?.MetricStat);
  expect(queries).toEqual(expect.arrayContaining([
    { Metric: { Namespace: 'TradAI/Models', MetricName: 'PSI', Dimensions: [{ Name: 'Model', Value: MODEL }] }, Period: 3600, Stat: 'Maximum' },
    { Metric: { Namespace: 'TradAI/Trading', MetricName: 'OpenPositions', Dimensions: [] }, Period: 60, Stat: 'Maximum' },
  ]));
  expect(sfn.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toMatchObject({ stateMachineArn: MACHINE, statusFilter: 'RUNNING' });
  expect(d).toMatchObject({
    model: MODEL, psi: { value: 0.31 }, switch: { name: SWITCH, value: 'false', pausedValue: 'true' }, positions: { kind: 'none' },
    plan: { decision: 'pause', alarmClass: 'significant' },
  });
});

test('an alarm that no longer exists: TargetNotFound, nothing else read', async () => {
  account(null);

  await expect(handler(input(), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound', message: expect.stringContaining(ALARM) });
  expect(ssm.calls()).toHaveLength(0);
  expect(sfn.calls()).toHaveLength(0);
});

test('the switch holding the paused value of this incident\'s own pause (a re-run): goes on, not "already paused"', async () => {
  account({}, 'true');
  const before = await handler(input(), lambdaContext);
  await h.ledger.recordIntent({
    incidentId, actionKey: `pause#ssm:PutParameter#${SWITCH}`, runbook: 'model-drift', operation: 'ssm:PutParameter', target: SWITCH,
    executionArn: EXECUTION_ARN, before: 'false', parameters: { Name: SWITCH, Value: 'true', Type: 'String', Overwrite: true },
  });
  await h.ledger.completeAction(incidentId, `pause#ssm:PutParameter#${SWITCH}`, 'true');

  const after = await handler(input(), lambdaContext);

  expect(before.plan.decision).toBe('already-paused');
  expect(after.plan.decision).toBe('pause');
});
