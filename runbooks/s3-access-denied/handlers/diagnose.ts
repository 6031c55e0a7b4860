import { requireJsonEnv } from '../../../lambdas/shared/env';
import { TargetNotAllowed } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { AccessReads } from '../access-reads';
import { bucketPoliciesSchema, evidenceLines, isConfiguredKey, kmsActionsFor, SSE_CONTEXT_KEY, SSE_HEADER, verdictOf, type Evidence, type Simulation } from '../verdict';

const BUCKETS = requireJsonEnv('BUCKET_POLICIES', (raw) => bucketPoliciesSchema.parse(raw));
const reads = new AccessReads();

export interface S3AccessDiagnosis {
  readonly bucket: string;
  /** What was simulated: the event's call, or the configured roles, actions and prefixes for an alarm. */
  readonly asked: string;
  readonly verdict: string;
  readonly findings: readonly string[];
  readonly proposal: string | null;
  readonly evidence: readonly string[];
  readonly simulations: readonly Simulation[];
  readonly summary: string;
}

/**
 * Diagnose (seed 003 §3 "S3 Access Issues: check bucket policy, versioning, the execution role's
 * policy"): read the bucket's policy, Block Public Access, default encryption (and for SSE-KMS its
 * key policy) and versioning; simulate the call with IAM's policy simulator for the principal the
 * CloudTrail event names (or, for an alarm, which names none, the configured roles on the
 * configured actions and prefixes) with the bucket policy as the resource policy; and say which
 * policy refuses it. Read-only: nothing in the account changes.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident }): Promise<S3AccessDiagnosis> => {
  const bucket = incident.target;
  const policy = BUCKETS[bucket];
  if (policy === undefined) throw new TargetNotAllowed(`${bucket} is not a configured bucket of s3-access-denied`);
  const call = incident.source.apiCall;
  // The event's principal is simulated only when it is a configured role: the runbook may simulate those alone.
  const unconfigured = call?.principal !== undefined && !policy.roles.includes(call.principal) ? call.principal : undefined;
  const asked = call?.principal !== undefined && incident.source.arn !== undefined
    ? (unconfigured === undefined ? [{ principal: call.principal, actions: [call.action], resource: incident.source.arn }] : [])
    : policy.roles.flatMap((principal) => policy.prefixes.map((p) => ({ principal, actions: policy.actions, resource: `arn:aws:s3:::${bucket}/${p}*` })));
  const found = await reads.bucket(bucket);
  // The request's encryption header as the bucket policy's condition reads it: absent when the event
  // shows none. An alarm shows no request: its calls are simulated as a client that names the bucket's
  // default encryption would send them, so the verdict is about the roles, not about a missing header.
  const sseHeader = call !== undefined ? call.parameters[SSE_HEADER] : found.encryption.algorithm;
  const context: Record<string, string> = sseHeader === undefined ? {} : { [SSE_CONTEXT_KEY]: sseHeader };
  const kmsKey = found.encryption.algorithm.startsWith('aws:kms') ? found.encryption.kmsKeyId : undefined;
  // Only the configured key's policy may be read (kms:GetKeyPolicy is granted on it alone): another key is said, not read.
  // It is read while the bucket's simulations run: they need the bucket policy only.
  const keyPolicyRead = kmsKey === undefined ? Promise.resolve(undefined) : isConfiguredKey(kmsKey, policy.kmsKeyArn) ? reads.keyPolicy(kmsKey) : Promise.resolve('not read');
  const bucketSimulations = (async () => {
    const out: { principal: string; s3: Simulation[] | null }[] = [];
    for (const a of asked) out.push({ principal: a.principal, s3: await reads.simulate({ ...a, resourcePolicy: found.bucketPolicy, context }) });
    return out;
  })();
  const [keyPolicy, simulated] = await Promise.all([keyPolicyRead, bucketSimulations]);
  const evidence: Evidence = { ...found, ...(keyPolicy === undefined ? {} : { keyPolicy }) };

  const missing: string[] = [];
  const calls: { s3: Simulation; kms: Simulation[] }[] = [];
  // The key's answer does not depend on the object: one simulation per principal, of every KMS action its calls need.
  const keyAnswers = new Map<string, Simulation[]>();
  const keyAnswer = async (principal: string, actions: readonly string[]): Promise<Simulation[]> => {
    if (kmsKey === undefined || keyPolicy === undefined || keyPolicy === 'not found' || keyPolicy === 'not read') return [];
    let answer = keyAnswers.get(principal);
    if (answer === undefined) {
      const needed = [...new Set(asked.filter((a) => a.principal === principal).flatMap((a) => a.actions.flatMap(kmsActionsFor)))];
      answer = needed.length === 0 ? [] : (await reads.simulate({ principal, actions: needed, resource: kmsKey, resourcePolicy: keyPolicy, context: {} })) ?? [];
      keyAnswers.set(principal, answer);
    }
    return answer.filter((k) => actions.includes(k.action));
  };
  for (const { principal, s3 } of simulated) {
    if (s3 === null) {
      if (!missing.includes(principal)) missing.push(principal);
      continue;
    }
    for (const sim of s3) {
      // The key matters only where the bucket lets the call through.
      calls.push({ s3: sim, kms: sim.decision === 'allowed' ? await keyAnswer(principal, kmsActionsFor(sim.action)) : [] });
    }
  }
  const fromEvent = call !== undefined;
  const v = verdictOf({ calls, request: { ...(sseHeader === undefined ? {} : { sseHeader }), fromEvent } });
  const gone = [
    ...(unconfigured === undefined ? [] : [`the principal ${unconfigured} is not a configured role of ${bucket}: its policies were not simulated (add it to the target's roles)`]),
    ...missing.map((p) => `the principal ${p} does not exist (IAM answers NoSuchEntity)`),
    ...(keyPolicy === 'not found' ? [`the bucket's default KMS key ${kmsKey} does not exist`] : []),
    ...(keyPolicy === 'not read' ? [`the bucket's default KMS key ${kmsKey} is not the target's kmsKeyArn: its policy was not read (configure it to have it read)`] : []),
  ];
  const verdict = gone.length > 0 && v.findings.length === 0 ? gone.join('; ') : v.verdict;
  const askedText = `${asked.map((a) => `${a.actions.join(', ')} on ${a.resource} by ${a.principal}`).join('; ')}${sseHeader === undefined ? ` (no ${SSE_HEADER})` : ` (${SSE_HEADER}: ${sseHeader})`}`;
  return {
    bucket, asked: askedText, verdict, findings: [...gone, ...v.findings], proposal: v.proposal, evidence: evidenceLines(evidence),
    simulations: calls.flatMap((c) => [c.s3, ...c.kms]),
    summary: `S3 access denied on ${bucket}: ${verdict}.${v.proposal ? ` ${v.proposal}` : ''}`,
  };
});
