import type { GatePages } from '../../lambdas/approval/gate-words';
import type { GateWordsProvider } from '../../lambdas/approval/words';

interface PageEvidence {
  readonly procedure?: { readonly seed?: string; readonly title?: string; readonly steps?: readonly string[] };
  readonly alarm?: { readonly name?: string; readonly reason?: string };
  readonly summary?: string;
}

/** page-on-call's acknowledgement (seed 004's escalation path): the person who takes the page on says so. */
export const acknowledgeWords: GateWordsProvider = ({ gate }) => {
  const page = (gate.evidence ?? {}) as PageEvidence;
  const title = page.procedure?.title ?? String(gate.parameters.procedure);
  return {
    headline: `Take on seed ${page.procedure?.seed ?? '?'} "${title}" for alarm ${page.alarm?.name ?? gate.target}?`,
    now: page.alarm?.reason ?? `alarm ${gate.target} is in ALARM`,
    risk: `No machine runs this procedure: a person follows the seed's steps. ${(page.procedure?.steps ?? []).map((s, i) => `${i + 1}. ${s}`).join(' ')}`,
    approve: 'you have the page: it is not sent to the next level, and the ledger records who acknowledged it and when.',
    reject: 'not offered: a page is acknowledged or escalates.',
    unanswered: 'the page goes to the next level of the escalation path',
  };
};

export const GATES: GatePages = { acknowledge: { words: acknowledgeWords } };
