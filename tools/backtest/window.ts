import { ALARM_HISTORY_RETENTION_DAYS } from '../../drill/sandbox/alarm-history';
import { BacktestInputError } from './errors';

/** The stretch of history a backtest reads: what was asked, and what CloudWatch still keeps of it. */
export interface HistoryWindow {
  /** The start asked for (--since or --from). */
  readonly requestedFrom: string;
  /** The start read: the one asked for, or the oldest moment CloudWatch keeps when that is later. */
  readonly from: string;
  readonly to: string;
  /** CloudWatch keeps alarm history this many days; an older start is read from there on. */
  readonly retentionDays: number;
  readonly beyondRetention: boolean;
}

const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `14d`, `36h`, `90m`, `2w`: a duration in milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)([mhdw])$/.exec(text.trim());
  const amount = Number(m?.[1]);
  if (!m || amount <= 0) throw new BacktestInputError(`--since ${JSON.stringify(text)}: give a number and a unit, e.g. 14d, 36h, 90m or 2w`);
  return amount * UNITS[m[2]!]!;
}

function parseMoment(option: string, text: string): Date {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw new BacktestInputError(`${option} ${JSON.stringify(text)}: give an ISO 8601 date or time, e.g. 2026-11-04 or 2026-11-04T12:00:00Z`);
  return new Date(ms);
}

/** The window from --since, or --from and --to (to: now when absent), at `now`. */
export function historyWindow(options: { since?: string; from?: string; to?: string }, now: Date): HistoryWindow {
  if (options.since !== undefined && options.from !== undefined) throw new BacktestInputError('--since and --from say the same thing: give one of them');
  const to = options.to === undefined ? now : parseMoment('--to', options.to);
  const requestedFrom = options.from !== undefined ? parseMoment('--from', options.from) : new Date(to.getTime() - parseDuration(options.since ?? '14d'));
  if (requestedFrom >= to) throw new BacktestInputError(`the window is empty: ${requestedFrom.toISOString()} is not before ${to.toISOString()}`);
  if (to > now) throw new BacktestInputError(`--to ${to.toISOString()} is in the future (now is ${now.toISOString()})`);
  const oldestKept = new Date(now.getTime() - ALARM_HISTORY_RETENTION_DAYS * 86_400_000);
  if (to <= oldestKept) throw new BacktestInputError(`--to ${to.toISOString()} is older than CloudWatch keeps alarm history (${ALARM_HISTORY_RETENTION_DAYS} days, since ${oldestKept.toISOString()}): nothing to read`);
  const beyondRetention = requestedFrom < oldestKept;
  return {
    requestedFrom: requestedFrom.toISOString(), from: (beyondRetention ? oldestKept : requestedFrom).toISOString(), to: to.toISOString(),
    retentionDays: ALARM_HISTORY_RETENTION_DAYS, beyondRetention,
  };
}
