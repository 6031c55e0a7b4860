import type { GatePages } from '../../lambdas/approval/gate-words';
import { numbered, type GateWordsProvider } from '../../lambdas/approval/words';

interface PageEvidence {
  readonly procedure?: { readonly seed?: string; readonly title?: string; readonly steps?: readonly string[] };
  readonly alarm?: { readonly name?: string; readonly reason?: string } | null;
  readonly assumption?: { readonly who?: string; readonly sourceIp?: string; readonly at?: string; readonly session?: string; readonly roleArn?: string } | null;
  readonly summary?: string;
}

/** page-on-call's acknowledgement (seed 004's escalation path): the person who takes the page on says so. */
export const acknowledgeWords: GateWordsProvider = ({ gate }) => {
  const page = (gate.evidence ?? {}) as PageEvidence;
  const title = page.procedure?.title ?? String(gate.parameters.procedure);
  const a = page.assumption;
  return {
    headline: a
      ? `Take on seed ${page.procedure?.seed ?? '?'} "${title}" for ${a.who ?? 'someone'}'s session ${a.session ?? a.roleArn ?? gate.target}?`
      : `Take on seed ${page.procedure?.seed ?? '?'} "${title}" for alarm ${page.alarm?.name ?? gate.target}?`,
    now: a
      ? `${a.who ?? 'someone'} assumed ${a.roleArn ?? gate.target} from ${a.sourceIp ?? 'an unrecorded address'} at ${a.at ?? '?'}`
      : page.alarm?.reason ?? `alarm ${gate.target} is in ALARM`,
    risk: `No machine runs this procedure: a person follows the seed's steps. ${numbered(page.procedure?.steps ?? [])}`,
    approve: 'you have the page: it is not sent to the next level, and the ledger records who acknowledged it and when.',
    reject: 'not offered: a page is acknowledged or escalates.',
    unanswered: 'the page goes to the next level of the escalation path',
  };
};

export const GATES: GatePages = { acknowledge: { words: acknowledgeWords } };
