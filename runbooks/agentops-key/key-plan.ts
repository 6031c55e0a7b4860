/**
 * agentops-key's decision (seed 003 §5 "AgentOps Connection Issues: verify the API key on each
 * agent function; update it"): which configured agent functions lack the key. Pure; it sees the
 * key's state (set, missing, empty), never its value.
 */
import type { KeyState } from '../../lambdas/domain/function-environment';

/** One agent function as the diagnosis reports it. */
export interface FunctionKey {
  readonly functionName: string;
  readonly key: KeyState;
  readonly lastUpdateStatus: string;
}

export type KeyDecision = 'set-key' | 'nothing-missing' | 'update-in-progress';

export interface KeyPlan {
  readonly decision: KeyDecision;
  /** The functions the key is set on, in config's order (none unless set-key). */
  readonly functions: string[];
  readonly variable: string;
  readonly secretId: string;
  readonly reason: string;
}

export function planKey(found: readonly FunctionKey[], variable: string, secretId: string): KeyPlan {
  const lacking = found.filter((f) => f.key !== 'set');
  const hold = (decision: Exclude<KeyDecision, 'set-key'>, reason: string): KeyPlan => ({ decision, functions: [], variable, secretId, reason });
  if (lacking.length === 0) return hold('nothing-missing', `every configured agent function (${found.length}) has ${variable} set: the AgentOps failures are not a missing key (check the key is valid and AgentOps is reachable)`);
  const busy = lacking.filter((f) => f.lastUpdateStatus === 'InProgress');
  if (busy.length > 0) return hold('update-in-progress', `an update of ${busy.map((f) => f.functionName).join(', ')} is in progress: someone else is changing it`);
  const names = lacking.map((f) => f.functionName);
  return {
    decision: 'set-key', functions: names, variable, secretId,
    reason: `${lacking.map((f) => `${f.functionName} (${f.key})`).join(', ')} ${lacking.length === 1 ? 'lacks' : 'lack'} ${variable}: set it from the secret ${secretId}`,
  };
}

/** The one-line report of the diagnosis: which functions have the key, which lack it and how. */
export function describeKeys(found: readonly FunctionKey[], variable: string): string {
  return found.map((f) => `${f.functionName}: ${variable} ${f.key}`).join('; ');
}
