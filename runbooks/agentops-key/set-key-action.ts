/**
 * One function's key set, as performAction (audit before act) makes it: the ledger row names the
 * call and records the environment before and after as digests (names kept, values never); the
 * write carries the whole merged environment and the RevisionId read with it, so a change someone
 * made in between is refused by Lambda (ChangeRejected), never overwritten.
 */
import type { FunctionEnvironment, FunctionEnvironmentClient } from '../../lambdas/aws/lambda-environment';
import { keyState, mergeVariable, redactVariables, type RecordedEnvironment } from '../../lambdas/domain/function-environment';
import type { ActionSpec } from '../../lambdas/shared/act';
import { ChangeRejected } from '../../lambdas/shared/errors';

/** The environment as the ledger records it, with the RevisionId it was read at. */
export interface RecordedRead extends RecordedEnvironment {
  readonly revisionId: string;
}

/** What the set-key step returns: per function, its recorded environments (digests only). */
export interface KeySet {
  readonly operation: string;
  readonly target: string;
  readonly planned: boolean;
  /** No call was made now for any of them: the ledger (or a re-read) showed every key set already. */
  readonly replayed: boolean;
  /** What was approved: the functions, the variable and the secret (never the value). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Per function, the environment before (digests, with the RevisionId read) and after (digests). */
  readonly before: Record<string, RecordedRead>;
  readonly after: Record<string, RecordedEnvironment>;
  readonly functions: { functionName: string; replayed: boolean; planned: boolean }[];
  /** The functions written (not planned): the update check waits on them. */
  readonly changed: string[];
  readonly summary: string;
}

export function setKeyAction(environments: Pick<FunctionEnvironmentClient, 'read' | 'write'>, now: FunctionEnvironment, variable: string, key: string): ActionSpec<RecordedRead, RecordedEnvironment, RecordedEnvironment> {
  const target = now.functionName;
  const merged = mergeVariable(now.variables, variable, key);
  const after: RecordedEnvironment = { variables: redactVariables(target, merged) };
  return {
    step: 'set-key',
    operation: 'lambda:UpdateFunctionConfiguration',
    target,
    // As the API takes them, the values redacted: the row, the logs and a dry run's plan never hold one.
    parameters: { FunctionName: target, Environment: { Variables: after.variables }, RevisionId: now.revisionId },
    intended: after,
    readBefore: () => Promise.resolve({ variables: redactVariables(target, now.variables), revisionId: now.revisionId }),
    mutate: async (before) => {
      if (keyState(now.variables, variable) === 'set') throw new ChangeRejected(`${target} has ${variable} set since the diagnosis: it is not overwritten`);
      await environments.write(target, merged, before.revisionId);
      return after;
    },
    observe: async () => ({ variables: redactVariables(target, (await environments.read(target)).variables) }),
    inEffect: (observed) => (observed.variables[variable] === after.variables[variable] ? observed : undefined),
  };
}
