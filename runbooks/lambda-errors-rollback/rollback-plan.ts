/**
 * Which version an alias goes back to (seed 003 §1 "Quick rollback", done with versions and an
 * alias instead of re-uploading a backup zip). Pure: the handler reads the alias, the versions
 * and the ledger's earlier rollbacks of it, and this decides.
 */
import type { AliasRouting, AliasState, FunctionVersion } from '../../lambdas/aws/lambda';

/** What this runbook did to the alias before, from the ledger (undone rollbacks left out). */
export interface RollbackHistory {
  /** Versions an earlier rollback took the alias away from: they failed then. */
  readonly rolledBackFrom: readonly string[];
  /** Versions an earlier rollback chose: they were the previous good one then. */
  readonly rolledBackTo: readonly string[];
}

export type RollbackPlan =
  | {
    readonly decision: 'rollback';
    /** The version the errors are taken to come from: the newest the alias routes to. */
    readonly suspect: string;
    readonly from: AliasRouting;
    readonly to: AliasRouting;
    /** An earlier rollback chose this version as good. */
    readonly knownGood: boolean;
    readonly reason: string;
  }
  | { readonly decision: 'none'; readonly reason: string };

const LATEST = '$LATEST';
const isPublished = (v: string) => /^\d+$/.test(v);
/** $LATEST is newer than every published version. */
const newer = (a: string, b: string) => (a === LATEST ? b !== LATEST : b !== LATEST && Number(a) > Number(b));

/** The versions the alias routes to: its version, and a canary's weighted one. */
export const routedVersions = (alias: AliasRouting): string[] => [alias.functionVersion, ...Object.keys(alias.additionalVersionWeights)];

const describeRouting = (alias: AliasRouting): string => {
  const extra = Object.entries(alias.additionalVersionWeights);
  return extra.length === 0 ? `version ${alias.functionVersion}` : `version ${alias.functionVersion} with ${extra.map(([v, w]) => `${Math.round(w * 100)}% to version ${v}`).join(', ')}`;
};

/**
 * The newest published version older than the newest version the alias routes to, holding other
 * code (a version with the same CodeSha256 is no rollback) and not one an earlier rollback left
 * for failing. A canary (weighted alias) goes back to all traffic on the older of its two
 * versions, its weights cleared. An alias already on the version an earlier rollback chose, with
 * no canary, is not rolled back further: the errors do not come from a new version.
 */
export function planRollback(alias: AliasState, versions: readonly FunctionVersion[], history: RollbackHistory): RollbackPlan {
  const name = `${alias.functionName}:${alias.alias}`;
  const routed = routedVersions(alias);
  const suspect = routed.reduce((a, b) => (newer(b, a) ? b : a));
  const canary = routed.length > 1;
  if (!canary && history.rolledBackTo.includes(alias.functionVersion)) {
    return {
      decision: 'none',
      reason: `${name} serves version ${alias.functionVersion}, which an earlier rollback chose as the previous good version: the errors do not come from a new version, so nothing was rolled back; a human looks at the cause`,
    };
  }
  const codeOf = new Map(versions.map((v) => [v.version, v.codeSha256]));
  const suspectCode = codeOf.get(suspect);
  const older = versions.filter((v) => isPublished(v.version) && newer(suspect, v.version));
  const otherCode = older.filter((v) => suspectCode === undefined || v.codeSha256 !== suspectCode);
  const candidates = otherCode.filter((v) => !history.rolledBackFrom.includes(v.version)).sort((a, b) => Number(b.version) - Number(a.version));
  const target = candidates[0];
  if (!target) {
    const why = older.length === 0
      ? `${alias.functionName} has no published version older than ${suspect}`
      : otherCode.length === 0
        ? `every published version older than ${suspect} holds the same code (CodeSha256)`
        : `the older versions with other code (${otherCode.map((v) => v.version).join(', ')}) were each rolled back from before`;
    return { decision: 'none', reason: `nothing to roll back to: ${why}; ${name} serves ${describeRouting(alias)}, left as it is` };
  }
  const to: AliasRouting = { functionVersion: target.version, additionalVersionWeights: {} };
  const knownGood = history.rolledBackTo.includes(target.version);
  return {
    decision: 'rollback', suspect, from: { functionVersion: alias.functionVersion, additionalVersionWeights: { ...alias.additionalVersionWeights } }, to, knownGood,
    reason: `${name} serves ${describeRouting(alias)}; rolling back to version ${target.version}${target.description ? ` (${target.description})` : ''}${knownGood ? ', which an earlier rollback chose as good' : ''}${canary ? ', the canary\'s weights cleared' : ''}`,
  };
}

/** Whether the alias routes exactly as `routing` says (all traffic to its version when it has no weights). */
export function routesAs(alias: AliasRouting, routing: AliasRouting): boolean {
  const a = Object.entries(alias.additionalVersionWeights).filter(([, w]) => w > 0).sort();
  const b = Object.entries(routing.additionalVersionWeights).filter(([, w]) => w > 0).sort();
  return alias.functionVersion === routing.functionVersion && JSON.stringify(a) === JSON.stringify(b);
}
