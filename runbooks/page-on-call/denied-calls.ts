/**
 * Seed 004 "Unauthorized Access": the denied calls behind the alarm, per caller. Each CloudTrail
 * record is read for who (the principal's ARN, or what stands for it), from where, what and when,
 * and the error code; nothing else of it (request parameters, response elements, the access key
 * id and session context are credentials or data a page must not carry). Pure: the handler reads
 * the records with FilterLogEvents on the trail's log group (lambdas/aws/logs.ts).
 */
import * as z from '../../lambdas/shared/zod';

/** The CIS benchmark's unauthorized-API-calls metric filter (CloudWatch.2): the default pattern. */
export const CIS_UNAUTHORIZED_PATTERN = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }';

/** The fields of a CloudTrail record the summary reads: z.object drops every other one. */
const recordSchema = z.object({
  eventTime: z.string(),
  eventSource: z.string(),
  eventName: z.string(),
  errorCode: z.optional(z.string()),
  sourceIPAddress: z.optional(z.string()),
  userIdentity: z.optional(z.object({
    type: z.optional(z.string()),
    arn: z.optional(z.string()),
    principalId: z.optional(z.string()),
    invokedBy: z.optional(z.string()),
    accountId: z.optional(z.string()),
  })),
});
type TrailRecord = z.infer<typeof recordSchema>;

export interface DeniedCall { readonly call: string; readonly errorCode: string; readonly count: number }

export interface Caller {
  /** The principal's ARN; for a caller without one (an AWS service, the root in another account) its type and id. */
  readonly principal: string;
  readonly sourceIp: string;
  readonly count: number;
  readonly first: string;
  readonly last: string;
  /** service:EventName with its error code and count, the most frequent first. */
  readonly calls: readonly DeniedCall[];
}

export interface DeniedCallsEvidence {
  readonly kind: 'unauthorized-calls';
  readonly read: 'ok';
  readonly logGroup: string;
  readonly filterPattern: string;
  readonly from: string;
  readonly to: string;
  readonly denied: number;
  /** The most denied first; at most EVIDENCE_CALLERS of them, each with at most EVIDENCE_CALLS calls (the page's data must fit a state's and an SNS message's 256 KB). */
  readonly callers: readonly Caller[];
  /** Callers counted in `denied` but not listed. */
  readonly callersNotListed: number;
  /** Records that were not CloudTrail records (not JSON, or without their fields): counted, not shown. */
  readonly unreadable: number;
  /** More matched than one bounded read holds: the counts are a floor. */
  readonly truncated: boolean;
  readonly summary: string;
}

const principalOf = (r: TrailRecord): string => {
  const u = r.userIdentity;
  if (u?.arn) return u.arn;
  if (u?.invokedBy) return `${u.type ?? 'AWSService'} ${u.invokedBy}`;
  return `${u?.type ?? 'unknown'}${u?.principalId ? ` ${u.principalId}` : ''}${u?.accountId ? ` (account ${u.accountId})` : ''}`;
};

const service = (eventSource: string) => eventSource.replace(/\.amazonaws\.com$/, '');

/** The most callers and calls per caller the summary names, and the evidence keeps. */
const SHOWN_CALLERS = 10;
const SHOWN_CALLS = 5;
const EVIDENCE_CALLERS = 25;
const EVIDENCE_CALLS = 10;

export function deniedCalls(messages: readonly string[], o: { logGroup: string; filterPattern: string; from: Date; to: Date; truncated: boolean }): DeniedCallsEvidence {
  type Tally = { principal: string; sourceIp: string; times: string[]; calls: Map<string, { call: string; errorCode: string; count: number }> };
  const callers = new Map<string, Tally>();
  let unreadable = 0;
  for (const message of messages) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      unreadable++;
      continue;
    }
    const r = recordSchema.safeParse(parsed);
    if (!r.success) {
      unreadable++;
      continue;
    }
    const principal = principalOf(r.data);
    const sourceIp = r.data.sourceIPAddress ?? 'an unrecorded address';
    const key = `${principal}\n${sourceIp}`;
    const c: Tally = callers.get(key) ?? { principal, sourceIp, times: [], calls: new Map() };
    callers.set(key, c);
    c.times.push(r.data.eventTime);
    const call = `${service(r.data.eventSource)}:${r.data.eventName}`;
    const errorCode = r.data.errorCode ?? 'none';
    const byCall = c.calls.get(`${call} ${errorCode}`) ?? { call, errorCode, count: 0 };
    byCall.count++;
    c.calls.set(`${call} ${errorCode}`, byCall);
  }
  const list: Caller[] = [...callers.values()].map((c) => {
    const times = [...c.times].sort();
    return {
      principal: c.principal, sourceIp: c.sourceIp, count: times.length, first: times[0]!, last: times.at(-1)!,
      calls: [...c.calls.values()].sort((a, b) => b.count - a.count || a.call.localeCompare(b.call)),
    };
  }).sort((a, b) => b.count - a.count || a.first.localeCompare(b.first));
  const denied = list.reduce((n, c) => n + c.count, 0);
  const window = `between ${o.from.toISOString()} and ${o.to.toISOString()}`;
  const described = list.slice(0, SHOWN_CALLERS).map((c) => {
    const calls = c.calls.slice(0, SHOWN_CALLS).map((x) => `${x.call} ${x.errorCode}${x.count > 1 ? ` x${x.count}` : ''}`);
    const more = c.calls.length > SHOWN_CALLS ? ` and ${c.calls.length - SHOWN_CALLS} more` : '';
    return `${c.principal} from ${c.sourceIp}: ${c.count} denied, ${c.first === c.last ? `at ${c.first}` : `${c.first} to ${c.last}`} (${calls.join(', ')}${more})`;
  });
  const summary = denied === 0
    ? `CloudTrail log group ${o.logGroup} holds no denied call ${window}${unreadable > 0 ? ` (${unreadable} record(s) unreadable)` : ''}: the calls may not have been delivered yet; look again in CloudTrail.`
    : `${denied}${o.truncated ? '+' : ''} denied call(s) ${window} in CloudTrail log group ${o.logGroup}, by ${list.length} caller(s): ${described.join('; ')}`
      + `${list.length > SHOWN_CALLERS ? `; and ${list.length - SHOWN_CALLERS} more caller(s)` : ''}${o.truncated ? '; more were not read (one bounded read)' : ''}`
      + `${unreadable > 0 ? `; ${unreadable} record(s) unreadable` : ''}.`;
  return {
    kind: 'unauthorized-calls', read: 'ok', logGroup: o.logGroup, filterPattern: o.filterPattern, from: o.from.toISOString(), to: o.to.toISOString(),
    denied, callers: list.slice(0, EVIDENCE_CALLERS).map((c) => ({ ...c, calls: c.calls.slice(0, EVIDENCE_CALLS) })),
    callersNotListed: Math.max(0, list.length - EVIDENCE_CALLERS), unreadable, truncated: o.truncated, summary,
  };
}
