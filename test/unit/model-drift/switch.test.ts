import 'aws-sdk-client-mock-jest';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ApprovalStore } from '../../../lambdas/approval/store';
import { ledgerHarness } from '../../support/ledger-harness';
import { seedApprovalRequest } from '../../support/approval-requests';
import { EXECUTION_ARN, incident, lambdaContext } from '../../support/fixtures';

const ssm = mockClient(SSMClient);
const cw = mockClient(CloudWatchClient);
const SWITCH = '/tradai/prod/trading_paused';
const MODEL = 'momentum-v3';
const PAUSE_KEY = `pause#ssm:PutParameter#${SWITCH}`;
const RESUME_KEY = `resume#ssm:PutParameter#${SWITCH}`;
const h = ledgerHarness('5', {
  env: {
    ALLOWED_TARGETS: JSON.stringify([MODEL]), TRADING_SWITCH: SWITCH, PAUSED_VALUE: 'true', RESUME_ON_TIMEOUT: 'abort',
    OPEN_POSITIONS: JSON.stringify({ namespace: 'TradAI/Trading', metricName: 'OpenPositions', dimensions: {}, periodSeconds: 60, freshMinutes: 5 }),
  },
});
let handler: (event: unknown, context: typeof lambdaContext) => Promise<Record<string, unknown>>;
let store: ApprovalStore;
let incidentId: string;

beforeAll(async () => {
  store = new ApprovalStore('ledger', h.dynamo.client);
  handler = (await import('../../../runbooks/model-drift/handlers/switch')).handler as unknown as typeof handler;
});
beforeEach(() => {
  ssm.reset();
  cw.reset();
  incidentId = h.nextIncidentId();
});

const input = (mode: string, extra: Record<string, unknown> = {}) => ({
  incident: incident({ id: incidentId, runbook: 'model-drift', target: MODEL }), execution: { id: EXECUTION_ARN }, mode, ...extra,
});
const switchHolds = (value: string) => ssm.on(GetParameterCommand).resolves({ Parameter: { Name: SWITCH, Type: 'String', Value: value } });
/** The application's newest OpenPositions datapoint: `count`, `minutesAgo` minutes ago. */
const openPositions = (count: number, minutesAgo = 1) => cw.on(GetMetricDataCommand).resolves({
  MetricDataResults: [{ Id: 'm', StatusCode: 'Complete', Timestamps: [new Date(Date.now() - minutesAgo * 60_000)], Values: [count] }],
});

/** Pauses from "false", then forgets the calls it made. */
async function paused(): Promise<void> {
  switchHolds('false');
  openPositions(0);
  ssm.on(PutParameterCommand).resolves({ Version: 4 });
  await handler(input('pause'), lambdaContext);
  ssm.reset();
  cw.reset();
}

async function approve(value: string): Promise<Record<string, unknown>> {
  const requestId = `apr-${incidentId.slice(4)}${'0'.repeat(16)}`;
  await seedApprovalRequest(store, {
    requestId, incidentId, status: 'approved',
    gate: { runbook: 'model-drift', step: 'resume', summary: 's', firedAt: 'f', operation: 'ssm:PutParameter', target: SWITCH, parameters: { Name: SWITCH, Value: value }, evidence: null, severity: 'P2' },
  });
  return { decision: 'approved', requestId };
}

describe('pause', () => {
  test('records the running value, reads the open positions again, then writes the paused value', async () => {
    switchHolds('false');
    openPositions(0);
    let intentAtCall: unknown;
    ssm.on(PutParameterCommand).callsFake(async () => {
      intentAtCall = await h.ledger.getAction(incidentId, PAUSE_KEY);
      return { Version: 4 };
    });

    const result = await handler(input('pause'), lambdaContext);

    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: SWITCH, Value: 'true', Type: 'String', Overwrite: true }]);
    expect(intentAtCall).toMatchObject({ status: 'intent', before: 'false', target: SWITCH });
    expect(cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input.MetricDataQueries?.[0]?.MetricStat?.Metric).toEqual({ Namespace: 'TradAI/Trading', MetricName: 'OpenPositions', Dimensions: [] });
    expect(result).toMatchObject({ operation: 'ssm:PutParameter', target: SWITCH, before: 'false', after: 'true', replayed: false, planned: false });
  });

  test.each([
    ['a position opened since the assessment', () => openPositions(1), '1 open position(s)'],
    ['no recent datapoint to tell', () => openPositions(0, 30), 'open positions unknown'],
  ])('%s: refused, nothing written, the row failed', async (_what, arrange, message) => {
    switchHolds('false');
    arrange();

    await expect(handler(input('pause'), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected', message: expect.stringContaining(message) });
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    expect(await h.ledger.getAction(incidentId, PAUSE_KEY)).toMatchObject({ status: 'failed', before: 'false' });
  });

  test('paused by someone since the assessment: refused, their pause left alone', async () => {
    switchHolds('true');
    openPositions(0);

    await expect(handler(input('pause'), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected', message: expect.stringContaining('already holds true') });
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });

  test('a retry once the ledger holds the pause done writes nothing again', async () => {
    await paused();
    switchHolds('true');

    const again = await handler(input('pause'), lambdaContext);

    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    expect(again).toMatchObject({ before: 'false', after: 'true', replayed: true });
  });

  test('a dry run plans the write and makes none', async () => {
    switchHolds('false');

    const planned = await handler(input('pause', { dryRun: true }), lambdaContext);

    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    expect(planned).toMatchObject({ planned: true, before: 'false', after: 'true' });
    expect(await h.ledger.getAction(incidentId, PAUSE_KEY)).toMatchObject({ status: 'planned' });
  });

  test('a switch that does not exist is TargetNotFound, nothing written', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: "The parameter couldn't be found.", $metadata: { httpStatusCode: 400 } }));

    await expect(handler(input('pause'), lambdaContext)).rejects.toMatchObject({ name: 'TargetNotFound' });
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
  });
});

describe('resume', () => {
  test('as approved, writes back the value the pause recorded, its row of intent first', async () => {
    await paused();
    switchHolds('true');
    let intentAtCall: unknown;
    ssm.on(PutParameterCommand).callsFake(async () => {
      intentAtCall = await h.ledger.getAction(incidentId, RESUME_KEY);
      return { Version: 5 };
    });

    const result = await handler(input('resume', { approval: await approve('false') }), lambdaContext);

    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: SWITCH, Value: 'false', Type: 'String', Overwrite: true }]);
    expect(intentAtCall).toMatchObject({ status: 'intent', before: 'true' });
    expect(result).toMatchObject({ restored: true, action: { before: 'true', after: 'false' } });
  });

  test('an approval of another value does not cover it: refused before anything is read', async () => {
    await paused();

    await expect(handler(input('resume', { approval: await approve('maybe') }), lambdaContext)).rejects.toMatchObject({ name: 'ChangeRejected' });
    expect(ssm.calls()).toHaveLength(0);
  });

  test('without an approved decision: NotApproved, nothing read or written', async () => {
    await paused();

    await expect(handler(input('resume', { approval: { decision: 'rejected' } }), lambdaContext)).rejects.toMatchObject({ name: 'NotApproved' });
    expect(ssm.calls()).toHaveLength(0);
  });

  test('a switch someone changed since the pause is theirs: left as it is', async () => {
    await paused();
    switchHolds('maintenance');

    const result = await handler(input('resume', { approval: await approve('false') }), lambdaContext);

    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    expect(result).toEqual({ restored: false, reason: `the trading switch ${SWITCH} was changed to maintenance after the pause; left as it is`, action: null });
  });

  test('without a finished pause in the ledger there is nothing to resume', async () => {
    await expect(handler(input('resume', { approval: { decision: 'approved', requestId: 'apr-x' } }), lambdaContext)).rejects.toMatchObject({ name: 'NothingToRestore' });
    expect(ssm.calls()).toHaveLength(0);
  });
});

test('a model that is not a configured target: refused before anything is read', async () => {
  await expect(handler({ ...input('pause'), incident: incident({ id: incidentId, runbook: 'model-drift', target: 'other-model' }) }, lambdaContext))
    .rejects.toMatchObject({ name: 'TargetNotAllowed' });
  expect(ssm.calls()).toHaveLength(0);
});
