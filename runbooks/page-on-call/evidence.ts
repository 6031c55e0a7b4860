/**
 * The evidence a page carries for the procedures page-on-call answers (seed 004 "NAT Instance
 * Down", "Unauthorized Access"): read-only reads, best-effort. A read that fails for a reason a
 * retry will not fix (access denied, an instance EC2 does not know, a log group that is gone) is
 * told in the page, which goes out anyway; throttling and 5xx are thrown, for the state machine's
 * retries (and, when those run out, its catch pages with the read named as failed).
 */
import type { InstanceHealthClient } from '../../lambdas/aws/ec2';
import type { LogEventsClient } from '../../lambdas/aws/logs';
import { AwsThrottled, AwsUnavailable } from '../../lambdas/shared/errors';
import { deniedCalls, type DeniedCallsEvidence } from './denied-calls';
import { natEvidence, type NatEvidence, type Read } from './nat-evidence';
import type { AlarmStateChange, EvidenceProcedure, Page } from './page';

export interface EvidenceConfig {
  /** The log group CloudTrail delivers the account's management events to; unset, the unauthorized-access page says so. */
  readonly cloudTrailLogGroup?: string;
  /** What the alarm's metric filter counts (the CIS pattern by default). */
  readonly unauthorizedPattern: string;
  /** At most this many denied calls are read (one FilterLogEvents page). */
  readonly maxEvents: number;
}

/** A read that did not happen (nothing to read) or failed: the page says which and why. */
export interface UnreadEvidence {
  readonly kind: 'nat-instance' | 'unauthorized-calls';
  readonly read: 'skipped' | 'failed';
  readonly error?: string;
  readonly summary: string;
}

export type Evidence = NatEvidence | DeniedCallsEvidence | UnreadEvidence;

export interface Readers {
  readonly ec2: Pick<InstanceHealthClient, 'status' | 'instance' | 'routeTablesThrough'>;
  readonly logs: Pick<LogEventsClient, 'filterWindow'>;
}

/** CloudWatch writes times as 2026-12-06T04:15:09.602+0000: the offset without its colon. */
const parseTime = (text: string | undefined): number => (text === undefined ? Number.NaN : Date.parse(text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')));

/** The longest window read: a day, whatever the alarm's periods. */
const MAX_WINDOW_MS = 24 * 3_600_000;

/**
 * The time the alarm evaluated: from the start of the data it evaluated (its reasonData's
 * startDate) to when it changed state; without reasonData, one period (its metric's, or 5 minutes)
 * before the change.
 */
export function alarmWindow(event: AlarmStateChange): { from: Date; to: Date } {
  const to = parseTime(event.detail.state.timestamp);
  if (Number.isNaN(to)) throw new Error(`the alarm's state timestamp ${event.detail.state.timestamp} is not a time`);
  let start = Number.NaN;
  try {
    const data = event.detail.state.reasonData ? (JSON.parse(event.detail.state.reasonData) as { startDate?: unknown }) : {};
    start = typeof data.startDate === 'string' ? parseTime(data.startDate) : Number.NaN;
  } catch {
    // reasonData is CloudWatch's free-form JSON: without it, the metric's period stands in.
  }
  if (Number.isNaN(start) || start > to) {
    const period = event.detail.configuration?.metrics?.find((m) => m.metricStat?.period !== undefined)?.metricStat?.period ?? 300;
    start = to - period * 1000;
  }
  return { from: new Date(Math.max(start, to - MAX_WINDOW_MS)), to: new Date(to) };
}

const failure = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** One read, or why it failed for good; throttling and 5xx are thrown, for the state machine's retries. */
async function readOne<T>(read: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (e: unknown) {
    if (e instanceof AwsThrottled || e instanceof AwsUnavailable) throw e;
    return { ok: false, error: failure(e) };
  }
}

/** The evidence read, or the page's words for a read that failed for good. */
async function readOrSay<T extends Evidence>(kind: UnreadEvidence['kind'], what: string, read: () => Promise<T>): Promise<Evidence> {
  const r = await readOne(read);
  return r.ok ? r.value : { kind, read: 'failed', error: r.error, summary: `${what} could not be read (${r.error}); look it up by hand.` };
}

/** The instance a status-check alarm is on: its metric's InstanceId dimension. */
const instanceOf = (page: Page): string | undefined => page.alarm.metrics.map((m) => m.dimensions?.InstanceId).find((id) => id !== undefined);

export async function gatherEvidence(id: EvidenceProcedure, page: Page, event: AlarmStateChange, config: EvidenceConfig, readers: Readers): Promise<Evidence> {
  if (id === 'nat-instance-down') {
    const instanceId = instanceOf(page);
    if (instanceId === undefined) return { kind: 'nat-instance', read: 'skipped', summary: `alarm ${page.alarm.name} names no InstanceId dimension: no instance to read; find the NAT instance in the EC2 console.` };
    // The three reads at once, each best-effort on its own: one refused read does not hide the other two.
    const [status, instance, routeTables] = await Promise.all([
      readOne(() => readers.ec2.status(instanceId)), readOne(() => readers.ec2.instance(instanceId)), readOne(() => readers.ec2.routeTablesThrough(instanceId)),
    ]);
    const evidence = natEvidence(instanceId, instance, status, routeTables);
    if (evidence.unread.length === 3) return { kind: 'nat-instance', read: 'failed', error: evidence.unread.join('; '), summary: evidence.summary };
    return evidence;
  }
  const logGroup = config.cloudTrailLogGroup;
  if (logGroup === undefined) {
    return { kind: 'unauthorized-calls', read: 'skipped', summary: "no CloudTrail log group in page-on-call's config (evidence.cloudTrailLogGroup): review the denied calls in CloudTrail by hand." };
  }
  const { from, to } = alarmWindow(event);
  return readOrSay('unauthorized-calls', `The denied calls in CloudTrail log group ${logGroup}`, async () => {
    const { events, truncated } = await readers.logs.filterWindow(logGroup, config.unauthorizedPattern, from, to, config.maxEvents);
    return deniedCalls(events.map((e) => e.message), { logGroup, filterPattern: config.unauthorizedPattern, from, to, truncated });
  });
}
