import type { GatePages, LiveRead } from '../../lambdas/approval/gate-words';
import type { GateWordsProvider } from '../../lambdas/approval/words';
import { ParameterClient } from '../../lambdas/aws/ssm';
import type { RetrainingCheck } from './handlers/check';
import type { DriftDiagnosis } from './handlers/inspect';

let parameters: ParameterClient | undefined;

/** The trading switch now (GetParameter, read-only): a resume by someone else since shows here. */
const liveSwitch: LiveRead = async (gate) => ({ value: await (parameters ??= new ParameterClient()).read(gate.target) });

function switchNow(live: unknown, target: string, pausedValue: string | undefined): string {
  const read = (live ?? {}) as { value?: string; unreadable?: string };
  if (live === undefined) return `${target} as the pause left it`;
  if (read.unreadable) return `${target} could not be read just now (${read.unreadable})`;
  const changed = pausedValue !== undefined && read.value !== pausedValue ? ': changed since the pause' : ' (paused)';
  return `${target} holds ${read.value}${changed}`;
}

/** model-drift's resume gate (seed 004 "Significant Drift: pause trading, trigger retraining"). */
export const resumeApprovalWords: GateWordsProvider = ({ gate, live }) => {
  const evidence = (gate.evidence ?? {}) as { diagnosis?: DriftDiagnosis; retraining?: RetrainingCheck['retraining'] };
  const d = evidence.diagnosis;
  const value = String(gate.parameters.Value);
  return {
    headline: `Resume trading${d ? ` after retraining ${d.model}` : ''}?`,
    now: switchNow(live, gate.target, d?.switch.pausedValue),
    risk: `${d?.plan.reason ?? 'significant drift'}. ${evidence.retraining?.summary ?? 'the retraining was not read'}. Resuming lets the application trade with the model the retraining left in place; the PSI alarm clears only once the retrained model is the one serving.`,
    approve: `writes ${value} to ${gate.target} (PutParameter), the value it held before the pause; the application trades again.`,
    reject: 'trading stays paused and the run escalates, so a human looks at the retrained model (npm run undo puts the switch back later).',
    unanswered: 'trading stays paused',
  };
};

export const GATES: GatePages = { resume: { words: resumeApprovalWords, live: liveSwitch } };
