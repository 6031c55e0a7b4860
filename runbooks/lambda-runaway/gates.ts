import type { InvokerEvidence, RuleEvidence } from './invokers';
import type { GatePages } from '../../lambdas/approval/gate-words';
import { listInWords, utcClock, type GateWordsProvider } from '../../lambdas/approval/words';

/** How often a rule fires, in words: rate(1 minute) -> "every minute". */
function cadence(rule: RuleEvidence): string {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(rule.schedule ?? '');
  if (rate) return rate[1] === '1' ? `every ${rate[2]!.replace(/s$/, '')}` : `every ${rate[1]} ${rate[2]}`;
  if (rule.schedule) return `on schedule ${rule.schedule}`;
  return 'on matching events';
}

/** What still invokes the stopped function: enabled rules, bucket notifications, enabled event source mappings. */
function stillInvokedBy(e: InvokerEvidence): string[] {
  return [
    ...e.rules.filter((r) => r.state === 'ENABLED').map((r) => `${cadence(r)} by rule ${r.name} (ENABLED)`),
    ...e.buckets.map((b) => `by S3 uploads to ${b.bucket}/${b.prefix ?? ''}${b.suffix ? `*${b.suffix}` : ''}`),
    ...e.eventSourceMappings.filter((m) => /^(Enabled|Enabling|Creating|Updating)$/i.test(m.state)).map((m) => `by event source ${m.eventSourceArn.split(':').pop()} (${m.state})`),
  ];
}

function concurrencyNow(live: unknown, firedAt: string): string {
  const read = (live ?? {}) as { reservedConcurrency?: number | null; unreadable?: string };
  const since = `since the emergency stop after the alarm at ${utcClock(firedAt)}`;
  if (live === undefined) return `stopped by the runbook (reserved concurrency 0) ${since}`;
  if (read.unreadable) return `could not be read just now (${read.unreadable}); the runbook stopped it (reserved concurrency 0) ${since}`;
  if (read.reservedConcurrency === 0) return `stopped: reserved concurrency 0 ${since}`;
  if (read.reservedConcurrency === null || read.reservedConcurrency === undefined) return 'running with no reserved concurrency: someone removed the stop since the runbook set it';
  return `reserved concurrency ${read.reservedConcurrency}: changed since the runbook stopped it (0)`;
}

/**
 * lambda-runaway's restore gate (seed 003 §4): after the emergency stop, may the function run
 * again under a conservative reserved concurrency?
 */
export const restoreApprovalWords: GateWordsProvider = ({ gate, live }) => {
  const fn = gate.target;
  const limit = String(gate.parameters.ReservedConcurrentExecutions);
  const invokers = (gate.evidence as { invokedBy?: InvokerEvidence } | null)?.invokedBy;
  const active = invokers ? stillInvokedBy(invokers) : [];
  const unreadable = invokers?.unavailable.length ? `; could not read: ${invokers.unavailable.join('; ')}` : '';
  const risk = !invokers
    ? 'unknown: what invokes the function could not be investigated, so it may start again at once'
    : active.length > 0
      ? `still invoked ${listInWords(active)}: it starts running again as soon as it may${unreadable}`
      : `nothing found that still invokes it (EventBridge rules, S3 notifications and event source mappings were read)${unreadable}`;
  return {
    headline: `Let ${fn} run again, at most ${limit} at a time?`,
    now: concurrencyNow(live, gate.firedAt),
    risk,
    approve: `sets its reserved concurrency to ${limit}: at most ${limit} copies run at once${active.length > 0 ? ', and what invokes it runs it again right away' : ''}.`,
    reject: 'it stays stopped (reserved concurrency 0) and the run escalates, so a human finds and switches off what invokes it.',
    unanswered: 'it stays stopped',
  };
};

/** The approval page's words for each gated step; the page re-reads the function itself (by the gated call's service). */
export const GATES: GatePages = { restore: { words: restoreApprovalWords } };
