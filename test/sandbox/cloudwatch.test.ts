import {
  CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, InvalidNextToken, ListTagsForResourceCommand, ResourceNotFoundException,
  type AlarmHistoryItem, type DescribeAlarmHistoryCommandInput, type ScanBy,
} from '@aws-sdk/client-cloudwatch';
import { HISTORY_ALARMS, type AlarmHistoryItemState } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const sandbox = useSandbox();
const cw = () => new CloudWatchClient(clientConfig(sandbox()));
const ALARM = 'alphaswarm-admin-prod-tasks-below-desired';
const alarmArn = `arn:aws:cloudwatch:sa-east-1:111122223333:alarm:${ALARM}`;

test('DescribeAlarms by name returns the metric alarm in ALARM', async () => {
  const out = await cw().send(new DescribeAlarmsCommand({ AlarmNames: [ALARM, 'no-such-alarm'] }));

  expect(out.MetricAlarms).toHaveLength(1);
  expect(out.MetricAlarms?.[0]).toMatchObject({
    AlarmName: ALARM,
    AlarmArn: alarmArn,
    StateValue: 'ALARM',
    Namespace: 'ECS/ContainerInsights',
    Dimensions: [
      { Name: 'ClusterName', Value: 'alphaswarm-cluster-prod' },
      { Name: 'ServiceName', Value: 'alphaswarm-admin-prod' },
    ],
  });
  expect(out.MetricAlarms?.[0]?.StateUpdatedTimestamp).toBeInstanceOf(Date);
});

test('an alarm follows its resource: the service running its desired tasks clears it', async () => {
  const service = sandbox().state.ecs.clusters['alphaswarm-cluster-prod']?.services['alphaswarm-admin-prod'];
  if (service === undefined) throw new Error('seed service missing');
  service.runningCount = 2;

  const out = await cw().send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }));

  expect(out.MetricAlarms?.[0]).toMatchObject({ StateValue: 'OK', StateReason: expect.stringContaining('[2.0] was not less than') });
});

test('ListTagsForResource returns the alarm\'s tags', async () => {
  const out = await cw().send(new ListTagsForResourceCommand({ ResourceARN: alarmArn }));

  expect(out.Tags).toEqual([{ Key: 'Environment', Value: 'prod' }, { Key: 'Service', Value: 'alphaswarm-admin-prod' }]);
});

test('tags of an unknown alarm: ResourceNotFoundException (404)', async () => {
  const error = await rejectionOf(cw().send(new ListTagsForResourceCommand({ ResourceARN: `${alarmArn}-gone` })));

  expect(error).toBeInstanceOf(ResourceNotFoundException);
  expect(error).toMatchObject({ ResourceType: 'Alarm', ResourceId: `${ALARM}-gone` });
  expect(error.$metadata?.httpStatusCode).toBe(404);
});

test('a malformed ARN is InvalidParameterValue', async () => {
  const error = await rejectionOf(cw().send(new ListTagsForResourceCommand({ ResourceARN: 'not-an-arn' })));

  expect(error.name).toBe('InvalidParameterValueException');
});

describe('DescribeAlarmHistory', () => {
  const NOW = new Date('2026-11-18T12:00:00Z');
  const history = useSandbox(undefined, { now: () => NOW });
  const client = () => new CloudWatchClient(clientConfig(history()));
  const BOTH = ['MetricAlarm', 'CompositeAlarm'] as const;
  /** The seeded items a query selects, newest first, read from the account's state. */
  const seeded = (keep: (i: AlarmHistoryItemState) => boolean) =>
    (history().state.cloudwatch.history ?? []).filter(keep).map((i) => `${i.timestamp} ${i.alarmName} ${i.historySummary}`).reverse();
  const line = (i: AlarmHistoryItem) => `${i.Timestamp?.toISOString()} ${i.AlarmName} ${i.HistorySummary}`;

  async function readAll(input: DescribeAlarmHistoryCommandInput): Promise<{ items: AlarmHistoryItem[]; pages: number }> {
    const items: AlarmHistoryItem[] = [];
    let pages = 0;
    let token: string | undefined;
    do {
      const out = await client().send(new DescribeAlarmHistoryCommand({ ...input, NextToken: token }));
      pages++;
      items.push(...(out.AlarmHistoryItems ?? []));
      token = out.NextToken;
    } while (token);
    return { items, pages };
  }

  test('pages of at most MaxRecords, newest first, every StateUpdate of both alarm types exactly once', async () => {
    const { items, pages } = await readAll({ AlarmTypes: [...BOTH], HistoryItemType: 'StateUpdate', MaxRecords: 25 });

    const want = seeded((i) => i.historyItemType === 'StateUpdate');
    expect(want.length).toBeGreaterThan(100);
    expect(items.map(line)).toEqual(want);
    expect(pages).toBe(Math.ceil(want.length / 25));
  });

  test('ScanBy TimestampAscending: oldest first; a StateUpdate carries oldState and newState as CloudWatch writes them', async () => {
    const out = await client().send(new DescribeAlarmHistoryCommand({ HistoryItemType: 'StateUpdate', ScanBy: 'TimestampAscending', MaxRecords: 1 }));

    const first = out.AlarmHistoryItems?.[0];
    expect(first).toMatchObject({ AlarmType: 'MetricAlarm', HistoryItemType: 'StateUpdate', HistorySummary: 'Alarm updated from OK to INSUFFICIENT_DATA' });
    expect(JSON.parse(first?.HistoryData ?? '{}')).toEqual({
      version: '1.0',
      oldState: { stateValue: 'OK', stateReason: expect.any(String) },
      newState: {
        stateValue: 'INSUFFICIENT_DATA', stateReason: 'Insufficient Data: 1 datapoint was unknown.',
        stateReasonData: expect.objectContaining({ version: '1.0', statistic: 'Maximum', period: 60, recentDatapoints: [] }),
      },
    });
    expect(out.NextToken).toEqual(expect.any(String));
  });

  test('without AlarmTypes only metric alarms; StartDate and EndDate bound the items, both ends included', async () => {
    const from = new Date('2026-11-13T17:20:05.218Z');
    const to = new Date('2026-11-13T17:35:40.902Z');

    const metric = await readAll({ StartDate: from, EndDate: to, MaxRecords: 100 });
    const both = await readAll({ StartDate: from, EndDate: to, AlarmTypes: [...BOTH], MaxRecords: 100 });

    const inside = (i: AlarmHistoryItemState) => i.timestamp >= from.toISOString() && i.timestamp <= to.toISOString();
    expect(metric.items.map(line)).toEqual(seeded((i) => inside(i) && i.alarmType === 'MetricAlarm'));
    expect(both.items.map(line)).toEqual(seeded(inside));
    expect(both.items.filter((i) => i.AlarmType === 'CompositeAlarm').map((i) => i.HistorySummary)).toEqual(['Alarm updated from ALARM to OK', 'Alarm updated from OK to ALARM']);
  });

  test('a deleted alarm keeps its history, its deletion included', async () => {
    const { items } = await readAll({ AlarmName: HISTORY_ALARMS.deletedLatency });

    const notified = 'Successfully executed action arn:aws:sns:sa-east-1:111122223333:runbook-autopilot-drill-critical';
    expect(items.map((i) => i.HistorySummary)).toEqual([
      `Alarm "${HISTORY_ALARMS.deletedLatency}" deleted`,
      'Alarm updated from ALARM to OK', notified, 'Alarm updated from OK to ALARM',
      'Alarm updated from ALARM to OK', notified, 'Alarm updated from OK to ALARM',
    ]);
    expect(items.map((i) => i.HistoryItemType)).toEqual(['ConfigurationUpdate', 'StateUpdate', 'Action', 'StateUpdate', 'StateUpdate', 'Action', 'StateUpdate']);
  });

  test('CloudWatch keeps 30 days: an older item is not served', async () => {
    const old = { alarmName: HISTORY_ALARMS.loadBalancer5xx, alarmType: 'MetricAlarm' as const, historyItemType: 'StateUpdate' as const, historySummary: 'Alarm updated from OK to ALARM', historyData: '{}' };
    history().state.cloudwatch.history?.unshift(
      { ...old, timestamp: new Date(NOW.getTime() - 30 * 86_400_000 - 1000).toISOString() },
      { ...old, timestamp: new Date(NOW.getTime() - 30 * 86_400_000 + 1000).toISOString(), historySummary: 'Alarm updated from ALARM to OK' },
    );

    const { items } = await readAll({ AlarmName: HISTORY_ALARMS.loadBalancer5xx, ScanBy: 'TimestampAscending', MaxRecords: 1 });

    expect(items[0]?.HistorySummary).toBe('Alarm updated from ALARM to OK');
    expect(items).toHaveLength(seeded((i) => i.alarmName === HISTORY_ALARMS.loadBalancer5xx).length - 1);
  });

  test.each([0, 101])('MaxRecords %i is a ValidationError (400), as the API model says 1..100', async (max) => {
    const error = await rejectionOf(client().send(new DescribeAlarmHistoryCommand({ MaxRecords: max })));

    // Query-compatible: the SDK reads the AWS Query code into Code.
    expect(error).toMatchObject({ Code: 'ValidationError', message: expect.stringContaining(`Value '${max}' at 'maxRecords' failed to satisfy constraint`) });
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  test('a ScanBy outside its enum is a ValidationError', async () => {
    const error = await rejectionOf(client().send(new DescribeAlarmHistoryCommand({ ScanBy: 'Newest' as ScanBy })));

    expect(error).toMatchObject({ Code: 'ValidationError', message: expect.stringContaining('[TimestampDescending, TimestampAscending]') });
  });

  test('a NextToken that is not one, or one of another query, is InvalidNextToken (400)', async () => {
    const first = await client().send(new DescribeAlarmHistoryCommand({ HistoryItemType: 'StateUpdate', MaxRecords: 5 }));

    const garbled = await rejectionOf(client().send(new DescribeAlarmHistoryCommand({ HistoryItemType: 'StateUpdate', MaxRecords: 5, NextToken: 'not-a-token' })));
    const other = await rejectionOf(client().send(new DescribeAlarmHistoryCommand({ HistoryItemType: 'Action', MaxRecords: 5, NextToken: first.NextToken })));

    for (const error of [garbled, other]) {
      expect(error).toBeInstanceOf(InvalidNextToken);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
  });

  test('a change of state the sandbox evaluates is added to the history', async () => {
    const service = history().state.ecs.clusters['alphaswarm-cluster-prod']?.services['alphaswarm-admin-prod'];
    if (service === undefined) throw new Error('seed service missing');
    service.runningCount = 2;
    await client().send(new DescribeAlarmsCommand({ AlarmNames: [ALARM] }));

    const out = await client().send(new DescribeAlarmHistoryCommand({ AlarmName: ALARM, MaxRecords: 1 }));

    expect(out.AlarmHistoryItems?.[0]).toMatchObject({ HistorySummary: 'Alarm updated from ALARM to OK', Timestamp: NOW });
    expect(JSON.parse(out.AlarmHistoryItems?.[0]?.HistoryData ?? '{}')).toMatchObject({ oldState: { stateValue: 'ALARM' }, newState: { stateValue: 'OK', stateReason: expect.stringContaining('[2.0]') } });
  });
});
