/**
 * What the approval page says of a gated step, and what it reads of the target now, from the
 * runbook that owns the gate: `GATES[step]` in runbooks/<runbook>/gates.ts, found by the
 * runbook's name (esbuild bundles every runbook's gates.ts into the page). The undo's gate
 * (`<runbook>/undo`) has the undo's words; a gate no runbook describes, the exact call in plain words.
 */
import { undoApprovalWords } from '../undo/approval-words';
import type { Gate } from './store';
import type { GateWords, GateWordsInput, GateWordsProvider } from './words';

/** What a gated target holds now, read for the page (read-only calls). `environment`: the page function's, as it started. */
export type LiveRead = (gate: Gate, environment: Readonly<Record<string, string | undefined>>) => Promise<unknown>;

/** One gated step as its runbook describes it on the approval page. */
export interface GatePage {
  readonly words: GateWordsProvider;
  /** What the page reads of the target now; without it, the target is read by the gated call's service. */
  readonly live?: LiveRead;
}

/** A runbook's gated steps, by step name: what runbooks/<name>/gates.ts exports as GATES. */
export type GatePages = Readonly<Record<string, GatePage>>;

/** A gate no runbook has words for yet: the exact call, said plainly. */
const plainWords: GateWordsProvider = ({ gate }) => ({
  headline: `Approve ${gate.operation} on ${gate.target}?`,
  now: 'see "The target now" below',
  risk: 'see the evidence below',
  approve: `makes the exact call below (${gate.operation} on ${gate.target}).`,
  reject: 'the call is not made and the run escalates.',
  unanswered: 'the call is not made',
});

const RUNBOOK_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const loaded = new Map<string, Promise<GatePages>>();

/** The module is not there: the runbook has no gated step of its own (or no such runbook). */
function notFound(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' || (e instanceof Error && e.message.startsWith('Module not found in bundle'));
}

async function load(runbook: string): Promise<GatePages> {
  if (!RUNBOOK_NAME.test(runbook)) return {};
  let module: { GATES?: unknown };
  try {
    module = (await import(`../../runbooks/${runbook}/gates.ts`)) as { GATES?: unknown };
  } catch (e: unknown) {
    if (notFound(e)) return {};
    throw e;
  }
  if (!module.GATES || typeof module.GATES !== 'object') throw new Error(`runbooks/${runbook}/gates.ts exports no GATES`);
  return module.GATES as GatePages;
}

/** The runbook's gate pages (loaded once per function instance). */
export function gatePagesOf(runbook: string): Promise<GatePages> {
  let pages = loaded.get(runbook);
  if (!pages) {
    pages = load(runbook);
    loaded.set(runbook, pages);
  }
  return pages;
}

/** The gate as its runbook describes it: its own page, the undo's words for any `<runbook>/undo`, or plain words. */
export async function gatePage(gate: Pick<Gate, 'runbook' | 'step'>): Promise<GatePage> {
  const own = (await gatePagesOf(gate.runbook))[gate.step];
  if (own) return own;
  return { words: gate.step === 'undo' ? undoApprovalWords : plainWords };
}

/** The words for a gate, in its runbook's voice. */
export async function gateWords(input: GateWordsInput): Promise<GateWords> {
  return (await gatePage(input.gate)).words(input);
}
