import { reversibleOfKind } from '../domain/reversible';
import type { LeftAlone, RestoreStep } from '../domain/undo-plan';
import { listInWords, plural, type GateWordsProvider } from '../approval/words';

function value(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v !== 'object') return String(v);
  const o = v as Record<string, unknown>;
  if (typeof o.billingMode === 'string') return o.billingMode === 'PAY_PER_REQUEST' ? 'on-demand' : o.billingMode;
  if (typeof o.count === 'number') return plural(o.count, 'item');
  return JSON.stringify(v);
}

/**
 * The undo's gate (any runbook's `<runbook>/undo`): may the values the runbook replaced be put
 * back? The plan lists each restore, newest first.
 */
export const undoApprovalWords: GateWordsProvider = ({ gate }) => {
  const restores = (Array.isArray(gate.parameters.restores) ? gate.parameters.restores : []) as RestoreStep[];
  const evidence = (gate.evidence ?? {}) as { requestedBy?: string; notReversible?: LeftAlone[]; skipped?: LeftAlone[] };
  const targets = [...new Set(restores.map((r) => r.target))];
  const left = [...(evidence.notReversible ?? []), ...(evidence.skipped ?? [])];
  return {
    headline: `Undo what ${gate.runbook} changed: put back ${plural(restores.length, 'recorded value')} on ${listInWords(targets)}?`,
    now: restores.map((r) => `${r.target}: ${reversibleOfKind(r.kind)?.words ?? r.kind} as the runbook set it (${value(r.expected)}); it was ${value(r.restoreTo)}`).join('; ')
      + (evidence.requestedBy ? ` (undo asked for by ${evidence.requestedBy})` : ''),
    risk: left.length > 0
      ? `not everything can be undone: ${left.map((l) => `${l.operation} on ${l.target} (${l.why})`).join('; ')}`
      : 'whatever the runbook fixed comes back too: the undo returns each resource to where it was before the incident',
    approve: 'puts back each recorded value, newest first, only where the resource still holds what the runbook set; anything changed since is left alone and reported.',
    reject: 'nothing is put back; the undo is recorded as not approved and can be asked for again.',
    unanswered: 'nothing is put back',
  };
};
