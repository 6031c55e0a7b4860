import type { UpdateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { capacitySnapshot } from '../domain/table-capacity';
import { sameValue, type RestoreKind, type RestoreStep } from '../domain/undo-plan';
import { TableClient } from '../dynamodb-throttling/table-client';
import { FunctionConcurrencyClient } from '../lambda-runaway/function-concurrency';
import { ParameterClient } from '../llm-budget-guardrail/parameter-client';

/**
 * The resources an undo reads and restores, behind the runbooks' own clients: the value a
 * restore compares, in the shape the runbook recorded it (ledger `before` and `after`).
 */
export class UndoResources {
  constructor(
    private readonly functions = new FunctionConcurrencyClient(),
    private readonly tables = new TableClient(),
    private readonly parameters = new ParameterClient(),
  ) {}

  /** The resource's current value, shaped as the runbook recorded it. */
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
    }
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
