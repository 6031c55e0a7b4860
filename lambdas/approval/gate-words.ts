import { deleteStuckApprovalWords } from '../../runbooks/dynamodb-throttling/gates';
import { restoreApprovalWords } from '../../runbooks/lambda-runaway/gates';
import { undoApprovalWords } from '../undo/approval-words';
import type { GateWords, GateWordsInput, GateWordsProvider } from './words';

/** Each gated step's words, keyed `<runbook>/<step>`, from the runbook that owns the gate. */
const PROVIDERS: Readonly<Record<string, GateWordsProvider>> = {
  'lambda-runaway/restore': restoreApprovalWords,
  'dynamodb-throttling/delete-stuck': deleteStuckApprovalWords,
};

/** A gate no runbook has words for yet: the exact call, said plainly. */
const plainWords: GateWordsProvider = ({ gate }) => ({
  headline: `Approve ${gate.operation} on ${gate.target}?`,
  now: 'see "The target now" below',
  risk: 'see the evidence below',
  approve: `makes the exact call below (${gate.operation} on ${gate.target}).`,
  reject: 'the call is not made and the run escalates.',
  unanswered: 'the call is not made',
});

/** The words for a gate: its runbook's provider, the undo's for any `<runbook>/undo`, or plain words. */
export function gateWords(input: GateWordsInput): GateWords {
  const provider = PROVIDERS[`${input.gate.runbook}/${input.gate.step}`] ?? (input.gate.step === 'undo' ? undoApprovalWords : plainWords);
  return provider(input);
}
