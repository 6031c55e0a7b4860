import type { GatePages, LiveRead } from '../../lambdas/approval/gate-words';
import type { GateWordsProvider } from '../../lambdas/approval/words';
import { FunctionConfigurationClient } from '../../lambdas/aws/lambda';
import type { TimeoutDiagnosis } from './handlers/inspect';
import type { TimeoutEvidence } from './handlers/timeouts';

let functions: FunctionConfigurationClient | undefined;

/** The function's timeout and update status now (GetFunctionConfiguration, read-only). */
const liveTimeout: LiveRead = async (gate) => {
  const fn = await (functions ??= new FunctionConfigurationClient()).read(gate.target);
  return { timeoutSeconds: fn.settings.Timeout, lastUpdateStatus: fn.lastUpdateStatus };
};

function timeoutNow(live: unknown, diagnosed: number | undefined): string {
  const read = (live ?? {}) as { timeoutSeconds?: number; lastUpdateStatus?: string; unreadable?: string };
  const then = diagnosed === undefined ? '' : ` (${diagnosed} s when the alarm was diagnosed)`;
  if (live === undefined) return `timeout ${diagnosed ?? 'unknown'} s when the alarm was diagnosed`;
  if (read.unreadable) return `could not be read just now (${read.unreadable})${then}`;
  const changed = diagnosed !== undefined && read.timeoutSeconds !== diagnosed ? ': changed since the diagnosis' : '';
  return `timeout ${read.timeoutSeconds} s, last update ${read.lastUpdateStatus}${changed}${changed ? then : ''}`;
}

/** lambda-timeouts' raise gate (seed 004 "Lambda Timeouts: increase timeout"). */
export const raiseApprovalWords: GateWordsProvider = ({ gate, live }) => {
  const to = String(gate.parameters.Timeout);
  const evidence = (gate.evidence ?? {}) as { diagnosis?: TimeoutDiagnosis; timeouts?: TimeoutEvidence };
  const d = evidence.diagnosis;
  const queues = d?.queues.length ? `; its SQS sources keep messages invisible for ${d.queues.map((q) => `${q.visibilityTimeout} s (${q.queueArn.split(':').pop()})`).join(', ')}` : '';
  return {
    headline: `Raise the timeout of ${gate.target} to ${to} s?`,
    now: timeoutNow(live, d?.timeoutSeconds),
    risk: `${evidence.timeouts?.summary ?? 'the last timeouts were not read'}. A longer timeout lets slow invocations finish, and lets a stuck one run (and cost) longer; the ceiling is ${d?.ceilingSeconds ?? 'configured'} s${queues}.`,
    approve: `sets its timeout to ${to} s (UpdateFunctionConfiguration); the old value is recorded, and the undo puts it back.`,
    reject: 'the timeout stays as it is and the run escalates, so a human looks at what makes it slow (seed 004: check dependencies).',
    unanswered: 'the timeout stays as it is',
  };
};

export const GATES: GatePages = { raise: { words: raiseApprovalWords, live: liveTimeout } };
