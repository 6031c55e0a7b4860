import { DescribeTableCommand, DynamoDBClient, ScanCommand, type AttributeValue, type TableDescription } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';

/**
 * On-demand backups for the drill's DynamoDB. dynalite has no backup API, so the proxy in front of
 * it answers CreateBackup, DescribeBackup and ListBackups itself, with the request checks, answers
 * and errors of the DynamoDB API reference, and keeps a copy of the table's items as of the
 * backup, so a drill can show the backup holds what was later deleted.
 *
 * Modelled: TableNotFoundException (no such table), TableInUseException (table not ACTIVE),
 * BackupInUseException (another backup of the table still CREATING), BackupNotFoundException,
 * ValidationException for names out of the API's pattern and length. A backup is CREATING when
 * made, and AVAILABLE once a DescribeBackup has seen it CREATING (deterministic, not wall-clock).
 * ListBackups: the TableName filter (a name or the table's ARN), the creation-time window
 * (TimeRangeLowerBound inclusive, TimeRangeUpperBound exclusive, epoch seconds), BackupType
 * (USER, the default, SYSTEM, AWS_BACKUP or ALL; every backup here is USER), Limit 1..100 and
 * ExclusiveStartBackupArn (37..1024 characters), each out-of-range value a ValidationException; a
 * full page (Limit reached) carries LastEvaluatedBackupArn, which, as the API says, may or may not
 * mean there is more. A table that does not exist lists no backups (ListBackups has no not-found
 * error). Not modelled: ContinuousBackupsUnavailableException (new tables), SYSTEM and AWS Backup
 * backups, the 1 MB page size, what an ExclusiveStartBackupArn that no listing returned answers
 * (here: an empty page), restore and delete.
 */
export interface BackupRecord {
  readonly backupArn: string;
  readonly backupName: string;
  readonly tableName: string;
  readonly createdAt: number;
  status: 'CREATING' | 'AVAILABLE';
  readonly table: TableDescription;
  /** The table's items as of the backup, in DynamoDB JSON. */
  readonly items: Record<string, AttributeValue>[];
}

export class DynamoError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
    this.name = type;
  }
}

const NAME = /^[a-zA-Z0-9_.-]+$/;
export const BACKUP_OPERATIONS: ReadonlySet<string> = new Set(['CreateBackup', 'DescribeBackup', 'ListBackups']);
const BACKUP_TYPES = ['USER', 'SYSTEM', 'AWS_BACKUP', 'ALL'];

function invalid(value: unknown, member: string, constraint: string): DynamoError {
  return new DynamoError('ValidationException', `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

function optionalLength(member: string, value: unknown, min: number, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new DynamoError('SerializationException', `Unexpected value type for ${member}`);
  if (value.length < min || value.length > max) throw invalid(value, member, `Member must have length between ${min} and ${max}`);
  return value;
}

function optionalEpochSeconds(member: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DynamoError('SerializationException', `Unexpected value type for ${member}`);
  return value;
}

function validated(member: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new DynamoError('ValidationException', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  if (value.length < 3 || value.length > 255) {
    throw new DynamoError('ValidationException', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length between 3 and 255`);
  }
  if (!NAME.test(value)) {
    throw new DynamoError('ValidationException', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
  }
  return value;
}

export class DynamoBackups {
  private readonly backups = new Map<string, BackupRecord>();
  private readonly client: DynamoDBClient;

  constructor(upstream: string, private readonly region: string, private readonly accountId: string) {
    this.client = new DynamoDBClient({ endpoint: upstream, region, credentials: { accessKeyId: 'drill', secretAccessKey: 'drill' } });
  }

  /** Every backup taken, oldest first. */
  list(): readonly BackupRecord[] {
    return [...this.backups.values()];
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (operation === 'CreateBackup') return this.create(input);
    if (operation === 'ListBackups') return this.listBackups(input);
    return this.describe(input);
  }

  private async create(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const tableName = validated('tableName', input.TableName);
    const backupName = validated('backupName', input.BackupName);
    let table: TableDescription | undefined;
    try {
      table = (await this.client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    } catch (e: unknown) {
      if (e instanceof Error && e.name === 'ResourceNotFoundException') throw new DynamoError('TableNotFoundException', `Table not found: ${tableName}`);
      throw e;
    }
    if (!table || table.TableStatus === 'CREATING' || table.TableStatus === 'DELETING') {
      throw new DynamoError('TableInUseException', `Table is being created or deleted: ${tableName}`);
    }
    if (this.list().some((b) => b.tableName === tableName && b.status === 'CREATING')) {
      throw new DynamoError('BackupInUseException', `There is another ongoing conflicting backup control plane operation on the table. Table: ${tableName}`);
    }
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const createdAt = Date.now();
    const suffix = createHash('sha256').update(`${tableName}:${backupName}:${this.backups.size}`).digest('hex').slice(0, 8);
    const backupArn = `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${tableName}/backup/${String(createdAt).padStart(14, '0')}-${suffix}`;
    const record: BackupRecord = { backupArn, backupName, tableName, createdAt, status: 'CREATING', table, items };
    this.backups.set(backupArn, record);
    return { BackupDetails: this.details(record) };
  }

  private describe(input: Record<string, unknown>): Record<string, unknown> {
    const backupArn = input.BackupArn;
    if (typeof backupArn !== 'string' || backupArn.length < 37) {
      throw new DynamoError('ValidationException', `1 validation error detected: Value ${typeof backupArn === 'string' ? `'${backupArn}'` : 'null'} at 'backupArn' failed to satisfy constraint: Member must have length greater than or equal to 37`);
    }
    const record = this.backups.get(backupArn);
    if (!record) throw new DynamoError('BackupNotFoundException', `Backup not found: ${backupArn}`);
    const answer = {
      BackupDescription: {
        BackupDetails: this.details(record),
        SourceTableDetails: {
          TableName: record.tableName, TableId: record.table.TableId, TableArn: record.table.TableArn,
          TableSizeBytes: record.table.TableSizeBytes ?? 0, KeySchema: record.table.KeySchema,
          TableCreationDateTime: (record.table.CreationDateTime?.getTime() ?? record.createdAt) / 1000,
          ProvisionedThroughput: {
            ReadCapacityUnits: record.table.ProvisionedThroughput?.ReadCapacityUnits ?? 0,
            WriteCapacityUnits: record.table.ProvisionedThroughput?.WriteCapacityUnits ?? 0,
          },
          ItemCount: record.items.length,
          BillingMode: record.table.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
        },
        SourceTableFeatureDetails: {},
      },
    };
    // Settles once it has been looked at: the drill's stand-in for "a few seconds later".
    record.status = 'AVAILABLE';
    return answer;
  }

  /** ListBackups: the account's backups, oldest first, filtered and paged as the API reference says. */
  private listBackups(input: Record<string, unknown>): Record<string, unknown> {
    const table = optionalLength('tableName', input.TableName, 1, 1024);
    const start = optionalLength('exclusiveStartBackupArn', input.ExclusiveStartBackupArn, 37, 1024);
    const from = optionalEpochSeconds('timeRangeLowerBound', input.TimeRangeLowerBound);
    const to = optionalEpochSeconds('timeRangeUpperBound', input.TimeRangeUpperBound);
    const type = input.BackupType ?? 'USER';
    if (typeof type !== 'string' || !BACKUP_TYPES.includes(type)) {
      throw invalid(type, 'backupType', `Member must satisfy enum value set: [${BACKUP_TYPES.join(', ')}]`);
    }
    const limit = input.Limit;
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit))) throw new DynamoError('SerializationException', 'Unexpected value type for limit');
    if (typeof limit === 'number' && limit < 1) throw invalid(limit, 'limit', 'Member must have value greater than or equal to 1');
    if (typeof limit === 'number' && limit > 100) throw invalid(limit, 'limit', 'Member must have value less than or equal to 100');

    const matching = this.list().filter((b) => (table === undefined || b.tableName === table || b.table.TableArn === table)
      && (type === 'USER' || type === 'ALL')
      && (from === undefined || b.createdAt / 1000 >= from)
      && (to === undefined || b.createdAt / 1000 < to));
    const after = start === undefined ? 0 : matching.findIndex((b) => b.backupArn === start) + 1;
    const page = after === 0 && start !== undefined ? [] : matching.slice(after, limit === undefined ? undefined : after + limit);
    return {
      BackupSummaries: page.map((b) => ({
        TableName: b.tableName, TableId: b.table.TableId, TableArn: b.table.TableArn, ...this.details(b),
      })),
      ...(typeof limit === 'number' && page.length === limit ? { LastEvaluatedBackupArn: page.at(-1)!.backupArn } : {}),
    };
  }

  private details(record: BackupRecord): Record<string, unknown> {
    return {
      BackupArn: record.backupArn, BackupName: record.backupName, BackupStatus: record.status, BackupType: 'USER',
      BackupCreationDateTime: record.createdAt / 1000,
      BackupSizeBytes: record.items.reduce((sum, item) => sum + JSON.stringify(item).length, 0),
    };
  }

  close(): void {
    this.client.destroy();
  }
}
