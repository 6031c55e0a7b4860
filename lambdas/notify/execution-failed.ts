import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import * as z from '../shared/zod';
import { executionStatusEventSchema, failedRunFrom, incidentOf, redriveAdvice, type FailedRun } from '../domain/execution-failure';
import { describeCaughtError, outcomeNotification } from '../domain/message';
import { METRIC } from '../domain/metrics';
import { factsFromState } from '../domain/report-facts';
import { ReportRecords } from '../report/records';
import { notWritten, reportBucketClient, writeIncidentReport, type ReportWritten } from '../report/writer';
import { classifyAwsError } from '../shared/errors';
import { optionalJsonEnv, requireEnv, requireJsonEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { Ledger, type ActionRecord } from '../shared/ledger';
import { correlate, logger } from '../shared/logger';
import { count } from '../shared/metrics';
import { publishNotification } from '../shared/publish';
import { incidentSchema, type Incident } from '../shared/task-input';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
/** Where a failed run's incident report goes: the report step's bucket (the run never reached that step). */
const reports = {
  records: new ReportRecords(requireEnv('LEDGER_TABLE')),
  s3: reportBucketClient(),
  bucket: requireEnv('REPORT_BUCKET'),
  hardRules: optionalJsonEnv('HARD_RULES', (raw) => z.record(z.string(), z.record(z.string(), z.string())).parse(raw), {}),
};
const criticalTopic = requireEnv('CRITICAL_TOPIC_ARN');
const region = requireEnv('AWS_REGION');
/** The stack's runbook state machines, so a failure names its runbook before admit has named an incident. */
const machines = requireJsonEnv('RUNBOOK_MACHINES', (raw) => z.array(z.object({ runbook: z.string(), arn: z.string() })).parse(raw));
/** Where docs/runbooks/ is served; unset, notifications name the page's path in the repository. */
const pagesUrl = process.env.RUNBOOK_PAGES_URL || undefined;
const sfn = new SFNClient({});

/** Pages of history read, newest first, to find the state a run failed at (100 events each). */
const HISTORY_PAGES = 5;
/** A claim on an escalation outlives the function (30 s): a delivery after that may send it. */
const CLAIM_LEASE_MS = 45_000;

const ENDED: Readonly<Record<string, string>> = { FAILED: 'failed', TIMED_OUT: 'timed out', ABORTED: 'was aborted' };

export interface ExecutionFailedResult {
  /** `failed`: escalated now; `duplicate`: this run's escalation was sent already; `moved-on`: redriven since, nothing to say. */
  readonly outcome: 'failed' | 'duplicate' | 'moved-on';
  readonly topic?: 'critical';
  readonly reason?: string;
  readonly state?: string | null;
  readonly redriveCount?: number;
  readonly incidentId?: string | null;
  readonly messageId?: string;
  /** The incident's report, rewritten as the failed run left it (after the escalation went out). */
  readonly report?: ReportWritten;
}

/** A delivery of the same failure is escalating it right now: retried later, by when it has been sent (or released). */
class NoticeInFlight extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoticeInFlight';
  }
}

/**
 * The execution-failure rule's target: a runbook execution failed, timed out or was aborted (a
 * step failed after its Retry, and the execution failed at that state). Reads which state from the
 * execution's history, marks the incident failed in the ledger naming that state and the error,
 * and escalates to the critical topic with the console link and "Redrive retries <state>". Once
 * per execution and redrive count, whatever EventBridge redelivers.
 */
export const handler = taskHandler(executionStatusEventSchema, async ({ detail }): Promise<ExecutionFailedResult> => {
  correlate({ executionArn: detail.executionArn });
  const read = await readFailedRun(detail.executionArn, detail.redriveCount === undefined);
  if (read === 'moved-on') {
    logger.info('The execution has been redriven since this run ended: its failure is not current', { status: detail.status });
    return { outcome: 'moved-on' };
  }
  const run: FailedRun | null = typeof read === 'string' ? null : read;
  const redriveCount = detail.redriveCount ?? run?.redriveCount ?? 0;

  const claim = await ledger.claimFailureNotice(detail.executionArn, redriveCount, CLAIM_LEASE_MS).catch((e: unknown) => {
    // Without the ledger the escalation may go out twice; better twice than not at all.
    logger.warn('Could not claim the escalation in the ledger; escalating anyway', { error: String(e) });
    return { claimed: true as const, claimId: null };
  });
  if (!claim.claimed) {
    if (claim.sent) return { outcome: 'duplicate', redriveCount };
    throw new NoticeInFlight(`the escalation of ${detail.executionArn} (redrive ${redriveCount}) is being sent by another delivery`);
  }
  try {
    return await escalate(detail, run, typeof read === 'string' ? read : null, redriveCount, claim.claimId);
  } catch (e: unknown) {
    if (claim.claimId) {
      await ledger.releaseFailureNotice(detail.executionArn, redriveCount, claim.claimId).catch((releaseError: unknown) =>
        // The escalation's error is the one to raise; the claim then lapses after its lease.
        logger.warn('Could not release the escalation claim; a redelivery waits for its lease to lapse', { error: String(releaseError) }));
    }
    throw e;
  }
});

type Detail = z.infer<typeof executionStatusEventSchema>['detail'];

async function escalate(detail: Detail, run: FailedRun | null, unread: string | null, redriveCount: number, claimId: string | null): Promise<ExecutionFailedResult> {
  const state = run?.state?.name ?? null;
  const parsed = incidentSchema.safeParse(incidentOf(run?.state?.input));
  const incident: Incident | undefined = parsed.success ? parsed.data : undefined;
  correlate({ incidentId: incident?.id });
  const runbook = incident?.runbook ?? machines.find((m) => m.arn === detail.stateMachineArn)?.runbook ?? detail.stateMachineArn.split(':').pop() ?? 'runbook';
  const error = describeCaughtError({ Error: run?.error ?? detail.error ?? detail.status, Cause: run?.cause ?? detail.cause ?? '' });
  const where = state === null ? `(the state could not be read from its history: ${unread ?? 'no state entered'})` : `at "${state}"`;
  const before = state !== null && !incident ? ' before admit named an incident (admit leaves a claimed incident failed itself)' : '';
  let reason = `the execution ${ENDED[detail.status] ?? detail.status.toLowerCase()} ${where}${before}${redriveCount > 0 ? ` (redrive ${redriveCount})` : ''}${error ? `: ${error}` : ''}`;

  let actions: ActionRecord[] = [];
  if (incident) {
    try {
      const mark = await ledger.markIncidentFailed(incident.id, detail.executionArn, redriveCount, state ?? '(unknown)', reason);
      if (!mark.marked) {
        const e = mark.existing;
        reason += `; the incident was left as recorded (${e ? `${e.status}, by ${e.executionArn}${(e.redriveCount ?? 0) > redriveCount ? ` redrive ${e.redriveCount ?? 0}` : ''}` : 'no record'})`;
      }
    } catch (e: unknown) {
      reason += `; the ledger could not be updated (${e instanceof Error ? e.message : String(e)})`;
    }
    actions = await ledger.listActions(incident.id).catch((e: unknown) => {
      // The escalation goes out without the list of actions rather than not at all.
      logger.warn('Could not read the incident\'s actions from the ledger; escalating without them', { error: String(e) });
      return [];
    });
  }
  const notification = outcomeNotification({
    outcome: 'failed', kind: 'execution-failed', reason, runbook, actions, executionArn: detail.executionArn, region, next: redriveAdvice(state),
    ...(pagesUrl ? { pagesUrl } : {}), ...(incident ? { incident } : {}),
  });
  const messageId = await publishNotification(criticalTopic, notification, { runbook, outcome: 'failed' }, 'publishing to the critical topic');
  const result = { outcome: 'failed', topic: 'critical', reason, state, redriveCount, incidentId: incident?.id ?? null, messageId } as const;
  if (claimId) {
    await ledger.failureNoticeSent(detail.executionArn, redriveCount, claimId, { reason, state, incidentId: result.incidentId, messageId })
      .catch((e: unknown) => logger.warn('Escalated, but could not record it in the ledger: a redelivery may escalate again', { error: String(e) }));
  }
  return { ...result, report: await reportOf(incident, run, detail.executionArn, redriveCount) };
}

/**
 * The run ended here, not at the report step: its incident's report is written now, with what the
 * failed state held. After the escalation, and never instead of it: a report that cannot be
 * written is counted and logged, as the report step does.
 */
async function reportOf(incident: Incident | undefined, run: FailedRun | null, executionArn: string, redriveCount: number): Promise<ReportWritten> {
  if (!incident) return notWritten('no incident: the run failed before admit read one');
  try {
    const facts = run?.state ? factsFromState(run.state.input, { id: executionArn, redriveCount }, { failedAt: run.state.name }) : undefined;
    return await writeIncidentReport(reports, incident.id, facts);
  } catch (e: unknown) {
    const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    count(METRIC.reportsNotWritten, { runbook: incident.runbook, executionArn });
    logger.error('Incident report not written', { incidentId: incident.id, reason });
    return notWritten(reason);
  }
}

/**
 * The run's end from its history, newest first: the failed state, its input, the error and (when
 * the event did not say, `needCount`) the redrive count. A string says why it could not be read.
 */
async function readFailedRun(executionArn: string, needCount: boolean): Promise<FailedRun | 'moved-on' | string> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < HISTORY_PAGES; page++) {
      const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 100, includeExecutionData: true, ...(nextToken ? { nextToken } : {}) }));
      events.push(...(out.events ?? []));
      nextToken = out.nextToken;
      const run = failedRunFrom(events);
      if (run === 'moved-on' || (run !== 'incomplete' && run.state !== null && (run.redriveCount !== null || !needCount))) return run;
      if (!nextToken) break;
    }
  } catch (e: unknown) {
    const error = classifyAwsError(e, `reading the history of ${executionArn}`);
    logger.warn('Could not read the execution history; escalating with what the event says', { error: error.message });
    return `${error.name}: ${error.message}`;
  }
  const run = failedRunFrom(events);
  return run === 'incomplete' ? `no state entered in the newest ${events.length} events` : run;
}
