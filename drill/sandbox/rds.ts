import { AwsError } from './aws-error';
import { Fields, isRecord, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import { arn, type AccountState, type RdsClusterState, type RdsInstanceState, type RdsState, type RdsStatusChange } from './state';

/**
 * RDS (AWS Query, API version 2014-10-31): DescribeDBInstances, DescribeDBClusters and
 * DescribeDBParameters, the reads a database runbook makes. A failover is RDS's own: the model
 * plays it as status changes counted in reads (`statusChanges`), never as a call a runbook makes.
 */

const invalidParameterValue = (message: string) => new AwsError('InvalidParameterValue', 400, message);
/** A required member missing, or one of the wrong type, as AWS Query services answer it. */
const invalidMember = (member: string, constraint: string) => (constraint === 'Member must not be null'
  ? new AwsError('MissingParameter', 400, `The request must contain the parameter ${member.charAt(0).toUpperCase()}${member.slice(1)}`)
  : invalidParameterValue(`Invalid value for ${member}: ${constraint}`));
const instanceNotFound = (id: string) => new AwsError('DBInstanceNotFound', 404, `DBInstance ${id} not found.`);
const clusterNotFound = (id: string) => new AwsError('DBClusterNotFoundFault', 404, `DBCluster ${id} not found.`);
const parameterGroupNotFound = (name: string) => new AwsError('DBParameterGroupNotFound', 404, `DBParameterGroup not found: ${name}`);

const rdsOf = (state: AccountState): RdsState => (state.rds ??= { instances: {}, clusters: {}, parameterGroups: {} });

/**
 * An AWS Query list as the decoder rebuilt it: `Filters.Filter.1.Name` (or `.member.1.`) is
 * `{ Filter: { '1': {...} } }`; the members in index order.
 */
function queryList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) throw invalidParameterValue('Invalid list.');
  const [members] = Object.values(value);
  if (!isRecord(members)) return [];
  return Object.entries(members).sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
}

interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

function filtersOf(input: Input, supported: readonly string[]): Filter[] {
  return queryList(input.Filters).map((raw) => {
    const f = isRecord(raw) ? raw : {};
    const name = typeof f.Name === 'string' ? f.Name : '';
    if (!supported.includes(name)) throw invalidParameterValue(`Unrecognized filter name: ${name}.`);
    const values = queryList(f.Values).filter((v): v is string => typeof v === 'string');
    if (values.length === 0) throw invalidParameterValue(`The filter ${name} must have at least one value.`);
    return { name, values };
  });
}

/** MaxRecords: 20 to 100 (default 100); Marker: the offset a previous page returned. */
function page<T>(items: readonly T[], fields: Fields): { items: T[]; marker?: string } {
  const max = fields.optInt('MaxRecords') ?? 100;
  if (max < 20 || max > 100) throw invalidParameterValue(`Invalid value ${max} for MaxRecords. Must be between 20 and 100`);
  const start = Number(fields.optString('Marker') ?? '0');
  if (!Number.isInteger(start) || start < 0) throw invalidParameterValue('The marker is not valid.');
  return { items: items.slice(start, start + max), ...(start + max < items.length ? { marker: String(start + max) } : {}) };
}

/** After a read, each pending status change is one read closer; the one whose reads are used up takes effect for the next. */
function advance(resource: { status: string; statusChanges?: RdsStatusChange[] }): void {
  const next = resource.statusChanges?.[0];
  if (next === undefined) return;
  next.afterReads -= 1;
  if (next.afterReads > 0) return;
  resource.status = next.status;
  resource.statusChanges!.shift();
  if (resource.statusChanges!.length === 0) delete resource.statusChanges;
}

/** An identifier or its ARN (DescribeDBInstances and DescribeDBClusters take either). */
const idOf = (ref: string, kind: 'db' | 'cluster') => new RegExp(`^arn:aws:rds:[a-z0-9-]+:\\d{12}:${kind}:(.+)$`).exec(ref)?.[1] ?? ref;

const tagList = (tags: Record<string, string> | undefined) => Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));

function instanceOutput(state: AccountState, id: string, db: RdsInstanceState): Output {
  return {
    DBInstanceIdentifier: id,
    DBInstanceClass: db.instanceClass,
    Engine: db.engine,
    DBInstanceStatus: db.status,
    MasterUsername: 'tradai',
    Endpoint: { Address: `${id}.c9akciq32.${state.region}.rds.amazonaws.com`, Port: db.port, HostedZoneId: 'Z2HN8CE6ZZQ0XF' },
    AllocatedStorage: db.clusterIdentifier ? 1 : 200,
    InstanceCreateTime: db.createdAt,
    PreferredBackupWindow: '03:00-03:30',
    BackupRetentionPeriod: 7,
    DBSecurityGroups: [],
    VpcSecurityGroups: db.vpcSecurityGroups.map((g) => ({ VpcSecurityGroupId: g, Status: 'active' })),
    DBParameterGroups: [{ DBParameterGroupName: db.parameterGroup, ParameterApplyStatus: 'in-sync' }],
    AvailabilityZone: db.availabilityZone,
    PreferredMaintenanceWindow: 'sun:04:00-sun:04:30',
    PendingModifiedValues: {},
    MultiAZ: db.multiAZ,
    EngineVersion: db.engineVersion,
    AutoMinorVersionUpgrade: true,
    ReadReplicaDBInstanceIdentifiers: [],
    LicenseModel: 'postgresql-license',
    PubliclyAccessible: false,
    StorageType: db.clusterIdentifier ? 'aurora' : 'gp3',
    DbInstancePort: 0,
    ...(db.clusterIdentifier ? { DBClusterIdentifier: db.clusterIdentifier } : {}),
    StorageEncrypted: true,
    DbiResourceId: `db-${Buffer.from(id).toString('hex').slice(0, 26).toUpperCase()}`,
    DBInstanceArn: arn.rdsInstance(state, id),
    ...(db.secondaryAvailabilityZone ? { SecondaryAvailabilityZone: db.secondaryAvailabilityZone } : {}),
    TagList: tagList(db.tags),
    DeletionProtection: true,
  };
}

function clusterOutput(state: AccountState, id: string, c: RdsClusterState): Output {
  const rds = rdsOf(state);
  return {
    DBClusterIdentifier: id,
    Status: c.status,
    Engine: c.engine,
    EngineVersion: c.engineVersion,
    MultiAZ: c.multiAZ,
    AvailabilityZones: c.availabilityZones,
    DBClusterParameterGroup: c.clusterParameterGroup,
    Endpoint: `${id}.cluster-c9akciq32.${state.region}.rds.amazonaws.com`,
    ReaderEndpoint: `${id}.cluster-ro-c9akciq32.${state.region}.rds.amazonaws.com`,
    Port: c.port,
    DBClusterMembers: c.members.map((m, i) => ({
      DBInstanceIdentifier: m.instance, IsClusterWriter: m.writer, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: i + 1,
    })),
    VpcSecurityGroups: [...new Set(c.members.flatMap((m) => rds.instances[m.instance]?.vpcSecurityGroups ?? []))].map((g) => ({ VpcSecurityGroupId: g, Status: 'active' })),
    StorageEncrypted: true,
    DBClusterArn: arn.rdsCluster(state, id),
    ClusterCreateTime: c.createdAt,
    TagList: tagList(c.tags),
    DeletionProtection: true,
  };
}

/** One instance by identifier (an unknown one is DBInstanceNotFound), or every instance, filtered by db-instance-id or db-cluster-id. */
function describeDBInstances(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input, invalidMember);
  const rds = rdsOf(state);
  const ref = fields.optString('DBInstanceIdentifier');
  const filters = filtersOf(input, ['db-instance-id', 'db-cluster-id', 'engine', 'dbi-resource-id', 'domain']);
  let ids: string[];
  if (ref !== undefined) {
    const id = idOf(ref, 'db');
    if (rds.instances[id] === undefined) throw instanceNotFound(id);
    ids = [id];
  } else {
    ids = Object.keys(rds.instances).sort();
  }
  for (const f of filters) {
    ids = ids.filter((id) => {
      const db = rds.instances[id]!;
      if (f.name === 'db-instance-id') return f.values.some((v) => idOf(v, 'db') === id);
      if (f.name === 'db-cluster-id') return f.values.some((v) => idOf(v, 'cluster') === db.clusterIdentifier);
      if (f.name === 'engine') return f.values.includes(db.engine);
      return true;
    });
  }
  const { items, marker } = page(ids, fields);
  const out = { DBInstances: items.map((id) => instanceOutput(state, id, rds.instances[id]!)), ...(marker ? { Marker: marker } : {}) };
  for (const id of items) advance(rds.instances[id]!);
  return out;
}

function describeDBClusters(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input, invalidMember);
  const rds = rdsOf(state);
  const ref = fields.optString('DBClusterIdentifier');
  filtersOf(input, ['db-cluster-id', 'db-cluster-resource-id', 'domain', 'engine']);
  let ids: string[];
  if (ref !== undefined) {
    const id = idOf(ref, 'cluster');
    if (rds.clusters[id] === undefined) throw clusterNotFound(id);
    ids = [id];
  } else {
    ids = Object.keys(rds.clusters).sort();
  }
  const { items, marker } = page(ids, fields);
  const out = { DBClusters: items.map((id) => clusterOutput(state, id, rds.clusters[id]!)), ...(marker ? { Marker: marker } : {}) };
  for (const id of items) advance(rds.clusters[id]!);
  return out;
}

/** A group's parameters by name, filtered by source and by parameter-name (the one filter RDS supports here). */
function describeDBParameters(input: Input, { state }: ServiceContext): Output {
  const fields = new Fields(input, invalidMember);
  const name = fields.string('DBParameterGroupName');
  const group = rdsOf(state).parameterGroups[name];
  if (group === undefined) throw parameterGroupNotFound(name);
  const source = fields.optString('Source');
  if (source !== undefined && !['user', 'system', 'engine-default'].includes(source)) throw invalidParameterValue(`Invalid value ${source} for Source.`);
  const named = filtersOf(input, ['parameter-name']).flatMap((f) => f.values);
  const parameters = Object.entries(group.parameters)
    .sort(([a], [b]) => a.localeCompare(b))
    .filter(([n, p]) => (named.length === 0 || named.includes(n)) && (source === undefined || p.source === source));
  const { items, marker } = page(parameters, fields);
  return {
    Parameters: items.map(([n, p]) => ({
      ParameterName: n, ...(p.value !== undefined ? { ParameterValue: p.value } : {}), Description: p.description, Source: p.source,
      ApplyType: p.applyType, DataType: p.dataType, ...(p.allowedValues ? { AllowedValues: p.allowedValues } : {}), IsModifiable: p.isModifiable,
      ApplyMethod: 'pending-reboot',
    })),
    ...(marker ? { Marker: marker } : {}),
  };
}

export const rdsModel: ServiceModel = {
  protocol: 'awsQuery',
  xmlNamespace: 'http://rds.amazonaws.com/doc/2014-10-31/',
  // RDS names its list members after the shape (the SDK reads them by these names).
  xmlListMembers: {
    DBInstances: 'DBInstance', DBClusters: 'DBCluster', DBClusterMembers: 'DBClusterMember', Parameters: 'Parameter',
    DBParameterGroups: 'DBParameterGroup', VpcSecurityGroups: 'VpcSecurityGroupMembership', AvailabilityZones: 'AvailabilityZone',
    TagList: 'Tag', DBSecurityGroups: 'DBSecurityGroup', ReadReplicaDBInstanceIdentifiers: 'ReadReplicaDBInstanceIdentifier',
  },
  operations: {
    DescribeDBInstances: { mutating: false, run: describeDBInstances },
    DescribeDBClusters: { mutating: false, run: describeDBClusters },
    DescribeDBParameters: { mutating: false, run: describeDBParameters },
  },
};
