/** A table's capacity as runbooks read and record it, and the undo puts it back. Pure: no AWS here. */

export type BillingMode = 'PROVISIONED' | 'PAY_PER_REQUEST';

export interface IndexCapacity {
  readonly indexName: string;
  /** Null when on-demand (DynamoDB reports 0 there, which is not a capacity). */
  readonly readCapacityUnits: number | null;
  readonly writeCapacityUnits: number | null;
}

export interface TableView {
  readonly tableName: string;
  readonly billingMode: BillingMode;
  readonly tableStatus: string;
  readonly readCapacityUnits: number | null;
  readonly writeCapacityUnits: number | null;
  readonly globalSecondaryIndexes: readonly IndexCapacity[];
}

/** What the switch replaces: enough to put the table back to the same provisioned capacity. */
export interface CapacitySnapshot {
  readonly billingMode: BillingMode;
  readonly readCapacityUnits: number | null;
  readonly writeCapacityUnits: number | null;
  readonly globalSecondaryIndexes: readonly IndexCapacity[];
}

export function capacitySnapshot(table: TableView): CapacitySnapshot {
  return {
    billingMode: table.billingMode,
    readCapacityUnits: table.readCapacityUnits,
    writeCapacityUnits: table.writeCapacityUnits,
    globalSecondaryIndexes: table.globalSecondaryIndexes,
  };
}
