import {
  DescribeTableCommand,
  DynamoDBClient,
  LimitExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  type TableDescription,
  type UpdateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { BillingMode, TableView } from '../domain/table-capacity';
import { classifyAwsError, SwitchLimitReached, TableBusy, TargetNotFound } from '../shared/errors';
import { MUTATION_CLIENT_CONFIG } from '../shared/mutation-client';

export class TableClient {
  constructor(
    private readonly dynamodb: DynamoDBClient = new DynamoDBClient({}),
    /** UpdateTable: no SDK retry (see mutation-client.ts). */
    private readonly mutations: DynamoDBClient = new DynamoDBClient(MUTATION_CLIENT_CONFIG),
  ) {}

  async describe(tableName: string): Promise<TableView> {
    try {
      const out = await this.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
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
      const out = await this.mutations.send(new UpdateTableCommand({ TableName: tableName, BillingMode: 'PAY_PER_REQUEST' }));
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
      const out = await this.mutations.send(new UpdateTableCommand({ ...parameters, BillingMode: 'PROVISIONED' }));
      return tableView(tableName, out.TableDescription);
    } catch (e: unknown) {
      throw this.mapError(e, tableName, 'UpdateTable');
    }
  }

  /** Errors as the UpdateTable API reference documents them. */
  private mapError(e: unknown, tableName: string, operation: string): Error {
    const doing = `dynamodb:${operation} on ${tableName}`;
    const detail = e instanceof Error ? e.message : String(e);
    if (e instanceof ResourceNotFoundException) return new TargetNotFound(`DynamoDB table ${tableName} does not exist (${operation})`);
    // The table or an index is CREATING, UPDATING or DELETING: wait for it, then try again.
    if (e instanceof ResourceInUseException) return new TableBusy(`${doing}: the table or an index is busy: ${detail}`);
    // The on-demand switch quota or the account's concurrent table operations: not ours to wait out.
    if (e instanceof LimitExceededException) return new SwitchLimitReached(`${doing}: ${detail}`);
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
