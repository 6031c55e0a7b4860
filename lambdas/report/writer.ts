/**
 * Writes an incident's report to S3: records the run's facts beside the incident, reads every row
 * the ledger holds of it, builds the page (lambdas/domain/incident-report.ts) and puts it at its key.
 * The first write claims the key in the ledger (`incidents/<day>-<runbook>-<target>.md`, or the
 * next free `-2`, `-3` when another incident of that runbook and target that day holds it) and notes
 * it on the incident; every later write (a redrive, an undo) replaces that same object, whose
 * earlier versions the bucket keeps.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { buildIncidentReport, TERMINAL_STATUSES, type ReportOptions } from '../domain/incident-report';
import type { ExecutionFacts } from '../domain/report-facts';
import { NUMBERED_NAMES, reportKey } from '../domain/report-key';
import { classifyAwsError } from '../shared/errors';
import { LazyClient } from '../shared/lazy-sdk';
import { s3Sdk } from '../shared/sdk-modules';
import type { IncidentRecord } from '../shared/ledger';
import type { ReportRecords } from './records';

/** The reports bucket's S3 client, made (its SDK module loaded) at the first report written (lazy-sdk.ts). */
export const reportBucketClient = (given?: S3Client) => new LazyClient(s3Sdk, (m) => new m.S3Client({}), given);

export interface ReportDestination {
  readonly records: ReportRecords;
  readonly s3: ReturnType<typeof reportBucketClient>;
  readonly bucket: string;
  /** Per runbook, its changes that bypass a hard rule (operation -> the rule in words): P1 revert tasks. */
  readonly hardRules?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** What the report step answers (every field always there: the state machine selects them by path). */
export interface ReportWritten {
  readonly written: boolean;
  /** The S3 key written (null when nothing was). */
  readonly key: string | null;
  readonly versionId: string | null;
  /** Why nothing was written (null when it was). */
  readonly reason: string | null;
}

export const notWritten = (reason: string): ReportWritten => ({ written: false, key: null, versionId: null, reason });

/**
 * The report of an incident as the ledger holds it now, for a reader (`autopilot report <incident>`
 * prints it in one line); undefined when the ledger has no record of the incident.
 */
export async function incidentReport(records: ReportRecords, incidentId: string, options: ReportOptions = {}): Promise<string | undefined> {
  const rows = await records.rows(incidentId);
  return rows && buildIncidentReport(rows, options);
}

/** Writes (or rewrites) the report of an incident that has ended; `facts`: what this run held, recorded beside the incident. */
export async function writeIncidentReport(to: ReportDestination, incidentId: string, facts?: ExecutionFacts): Promise<ReportWritten> {
  // The facts are recorded while the rows are read, and joined to them here (the rows read may not hold them yet).
  const [, read] = await Promise.all([facts ? to.records.recordFacts(incidentId, facts) : undefined, to.records.rows(incidentId)]);
  if (!read) return notWritten(`the ledger has no record of incident ${incidentId}`);
  const rows = facts ? { ...read, facts: withFacts(read.facts, facts) } : read;
  if (!TERMINAL_STATUSES.has(rows.incident.status)) return notWritten(`incident ${incidentId} has not ended (${rows.incident.status}): its report is written when it does`);
  const body = buildIncidentReport(rows, { hardRules: to.hardRules?.[rows.incident.runbook] ?? {} });
  const claimed = rows.incident.reportKey ? undefined : await claimKey(to.records, rows.incident);
  const key = rows.incident.reportKey ?? claimed!;
  try {
    const { m, client } = await to.s3.get();
    const [out] = await Promise.all([
      client.send(new m.PutObjectCommand({
        Bucket: to.bucket, Key: key, Body: body, ContentType: 'text/markdown; charset=utf-8',
        Metadata: { 'incident-id': incidentId, runbook: rows.incident.runbook },
      })),
      // The key is this incident's already (claimed above): noting it on the incident can go with the write.
      claimed ? to.records.setReportKey(incidentId, claimed) : undefined,
    ]);
    return { written: true, key, versionId: out.VersionId ?? null, reason: null };
  } catch (e: unknown) {
    throw classifyAwsError(e, `writing the report of ${incidentId} to s3://${to.bucket}/${key}`);
  }
}

/** The run's facts in place of what the ledger held for its execution, unless a later run of it recorded its own. */
function withFacts(recorded: readonly ExecutionFacts[], facts: ExecutionFacts): ExecutionFacts[] {
  const same = recorded.find((f) => f.executionArn === facts.executionArn);
  if (same && same.redriveCount > facts.redriveCount) return [...recorded];
  return [...recorded.filter((f) => f.executionArn !== facts.executionArn), facts];
}

/** The first report name of its runbook, target and day that no other incident holds, claimed in the ledger. */
async function claimKey(records: ReportRecords, incident: IncidentRecord): Promise<string> {
  for (let n = 1; n <= NUMBERED_NAMES + 1; n++) {
    const key = reportKey(incident, n);
    if (await records.claimKey(key, incident.incidentId)) return key;
  }
  // The last name carries the incident's id: no other incident can hold it.
  throw new Error(`no report name left for ${incident.incidentId}`);
}
