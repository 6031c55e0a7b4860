import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type * as z from './zod';
import { InvalidInput } from './errors';
import { correlate, logger } from './logger';

/**
 * Builds a Step Functions task handler: validates the payload with zod (an invalid payload is an
 * InvalidInput error naming the field), tags every log line with the incident and the execution
 * (`correlate`), and logs each failure once with its name. The middy chain is built once per cold start.
 */
export function taskHandler<S extends z.ZodMiniType, R>(
  schema: S,
  run: (input: z.infer<S>, context: Context) => Promise<R>,
) {
  const handle = async (event: unknown, context: Context): Promise<R> => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(payload)';
      throw new InvalidInput(`Invalid task input at ${where}: ${issue?.message ?? 'invalid'}`);
    }
    const { incident, execution } = parsed.data as { incident?: { id?: unknown } | null; execution?: { id?: unknown } };
    correlate({
      ...(typeof incident?.id === 'string' ? { incidentId: incident.id } : {}),
      ...(typeof execution?.id === 'string' ? { executionArn: execution.id } : {}),
    });
    try {
      return await run(parsed.data, context);
    } catch (e: unknown) {
      logger.error('Task failed', { error: e instanceof Error ? { name: e.name, message: e.message } : String(e) });
      throw e;
    }
  };
  return middy(handle).use(injectLambdaContext(logger, { resetKeys: true }));
}
