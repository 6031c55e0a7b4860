import type { GatePages, LiveRead } from '../../lambdas/approval/gate-words';
import type { GateWordsProvider } from '../../lambdas/approval/words';
import { WorkflowClient } from '../../lambdas/aws/sfn';
import type { WorkflowDiagnosis } from './handlers/inspect';

let workflows: WorkflowClient | undefined;

/** The execution now (DescribeExecution, read-only): a redrive by someone else since shows here. */
const liveExecution: LiveRead = async (gate) => {
  const now = await (workflows ??= new WorkflowClient()).describe(gate.target);
  return { status: now.status, redriveCount: now.redriveCount, redriveStatus: now.redriveStatus };
};

function executionNow(live: unknown, diagnosed: WorkflowDiagnosis | undefined): string {
  const read = (live ?? {}) as { status?: string; redriveCount?: number; redriveStatus?: string; unreadable?: string };
  const then = diagnosed ? `${diagnosed.execution.status}, redriven ${diagnosed.execution.redriveCount} time(s), when diagnosed` : 'as diagnosed';
  if (live === undefined) return then;
  if (read.unreadable) return `could not be read just now (${read.unreadable}); ${then}`;
  const changed = diagnosed && (read.status !== diagnosed.execution.status || read.redriveCount !== diagnosed.execution.redriveCount) ? ': changed since the diagnosis' : '';
  return `${read.status}, redriven ${read.redriveCount} time(s), ${read.redriveStatus ?? 'redrive status unknown'}${changed}`;
}

/** workflow-stuck's redrive gate (seed 004 "Workflow Stuck/Failed"). */
export const redriveApprovalWords: GateWordsProvider = ({ gate, live }) => {
  const d = (gate.evidence as { diagnosis?: WorkflowDiagnosis } | undefined)?.diagnosis;
  const f = d?.failure;
  const where = f ? `${f.state ?? 'an unnamed state'} failed with ${f.error ?? 'no error'}${f.cause ? ` (${f.cause})` : ''}` : 'the failed state was not found in its history';
  return {
    headline: `Redrive ${d?.execution.name ?? gate.target} of ${d?.execution.stateMachineArn.split(':').pop() ?? 'its workflow'}?`,
    now: executionNow(live, d),
    risk: `${where}. A redrive runs the failed state again, and the ones after it, with the same input: a step that is not idempotent runs twice. Redrive ${(d?.redrivesSoFar ?? 0) + 1} of at most ${d?.maxRedrives ?? '?'} by this runbook.`,
    approve: 'calls RedriveExecution (with a client token, so it redrives once) and watches the redriven run. A redrive cannot be undone.',
    reject: 'the execution stays failed and the run escalates, so a human looks at the failed state (seed 004: trace via DynamoDB).',
    unanswered: 'the execution stays failed',
  };
};

export const GATES: GatePages = { redrive: { words: redriveApprovalWords, live: liveExecution } };
