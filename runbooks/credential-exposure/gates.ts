import type { GatePages, LiveRead } from '../../lambdas/approval/gate-words';
import { listInWords, plural, type GateWordsProvider } from '../../lambdas/approval/words';
import { SecureParameterClient } from '../../lambdas/aws/secure-parameter';
import type { SecretDiagnosis } from './handlers/secret';

let parameters: SecureParameterClient | undefined;

const namesOf = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The parameter's version now (GetParameter without decryption): a rotation by someone else since shows here. */
const liveVersion: LiveRead = async (gate) => (parameters ??= new SecureParameterClient()).version(String(gate.parameters.Name));

function versionNow(live: unknown, d: SecretDiagnosis | undefined): string {
  const read = (live ?? {}) as { version?: number; unreadable?: string };
  const leaked = d ? `the leaked version is ${d.leakedVersion}` : 'the leaked version is as the start named it';
  if (read.version === undefined) return read.unreadable ? `could not be read just now (${read.unreadable}); ${leaked}` : `version ${d?.version ?? '?'} when diagnosed; ${leaked}`;
  return `at version ${read.version}; ${leaked}${d && read.version > d.leakedVersion ? ' (rotated since: approving writes nothing)' : ''}`;
}

/** credential-exposure's rotate gate (seed 000 "Rotate Cloudflare origin secret"). */
export const rotateApprovalWords: GateWordsProvider = ({ gate, live }) => {
  const services = namesOf(gate.parameters.Redeploys);
  const d = ((gate.evidence ?? {}) as { secret?: SecretDiagnosis }).secret;
  return {
    headline: `Rotate ${gate.target} (a new SecureString version) and redeploy the ${plural(services.length, 'service')} that read it: ${listInWords(services)}?`,
    now: versionNow(live, d),
    risk: `the value of version ${d?.leakedVersion ?? '?'} is suspected leaked, and works until it is replaced. Each redeploy replaces the service's tasks so they read the new value; whatever checks the old value (the edge's header, seed 000) rejects requests until it is re-applied with the new one.`,
    approve: `writes a new version of 32 random bytes (hex), encrypted with ${String(gate.parameters.KeyId)}, whose value nobody sees; then forces a new deployment of each service in this order, the next only once the one before has rolled out. The leaked version is never written back: there is no undo.`,
    reject: 'the leaked version stays current and the run escalates, so a human rotates it (seed 000).',
    unanswered: 'the leaked version stays current',
  };
};

export const GATES: GatePages = { rotate: { words: rotateApprovalWords, live: liveVersion } };
