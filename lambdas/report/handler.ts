import * as z from '../shared/zod';
import { describeCaughtError } from '../domain/message';
import { METRIC } from '../domain/metrics';
import { factsFromState } from '../domain/report-facts';
import { optionalJsonEnv, requireEnv } from '../shared/env';
import { taskHandler } from '../shared/handler';
import { logger } from '../shared/logger';
import { count } from '../shared/metrics';
import { caughtErrorSchema, executionSchema } from '../shared/task-input';
import { ReportRecords } from './records';
import { notWritten, reportBucketClient, writeIncidentReport, type ReportWritten } from './writer';

/** Per runbook, its changes that bypass a hard rule (operation -> the rule): set by the stack only where a module declares one. */
const hardRulesSchema = z.record(z.string(), z.record(z.string(), z.string()));

const destination = {
  records: new ReportRecords(requireEnv('LEDGER_TABLE')),
  s3: reportBucketClient(),
  bucket: requireEnv('REPORT_BUCKET'),
  hardRules: optionalJsonEnv('HARD_RULES', (raw) => hardRulesSchema.parse(raw), {}),
};

const inputSchema = z.object({
  /** `write`: the run has ended, write its incident's report; `not-written`: writing failed after its retries, count it. */
  mode: z.enum(['write', 'not-written']),
  /** The state machine's (a runbook's, or the undo's). */
  machine: z.string().check(z.minLength(1)),
  /** null when admit read no incident from the event (it was rejected before one existed). */
  incident: z.optional(z.nullable(z.object({ id: z.string().check(z.regex(/^inc-[0-9a-f]{16}$/, 'an incident id (inc-<16 hex>)')), runbook: z.optional(z.string()) }))),
  execution: executionSchema,
  /** The execution's data as it ended (`$`), and which state writes each of its fields; absent for the undo, which rewrites from the ledger. */
  facts: z.optional(z.object({ state: z.unknown(), steps: z.record(z.string(), z.string()), verifiedBy: z.optional(z.string()) })),
  /** What the write failed with (`not-written`). */
  error: z.optional(caughtErrorSchema),
});

/**
 * The report step, after the state machine's last notification: writes the incident's
 * post-incident report to S3 (lambdas/report/writer.ts). A failure to write it is retried by the
 * state machine when transient, then caught into `not-written`, which counts it and logs it: the
 * incident's outcome is never changed by its report.
 */
export const handler = taskHandler(inputSchema, async (input): Promise<ReportWritten> => {
  const incidentId = input.incident?.id ?? null;
  if (input.mode === 'not-written') {
    const reason = describeCaughtError(input.error) ?? 'the report step failed';
    count(METRIC.reportsNotWritten, { runbook: input.incident?.runbook ?? input.machine, executionArn: input.execution.id });
    logger.error('Incident report not written', { incidentId, reason });
    return notWritten(reason);
  }
  if (!incidentId) return notWritten('no incident: admit read none from the event, so there is nothing to report');
  const facts = input.facts ? factsFromState(input.facts.state, input.execution, input.facts) : undefined;
  const written = await writeIncidentReport(destination, incidentId, facts);
  if (written.written) logger.info('Incident report written', { incidentId, key: written.key, versionId: written.versionId });
  return written;
});
