import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger per function, created once at cold start. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'runbook-autopilot' });

/**
 * Tags every later line of this invocation with the incident and the execution it is about
 * (`incidentId`, `executionArn`, and the execution as Powertools' `correlation_id`), so one Logs
 * Insights query finds an incident's lines in every function. The handler wrappers reset the keys
 * after each invocation (`resetKeys`), so a warm container's next incident starts clean.
 */
export function correlate(keys: { readonly incidentId?: string | undefined; readonly executionArn?: string | undefined }): void {
  if (keys.executionArn) {
    logger.setCorrelationId(keys.executionArn);
    logger.appendKeys({ executionArn: keys.executionArn });
  }
  if (keys.incidentId) logger.appendKeys({ incidentId: keys.incidentId });
}
