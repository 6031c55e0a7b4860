import * as z from '../../../lambdas/shared/zod';
import { requireJsonEnv } from '../../../lambdas/shared/env';
import { InvalidInput } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { stsAssumeRoleSchema } from '../../../lambdas/domain/service-events';
import { alarmProceduresSchema, alarmStateChangeSchema, pageFor, pageForAssumption, type AssumptionPage, type Page } from '../page';

const PROCEDURES = requireJsonEnv('ALARM_PROCEDURES', (raw) => alarmProceduresSchema.parse(raw));

const inputSchema = z.object({ ...stepInputSchema.shape, event: z.looseObject({ source: z.optional(z.unknown()) }) });

/** The event by its own schema, told apart by its source (an STS record's schema drops the response's credentials); a bad field named as the task input's. */
function parseEvent<S extends z.ZodMiniType>(schema: S, event: unknown): z.infer<S> {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidInput(`Invalid task input at ${['event', ...(issue?.path ?? [])].join('.')}: ${issue?.message ?? 'invalid'}`);
}

/**
 * Reads what the page is about and writes the page: for an alarm, the seed procedure config names
 * for it, with its steps and the alarm's reason, metrics, dimensions and time; for a break-glass
 * role's assumption, who assumed it, from where, when and the session, with seed 000's steps.
 * Reads nothing from AWS and changes nothing: what the person paged needs is in the event and the bundle.
 */
export const handler = taskHandler(inputSchema, async ({ event }): Promise<Page | AssumptionPage> =>
  event.source === 'aws.sts' ? pageForAssumption(parseEvent(stsAssumeRoleSchema, event)) : pageFor(parseEvent(alarmStateChangeSchema, event), PROCEDURES));
