/**
 * Seed 004 "NAT Instance Down": what the person paged needs to see of the instance, in words. Its
 * status checks (a failed system check is the host, a failed instance check the instance itself),
 * its scheduled events, its state and why, its source/destination check (a NAT instance forwards
 * others' traffic only with the check off), and the route tables through it, so which subnets lose
 * their egress. Pure: the handler reads EC2 (lambdas/aws/ec2.ts).
 */
import type { InstanceStatusView, InstanceView, RouteTableView, StatusCheckView } from '../../lambdas/aws/ec2';

export interface NatEvidence {
  readonly kind: 'nat-instance';
  readonly instanceId: string;
  readonly read: 'ok';
  readonly instance: InstanceView | null;
  readonly status: InstanceStatusView | null;
  readonly routeTables: readonly RouteTableView[];
  /** The subnets whose traffic the instance carries: they lose egress while it is down. */
  readonly subnetsLosingEgress: readonly string[];
  /** What is wrong besides the checks: a source/destination check on, a route table that is the VPC's main one. */
  readonly warnings: readonly string[];
  readonly summary: string;
}

const checkInWords = (name: string, c: StatusCheckView): string =>
  `${name} status check ${c.status}${c.reachability && c.reachability !== c.status ? ` (reachability ${c.reachability}${c.impairedSince ? ` since ${c.impairedSince}` : ''})` : ''}`;

export function natEvidence(instanceId: string, instance: InstanceView | null, status: InstanceStatusView | null, routeTables: readonly RouteTableView[]): NatEvidence {
  const subnets = [...new Set(routeTables.flatMap((t) => t.subnets))];
  const warnings: string[] = [];
  if (instance?.sourceDestCheck === true) warnings.push(`its source/destination check is ON: a NAT instance must have it off (aws ec2 modify-instance-attribute --instance-id ${instanceId} --no-source-dest-check), or it drops the traffic it should forward`);
  for (const t of routeTables.filter((x) => x.main)) warnings.push(`${t.routeTableId} is the VPC's main route table: every subnet without a table of its own sends its egress through this instance too`);
  const parts: string[] = [];
  if (instance === null) parts.push(`EC2 does not know instance ${instanceId} (terminated long ago, or another account or region)`);
  else {
    parts.push(`instance ${instanceId}${instance.name ? ` (${instance.name})` : ''}${instance.availabilityZone ? ` in ${instance.availabilityZone}` : ''} is ${instance.state}`
      + `${instance.stateReason ? ` (${instance.stateReason})` : instance.stateTransitionReason ? ` (${instance.stateTransitionReason})` : ''}`);
  }
  if (status) {
    parts.push(`${checkInWords('system', status.system)}, ${checkInWords('instance', status.instance)}`);
    for (const e of status.events) parts.push(`scheduled ${e.code}${e.notBefore ? ` from ${e.notBefore}` : ''}${e.description ? `: ${e.description}` : ''}`);
  } else if (instance !== null) parts.push('EC2 reports no status checks for it');
  parts.push(routeTables.length === 0
    ? 'no route table sends traffic through it'
    : `${routeTables.length} route table(s) send traffic through it: ${routeTables.map((t) => `${t.routeTableId} (${t.destinations.join(', ')}${t.main ? '; the main table' : ''}${t.subnets.length > 0 ? `; subnets ${t.subnets.join(', ')}` : ''})`).join(', ')}`
      + `${subnets.length > 0 ? `: subnets ${subnets.join(', ')} lose internet egress while it is down` : ''}`);
  if (instance?.sourceDestCheck === false) parts.push('source/destination check off, as a NAT instance needs');
  const summary = `${parts.join('; ')}.${warnings.length > 0 ? ` Warning: ${warnings.join('; ')}.` : ''}`;
  return { kind: 'nat-instance', instanceId, read: 'ok', instance, status, routeTables, subnetsLosingEgress: subnets, warnings, summary };
}
