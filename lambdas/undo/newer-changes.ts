import type { RestoreStep } from '../domain/undo-plan';
import type { Ledger } from '../shared/ledger';

/**
 * Why a newer change to the same resource stands in the way of restoring this one, if one does: it
 * was left (someone changed the resource since the runbook) rather than undone, so what the
 * resource holds now is not the runbook's to put back. Restores run newest first (undo-plan.ts).
 */
export async function newerLeftAlone(ledger: Ledger, incidentId: string, step: Pick<RestoreStep, 'newer'>): Promise<string | undefined> {
  if (step.newer.length === 0) return undefined;
  const rows = await ledger.listActions(incidentId);
  for (const key of step.newer) {
    const source = rows.find((r) => r.actionKey === key);
    // A newer call that never took effect (failed, or settled so) changed nothing.
    if (source?.status === 'failed' || source?.status === 'planned') continue;
    if (rows.some((r) => r.undoes === key && r.status === 'succeeded')) continue;
    return `the newer change ${key} was not undone (the resource was changed since the runbook set it)`;
  }
  return undefined;
}
