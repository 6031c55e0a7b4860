import { CloudWatchClient, DescribeAlarmsCommand, ListTagsForResourceCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch';
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
