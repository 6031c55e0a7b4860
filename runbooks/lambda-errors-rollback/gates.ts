import type { GatePages, LiveRead } from '../../lambdas/approval/gate-words';
import type { GateWordsProvider } from '../../lambdas/approval/words';
import { AliasClient, parseAliasKey, type FunctionVersion } from '../../lambdas/aws/lambda';
import type { AliasDiagnosis } from './handlers/inspect';

let aliases: AliasClient | undefined;

/** The alias as it is now: its version, weights and RevisionId (the rollback names the one it was read with). */
const liveAlias: LiveRead = async (gate) => {
  const { functionName, alias } = parseAliasKey(gate.target);
  const now = await (aliases ??= new AliasClient()).read(functionName, alias);
  return { functionVersion: now.functionVersion, additionalVersionWeights: now.additionalVersionWeights, revisionId: now.revisionId };
};

const routing = (r: { functionVersion?: unknown; additionalVersionWeights?: unknown }): string => {
  const weights = Object.entries((r.additionalVersionWeights ?? {}) as Record<string, number>);
  return `version ${String(r.functionVersion)}${weights.length ? ` and ${weights.map(([v, w]) => `${Math.round(w * 100)}% to version ${v}`).join(', ')}` : ''}`;
};

const describe = (v: FunctionVersion | undefined, version: string): string => (v ? `version ${version} (${v.description || 'no description'}, published ${v.lastModified.slice(0, 10)})` : `version ${version}`);

/** The alias now, against what the request was written from: a change since means the rollback will be refused. */
function aliasNow(live: unknown, revisionId: string): string {
  const read = (live ?? {}) as { functionVersion?: string; additionalVersionWeights?: Record<string, number>; revisionId?: string; unreadable?: string };
  if (live === undefined) return 'not read (the request is closed)';
  if (read.unreadable) return `could not be read just now (${read.unreadable})`;
  const same = read.revisionId === revisionId;
  return `serves ${routing(read)}${same ? '' : ': it changed since the runbook read it, so Lambda will refuse this rollback (its RevisionId no longer matches) and nothing will change'}`;
}

/**
 * lambda-errors-rollback's rollback gate (seed 003 §1 "Quick rollback"): may the alias go back to
 * the previous version? Seed 003 has no code pinning: a version is immutable, so going back to
 * one brings back exactly the code it ran.
 */
export const rollbackApprovalWords: GateWordsProvider = ({ gate, live }) => {
  const call = gate.parameters as { FunctionName?: string; Name?: string; FunctionVersion?: string; RevisionId?: string };
  const diagnosis = (gate.evidence as { diagnosis?: AliasDiagnosis } | null)?.diagnosis;
  const versions = new Map((diagnosis?.versions ?? []).map((v) => [v.version, v]));
  const to = String(call.FunctionVersion);
  const from = diagnosis ? routing(diagnosis.alias) : 'its current version';
  const known = diagnosis?.history.rolledBackTo.includes(to) ? ' An earlier rollback chose it as good.' : '';
  return {
    headline: `Roll alias ${call.Name} of ${call.FunctionName} back to version ${to}?`,
    now: aliasNow(live, String(call.RevisionId)),
    risk: `the alias serves ${from} and its errors are above the alarm's threshold; ${describe(versions.get(to), to)} is the newest older version with other code.${known} `
      + 'Anything the newer version changed outside its code (tables, queues, event formats) stays changed: a rollback suits code faults, not a migration.',
    approve: `points ${call.Name} at ${describe(versions.get(to), to)} with no weighted canary, only if the alias is still as read (its RevisionId): every invocation through the alias runs the older code.`,
    reject: `the alias keeps serving ${from} and the run escalates, so a human fixes forward or rolls back by hand.`,
    unanswered: `the alias keeps serving ${from}`,
  };
};

/** The approval page's words for each gated step, and its live read of the alias. */
export const GATES: GatePages = { rollback: { words: rollbackApprovalWords, live: liveAlias } };
