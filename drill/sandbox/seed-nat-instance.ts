import type { AccountState, Ec2RouteTableState } from './state';
import { minutesBefore } from './common';

/**
 * Seed 004 "NAT Instance Down": the prod VPC's NAT instance in sa-east-1a (source/destination check
 * off, as a NAT instance's must be) whose host failed: its system status check failed at the time of
 * the alarm's recorded event (its sample in events/samples/) and EC2
 * scheduled its retirement; its status-check alarm is in ALARM. Both private subnets send
 * their internet traffic through it (one route table each); the public subnets' table goes to the
 * internet gateway. EC2's documented id shapes (17 hex digits).
 */
export const NAT_INSTANCE = 'i-0a7f3c9e21b4d5068';
export const NAT_ALARM = 'alphaswarm-prod-nat-a-status-check';
export const NAT_VPC = 'vpc-0c1d2e3f4a5b6c7d8';
export const PRIVATE_SUBNETS = { a: 'subnet-0a1b2c3d4e5f60718', b: 'subnet-0b2c3d4e5f6071829' } as const;
export const NAT_ROUTE_TABLES = { a: 'rtb-0d4e5f6a7b8c9d0e1', b: 'rtb-0e5f6a7b8c9d0e1f2' } as const;
const PUBLIC_ROUTE_TABLE = 'rtb-0f6a7b8c9d0e1f2a3';
const NAT_ENI = 'eni-0a9b8c7d6e5f40312';

export function seedNatInstance(state: AccountState, now: Date): void {
  const impairedSince = '2026-12-06T05:19:30.000Z';
  const ec2 = (state.ec2 ??= { instances: {}, routeTables: {} });
  ec2.instances[NAT_INSTANCE] = {
    instanceType: 't3.small', imageId: 'ami-0b5e8c4a1f2d3e6a7', availabilityZone: `${state.region}a`, vpcId: NAT_VPC,
    subnetId: 'subnet-0c3d4e5f6071829a3', privateIpAddress: '10.20.0.11', publicIpAddress: '203.0.113.45',
    launchTime: '2026-06-02T14:20:11.000Z', state: 'running', stateTransitionReason: '', sourceDestCheck: false,
    systemStatus: { status: 'impaired', reachability: 'failed', impairedSince },
    instanceStatus: { status: 'insufficient-data', reachability: 'insufficient-data' },
    events: [{
      instanceEventId: 'instance-event-0d1e2f3a4b5c6d7e8', code: 'instance-retirement',
      description: 'The instance is running on degraded hardware', notBefore: '2026-12-08T05:00:00.000Z',
    }],
    tags: { Name: 'alphaswarm-prod-nat-a', Project: 'alphaswarm', Environment: 'prod' },
  };
  const privateTable = (subnetId: string, association: string, name: string): Ec2RouteTableState => ({
    vpcId: NAT_VPC,
    routes: [
      { destinationCidrBlock: '10.20.0.0/16', gatewayId: 'local', state: 'active', origin: 'CreateRouteTable' },
      { destinationCidrBlock: '0.0.0.0/0', instanceId: NAT_INSTANCE, networkInterfaceId: NAT_ENI, state: 'active', origin: 'CreateRoute' },
    ],
    associations: [{ routeTableAssociationId: association, subnetId, main: false }],
    tags: { Name: name, Environment: 'prod' },
  });
  ec2.routeTables[NAT_ROUTE_TABLES.a] = privateTable(PRIVATE_SUBNETS.a, 'rtbassoc-0a1a2b3c4d5e6f708', 'alphaswarm-prod-private-a');
  ec2.routeTables[NAT_ROUTE_TABLES.b] = privateTable(PRIVATE_SUBNETS.b, 'rtbassoc-0b2b3c4d5e6f70819', 'alphaswarm-prod-private-b');
  ec2.routeTables[PUBLIC_ROUTE_TABLE] = {
    vpcId: NAT_VPC,
    routes: [
      { destinationCidrBlock: '10.20.0.0/16', gatewayId: 'local', state: 'active', origin: 'CreateRouteTable' },
      { destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-0e1f2a3b4c5d6e7f8', state: 'active', origin: 'CreateRoute' },
    ],
    associations: [{ routeTableAssociationId: 'rtbassoc-0c3c4d5e6f708192a', main: true }],
    tags: { Name: 'alphaswarm-prod-public', Environment: 'prod' },
  };
  state.cloudwatch.alarms[NAT_ALARM] = {
    description: 'Seed 004 "NAT Instance Down" (High): the prod NAT instance in sa-east-1a fails its status checks.',
    namespace: 'AWS/EC2', metricName: 'StatusCheckFailed', dimensions: { InstanceId: NAT_INSTANCE }, statistic: 'Maximum',
    period: 60, evaluationPeriods: 2, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold', treatMissingData: 'breaching',
    stateValue: 'ALARM', stateUpdatedAt: minutesBefore(now, 10), alarmActions: [], okActions: [],
    stateReason: 'Threshold Crossed: 2 out of the last 2 datapoints [1.0, 1.0] were greater than or equal to the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).',
    tags: { Project: 'alphaswarm', Environment: 'prod' },
  };
}
