/**
 * What an exposed access key did recently, as the notification shows it: each call's name, service,
 * time, source IP and error code, read from CloudTrail's record. Only those fields: a record's
 * request parameters and response elements may hold secrets (CreateAccessKey answers with one), so
 * they never leave here. Pure.
 */
import type { TrailEvent } from '../../lambdas/aws/cloudtrail';

export interface KeyCall {
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventTime: string;
  readonly sourceIPAddress: string | null;
  readonly errorCode: string | null;
}

export interface KeyActivity {
  readonly accessKeyId: string;
  /** The window read, ISO 8601. */
  readonly since: string;
  readonly calls: readonly KeyCall[];
  /** True when the page was full: older calls were not read. */
  readonly truncated: boolean;
  readonly summary: string;
}

/** The fields of a CloudTrail record that are safe to show; the rest of the record is never kept. */
function safeFields(record: string): { sourceIPAddress: string | null; errorCode: string | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record);
  } catch {
    return { sourceIPAddress: null, errorCode: null };
  }
  const r = (parsed ?? {}) as { sourceIPAddress?: unknown; errorCode?: unknown };
  return {
    sourceIPAddress: typeof r.sourceIPAddress === 'string' ? r.sourceIPAddress : null,
    errorCode: typeof r.errorCode === 'string' ? r.errorCode : null,
  };
}

/** The calls newest first (LookupEvents' order, kept even if a page comes back unsorted), and a line for a human. */
export function keyActivity(accessKeyId: string, since: Date, events: readonly TrailEvent[], limit: number): KeyActivity {
  const calls = events
    .map((e): KeyCall => ({ eventName: e.eventName, eventSource: e.eventSource, eventTime: e.eventTime, ...safeFields(e.record) }))
    .sort((a, b) => b.eventTime.localeCompare(a.eventTime));
  const truncated = events.length >= limit;
  const ips = [...new Set(calls.map((c) => c.sourceIPAddress).filter((ip): ip is string => ip !== null))];
  const names = [...new Set(calls.map((c) => `${c.eventSource.replace(/\.amazonaws\.com$/, '')}:${c.eventName}`))];
  const summary = calls.length === 0
    ? `no CloudTrail management events by ${accessKeyId} since ${since.toISOString()}`
    : `${truncated ? `the newest ${calls.length}` : String(calls.length)} CloudTrail management event${calls.length === 1 ? '' : 's'} by ${accessKeyId} since ${since.toISOString()}`
      + ` (newest ${calls[0]!.eventTime}): ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}; from ${ips.length === 0 ? 'no recorded IP' : ips.slice(0, 5).join(', ')}${ips.length > 5 ? ', ...' : ''}`;
  return { accessKeyId, since: since.toISOString(), calls, truncated, summary };
}

/** What the page says when CloudTrail could not be read: the key stays inactive either way. */
export function unavailableActivity(accessKeyId: string, since: Date, why: string): KeyActivity {
  return { accessKeyId, since: since.toISOString(), calls: [], truncated: false, summary: `evidence unavailable: what ${accessKeyId} did could not be read (${why}); look it up in CloudTrail` };
}
