import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ECSClient, DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, DescribeDBParametersCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  MARKETDATA_CLUSTER, STRATEGY_SERVICE, TRADAI_CLUSTER, TRADAI_DB, TRADAI_DB_CONNECTIONS_ALARM, TRADAI_DB_PARAMETER_GROUP, type AccountState,
} from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const failingOver = (s: AccountState) => {
  Object.assign(s.rds!.instances[TRADAI_DB]!, { status: 'rebooting', statusChanges: [{ status: 'available', afterReads: 2 }] });
};

describe('the seed account', () => {
  const sandbox = useSandbox();
  const rds = () => new RDSClient(clientConfig(sandbox()));

  test('tradai-prod-db: a Multi-AZ PostgreSQL instance, available, its primary in sa-east-1b after the failover, on its own parameter group', async () => {
    const { DBInstances } = await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: TRADAI_DB }));
    expect(DBInstances).toEqual([expect.objectContaining({
      DBInstanceIdentifier: TRADAI_DB, DBInstanceStatus: 'available', Engine: 'postgres', MultiAZ: true,
      AvailabilityZone: 'sa-east-1b', SecondaryAvailabilityZone: 'sa-east-1a',
      DBParameterGroups: [{ DBParameterGroupName: TRADAI_DB_PARAMETER_GROUP, ParameterApplyStatus: 'in-sync' }],
      DBInstanceArn: `arn:aws:rds:sa-east-1:111122223333:db:${TRADAI_DB}`,
    })]);
  });

  test('by its ARN too; every instance without one, the cluster members among them', async () => {
    const byArn = await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: `arn:aws:rds:sa-east-1:111122223333:db:${TRADAI_DB}` }));
    expect(byArn.DBInstances?.map((d) => d.DBInstanceIdentifier)).toEqual([TRADAI_DB]);
    const all = await rds().send(new DescribeDBInstancesCommand({}));
    expect(all.DBInstances?.map((d) => d.DBInstanceIdentifier)).toEqual([TRADAI_DB, `${MARKETDATA_CLUSTER}-1`, `${MARKETDATA_CLUSTER}-2`]);
  });

  test('the market data cluster: Aurora PostgreSQL, available, its writer -1', async () => {
    const { DBClusters } = await rds().send(new DescribeDBClustersCommand({ DBClusterIdentifier: MARKETDATA_CLUSTER }));
    expect(DBClusters).toEqual([expect.objectContaining({
      DBClusterIdentifier: MARKETDATA_CLUSTER, Status: 'available', Engine: 'aurora-postgresql',
      DBClusterMembers: [
        expect.objectContaining({ DBInstanceIdentifier: `${MARKETDATA_CLUSTER}-1`, IsClusterWriter: true }),
        expect.objectContaining({ DBInstanceIdentifier: `${MARKETDATA_CLUSTER}-2`, IsClusterWriter: false }),
      ],
    })]);
  });

  test('DescribeDBParameters with the parameter-name filter lists that parameter only: max_connections 400, set by the user', async () => {
    const { Parameters } = await rds().send(new DescribeDBParametersCommand({
      DBParameterGroupName: TRADAI_DB_PARAMETER_GROUP, Filters: [{ Name: 'parameter-name', Values: ['max_connections'] }],
    }));
    expect(Parameters).toEqual([expect.objectContaining({ ParameterName: 'max_connections', ParameterValue: '400', Source: 'user', ApplyType: 'static' })]);
    const all = await rds().send(new DescribeDBParametersCommand({ DBParameterGroupName: TRADAI_DB_PARAMETER_GROUP }));
    expect(all.Parameters!.length).toBeGreaterThan(1);
  });

  test("what does not exist is RDS's own fault: DBInstanceNotFound, DBClusterNotFoundFault, DBParameterGroupNotFound (404)", async () => {
    const errors = await Promise.all([
      rejectionOf(rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'tradai-prod-dbx' }))),
      rejectionOf(rds().send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'nope' }))),
      rejectionOf(rds().send(new DescribeDBParametersCommand({ DBParameterGroupName: 'nope' }))),
    ]);
    expect(errors.map((e) => [e.name, e.$metadata?.httpStatusCode, e.message])).toEqual([
      ['DBInstanceNotFoundFault', 404, 'DBInstance tradai-prod-dbx not found.'],
      ['DBClusterNotFoundFault', 404, 'DBCluster nope not found.'],
      ['DBParameterGroupNotFoundFault', 404, 'DBParameterGroup not found: nope'],
    ]);
  });

  test('a filter RDS does not know, or MaxRecords below 20, is InvalidParameterValue', async () => {
    const filter = await rejectionOf(rds().send(new DescribeDBParametersCommand({ DBParameterGroupName: TRADAI_DB_PARAMETER_GROUP, Filters: [{ Name: 'source', Values: ['user'] }] })));
    const max = await rejectionOf(rds().send(new DescribeDBInstancesCommand({ MaxRecords: 5 })));
    expect([filter.name, max.name]).toEqual(['InvalidParameterValue', 'InvalidParameterValue']);
  });

  test("the connections alarm follows the client services' tasks: it clears once the strategy service's leaking tasks are replaced", async () => {
    const cloudwatch = new CloudWatchClient(clientConfig(sandbox()));
    const ecs = new ECSClient(clientConfig(sandbox()));
    const alarm = async () => (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [TRADAI_DB_CONNECTIONS_ALARM] }))).MetricAlarms?.[0];
    expect(await alarm()).toMatchObject({ StateValue: 'ALARM' });
    await ecs.send(new UpdateServiceCommand({ cluster: TRADAI_CLUSTER, service: STRATEGY_SERVICE, forceNewDeployment: true }));
    // The rollout settles as ECS is read (ecs-rollout.ts): the leaking deployment's tasks are stopped.
    for (let i = 0; i < 3; i++) await ecs.send(new DescribeServicesCommand({ cluster: TRADAI_CLUSTER, services: [STRATEGY_SERVICE] }));
    expect(await alarm()).toMatchObject({ StateValue: 'OK', StateReason: expect.stringContaining('[100.0]') });
  });
});

describe('an instance failing over', () => {
  const sandbox = useSandbox(failingOver);
  const rds = () => new RDSClient(clientConfig(sandbox()));

  test('is rebooting for the reads its status change waits for, then available; no alarm reads its connections meanwhile', async () => {
    const cloudwatch = new CloudWatchClient(clientConfig(sandbox()));
    const status = async () => (await rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: TRADAI_DB }))).DBInstances?.[0]?.DBInstanceStatus;
    const alarm = async () => (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [TRADAI_DB_CONNECTIONS_ALARM] }))).MetricAlarms?.[0]?.StateReason;
    expect(await alarm()).toContain('no datapoints');
    expect([await status(), await status(), await status(), await status()]).toEqual(['rebooting', 'rebooting', 'available', 'available']);
    expect(sandbox().state.rds!.instances[TRADAI_DB]!.statusChanges).toBeUndefined();
  });
});
