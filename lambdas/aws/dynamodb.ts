import type { DynamoDBClient, TableDescription, UpdateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ItemKey } from '../domain/item-keys';
import type { BillingMode, TableView } from './table-capacity';
import { classifyAwsError, hasErrorName, SwitchLimitReached, TableBusy, TargetNotFound } from '../shared/errors';
import { readsAndMutations } from '../shared/lazy-sdk';
import { dynamoDbSdk } from '../shared/sdk-modules';

const dynamoDbClients = (reads?: DynamoDBClient, mutations?: DynamoDBClient) =>
  readsAndMutations(dynamoDbSdk, (m, settings) => new m.DynamoDBClient(settings), reads, mutations);

/** A table's capacity mode and throughput: read, switched to on-demand, switched back. */
export class TableClient {
  /** UpdateTable: no SDK retry (see mutation-client.ts). */
  private readonly clients: ReturnType<typeof dynamoDbClients>;

  constructor(dynamodb?: DynamoDBClient, mutations?: DynamoDBClient) {
    this.clients = dynamoDbClients(dynamodb, mutations);
  }

  async describe(tableName: string): Promise<TableView> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.DescribeTableCommand({ TableName: tableName }));
      return tableView(tableName, out.Table);
    } catch (e: unknown) {
      throw this.mapError(e, tableName, 'DescribeTable');
    }
  }

  /**
   * Provisioned -> on-demand. "Considerations when switching capacity modes in DynamoDB"
   * (Amazon DynamoDB Developer Guide): a table may switch from provisioned to on-demand up to
   * four times in a 24-hour rolling window (back to provisioned at any time), and the switch
   * takes several minutes, during which the table is UPDATING.
   */
  async switchToOnDemand(tableName: string): Promise<TableView> {
    try {
      const { m, client } = await this.clients.mutations.get();
      const out = await client.send(new m.UpdateTableCommand({ TableName: tableName, BillingMode: 'PAY_PER_REQUEST' }));
      return tableView(tableName, out.TableDescription);
    } catch (e: unknown) {
      throw this.mapError(e, tableName, 'UpdateTable');
    }
  }

  /**
   * On-demand -> provisioned, with the exact UpdateTable parameters (table and index throughput):
   * AWS allows this switch at any time, and requires the throughput of the table and every index.
   */
  async switchToProvisioned(parameters: UpdateTableCommandInput): Promise<TableView> {
    const tableName = parameters.TableName ?? '';
    try {
      const { m, client } = await this.clients.mutations.get();
      const out = await client.send(new m.UpdateTableCommand({ ...parameters, BillingMode: 'PROVISIONED' }));
      return tableView(tableName, out.TableDescription);
    } catch (e: unknown) {
      throw this.mapError(e, tableName, 'UpdateTable');
    }
  }

  /** Errors as the UpdateTable API reference documents them. */
  private mapError(e: unknown, tableName: string, operation: string): Error {
    const doing = `dynamodb:${operation} on ${tableName}`;
    const detail = e instanceof Error ? e.message : String(e);
    if (hasErrorName(e, 'ResourceNotFoundException')) return new TargetNotFound(`DynamoDB table ${tableName} does not exist (${operation})`);
    // The table or an index is CREATING, UPDATING or DELETING: wait for it, then try again.
    if (hasErrorName(e, 'ResourceInUseException')) return new TableBusy(`${doing}: the table or an index is busy: ${detail}`);
    // The on-demand switch quota or the account's concurrent table operations: not ours to wait out.
    if (hasErrorName(e, 'LimitExceededException')) return new SwitchLimitReached(`${doing}: ${detail}`);
    return classifyAwsError(e, doing);
  }
}

/** On-demand tables report 0 capacity units; that is "none", not a value to restore. */
const units = (billingMode: BillingMode, value: number | undefined): number | null =>
  billingMode === 'PAY_PER_REQUEST' || value === undefined ? null : value;

function tableView(tableName: string, table: TableDescription | undefined): TableView {
  // DescribeTable omits BillingModeSummary for tables that have always been provisioned.
  const billingMode: BillingMode = table?.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST' ? 'PAY_PER_REQUEST' : 'PROVISIONED';
  return {
    tableName,
    billingMode,
    tableStatus: table?.TableStatus ?? 'UNKNOWN',
    readCapacityUnits: units(billingMode, table?.ProvisionedThroughput?.ReadCapacityUnits),
    writeCapacityUnits: units(billingMode, table?.ProvisionedThroughput?.WriteCapacityUnits),
    globalSecondaryIndexes: (table?.GlobalSecondaryIndexes ?? []).map((index) => ({
      indexName: index.IndexName ?? '',
      readCapacityUnits: units(billingMode, index.ProvisionedThroughput?.ReadCapacityUnits),
      writeCapacityUnits: units(billingMode, index.ProvisionedThroughput?.WriteCapacityUnits),
    })),
  };
}

/** A table's items, one at a time, by key. */
export class ItemsClient {
  /** PutItem: no SDK retry (see mutation-client.ts). */
  private readonly clients: ReturnType<typeof dynamoDbClients>;

  constructor(dynamodb?: DynamoDBClient, mutations?: DynamoDBClient) {
    this.clients = dynamoDbClients(dynamodb, mutations);
  }

  /** The full item, strongly consistent; undefined when it is gone. */
  async readItem(tableName: string, key: ItemKey): Promise<Record<string, unknown> | undefined> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.GetItemCommand({ TableName: tableName, Key: marshall(key), ConsistentRead: true }));
      return out.Item ? unmarshall(out.Item) : undefined;
    } catch (e: unknown) {
      throw itemError(e, tableName, 'GetItem');
    }
  }

  /**
   * Puts an item only where no item has its key now (the condition names a key attribute): false
   * when one does, which is never overwritten.
   */
  async putIfAbsent(tableName: string, item: Record<string, unknown>, condition: { ConditionExpression: string; ExpressionAttributeNames: Record<string, string> }): Promise<boolean> {
    try {
      const { m, client } = await this.clients.mutations.get();
      await client.send(new m.PutItemCommand({ TableName: tableName, Item: marshall(item), ...condition }));
      return true;
    } catch (e: unknown) {
      if (hasErrorName(e, 'ConditionalCheckFailedException')) return false;
      throw itemError(e, tableName, 'PutItem');
    }
  }
}

function itemError(e: unknown, tableName: string, operation: string): Error {
  if (hasErrorName(e, 'ResourceNotFoundException')) return new TargetNotFound(`DynamoDB table ${tableName} does not exist (${operation})`);
  return classifyAwsError(e, `dynamodb:${operation} on ${tableName}`);
}
