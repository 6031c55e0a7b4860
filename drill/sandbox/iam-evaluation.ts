import { AwsError } from './aws-error';
import { wildcardMatches } from './common';

/**
 * IAM's policy evaluation as the policy simulator answers it, for the policies the sandbox seeds:
 * a principal's identity policies and one resource policy (a bucket's or a key's), in IAM's order:
 * an explicit Deny in any of them wins; else an Allow in either (same account) allows; else the
 * implicit deny. Matched statements are answered with their position in the policy text as sent
 * (lines from 1, columns from 1, at the statement's braces), as IAM's MatchedStatements are.
 *
 * Modelled: Effect, Action / NotAction and Resource / NotResource with * and ? wildcards (actions
 * case-insensitively), a resource policy's Principal ("*", {"AWS": "*"}, or the principal's role
 * ARN; an account root names the account, which delegates to its identity policies, as a key
 * policy's root statement does), and the condition operators StringEquals, StringNotEquals,
 * StringLike, StringNotLike, Null and Bool, each with IAM's rule for a key the request does not
 * carry (it matches none of the positive operators and all of the negated ones; Null "true"
 * matches it). Not modelled: permissions boundaries, SCPs, session policies, managed policies,
 * NotPrincipal, ...IfExists and set operators (ForAnyValue/ForAllValues), policy variables; an
 * operator not listed is refused with InvalidInput so a seed never evaluates silently wrong.
 */

export interface Position {
  readonly Line: number;
  readonly Column: number;
}

interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

/** A policy as the simulator reads it: its id and type as MatchedStatements name them, and its text. */
export interface SourcePolicy {
  readonly id: string;
  readonly type: 'role' | 'resource';
  readonly text: string;
}

export interface MatchedStatement {
  readonly SourcePolicyId: string;
  readonly SourcePolicyType: string;
  readonly StartPosition: Position;
  readonly EndPosition: Position;
}

export interface Evaluation {
  readonly decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  readonly matched: MatchedStatement[];
  readonly missingContext: string[];
}

const invalid = (message: string) => new AwsError('InvalidInput', 400, message);
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The line (from 1) and column (from 1) of an offset in the text. */
function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { Line: line, Column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** The offset just past the JSON value that starts at `from` (strings, objects and arrays matched, whitespace skipped). */
function valueEnd(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i += 1) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') {
        inString = false;
        if (depth === 0) return i + 1;
      }
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth += 1;
    else if (ch === '}' || ch === ']') {
      depth -= 1;
      if (depth === 0) return i + 1;
    } else if (depth === 0 && /[,}\]]/.test(ch ?? '')) return i;
  }
  return text.length;
}

const skipSpace = (text: string, i: number) => {
  while (i < text.length && /\s/.test(text[i]!)) i += 1;
  return i;
};

/** Where each statement's object starts and ends in the text: the elements of the Statement array, or its one statement. */
export function statementPositions(text: string): { start: Position; end: Position }[] {
  // The top-level "Statement" member: walk the document's members, skipping each value whole.
  let i = skipSpace(text, 0) + 1;
  while (i < text.length) {
    i = skipSpace(text, i);
    if (text[i] !== '"') return [];
    const keyEnd = valueEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd) + 1; // past ':'
    i = skipSpace(text, i);
    const end = valueEnd(text, i);
    if (key === 'Statement') {
      const span = (from: number, to: number) => ({ start: positionOf(text, from), end: positionOf(text, to - 1) });
      if (text[i] === '{') return [span(i, end)];
      const spans = [];
      let j = skipSpace(text, i + 1);
      while (text[j] === '{') {
        const e = valueEnd(text, j);
        spans.push(span(j, e));
        j = skipSpace(text, e);
        if (text[j] === ',') j = skipSpace(text, j + 1);
      }
      return spans;
    }
    i = skipSpace(text, end);
    if (text[i] === ',') i += 1;
    else return [];
  }
  return [];
}

function statementsOf(policy: SourcePolicy): Statement[] {
  let doc: { Statement?: Statement | Statement[] };
  try {
    doc = JSON.parse(policy.text) as typeof doc;
  } catch {
    throw invalid(`The policy ${policy.id} is not valid JSON`);
  }
  return doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

function principalMatches(principal: unknown, caller: string): boolean {
  if (principal === '*') return true;
  if (principal !== null && typeof principal === 'object') {
    const aws = list((principal as { AWS?: string | string[] }).AWS);
    return aws.some((p) => p === '*' || p === caller);
  }
  return false;
}

/** One condition block: every operator and key must match (IAM ANDs them; a key's values are ORed). */
function conditionMatches(condition: Statement['Condition'], context: Readonly<Record<string, string[]>>, missing: Set<string>): boolean {
  for (const [operator, byKey] of Object.entries(condition ?? {})) {
    for (const [rawKey, expected] of Object.entries(byKey)) {
      const key = rawKey.toLowerCase();
      const values = Object.entries(context).find(([k]) => k.toLowerCase() === key)?.[1];
      if (values === undefined) missing.add(rawKey);
      const wanted = list(expected as string | string[]).map(String);
      const any = (test: (v: string, w: string) => boolean) => (values ?? []).some((v) => wanted.some((w) => test(v, w)));
      let ok: boolean;
      switch (operator) {
        case 'StringEquals': ok = values !== undefined && any((v, w) => v === w); break;
        case 'StringNotEquals': ok = values === undefined || !any((v, w) => v === w); break;
        case 'StringLike': ok = values !== undefined && any((v, w) => wildcardMatches(w, v, false)); break;
        case 'StringNotLike': ok = values === undefined || !any((v, w) => wildcardMatches(w, v, false)); break;
        case 'Bool': ok = values !== undefined && any((v, w) => v.toLowerCase() === w.toLowerCase()); break;
        // Null "true": the key is absent; "false": present.
        case 'Null': ok = wanted.some((w) => (w === 'true') === (values === undefined)); break;
        default: throw invalid(`The sandbox does not model the condition operator ${operator}`);
      }
      if (!ok) return false;
    }
  }
  return true;
}

function applies(s: Statement, action: string, resource: string, caller: string | null, context: Readonly<Record<string, string[]>>, missing: Set<string>): boolean {
  if (caller !== null && !principalMatches(s.Principal, caller)) return false;
  const actionOk = s.Action !== undefined ? list(s.Action).some((a) => wildcardMatches(a, action, true)) : !list(s.NotAction).some((a) => wildcardMatches(a, action, true));
  const resourceOk = s.Resource !== undefined ? list(s.Resource).some((r) => wildcardMatches(r, resource, false)) : s.NotResource !== undefined && !list(s.NotResource).some((r) => wildcardMatches(r, resource, false));
  return actionOk && resourceOk && conditionMatches(s.Condition, context, missing);
}

/** The simulator's decision for one action on one resource: identity policies, then the resource policy, in IAM's order. */
export function evaluate(input: {
  readonly principal: string;
  readonly identity: readonly SourcePolicy[];
  readonly resource: SourcePolicy | null;
  readonly action: string;
  readonly resourceArn: string;
  readonly context: Readonly<Record<string, string[]>>;
}): Evaluation {
  const missing = new Set<string>();
  const denies: MatchedStatement[] = [];
  const allows: MatchedStatement[] = [];
  const policies = [...input.identity, ...(input.resource ? [input.resource] : [])];
  for (const policy of policies) {
    const positions = statementPositions(policy.text);
    statementsOf(policy).forEach((s, i) => {
      const caller = policy.type === 'resource' ? input.principal : null;
      if (!applies(s, input.action, input.resourceArn, caller, input.context, missing)) return;
      const at = positions[i] ?? { start: { Line: 1, Column: 1 }, end: { Line: 1, Column: 1 } };
      const matched = { SourcePolicyId: policy.id, SourcePolicyType: policy.type, StartPosition: at.start, EndPosition: at.end };
      (s.Effect === 'Deny' ? denies : allows).push(matched);
    });
  }
  if (denies.length > 0) return { decision: 'explicitDeny', matched: denies, missingContext: [...missing] };
  if (allows.length > 0) return { decision: 'allowed', matched: allows, missingContext: [...missing] };
  return { decision: 'implicitDeny', matched: [], missingContext: [...missing] };
}
