import type { GatePages } from '../../lambdas/approval/gate-words';
import type { GateWordsProvider } from '../../lambdas/approval/words';
import type { AuthDiagnosis } from './handlers/inspect';

const short = (arn: string | undefined) => arn?.split('/').at(-1) ?? '?';

/** auth-degraded-mode's gate (seed 001 D): let the service accept requests its identity provider cannot verify, for a while. */
export const degradeAuthWords: GateWordsProvider = ({ gate }) => {
  const d = (gate.evidence as { diagnosis?: AuthDiagnosis } | undefined)?.diagnosis;
  const revertIn = d ? `${d.revertAfterMinutes} minutes` : 'the configured time';
  // The value the approved call sets (config permissiveValue), not a fixed word.
  const { variable = d?.variable ?? 'ALPHASWARM_AUTH_ENFORCE', value = 'permissive' } = gate.parameters as { variable?: string; value?: string };
  return {
    headline: `Set ${variable}=${value} on ${gate.target} while Auth0's JWKS is unreachable?`,
    now: `runs ${short(d?.taskDefinition)} with ${d?.variable ?? 'the auth variable'}=${d?.value ?? '?'}; every authenticated request fails (jwks_unreachable)`,
    risk: `a hard rule is bypassed: read-only routes accept requests whose tokens are not verified. Seed 001 D allows it only with the operator UI firewalled at the ingress, which this target's config says it is${d?.operatorUiFirewalled === false ? ' NOT' : ''}.`,
    approve: `registers a new revision of ${short(d?.taskDefinition)} with only that variable changed (every other setting, secret reference and tag kept), deploys it, and schedules the revert in ${revertIn}: the recorded revision back, verified. npm run undo reverts earlier.`,
    reject: 'auth stays enforced (every authenticated request keeps failing until Auth0 recovers) and the run escalates.',
    unanswered: 'auth stays enforced',
  };
};

export const GATES: GatePages = { 'degrade-auth': { words: degradeAuthWords } };
