import type { GatePages, LiveRead } from '../../lambdas/approval/gate-words';
import type { GateWordsProvider } from '../../lambdas/approval/words';
import { FunctionEnvironmentClient } from '../../lambdas/aws/lambda-environment';
import { keyState } from '../../lambdas/domain/function-environment';
import type { KeyDiagnosis } from './handlers/inspect';

let environments: FunctionEnvironmentClient | undefined;

const namesOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** Whether each function has the key now (GetFunctionConfiguration, read-only): its state, never its value. */
const liveKeys: LiveRead = async (gate) => {
  const variable = String(gate.parameters.Variable);
  const read: Record<string, string> = {};
  for (const name of namesOf(gate.parameters.FunctionNames)) read[name] = keyState((await (environments ??= new FunctionEnvironmentClient()).read(name)).variables, variable);
  return { keys: read };
};

function keysNow(live: unknown, variable: string): string {
  const read = (live ?? {}) as { keys?: Record<string, string>; unreadable?: string };
  if (live === undefined || !read.keys) return read.unreadable ? `could not be read just now (${read.unreadable})` : 'as the diagnosis found them';
  return Object.entries(read.keys).map(([name, state]) => `${name}: ${variable} ${state}${state === 'set' ? ' (set since the diagnosis)' : ''}`).join('; ');
}

/** agentops-key's set-key gate (seed 003 §5 "Update API key"). */
export const setKeyApprovalWords: GateWordsProvider = ({ gate, live }) => {
  const functions = namesOf(gate.parameters.FunctionNames);
  const variable = String(gate.parameters.Variable);
  const secret = String(gate.parameters.SecretId);
  const d = ((gate.evidence ?? {}) as { diagnosis?: KeyDiagnosis }).diagnosis;
  return {
    headline: `Set ${variable} on ${functions.join(', ')} from the secret ${secret}?`,
    now: keysNow(live, variable),
    risk: `${d?.summary ?? 'the diagnosis was not read'}. The key is merged into each function's environment (the other variables kept); the update restarts the function's execution environments, and an invocation in flight finishes on the old one.`,
    approve: `reads the key from ${secret} and sets ${variable} on each of them (UpdateFunctionConfiguration with the RevisionId read, so a change made meanwhile is refused); the environment before is recorded without its values, and the undo removes the key again.`,
    reject: `${variable} stays unset and the run escalates, so a human sets the key (seed 003 §5).`,
    unanswered: `${variable} stays unset`,
  };
};

export const GATES: GatePages = { 'set-key': { words: setKeyApprovalWords, live: liveKeys } };
