import type { TableView } from '../../lambdas/aws/table-capacity';

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
