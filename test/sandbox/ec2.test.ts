/**
 * EC2 in the sandbox: its own query wire (flattened lists in, `<item>` lists and no Result wrapper
 * out, `<Response><Errors>` errors), read through @aws-sdk/client-ec2, and the NAT instance the seed
 * holds: impaired by a failed system status check, its retirement scheduled, two private route
 * tables through it.
 */
import { DescribeInstanceStatusCommand, DescribeInstancesCommand, DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ec2Model } from '../../drill/sandbox/ec2';
import { decodeCall, encodeError, encodeOutput } from '../../drill/sandbox/wire';
import { AwsError } from '../../drill/sandbox/aws-error';
import { NAT_INSTANCE, NAT_ROUTE_TABLES, PRIVATE_SUBNETS } from '../../drill/sandbox/seed-nat-instance';
import { clientConfig, rejectionOf, useSandbox } from './support';

const form = (body: string) => ({ method: 'POST', path: '/', query: new URLSearchParams(), headers: {}, body });

describe('the EC2 query wire', () => {
  test('numbered members are lists, in their numbers\' order, nested ones too; Action and Version are not input', () => {
    const call = decodeCall(ec2Model, form('Action=DescribeRouteTables&Version=2016-11-15&MaxResults=100&Filter.2.Name=vpc-id&Filter.2.Value.1=vpc-1'
      + '&Filter.1.Name=route.instance-id&Filter.1.Value.2=i-b&Filter.1.Value.1=i-a&RouteTableId.1=rtb-1'));
    expect(call).toEqual({
      operation: 'DescribeRouteTables', status: 200,
      input: { MaxResults: '100', RouteTableId: ['rtb-1'], Filter: [{ Name: 'route.instance-id', Value: ['i-a', 'i-b'] }, { Name: 'vpc-id', Value: ['vpc-1'] }] },
    });
  });

  test('an answer is <OpResponse> with its requestId and members, no Result wrapper, every list member <item>', () => {
    const { status, headers, body } = encodeOutput(ec2Model, 'DescribeThings', { thingSet: [{ thingId: 'i-1', tagSet: [{ key: 'Name', value: 'a&b' }] }], ok: true }, 200, 'req-1');
    expect([status, headers['content-type']]).toEqual([200, 'text/xml;charset=UTF-8']);
    expect(body).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<DescribeThingsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId>'
      + '<thingSet><item><thingId>i-1</thingId><tagSet><item><key>Name</key><value>a&#38;b</value></item></tagSet></item></thingSet><ok>true</ok></DescribeThingsResponse>');
  });

  test('an error is <Response><Errors><Error> with its code and message, and the RequestID', () => {
    const { status, body } = encodeError(ec2Model, new AwsError('InvalidInstanceID.NotFound', 400, "The instance ID 'i-1' does not exist"), 'req-2');
    expect(status).toBe(400);
    expect(body).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code>'
      + "<Message>The instance ID &#39;i-1&#39; does not exist</Message></Error></Errors><RequestID>req-2</RequestID></Response>");
  });
});

describe('the seed account, through the EC2 client', () => {
  const sandbox = useSandbox();
  const ec2 = () => new EC2Client(clientConfig(sandbox()));

  test("the NAT instance's status: running, its system check failed with the time it became impaired, its retirement scheduled", async () => {
    const out = await ec2().send(new DescribeInstanceStatusCommand({ InstanceIds: [NAT_INSTANCE], IncludeAllInstances: true }));
    expect(out.InstanceStatuses).toEqual([{
      InstanceId: NAT_INSTANCE, AvailabilityZone: 'sa-east-1a', InstanceState: { Code: 16, Name: 'running' },
      SystemStatus: { Status: 'impaired', Details: [{ Name: 'reachability', Status: 'failed', ImpairedSince: new Date('2026-12-06T05:19:30Z') }] },
      InstanceStatus: { Status: 'insufficient-data', Details: [{ Name: 'reachability', Status: 'insufficient-data' }] },
      Events: [{ InstanceEventId: 'instance-event-0d1e2f3a4b5c6d7e8', Code: 'instance-retirement', Description: 'The instance is running on degraded hardware', NotBefore: new Date('2026-12-08T05:00:00Z') }],
    }]);
    expect(sandbox().calls.at(-1)).toMatchObject({ service: 'ec2', operation: 'DescribeInstanceStatus', input: { InstanceId: [NAT_INSTANCE], IncludeAllInstances: 'true' } });
  });

  test('a stopped instance: listed only with IncludeAllInstances, its checks not-applicable', async () => {
    const s = sandbox();
    s.state.ec2!.instances[NAT_INSTANCE]!.state = 'stopped';
    expect((await ec2().send(new DescribeInstanceStatusCommand({ InstanceIds: [NAT_INSTANCE] }))).InstanceStatuses).toEqual([]);
    const [status] = (await ec2().send(new DescribeInstanceStatusCommand({ InstanceIds: [NAT_INSTANCE], IncludeAllInstances: true }))).InstanceStatuses ?? [];
    expect([status?.InstanceState, status?.SystemStatus?.Status]).toEqual([{ Code: 80, Name: 'stopped' }, 'not-applicable']);
  });

  test("the NAT instance: its state, source/destination check off, its tags", async () => {
    const out = await ec2().send(new DescribeInstancesCommand({ InstanceIds: [NAT_INSTANCE] }));
    expect(out.Reservations?.[0]?.Instances?.[0]).toMatchObject({
      InstanceId: NAT_INSTANCE, State: { Code: 16, Name: 'running' }, SourceDestCheck: false, StateTransitionReason: '',
      SubnetId: 'subnet-0c3d4e5f6071829a3', PrivateIpAddress: '10.20.0.11', Tags: expect.arrayContaining([{ Key: 'Name', Value: 'alphaswarm-prod-nat-a' }]),
    });
    const named = async (value: string) => (await ec2().send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: [value] }] }))).Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId);
    expect(await named('alphaswarm-prod-nat-*')).toEqual([NAT_INSTANCE]);
    expect(await named('alphaswarm-prod-nat')).toEqual([]);
  });

  test('the route tables that send traffic through it: both private ones, with their subnets; not the public one', async () => {
    const out = await ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.instance-id', Values: [NAT_INSTANCE] }] }));
    expect(out.RouteTables?.map((t) => [t.RouteTableId, t.Associations?.map((a) => a.SubnetId), t.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')?.InstanceId]))
      .toEqual([[NAT_ROUTE_TABLES.a, [PRIVATE_SUBNETS.a], NAT_INSTANCE], [NAT_ROUTE_TABLES.b, [PRIVATE_SUBNETS.b], NAT_INSTANCE]]);
    const wildcard = await ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.instance-id', Values: ['i-0a7f3c9e*'] }, { Name: 'association.subnet-id', Values: [PRIVATE_SUBNETS.b] }] }));
    expect(wildcard.RouteTables?.map((t) => t.RouteTableId)).toEqual([NAT_ROUTE_TABLES.b]);
    // A tag:<key> filter reads the tag's value, wildcards too; a key the table lacks matches nothing.
    const tagged = await ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:Name', Values: ['alphaswarm-prod-private-?'] }] }));
    expect(tagged.RouteTables?.map((t) => t.RouteTableId)).toEqual([NAT_ROUTE_TABLES.a, NAT_ROUTE_TABLES.b]);
    expect((await ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:Project', Values: ['*'] }] }))).RouteTables).toEqual([]);
  });

  test("EC2's refusals: a malformed id, an unknown one (with the request id), an unknown filter, MaxResults with ids or out of range", async () => {
    const refused = async (call: Promise<unknown>) => {
      const e = (await rejectionOf(call)) as Error & { $metadata: { httpStatusCode?: number; requestId?: string } };
      return [e.name, e.$metadata.httpStatusCode, e.message];
    };
    expect(await refused(ec2().send(new DescribeInstancesCommand({ InstanceIds: ['i-nat'] })))).toEqual(['InvalidInstanceID.Malformed', 400, 'Invalid id: "i-nat"']);
    expect(await refused(ec2().send(new DescribeInstanceStatusCommand({ InstanceIds: ['i-0123456789abcdef0', NAT_INSTANCE] })))).toEqual(['InvalidInstanceID.NotFound', 400, "The instance ID 'i-0123456789abcdef0' does not exist"]);
    expect(await refused(ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.nat', Values: ['x'] }] })))).toEqual(['InvalidParameterValue', 400, "The filter 'route.nat' is invalid"]);
    expect(await refused(ec2().send(new DescribeInstanceStatusCommand({ InstanceIds: [NAT_INSTANCE], MaxResults: 5 })))).toEqual(['InvalidParameterCombination', 400, 'The parameter instancesSet cannot be used with the parameter maxResults']);
    expect(await refused(ec2().send(new DescribeRouteTablesCommand({ MaxResults: 200 })))).toEqual(['InvalidParameterValue', 400, 'Value ( 200 ) for parameter maxResults is invalid. Expecting a value between 5 and 100.']);
    const notFound = (await rejectionOf(ec2().send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })))) as Error & { $metadata: { requestId?: string } };
    expect(notFound.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
