import { createHash } from 'node:crypto';
import { AwsError } from './aws-error';
import type { AccountState, AlarmHistoryItemState } from './state';

/**
 * The account's alarm history, as DescribeAlarmHistory serves it (CloudWatch API reference):
 * StateUpdate, ConfigurationUpdate and Action items of metric and composite alarms, deleted ones
 * included, newest first unless ScanBy says TimestampAscending, MaxRecords 1..100 per page,
 * NextToken to go on. CloudWatch keeps an alarm's history for 30 days ("CloudWatch preserves
 * alarm history for 30 days", CloudWatch User Guide, "Using Amazon CloudWatch alarms"; the older
 * API reference and the retired CLI said two weeks): older items are not served.
 */
export const ALARM_HISTORY_RETENTION_DAYS = 30;

/** A state as a StateUpdate's HistoryData writes it. */
export interface HistoryState {
  readonly stateValue: string;
  readonly stateReason: string;
  /** A metric alarm's evaluation (version, queryDate, startDate, statistic, period, recentDatapoints, threshold), a composite's triggeringAlarms. */
  readonly stateReasonData?: Readonly<Record<string, unknown>>;
}

/** A StateUpdate item: "Alarm updated from OK to ALARM", the old and the new state in HistoryData. */
export function stateUpdateItem(
  alarmName: string, alarmType: AlarmHistoryItemState['alarmType'], at: string, oldState: HistoryState, newState: HistoryState,
): AlarmHistoryItemState {
  return {
    alarmName, alarmType, timestamp: at, historyItemType: 'StateUpdate',
    historySummary: `Alarm updated from ${oldState.stateValue} to ${newState.stateValue}`,
    historyData: JSON.stringify({ version: '1.0', oldState, newState }),
  };
}

/** Adds an item to the account's history (kept oldest first). */
export function recordHistory(state: AccountState, item: AlarmHistoryItemState): void {
  const history = (state.cloudwatch.history ??= []);
  let i = history.length;
  while (i > 0 && history[i - 1]!.timestamp > item.timestamp) i--;
  history.splice(i, 0, item);
}

export const HISTORY_ITEM_TYPES = ['ConfigurationUpdate', 'StateUpdate', 'Action', 'AlarmContributorStateUpdate', 'AlarmContributorAction'] as const;
export const ALARM_TYPES = ['CompositeAlarm', 'MetricAlarm'] as const;
export const SCAN_BY = ['TimestampDescending', 'TimestampAscending'] as const;
/** AWS documents no page size when MaxRecords is absent; the sandbox answers 50, as DescribeAlarms does. */
const DEFAULT_PAGE = 50;

export interface HistoryQuery {
  readonly alarmName?: string;
  readonly alarmTypes: readonly string[];
  readonly historyItemType?: string;
  readonly startDate?: Date;
  readonly endDate?: Date;
  readonly maxRecords?: number;
  readonly nextToken?: string;
  readonly scanBy: string;
}

/** The validation error CloudWatch answers a request that breaks the API model with. */
export function historyValidationError(member: string, constraint: string, value: unknown): AwsError {
  return new AwsError(
    'ValidationError', 400,
    `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`,
    { queryCode: 'ValidationError' },
  );
}

const invalidNextToken = () => new AwsError('InvalidNextToken', 400, 'The next token specified is invalid.', { queryCode: 'InvalidNextToken' });

/** What a token is bound to: the same query (every parameter but the token itself). */
function fingerprint(q: HistoryQuery): string {
  const { nextToken: _token, ...rest } = q;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}

function readToken(token: string, q: HistoryQuery): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; q?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o > 0 && parsed.q === fingerprint(q)) return parsed.o;
  } catch (e: unknown) {
    if (!(e instanceof SyntaxError)) throw e;
  }
  throw invalidNextToken();
}

/** One page of the history a query selects, and the token for the next page when there is one. */
export function historyPage(state: AccountState, q: HistoryQuery, now: Date): { items: AlarmHistoryItemState[]; nextToken?: string } {
  if (q.maxRecords !== undefined && (q.maxRecords < 1 || q.maxRecords > 100)) {
    throw historyValidationError('maxRecords', `Member must have value ${q.maxRecords < 1 ? 'greater than or equal to 1' : 'less than or equal to 100'}`, q.maxRecords);
  }
  const kept = new Date(now.getTime() - ALARM_HISTORY_RETENTION_DAYS * 86_400_000).toISOString();
  const from = q.startDate?.toISOString();
  const to = q.endDate?.toISOString();
  const selected = (state.cloudwatch.history ?? []).filter((item) =>
    item.timestamp >= kept
    && (q.alarmName === undefined || item.alarmName === q.alarmName)
    && q.alarmTypes.includes(item.alarmType)
    && (q.historyItemType === undefined || item.historyItemType === q.historyItemType)
    && (from === undefined || item.timestamp >= from)
    && (to === undefined || item.timestamp <= to));
  if (q.scanBy === 'TimestampDescending') selected.reverse();
  const offset = q.nextToken === undefined ? 0 : readToken(q.nextToken, q);
  const size = q.maxRecords ?? DEFAULT_PAGE;
  const items = selected.slice(offset, offset + size);
  const next = offset + size;
  return next < selected.length
    ? { items, nextToken: Buffer.from(JSON.stringify({ o: next, q: fingerprint(q) })).toString('base64url') }
    : { items };
}
