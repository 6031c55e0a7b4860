/**
 * Seed 004 "NAT Instance Down": what the person paged needs to see of the instance, in words. Its
 * status checks (a failed system check is the host, a failed instance check the instance itself),
 * its scheduled events, its state and why, its source/destination check (a NAT instance forwards
 * others' traffic only with the check off), and the route tables through it, so which subnets lose
 * their egress. Each of the three reads stands alone: one that failed is said, and never read as
 * "none" (no route table read is not "no route table"). Pure: the handler reads EC2 (lambdas/aws/ec2.ts).
 */
import type { InstanceStatusView, InstanceView, RouteTableView, StatusCheckView } from '../../lambdas/aws/ec2';

/** One read's result, or why it failed. */
export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface NatEvidence {
  readonly kind: 'nat-instance';
  readonly instanceId: string;
  /** partial: some of the three reads failed (`unread` says which and why). */
  readonly read: 'ok' | 'partial';
  readonly instance: InstanceView | null;
  readonly status: InstanceStatusView | null;
  readonly routeTables: readonly RouteTableView[] | null;
  /** The subnets whose traffic the instance carries: they lose egress while it is down. */
  readonly subnetsLosingEgress: readonly string[];
  /** What is wrong besides the checks: a source/destination check on, a route table that is the VPC's main one. */
  readonly warnings: readonly string[];
  readonly unread: readonly string[];
  readonly summary: string;
}

const checkInWords = (name: string, c: StatusCheckView): string =>
  `${name} status check ${c.status}${c.reachability && c.reachability !== c.status ? ` (reachability ${c.reachability}${c.impairedSince ? ` since ${c.impairedSince}` : ''})` : ''}`;

export function natEvidence(instanceId: string, instanceRead: Read<InstanceView | null>, statusRead: Read<InstanceStatusView | null>, tablesRead: Read<readonly RouteTableView[]>): NatEvidence {
  const instance = instanceRead.ok ? instanceRead.value : null;
  const status = statusRead.ok ? statusRead.value : null;
  const routeTables = tablesRead.ok ? tablesRead.value : null;
  const subnets = [...new Set((routeTables ?? []).flatMap((t) => t.subnets))];
  const warnings: string[] = [];
  if (instance?.sourceDestCheck === true) warnings.push(`its source/destination check is ON: a NAT instance must have it off (aws ec2 modify-instance-attribute --instance-id ${instanceId} --no-source-dest-check), or it drops the traffic it should forward`);
  for (const t of (routeTables ?? []).filter((x) => x.main)) warnings.push(`${t.routeTableId} is the VPC's main route table: every subnet without a table of its own sends its egress through this instance too`);
  const unread = [
    ...(instanceRead.ok ? [] : [`its state (${instanceRead.error})`]),
    ...(statusRead.ok ? [] : [`its status checks (${statusRead.error})`]),
    ...(tablesRead.ok ? [] : [`the route tables through it (${tablesRead.error})`]),
  ];
  const parts: string[] = [];
  if (!instanceRead.ok) parts.push(`instance ${instanceId}`);
  else if (instance === null) parts.push(`EC2 does not know instance ${instanceId} (terminated long ago, or another account or region)`);
  else {
    parts.push(`instance ${instanceId}${instance.name ? ` (${instance.name})` : ''}${instance.availabilityZone ? ` in ${instance.availabilityZone}` : ''} is ${instance.state}`
      + `${instance.stateReason ? ` (${instance.stateReason})` : instance.stateTransitionReason ? ` (${instance.stateTransitionReason})` : ''}`);
  }
  if (status) {
    parts.push(`${checkInWords('system', status.system)}, ${checkInWords('instance', status.instance)}`);
    for (const e of status.events) parts.push(`scheduled ${e.code}${e.notBefore ? ` from ${e.notBefore}` : ''}${e.description ? `: ${e.description}` : ''}`);
  } else if (statusRead.ok && instance !== null) parts.push('EC2 reports no status checks for it');
  if (routeTables !== null) {
    parts.push(routeTables.length === 0
      ? 'no route table sends traffic through it'
      : `${routeTables.length} route table(s) send traffic through it: ${routeTables.map((t) => `${t.routeTableId} (${t.destinations.join(', ')}${t.main ? '; the main table' : ''}${t.subnets.length > 0 ? `; subnets ${t.subnets.join(', ')}` : ''})`).join(', ')}`
        + `${subnets.length > 0 ? `: subnets ${subnets.join(', ')} lose internet egress while it is down` : ''}`);
  }
  if (instance?.sourceDestCheck === false) parts.push('source/destination check off, as a NAT instance needs');
  if (unread.length > 0) parts.push(`could not read ${unread.join(', ')}: look it up by hand`);
  const summary = `${parts.join('; ')}.${warnings.length > 0 ? ` Warning: ${warnings.join('; ')}.` : ''}`;
  return {
    kind: 'nat-instance', instanceId, read: unread.length > 0 ? 'partial' : 'ok', instance, status, routeTables,
    subnetsLosingEgress: subnets, warnings, unread, summary,
  };
}
