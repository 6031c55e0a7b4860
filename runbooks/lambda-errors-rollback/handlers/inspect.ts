import { AliasClient, type FunctionVersion } from '../../../lambdas/aws/lambda';
import { requireEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { rollbackHistory } from '../rollback-history';
import { planRollback, type RollbackHistory } from '../rollback-plan';
import { targetAliases } from '../target-aliases';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const aliases = new AliasClient();
const aliasOf = targetAliases();

/** The exact UpdateAlias a rollback makes: the version, the canary's weights cleared, and the RevisionId read now. */
export interface RollbackCall {
  readonly FunctionName: string;
  readonly Name: string;
  readonly FunctionVersion: string;
  readonly RoutingConfig: { readonly AdditionalVersionWeights: Record<string, number> };
  readonly RevisionId: string;
}

export interface AliasDiagnosis {
  readonly target: string;
  readonly decision: 'rollback' | 'none';
  readonly reason: string;
  readonly alias: { readonly functionVersion: string; readonly additionalVersionWeights: Readonly<Record<string, number>>; readonly revisionId: string };
  /** The newest published versions (and $LATEST), newest first: what the approvers see. */
  readonly versions: readonly FunctionVersion[];
  readonly history: RollbackHistory;
  readonly call: RollbackCall | null;
}

/**
 * Diagnose (seed 003 §1, seed 004 "Lambda Errors"): the alias (GetAlias: its version, a canary's
 * weights, its RevisionId), the published versions (ListVersionsByFunction) and this runbook's
 * earlier rollbacks of it (the ledger); then which version it goes back to, or why none.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<AliasDiagnosis> => {
  const { functionName, alias, key } = aliasOf(incident.target);
  const now = await aliases.read(functionName, alias);
  const versions = await aliases.versions(functionName);
  const history = await rollbackHistory(ledger, incident.runbook, functionName, key, incident.id);
  const plan = planRollback(now, versions, history);
  return {
    target: key, decision: plan.decision, reason: plan.reason,
    alias: { functionVersion: now.functionVersion, additionalVersionWeights: now.additionalVersionWeights, revisionId: now.revisionId },
    versions: [...versions].reverse().slice(0, 5),
    history,
    call: plan.decision === 'rollback'
      ? { FunctionName: functionName, Name: alias, FunctionVersion: plan.to.functionVersion, RoutingConfig: { AdditionalVersionWeights: {} }, RevisionId: now.revisionId }
      : null,
  };
});
