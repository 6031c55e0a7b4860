/** A table's capacity as the dynamodb-throttling runbook reads and records it. Pure: no AWS here. */

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

export interface OnDemandProgress {
  /** The attempt just made (the state machine passes it back as the next attempt). */
  readonly attempt: number;
  readonly done: boolean;
  readonly timedOut: boolean;
}

/**
 * After the switch the table is UPDATING for a few minutes; it is remediated once it is ACTIVE
 * in on-demand mode. Polling stops once the attempts made add up to the configured timeout.
 */
export function onDemandProgress(
  table: Pick<TableView, 'tableStatus' | 'billingMode'>,
  attempt: number,
  pollSeconds: number,
  timeoutSeconds: number,
): OnDemandProgress {
  const next = attempt + 1;
  const done = table.tableStatus === 'ACTIVE' && table.billingMode === 'PAY_PER_REQUEST';
  return { attempt: next, done, timedOut: !done && next * pollSeconds >= timeoutSeconds };
}
