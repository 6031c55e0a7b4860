import * as z from '../../../lambdas/shared/zod';
import { requireJsonEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { alarmProceduresSchema, alarmStateChangeSchema, pageFor, type Page } from '../page';

const PROCEDURES = requireJsonEnv('ALARM_PROCEDURES', (raw) => alarmProceduresSchema.parse(raw));

const inputSchema = z.object({ ...stepInputSchema.shape, event: alarmStateChangeSchema });

/**
 * Reads the alarm that fired and the seed procedure config names for it, and writes the page: the
 * procedure's steps and the alarm's reason, metrics, dimensions and time. Reads nothing from AWS
 * and changes nothing: what the person paged needs is in the event and the bundle.
 */
export const handler = taskHandler(inputSchema, async ({ event }): Promise<Page> => pageFor(event, PROCEDURES));
