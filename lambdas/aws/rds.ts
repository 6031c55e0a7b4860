/**
 * RDS as a runbook reads it: a DB instance's or DB cluster's status and where its primary is, and
 * one parameter of a DB parameter group (max_connections). Read-only: RDS fails over by itself,
 * and nothing here (or in any role of this app) asks it to fail over or reboot.
 */
import type { DBCluster, DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { classifyAwsError, hasErrorName, TargetNotFound } from '../shared/errors';
import { LazyClient, type SdkOf } from '../shared/lazy-sdk';
import { rdsSdk } from '../shared/sdk-modules';


export interface DbInstanceView {
  readonly identifier: string;
  /** DBInstanceStatus: available, rebooting, modifying, ... */
  readonly status: string;
  readonly engine: string;
  readonly multiAZ: boolean;
  readonly availabilityZone: string | null;
  readonly secondaryAvailabilityZone: string | null;
  /** Its DB parameter groups, with whether each is applied (in-sync) or waits for a reboot. */
  readonly parameterGroups: readonly { readonly name: string; readonly status: string | null }[];
  readonly clusterIdentifier: string | null;
}

export interface DbClusterView {
  readonly identifier: string;
  readonly status: string;
  readonly engine: string;
  readonly multiAZ: boolean;
  /** The member instance that writes, null when none is (mid-failover). */
  readonly writer: string | null;
  readonly members: readonly string[];
}

/** One parameter as DescribeDBParameters reports it; value null when the group sets none. */
export interface DbParameterView {
  readonly name: string;
  readonly value: string | null;
  readonly source: string | null;
  readonly applyType: string | null;
}

/** Status of a database that serves connections (DescribeDBInstances and DescribeDBClusters say `available`). */
export const AVAILABLE = 'available';

export class DatabaseClient {
  private readonly rds: LazyClient<SdkOf<typeof rdsSdk>, RDSClient>;

  constructor(client?: RDSClient) {
    this.rds = new LazyClient(rdsSdk, (m) => new m.RDSClient({}), client);
  }

  async instance(identifier: string): Promise<DbInstanceView> {
    let out;
    try {
      const { m, client } = await this.rds.get();
      out = await client.send(new m.DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }));
    } catch (e: unknown) {
      if (hasErrorName(e, 'DBInstanceNotFoundFault')) throw new TargetNotFound(`RDS DB instance ${identifier} does not exist (DescribeDBInstances)`);
      throw classifyAwsError(e, `rds:DescribeDBInstances on ${identifier}`);
    }
    const db = out.DBInstances?.find((d) => d.DBInstanceIdentifier === identifier);
    if (!db) throw new TargetNotFound(`RDS DB instance ${identifier} does not exist (DescribeDBInstances returned none)`);
    return instanceView(identifier, db);
  }

  async cluster(identifier: string): Promise<DbClusterView> {
    let out;
    try {
      const { m, client } = await this.rds.get();
      out = await client.send(new m.DescribeDBClustersCommand({ DBClusterIdentifier: identifier }));
    } catch (e: unknown) {
      if (hasErrorName(e, 'DBClusterNotFoundFault')) throw new TargetNotFound(`RDS DB cluster ${identifier} does not exist (DescribeDBClusters)`);
      throw classifyAwsError(e, `rds:DescribeDBClusters on ${identifier}`);
    }
    const c = out.DBClusters?.find((d) => d.DBClusterIdentifier === identifier);
    if (!c) throw new TargetNotFound(`RDS DB cluster ${identifier} does not exist (DescribeDBClusters returned none)`);
    return clusterView(identifier, c);
  }

  /**
   * One parameter of a DB parameter group, by the parameter-name filter (one short page, not the
   * group's few hundred parameters). Null when the group does not list it. A group that is gone is
   * TargetNotFound.
   */
  async parameter(group: string, name: string): Promise<DbParameterView | null> {
    let out;
    try {
      const { m, client } = await this.rds.get();
      out = await client.send(new m.DescribeDBParametersCommand({ DBParameterGroupName: group, Filters: [{ Name: 'parameter-name', Values: [name] }] }));
    } catch (e: unknown) {
      if (hasErrorName(e, 'DBParameterGroupNotFoundFault')) throw new TargetNotFound(`RDS DB parameter group ${group} does not exist (DescribeDBParameters)`);
      throw classifyAwsError(e, `rds:DescribeDBParameters on ${group}`);
    }
    const p = out.Parameters?.find((x) => x.ParameterName === name);
    return p ? { name, value: p.ParameterValue ?? null, source: p.Source ?? null, applyType: p.ApplyType ?? null } : null;
  }
}

function instanceView(identifier: string, db: DBInstance): DbInstanceView {
  return {
    identifier, status: db.DBInstanceStatus ?? 'unknown', engine: db.Engine ?? 'unknown', multiAZ: db.MultiAZ ?? false,
    availabilityZone: db.AvailabilityZone ?? null, secondaryAvailabilityZone: db.SecondaryAvailabilityZone ?? null,
    parameterGroups: (db.DBParameterGroups ?? []).flatMap((g) => (g.DBParameterGroupName ? [{ name: g.DBParameterGroupName, status: g.ParameterApplyStatus ?? null }] : [])),
    clusterIdentifier: db.DBClusterIdentifier ?? null,
  };
}

function clusterView(identifier: string, c: DBCluster): DbClusterView {
  const members = c.DBClusterMembers ?? [];
  return {
    identifier, status: c.Status ?? 'unknown', engine: c.Engine ?? 'unknown', multiAZ: c.MultiAZ ?? false,
    writer: members.find((m) => m.IsClusterWriter === true)?.DBInstanceIdentifier ?? null,
    members: members.flatMap((m) => (m.DBInstanceIdentifier ? [m.DBInstanceIdentifier] : [])),
  };
}
