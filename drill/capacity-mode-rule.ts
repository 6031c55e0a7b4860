/**
 * DynamoDB's limit on capacity-mode switches, which dynalite does not enforce ("Considerations
 * when switching capacity modes in DynamoDB", Amazon DynamoDB Developer Guide): a table may
 * switch from provisioned to on-demand up to four times in a 24-hour rolling window; back to
 * provisioned is allowed at any time. The refusal is DynamoDB's LimitExceededException.
 */
export const ON_DEMAND_SWITCHES_PER_DAY = 4;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface Refusal {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

export class CapacityModeRule {
  /** Per table, when each accepted switch to on-demand was made. */
  private readonly switches = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The refusal for a request that would exceed the limit, or undefined to let it through. */
  check(operation: string, input: Readonly<Record<string, unknown>>): Refusal | undefined {
    if (!isSwitchToOnDemand(operation, input)) return undefined;
    const recent = this.recent(String(input.TableName));
    if (recent.length < ON_DEMAND_SWITCHES_PER_DAY) return undefined;
    return {
      status: 400,
      type: 'LimitExceededException',
      message: `Subscriber limit exceeded: Update to PayPerRequest mode are limited to ${ON_DEMAND_SWITCHES_PER_DAY} times in 1 day(s).`,
    };
  }

  /** Counts a switch DynamoDB accepted (only a provisioned table's switch reaches here as a change). */
  accepted(operation: string, input: Readonly<Record<string, unknown>>, wasProvisioned: boolean): void {
    if (!isSwitchToOnDemand(operation, input) || !wasProvisioned) return;
    const table = String(input.TableName);
    this.switches.set(table, [...this.recent(table), this.now()]);
  }

  private recent(table: string): number[] {
    const since = this.now() - DAY_MS;
    return (this.switches.get(table) ?? []).filter((at) => at > since);
  }
}

function isSwitchToOnDemand(operation: string, input: Readonly<Record<string, unknown>>): boolean {
  return operation === 'UpdateTable' && input.BillingMode === 'PAY_PER_REQUEST' && typeof input.TableName === 'string';
}
