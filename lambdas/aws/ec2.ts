/**
 * EC2 as a page reads it: an instance's status checks and scheduled events, its state and
 * source/destination check, and the route tables that send traffic through it. Read-only: nothing
 * here (or in any role of this app) stops, starts or re-routes an instance.
 */
import type { EC2Client, InstanceStatusSummary } from '@aws-sdk/client-ec2';
import { classifyAwsError } from '../shared/errors';
import { LazyClient, type SdkOf } from '../shared/lazy-sdk';
import { ec2Sdk } from '../shared/sdk-modules';

// EC2's client is the SDK's largest (about 100 ms of a cold start to load): loaded at the first
// read, so a function that reads no instance (a page without a NAT alarm) never pays for it.

/** One status check (system or instance): its status and its reachability detail. */
export interface StatusCheckView {
  /** ok, impaired, initializing, insufficient-data, not-applicable */
  readonly status: string;
  /** passed, failed, initializing, insufficient-data, not-applicable */
  readonly reachability: string | null;
  readonly impairedSince: string | null;
}

export interface InstanceStatusView {
  readonly system: StatusCheckView;
  readonly instance: StatusCheckView;
  /** Scheduled events (instance-retirement, system-reboot, ...), with when they start. */
  readonly events: readonly { readonly code: string; readonly description: string; readonly notBefore: string | null }[];
}

export interface InstanceView {
  readonly instanceId: string;
  /** pending, running, stopping, stopped, shutting-down, terminated */
  readonly state: string;
  readonly stateReason: string | null;
  /** Why it last changed state, as EC2 words it; null when it did not say. */
  readonly stateTransitionReason: string | null;
  readonly sourceDestCheck: boolean | null;
  readonly availabilityZone: string | null;
  readonly name: string | null;
}

export interface RouteTableView {
  readonly routeTableId: string;
  readonly main: boolean;
  readonly subnets: readonly string[];
  /** The destinations it sends to the instance (0.0.0.0/0 for a NAT). */
  readonly destinations: readonly string[];
}

const check = (s: InstanceStatusSummary | undefined): StatusCheckView => {
  const reachability = s?.Details?.find((d) => d.Name === 'reachability');
  return { status: s?.Status ?? 'unknown', reachability: reachability?.Status ?? null, impairedSince: reachability?.ImpairedSince?.toISOString() ?? null };
};

export class InstanceHealthClient {
  private readonly ec2: LazyClient<SdkOf<typeof ec2Sdk>, EC2Client>;

  constructor(client?: EC2Client) {
    this.ec2 = new LazyClient(ec2Sdk, (m) => new m.EC2Client({}), client);
  }

  /** Its status checks, whatever its state (IncludeAllInstances); null when EC2 lists none for it. */
  async status(instanceId: string): Promise<InstanceStatusView | null> {
    try {
      const { m, client: ec2 } = await this.ec2.get();
      const out = await ec2.send(new m.DescribeInstanceStatusCommand({ InstanceIds: [instanceId], IncludeAllInstances: true }));
      const s = out.InstanceStatuses?.find((x) => x.InstanceId === instanceId);
      if (!s) return null;
      return {
        system: check(s.SystemStatus), instance: check(s.InstanceStatus),
        events: (s.Events ?? []).map((e) => ({ code: e.Code ?? 'unknown', description: e.Description ?? '', notBefore: e.NotBefore?.toISOString() ?? null })),
      };
    } catch (e: unknown) {
      throw classifyAwsError(e, `ec2:DescribeInstanceStatus for ${instanceId}`);
    }
  }

  async instance(instanceId: string): Promise<InstanceView | null> {
    try {
      const { m, client: ec2 } = await this.ec2.get();
      const out = await ec2.send(new m.DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      const i = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).find((x) => x.InstanceId === instanceId);
      if (!i) return null;
      return {
        instanceId, state: i.State?.Name ?? 'unknown', stateReason: i.StateReason?.Message ?? null,
        stateTransitionReason: i.StateTransitionReason ? i.StateTransitionReason : null,
        sourceDestCheck: i.SourceDestCheck ?? null, availabilityZone: i.Placement?.AvailabilityZone ?? null,
        name: i.Tags?.find((t) => t.Key === 'Name')?.Value ?? null,
      };
    } catch (e: unknown) {
      throw classifyAwsError(e, `ec2:DescribeInstances for ${instanceId}`);
    }
  }

  /** The route tables with a route through the instance (filter route.instance-id), one page of up to 100. */
  async routeTablesThrough(instanceId: string): Promise<RouteTableView[]> {
    try {
      const { m, client: ec2 } = await this.ec2.get();
      const out = await ec2.send(new m.DescribeRouteTablesCommand({ Filters: [{ Name: 'route.instance-id', Values: [instanceId] }], MaxResults: 100 }));
      return (out.RouteTables ?? []).map((t) => ({
        routeTableId: t.RouteTableId ?? 'unknown',
        main: (t.Associations ?? []).some((a) => a.Main === true),
        subnets: (t.Associations ?? []).flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])),
        destinations: (t.Routes ?? []).filter((r) => r.InstanceId === instanceId).map((r) => r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '?'),
      }));
    } catch (e: unknown) {
      throw classifyAwsError(e, `ec2:DescribeRouteTables through ${instanceId}`);
    }
  }
}
