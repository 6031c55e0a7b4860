/**
 * s3-access-denied's verdict (seed 003 §3 "S3 Access Issues"): from what the diagnose step read
 * (the bucket's policy, Block Public Access, default encryption, versioning, the KMS key policy)
 * and what IAM's policy simulator answered for each principal, one sentence a person understands
 * in one reading, and the statement that would allow the call, marked as a proposal. Pure.
 */
import * as z from '../../lambdas/shared/zod';

/** Per configured bucket: who to simulate when the alarm names no one, and on what. */
export const bucketPolicySchema = z.object({
  /** Role ARNs of the agents that use the bucket. */
  roles: z.array(z.string().check(z.minLength(1))),
  /** The calls an alarm (which names none) is diagnosed for, "s3:PutObject". */
  actions: z.array(z.string().check(z.regex(/^s3:[A-Za-z]+$/))).check(z.minLength(1)),
  /** The key prefixes the agents use ("uploads/"): each is simulated as <prefix>*. */
  prefixes: z.array(z.string()).check(z.minLength(1)),
  /** The bucket's SSE-KMS key whose policy the runbook may read (its only kms:GetKeyPolicy grant). */
  kmsKeyArn: z.optional(z.string()),
});
export const bucketPoliciesSchema = z.record(z.string(), bucketPolicySchema);
export type BucketPolicy = z.infer<typeof bucketPolicySchema>;

/** A statement of a policy as IAM documents it (only what the verdict reads). */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The simulator's answer for one principal, action and resource, with the statements that decided it. */
export interface Simulation {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  /** The statements that matched, each with the policy it is in ("resource" for the bucket or key policy). */
  readonly matched: readonly { readonly policyId: string; readonly policyType: string; readonly statement?: PolicyStatement }[];
  /** Context keys a matched condition read that the request did not carry. */
  readonly missingContext: readonly string[];
}

export interface Evidence {
  readonly bucket: string;
  /** The bucket policy's text, or null: the bucket has none (NoSuchBucketPolicy). */
  readonly bucketPolicy: string | null;
  /** Block Public Access of the bucket, or null: none configured on the bucket. */
  readonly publicAccessBlock: Readonly<Record<string, boolean>> | null;
  /** Default encryption: SSE-S3 (AES256), SSE-KMS (aws:kms, with its key) or DSSE-KMS. */
  readonly encryption: { readonly algorithm: string; readonly kmsKeyId?: string; readonly bucketKeyEnabled?: boolean };
  /** The versioning status: Enabled, Suspended, or "never enabled". */
  readonly versioning: string;
  /** For SSE-KMS: the key policy's text, "not found" (the key is gone), or "not read" (not the configured key: the runbook may not read it). */
  readonly keyPolicy?: string;
}

/** What the page says: the verdict, each principal's finding, and the proposal (never applied). */
export interface AccessVerdict {
  readonly verdict: string;
  readonly findings: readonly string[];
  readonly proposal: string | null;
}

/** The encryption header as the bucket policy condition names it; SSE_HEADER as CloudTrail's requestParameters do. */
export const SSE_CONTEXT_KEY = 's3:x-amz-server-side-encryption';
export const SSE_HEADER = 'x-amz-server-side-encryption';

/** What a principal needs of the bucket's KMS key for an S3 action on SSE-KMS objects. */
export function kmsActionsFor(s3Action: string): string[] {
  if (s3Action === 's3:PutObject') return ['kms:GenerateDataKey'];
  if (s3Action === 's3:GetObject') return ['kms:Decrypt'];
  return [];
}

/** The object's top-level prefix as a resource (arn:aws:s3:::b/uploads/x/y.png -> arn:aws:s3:::b/uploads/*): a proposal for the prefix, not one object. */
export function prefixOf(objectArn: string): string {
  const m = /^(arn:[a-z-]+:s3:::[^/]+\/)([^/*]+)\/.+$/.exec(objectArn);
  return m ? `${m[1]}${m[2]}/*` : objectArn;
}

const roleName = (arn: string) => /:role\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1] ?? arn;
/** The condition keys a statement reads, lower-cased as IAM compares them. */
const conditionKeys = (s: PolicyStatement | undefined): string[] => Object.values(s?.Condition ?? {}).flatMap((byKey) => Object.keys(byKey).map((k) => k.toLowerCase()));
const sidOf = (s: PolicyStatement | undefined) => (s?.Sid ? `sid ${s.Sid}` : 'without a sid');

/**
 * One principal's finding for one call: the explicit Deny that refused it (the bucket policy's
 * first: it names the sid), the Allow nobody gave, the key the principal cannot use, or null when
 * these policies allow it.
 */
export function findingOf(s3: Simulation, kms: readonly Simulation[], request: { readonly sseHeader?: string; readonly fromEvent: boolean }): { sentence: string; proposal: string | null } | null {
  const who = `the role ${roleName(s3.principal)}`;
  if (s3.decision === 'explicitDeny') {
    const deny = s3.matched.find((m) => m.policyType === 'resource' && m.statement?.Effect === 'Deny') ?? s3.matched.find((m) => m.statement?.Effect === 'Deny');
    const where = deny?.policyType === 'resource' ? "the bucket policy's" : `${who}'s policy ${deny?.policyId ?? '?'} with an`;
    const readsSse = conditionKeys(deny?.statement).includes(SSE_CONTEXT_KEY);
    const why = readsSse && request.sseHeader === undefined
      ? `: ${request.fromEvent ? 'the request had' : 'for a request with'} no ${SSE_HEADER}`
      : deny?.statement?.Condition ? ` (its condition on ${conditionKeys(deny.statement).join(', ')})` : '';
    return {
      sentence: `${s3.action} on ${s3.resource} by ${who} is denied by ${where} explicit Deny ${sidOf(deny?.statement)}${why}`,
      // No Allow overrides an explicit Deny: the fix is the request (or a person changing the Deny).
      proposal: readsSse && request.sseHeader === undefined
        ? `send ${s3.action} with ${SSE_HEADER} (aws:kms or AES256, as the bucket requires); no statement can allow it past the explicit Deny`
        : null,
    };
  }
  if (s3.decision === 'implicitDeny') {
    return {
      sentence: `${who} has no Allow for ${s3.action} on ${s3.resource}`,
      proposal: `add to ${who}'s policy: ${JSON.stringify({ Sid: `Allow${s3.action.split(':')[1]}`, Effect: 'Allow', Action: s3.action, Resource: prefixOf(s3.resource) })}`,
    };
  }
  const refused = kms.find((k) => k.decision !== 'allowed');
  if (refused) {
    return {
      sentence: `the KMS key policy of ${refused.resource} does not let ${who} use the key (${refused.action}: ${refused.decision === 'explicitDeny' ? 'an explicit Deny' : 'no Allow'})`,
      proposal: `add to the key policy of ${refused.resource}: ${JSON.stringify({ Sid: 'AllowAgentUseOfTheKey', Effect: 'Allow', Principal: { AWS: s3.principal }, Action: refused.action, Resource: '*' })}`,
    };
  }
  return null;
}

const NOT_EXPLAINED = 'not explained by these policies: look at SCPs and VPC endpoint policies, which this role cannot read';

/**
 * The verdict over every simulated call: the findings (one per refused call), the first of them as
 * the verdict, or "not explained" when every simulated call is allowed by these policies.
 */
export function verdictOf(input: {
  readonly calls: readonly { readonly s3: Simulation; readonly kms: readonly Simulation[] }[];
  readonly request: { readonly sseHeader?: string; readonly fromEvent: boolean };
}): AccessVerdict {
  const found = input.calls.flatMap((c) => {
    const f = findingOf(c.s3, c.kms, input.request);
    return f === null ? [] : [f];
  });
  const first = found[0];
  if (first === undefined) return { verdict: NOT_EXPLAINED, findings: [], proposal: null };
  const proposals = [...new Set(found.flatMap((f) => (f.proposal === null ? [] : [f.proposal])))];
  return {
    verdict: found.length === 1 ? first.sentence : `${first.sentence} (and ${found.length - 1} more: see findings)`,
    findings: found.map((f) => f.sentence),
    proposal: proposals.length === 0 ? null : `PROPOSAL, not applied (the seed's "fix bucket permissions" is a person's): ${proposals.join('; ')}`,
  };
}

/** The evidence in a few lines for the page: what each read answered. */
export function evidenceLines(e: Evidence): string[] {
  const bpa = e.publicAccessBlock === null
    ? 'none configured on the bucket'
    : Object.entries(e.publicAccessBlock).map(([k, v]) => `${k}=${v}`).join(', ');
  return [
    `bucket policy: ${e.bucketPolicy === null ? 'none (NoSuchBucketPolicy)' : `${statementsOf(e.bucketPolicy).length} statement(s)`}`,
    `Block Public Access: ${bpa}`,
    `default encryption: ${e.encryption.algorithm}${e.encryption.kmsKeyId ? ` with key ${e.encryption.kmsKeyId}` : ''}${e.encryption.bucketKeyEnabled ? ' (bucket key)' : ''}`,
    ...(e.keyPolicy === undefined ? [] : [`KMS key policy: ${e.keyPolicy === 'not found' || e.keyPolicy === 'not read' ? e.keyPolicy : `${statementsOf(e.keyPolicy).length} statement(s)`}`]),
    `versioning: ${e.versioning}`,
  ];
}

/**
 * Whether the bucket's default key (as GetBucketEncryption names it: a key ARN, a key id or an alias)
 * is the configured key: only then may its policy be read.
 */
export function isConfiguredKey(bucketKey: string, configured: string | undefined): boolean {
  if (configured === undefined) return false;
  return bucketKey === configured || configured.endsWith(`:key/${bucketKey}`);
}

/** A policy document's statements (IAM allows one statement as an object). */
export function statementsOf(policy: string): PolicyStatement[] {
  const doc = JSON.parse(policy) as { Statement?: PolicyStatement | PolicyStatement[] };
  if (doc.Statement === undefined) return [];
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

/**
 * The statement a simulator result points at: IAM answers a matched statement's start as a line
 * (from 1) and a column in the policy text as it was sent; the statement is the object that starts
 * at the first "{" from there (a column counted from 0 or from 1 finds the same one).
 */
export function statementAt(policy: string, start: { readonly Line: number; readonly Column: number }): PolicyStatement | undefined {
  const lines = policy.split('\n');
  if (start.Line < 1 || start.Line > lines.length) return undefined;
  let at = lines.slice(0, start.Line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, start.Column - 1);
  at = policy.indexOf('{', at);
  if (at < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = at; i < policy.length; i += 1) {
    const ch = policy[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth += 1;
    else if (ch === '}' && --depth === 0) {
      try {
        return JSON.parse(policy.slice(at, i + 1)) as PolicyStatement;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
