import * as z from '../../../lambdas/shared/zod';
import { InstanceHealthClient } from '../../../lambdas/aws/ec2';
import { LogEventsClient } from '../../../lambdas/aws/logs';
import { requireJsonEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { gatherEvidence, type Evidence } from '../evidence';
import { alarmPageSummary, alarmProceduresSchema, alarmStateChangeSchema, EVIDENCE_PROCEDURES, pageFor, type EvidenceProcedure, type Page } from '../page';

const PROCEDURES = requireJsonEnv('ALARM_PROCEDURES', (raw) => alarmProceduresSchema.parse(raw));
const CONFIG = requireJsonEnv('EVIDENCE', (raw) => z.object({
  cloudTrailLogGroup: z.optional(z.string().check(z.minLength(1))),
  unauthorizedPattern: z.string().check(z.minLength(1)),
  maxEvents: z.number().check(z.int(), z.positive()),
}).parse(raw));

const readers = { ec2: new InstanceHealthClient(), logs: new LogEventsClient() };

/** The alarm's event by its schema: a bad field is named as the task input's (event.detail...). */
const inputSchema = z.object({ ...stepInputSchema.shape, event: alarmStateChangeSchema });

/**
 * The page of an alarm routed to a procedure page-on-call answers, with its evidence read
 * (evidence.ts): the NAT instance's checks, state and routes, or the denied calls behind the
 * unauthorized-calls alarm, per caller. Read-only, best-effort: a read that fails is told in the
 * page, never in place of it.
 */
export const handler = taskHandler(inputSchema, async ({ event }): Promise<Page & { evidence: Evidence | null }> => {
  const page = pageFor(event, PROCEDURES);
  if (!(page.procedure.id in EVIDENCE_PROCEDURES)) return { ...page, evidence: null };
  const evidence = await gatherEvidence(page.procedure.id as EvidenceProcedure, page, event, CONFIG, readers);
  return { ...page, evidence, summary: alarmPageSummary(page.procedure, page.alarm, evidence.summary) };
});
