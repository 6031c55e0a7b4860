import type { UpdateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { capacitySnapshot } from '../aws/table-capacity';
import type { ItemKey } from '../domain/item-keys';
import { sameValue, type ItemAtKey, type RestoreKind, type RestoreStep } from '../domain/undo-plan';
import { ItemsClient, TableClient } from '../aws/dynamodb';
import { FunctionConcurrencyClient } from '../aws/lambda';
import { ParameterClient } from '../aws/ssm';

/**
 * The resources an undo reads and restores, behind the runbooks' own clients: the value a
 * restore compares, in the shape the runbook recorded it (ledger `before` and `after`).
 */
export class UndoResources {
  constructor(
    private readonly functions = new FunctionConcurrencyClient(),
    private readonly tables = new TableClient(),
    private readonly parameters = new ParameterClient(),
    private readonly items = new ItemsClient(),
  ) {}

  /** The resource's current value, shaped as the runbook recorded it (items: readItems, at the restore's keys). */
  async read(kind: RestoreKind, target: string): Promise<unknown> {
    switch (kind) {
      case 'lambda-reserved-concurrency':
        return (await this.functions.read(target)).reservedConcurrency;
      case 'dynamodb-capacity': {
        const table = await this.tables.describe(target);
        return { ...capacitySnapshot(table), tableStatus: table.tableStatus };
      }
      case 'ssm-parameter':
        return this.parameters.read(target);
      case 'dynamodb-items':
        throw new Error('items are read at their keys: readItems');
    }
  }

  /** The items at these keys now (GetItem, strongly consistent), null where there is none. */
  async readItems(target: string, keys: readonly ItemKey[]): Promise<ItemAtKey[]> {
    const found: ItemAtKey[] = [];
    for (const key of keys) found.push({ key, item: (await this.items.readItem(target, key)) ?? null });
    return found;
  }

  /** One PutItem of a `dynamodb-items` restore, with the planned condition: false when an item has the key now. */
  async putItemIfAbsent(step: RestoreStep, item: Record<string, unknown>): Promise<boolean> {
    const p = step.parameters as { ConditionExpression: string; ExpressionAttributeNames: Record<string, string> };
    return this.items.putIfAbsent(step.target, item, { ConditionExpression: p.ConditionExpression, ExpressionAttributeNames: p.ExpressionAttributeNames });
  }

  /** Makes the restore call exactly as planned; returns the value it set. */
  async restore(step: RestoreStep): Promise<unknown> {
    const p = step.parameters;
    switch (step.operation) {
      case 'lambda:DeleteFunctionConcurrency':
        return this.functions.remove(step.target);
      case 'lambda:PutFunctionConcurrency':
        return this.functions.put(step.target, Number(p.ReservedConcurrentExecutions));
      case 'dynamodb:UpdateTable':
        await this.tables.switchToProvisioned(p as unknown as UpdateTableCommandInput);
        return step.restoreTo;
      case 'ssm:PutParameter':
        return this.parameters.write(step.target, String(p.Value));
      // dynamodb:PutItem puts items back one by one, each compared first: restore-items.ts.
      default:
        throw new Error(`no restore call is known for ${step.operation}`);
    }
  }
}

/**
 * Whether a value read now is the value a ledger row describes. A table is compared on what the
 * runbook changed (mode, and capacities when provisioned), not on its status or timestamps.
 */
export function holds(kind: RestoreKind, current: unknown, value: unknown): boolean {
  if (kind !== 'dynamodb-capacity') return sameValue(current, value);
  const now = (current ?? {}) as Record<string, unknown>;
  const want = (value ?? {}) as Record<string, unknown>;
  if (now.billingMode !== want.billingMode) return false;
  if (want.billingMode === 'PAY_PER_REQUEST') return true;
  return sameValue(
    { r: now.readCapacityUnits, w: now.writeCapacityUnits, i: now.globalSecondaryIndexes ?? [] },
    { r: want.readCapacityUnits, w: want.writeCapacityUnits, i: want.globalSecondaryIndexes ?? [] },
  );
}
