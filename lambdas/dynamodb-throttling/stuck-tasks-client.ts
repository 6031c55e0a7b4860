import {
  BackupInUseException,
  BackupNotFoundException,
  ConditionalCheckFailedException,
  ContinuousBackupsUnavailableException,
  CreateBackupCommand,
  DeleteItemCommand,
  DescribeBackupCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  LimitExceededException,
  ListBackupsCommand,
  PutItemCommand,
  ResourceNotFoundException,
  ScanCommand,
  TableInUseException,
  TableNotFoundException,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { stuckFilter, taskKeySchema, type StuckTasksSpec, type TaskKey } from '../domain/stuck-tasks';
import { ChangeRejected, classifyAwsError, TableBusy, TargetNotFound } from '../shared/errors';
import { MUTATION_CLIENT_CONFIG } from '../shared/mutation-client';

export interface StuckScan {
  readonly count: number;
  readonly keys: TaskKey[];
  readonly truncated: boolean;
}

export interface BackupView {
  readonly backupArn: string;
  readonly backupName: string;
  readonly backupStatus: string;
  readonly backupSizeBytes: number | null;
}

/**
 * The result of one conditional delete: deleted (now, or `alreadyGone`: by an earlier attempt whose
 * answer was lost), or skipped because the task changed since it was counted.
 */
export type DeleteOutcome = { deleted: true; alreadyGone: boolean } | { deleted: false; reason: string };

/** The tasks table (seed 003 §2) and its on-demand backups ("Backup Procedures"). */
export class StuckTasksClient {
  constructor(
    private readonly dynamodb: DynamoDBClient = new DynamoDBClient({}),
    /** DeleteItem, PutItem, CreateBackup: no SDK retry (see mutation-client.ts). */
    private readonly mutations: DynamoDBClient = new DynamoDBClient(MUTATION_CLIENT_CONFIG),
  ) {}

  /** The table's key attribute names (partition, then sort), so keys are recorded exactly. */
  async keyAttributes(tableName: string): Promise<string[]> {
    try {
      const out = await this.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
      return (out.Table?.KeySchema ?? []).map((k) => k.AttributeName ?? '').filter(Boolean);
    } catch (e: unknown) {
      throw mapError(e, tableName, 'DescribeTable');
    }
  }

  /**
   * The seed's scan, every page: counts all stuck tasks and keeps the first `maxItems` keys.
   * Only key attributes are read back (the full items are read again, for the ledger, just before
   * a delete).
   */
  async findStuck(spec: StuckTasksSpec, keyNames: readonly string[], cutoff: number): Promise<StuckScan> {
    const filter = stuckFilter(spec, cutoff);
    const names: Record<string, string> = { ...filter.ExpressionAttributeNames };
    keyNames.forEach((k, i) => (names[`#k${i}`] = k));
    const keys: TaskKey[] = [];
    let count = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      let out;
      try {
        out = await this.dynamodb.send(new ScanCommand({
          TableName: spec.tableName, ...filter, ExpressionAttributeNames: names,
          ProjectionExpression: keyNames.map((_k, i) => `#k${i}`).join(', '), ExclusiveStartKey: start,
        }));
      } catch (e: unknown) {
        throw mapError(e, spec.tableName, 'Scan');
      }
      for (const item of out.Items ?? []) {
        count += 1;
        if (keys.length < spec.maxItems) keys.push(taskKeySchema.parse(unmarshall(item)));
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return { count, keys, truncated: count > keys.length };
  }

  /** The full item, strongly consistent; undefined when it is gone. */
  async readItem(tableName: string, key: TaskKey): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await this.dynamodb.send(new GetItemCommand({ TableName: tableName, Key: marshall(key), ConsistentRead: true }));
      return out.Item ? unmarshall(out.Item) : undefined;
    } catch (e: unknown) {
      throw mapError(e, tableName, 'GetItem');
    }
  }

  /** Deletes the task only if it is still pending and older than the cutoff (it may have been picked up since). */
  async deleteIfStillStuck(spec: StuckTasksSpec, key: TaskKey, cutoff: number): Promise<DeleteOutcome> {
    try {
      await this.mutations.send(new DeleteItemCommand({ TableName: spec.tableName, Key: marshall(key), ...stuckFilterAsCondition(spec, cutoff) }));
      return { deleted: true, alreadyGone: false };
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) {
        // Gone altogether: the step's row of intent recorded it present, so an earlier attempt of
        // this step deleted it (its answer lost); it is recorded as deleted, so an undo puts it back.
        if ((await this.readItem(spec.tableName, key)) === undefined) return { deleted: true, alreadyGone: true };
        return { deleted: false, reason: `no longer ${spec.pendingStatus} and older than the cutoff (changed since it was counted)` };
      }
      throw mapError(e, spec.tableName, 'DeleteItem');
    }
  }

  /**
   * Puts a deleted task back only where no item has its key now (the condition names a key
   * attribute): false when one does, which is never overwritten.
   */
  async putIfAbsent(tableName: string, item: Record<string, unknown>, condition: { ConditionExpression: string; ExpressionAttributeNames: Record<string, string> }): Promise<boolean> {
    try {
      await this.mutations.send(new PutItemCommand({ TableName: tableName, Item: marshall(item), ...condition }));
      return true;
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw mapError(e, tableName, 'PutItem');
    }
  }

  async createBackup(tableName: string, backupName: string): Promise<BackupView> {
    try {
      const out = await this.mutations.send(new CreateBackupCommand({ TableName: tableName, BackupName: backupName }));
      const d = out.BackupDetails;
      return { backupArn: d?.BackupArn ?? '', backupName: d?.BackupName ?? backupName, backupStatus: d?.BackupStatus ?? 'UNKNOWN', backupSizeBytes: d?.BackupSizeBytes ?? null };
    } catch (e: unknown) {
      throw mapError(e, tableName, 'CreateBackup');
    }
  }

  /**
   * A user backup of this table with exactly this name, created at or after `since`, that is not
   * DELETED: the oldest if there are several. Every page of ListBackups is read. CreateBackup is
   * not idempotent, so a retried backup step looks here first (see backup.ts).
   */
  async findBackup(tableName: string, backupName: string, since: Date): Promise<BackupView | undefined> {
    let found: { view: BackupView; createdAt: number } | undefined;
    let start: string | undefined;
    do {
      let out;
      try {
        out = await this.dynamodb.send(new ListBackupsCommand({
          TableName: tableName, BackupType: 'USER', TimeRangeLowerBound: since, ExclusiveStartBackupArn: start,
        }));
      } catch (e: unknown) {
        throw mapError(e, tableName, 'ListBackups');
      }
      for (const b of out.BackupSummaries ?? []) {
        if (b.BackupName !== backupName || b.BackupStatus === 'DELETED' || !b.BackupArn) continue;
        const createdAt = b.BackupCreationDateTime?.getTime() ?? Number.MAX_SAFE_INTEGER;
        if (found && found.createdAt <= createdAt) continue;
        found = { createdAt, view: { backupArn: b.BackupArn, backupName: b.BackupName, backupStatus: b.BackupStatus ?? 'UNKNOWN', backupSizeBytes: b.BackupSizeBytes ?? null } };
      }
      start = out.LastEvaluatedBackupArn;
    } while (start);
    return found?.view;
  }

  async describeBackup(backupArn: string): Promise<BackupView> {
    try {
      const out = await this.dynamodb.send(new DescribeBackupCommand({ BackupArn: backupArn }));
      const d = out.BackupDescription?.BackupDetails;
      return { backupArn, backupName: d?.BackupName ?? '', backupStatus: d?.BackupStatus ?? 'UNKNOWN', backupSizeBytes: d?.BackupSizeBytes ?? null };
    } catch (e: unknown) {
      if (e instanceof BackupNotFoundException) throw new TargetNotFound(`DynamoDB backup ${backupArn} does not exist (DescribeBackup)`);
      throw mapError(e, backupArn, 'DescribeBackup');
    }
  }
}

function stuckFilterAsCondition(spec: StuckTasksSpec, cutoff: number) {
  const { FilterExpression, ...rest } = stuckFilter(spec, cutoff);
  return { ConditionExpression: FilterExpression, ...rest };
}

/** Errors as the DynamoDB API reference documents them for these operations. */
function mapError(e: unknown, resource: string, operation: string): Error {
  const doing = `dynamodb:${operation} on ${resource}`;
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  if (e instanceof ResourceNotFoundException || e instanceof TableNotFoundException) {
    return new TargetNotFound(`DynamoDB table ${resource} does not exist (${operation})`);
  }
  // Another backup operation on the table, or the table being created or deleted: wait, then retry.
  if (e instanceof BackupInUseException || e instanceof TableInUseException) return new TableBusy(`${doing}: ${detail}`);
  // Backups not yet enabled on a new table, or the account's table-operation limit: a human decides.
  if (e instanceof ContinuousBackupsUnavailableException || e instanceof LimitExceededException) return new ChangeRejected(`${doing}: ${detail}`);
  return classifyAwsError(e, doing);
}
