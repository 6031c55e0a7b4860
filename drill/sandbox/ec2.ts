import { AwsError } from './aws-error';
import { wildcardMatches } from './common';
import { Fields, isRecord, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import type { AccountState, Ec2CheckState, Ec2InstanceState, Ec2RouteTableState } from './state';

/**
 * EC2 (EC2 Query, wire.ts): the reads a NAT instance's page makes. DescribeInstanceStatus (its
 * system and instance status checks with their reachability detail, scheduled events; only running
 * instances unless IncludeAllInstances), DescribeInstances (state, state reason, source/destination
 * check) and DescribeRouteTables (the routes through an instance), with EC2's own validation: an id
 * that is not an instance id is `InvalidInstanceID.Malformed`, one the account does not have
 * `InvalidInstanceID.NotFound`, MaxResults with instance ids or out of range and an unknown filter
 * name `InvalidParameterCombination` / `InvalidParameterValue`. Filter values match as EC2's do
 * (`*` and `?` wildcards, any value of a filter, every filter). One page: no NextToken is given.
 */

const STATE_CODES: Readonly<Record<Ec2InstanceState['state'], number>> = {
  pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80,
};

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const ROUTE_TABLE_ID = /^rtb-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

const invalidValue = (message: string) => new AwsError('InvalidParameterValue', 400, message);

/** The list members EC2 Query sent (wire.ts rebuilds `Name.N` as a list). */
function strings(input: Input, name: string): string[] {
  const value = input[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v): v is string => typeof v === 'string')) throw invalidValue(`Invalid value for parameter ${name}`);
  return list;
}

type Filter = { name: string; values: string[] };

function filtersOf(input: Input, known: readonly string[]): Filter[] {
  const raw = input.Filter;
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((f) => {
    if (!isRecord(f) || typeof f.Name !== 'string') throw invalidValue('The filter is missing its name');
    const name = f.Name;
    if (!known.includes(name) && !(known.includes('tag:') && name.startsWith('tag:'))) throw invalidValue(`The filter '${name}' is invalid`);
    return { name, values: strings(f, 'Value') };
  });
}

/**
 * Every filter matches (any of its values, with `*` and `?` case-sensitive, against any of the
 * resource's values for it; a `tag:<key>` filter against the resource's value of that tag).
 */
function passes(filters: readonly Filter[], tags: Readonly<Record<string, string>>, valuesOf: (name: string) => readonly string[]): boolean {
  const resourceValues = (name: string): readonly string[] => {
    if (!name.startsWith('tag:')) return valuesOf(name);
    const tag = tags[name.slice(4)];
    return tag === undefined ? [] : [tag];
  };
  return filters.every((f) => resourceValues(f.name).some((v) => f.values.some((p) => wildcardMatches(p, v))));
}

function optMaxResults(input: Input, min: number, max: number): number | undefined {
  const n = new Fields(input).optInt('MaxResults');
  if (n !== undefined && (n < min || n > max)) throw invalidValue(`Value ( ${n} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`);
  return n;
}

/** The instances named (each well-formed and in the account), or every instance. */
function instancesNamed(state: AccountState, ids: readonly string[]): [string, Ec2InstanceState][] {
  const all = state.ec2?.instances ?? {};
  if (ids.length === 0) return Object.entries(all);
  const malformed = ids.find((id) => !INSTANCE_ID.test(id));
  if (malformed !== undefined) throw new AwsError('InvalidInstanceID.Malformed', 400, `Invalid id: "${malformed}"`);
  const missing = ids.filter((id) => all[id] === undefined);
  if (missing.length === 1) throw new AwsError('InvalidInstanceID.NotFound', 400, `The instance ID '${missing[0]}' does not exist`);
  if (missing.length > 1) throw new AwsError('InvalidInstanceID.NotFound', 400, `The instance IDs '${missing.join(', ')}' do not exist`);
  return [...new Set(ids)].map((id) => [id, all[id]!]);
}

const stateOf = (i: Ec2InstanceState) => ({ code: STATE_CODES[i.state], name: i.state });

/** A status check as DescribeInstanceStatus answers it: not-applicable once the instance is not running. */
function check(c: Ec2CheckState, running: boolean) {
  if (!running) return { status: 'not-applicable', details: [{ name: 'reachability', status: 'not-applicable' }] };
  return { status: c.status, details: [{ name: 'reachability', status: c.reachability, ...(c.reachability === 'failed' && c.impairedSince ? { impairedSince: c.impairedSince } : {}) }] };
}

function describeInstanceStatus(input: Input, { state }: ServiceContext): Output {
  const ids = strings(input, 'InstanceId');
  if (ids.length > 0 && input.MaxResults !== undefined) {
    throw new AwsError('InvalidParameterCombination', 400, 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const max = optMaxResults(input, 5, 1000);
  const all = new Fields(input).optBool('IncludeAllInstances') ?? false;
  const filters = filtersOf(input, ['availability-zone', 'instance-state-name', 'instance-state-code', 'system-status.status', 'system-status.reachability', 'instance-status.status', 'instance-status.reachability', 'event.code']);
  const found = instancesNamed(state, ids)
    .filter(([, i]) => all || i.state === 'running')
    .filter(([, i]) => passes(filters, i.tags, (name) => ({
      'availability-zone': [i.availabilityZone], 'instance-state-name': [i.state], 'instance-state-code': [String(STATE_CODES[i.state])],
      'system-status.status': [i.systemStatus.status], 'system-status.reachability': [i.systemStatus.reachability],
      'instance-status.status': [i.instanceStatus.status], 'instance-status.reachability': [i.instanceStatus.reachability],
      'event.code': i.events.map((e) => e.code),
    })[name] ?? []))
    .slice(0, max);
  return {
    instanceStatusSet: found.map(([id, i]) => ({
      instanceId: id, availabilityZone: i.availabilityZone,
      ...(i.events.length > 0 ? { eventsSet: i.events } : {}),
      instanceState: stateOf(i),
      systemStatus: check(i.systemStatus, i.state === 'running'),
      instanceStatus: check(i.instanceStatus, i.state === 'running'),
    })),
  };
}

function describeInstances(input: Input, { state }: ServiceContext): Output {
  const ids = strings(input, 'InstanceId');
  if (ids.length > 0 && input.MaxResults !== undefined) {
    throw new AwsError('InvalidParameterCombination', 400, 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const max = optMaxResults(input, 5, 1000);
  const filters = filtersOf(input, ['instance-id', 'instance-state-name', 'vpc-id', 'subnet-id', 'source-dest-check', 'tag:']);
  const found = instancesNamed(state, ids)
    .filter(([id, i]) => passes(filters, i.tags, (name) => ({
      'instance-id': [id], 'instance-state-name': [i.state], 'vpc-id': [i.vpcId], 'subnet-id': [i.subnetId], 'source-dest-check': [String(i.sourceDestCheck)],
    })[name] ?? []))
    .slice(0, max);
  // One reservation per instance, as instances launched one at a time are.
  return {
    reservationSet: found.map(([id, i]) => ({
      reservationId: `r-${id.slice(2)}`, ownerId: state.accountId, groupSet: [],
      instancesSet: [{
        instanceId: id, imageId: i.imageId, instanceState: stateOf(i),
        privateDnsName: `ip-${i.privateIpAddress.replace(/\./g, '-')}.${state.region}.compute.internal`,
        dnsName: '', reason: i.stateTransitionReason, amiLaunchIndex: 0, productCodes: [], instanceType: i.instanceType,
        launchTime: i.launchTime, placement: { availabilityZone: i.availabilityZone, tenancy: 'default' },
        monitoring: { state: 'disabled' }, subnetId: i.subnetId, vpcId: i.vpcId, privateIpAddress: i.privateIpAddress,
        ...(i.publicIpAddress && i.state === 'running' ? { ipAddress: i.publicIpAddress } : {}),
        sourceDestCheck: i.sourceDestCheck,
        ...(i.stateReason ? { stateReason: i.stateReason } : {}),
        architecture: 'x86_64', rootDeviceType: 'ebs', rootDeviceName: '/dev/xvda', virtualizationType: 'hvm',
        tagSet: Object.entries(i.tags).map(([key, value]) => ({ key, value })),
      }],
    })),
  };
}

function describeRouteTables(input: Input, { state }: ServiceContext): Output {
  const ids = strings(input, 'RouteTableId');
  const max = optMaxResults(input, 5, 100);
  const all = state.ec2?.routeTables ?? {};
  const malformed = ids.find((id) => !ROUTE_TABLE_ID.test(id));
  if (malformed !== undefined) throw new AwsError('InvalidRouteTableID.Malformed', 400, `Invalid id: "${malformed}"`);
  const missing = ids.find((id) => all[id] === undefined);
  if (missing !== undefined) throw new AwsError('InvalidRouteTableID.NotFound', 400, `The routeTable ID '${missing}' does not exist`);
  const filters = filtersOf(input, ['route-table-id', 'vpc-id', 'route.instance-id', 'route.destination-cidr-block', 'route.state', 'association.subnet-id', 'association.main', 'tag:']);
  const valuesOf = (id: string, t: Ec2RouteTableState) => (name: string): string[] => {
    switch (name) {
      case 'route-table-id': return [id];
      case 'vpc-id': return [t.vpcId];
      case 'route.instance-id': return t.routes.flatMap((r) => (r.instanceId ? [r.instanceId] : []));
      case 'route.destination-cidr-block': return t.routes.map((r) => r.destinationCidrBlock);
      case 'route.state': return t.routes.map((r) => r.state);
      case 'association.subnet-id': return t.associations.flatMap((a) => (a.subnetId ? [a.subnetId] : []));
      case 'association.main': return t.associations.map((a) => String(a.main));
      default: return [];
    }
  };
  const found = Object.entries(all)
    .filter(([id]) => ids.length === 0 || ids.includes(id))
    .filter(([id, t]) => passes(filters, t.tags, valuesOf(id, t)))
    .slice(0, max);
  return {
    routeTableSet: found.map(([id, t]) => ({
      routeTableId: id, vpcId: t.vpcId, ownerId: state.accountId, propagatingVgwSet: [],
      routeSet: t.routes.map((r) => ({
        destinationCidrBlock: r.destinationCidrBlock,
        ...(r.gatewayId ? { gatewayId: r.gatewayId } : {}),
        ...(r.instanceId ? { instanceId: r.instanceId, instanceOwnerId: state.accountId } : {}),
        ...(r.networkInterfaceId ? { networkInterfaceId: r.networkInterfaceId } : {}),
        origin: r.origin, state: r.state,
      })),
      associationSet: t.associations.map((a) => ({
        main: a.main, routeTableAssociationId: a.routeTableAssociationId, routeTableId: id,
        ...(a.subnetId ? { subnetId: a.subnetId } : {}), associationState: { state: 'associated' },
      })),
      tagSet: Object.entries(t.tags).map(([key, value]) => ({ key, value })),
    })),
  };
}

export const ec2Model: ServiceModel = {
  protocol: 'ec2Query',
  xmlNamespace: 'http://ec2.amazonaws.com/doc/2016-11-15/',
  operations: {
    DescribeInstanceStatus: { mutating: false, run: describeInstanceStatus },
    DescribeInstances: { mutating: false, run: describeInstances },
    DescribeRouteTables: { mutating: false, run: describeRouteTables },
  },
};
