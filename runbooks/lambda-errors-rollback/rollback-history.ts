import type { AliasRouting } from '../../lambdas/aws/lambda';
import type { Ledger } from '../../lambdas/shared/ledger';
import type { RollbackHistory } from './rollback-plan';

/** How many earlier incidents of the function are read for its rollbacks. */
const EARLIER = 10;

const versionOf = (value: unknown): string | undefined => {
  const v = (value as Partial<AliasRouting> | null | undefined)?.functionVersion;
  return typeof v === 'string' ? v : undefined;
};

/**
 * This runbook's earlier rollbacks of the alias, from the ledger: the versions it left for failing
 * and the ones it chose as good. A rollback someone undid since (an undo row that put it back)
 * says neither: a human judged otherwise.
 */
export async function rollbackHistory(ledger: Pick<Ledger, 'remediationHistory' | 'listActions'>, runbook: string, functionName: string, aliasKey: string, current: string): Promise<RollbackHistory> {
  const incidents = (await ledger.remediationHistory(runbook, functionName)).map((r) => r.incidentId).filter((id) => id !== current).slice(-EARLIER).reverse();
  const rolledBackFrom: string[] = [];
  const rolledBackTo: string[] = [];
  for (const incidentId of incidents) {
    const rows = await ledger.listActions(incidentId);
    const undone = new Set(rows.filter((r) => r.undoes !== undefined && r.status === 'succeeded').map((r) => r.undoes));
    for (const row of rows) {
      if (row.operation !== 'lambda:UpdateAlias' || row.target !== aliasKey || row.status !== 'succeeded' || row.undoes !== undefined || undone.has(row.actionKey)) continue;
      const from = versionOf(row.before);
      const to = versionOf(row.after);
      if (from !== undefined) rolledBackFrom.push(from);
      if (to !== undefined) rolledBackTo.push(to);
    }
  }
  return { rolledBackFrom, rolledBackTo };
}
