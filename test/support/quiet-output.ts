/**
 * Handlers print their metrics and logs on stdout (EMF lines, lambdas/shared/metrics.ts; JSON log
 * lines, lambdas/shared/logger.ts); in a test that invokes one directly they would only flood
 * Jest's output. The drill turns metrics back on for the functions it loads and takes the lines
 * off stdout itself (drill/metrics-tap.ts); a test that reads the logs imports ./logs-on first.
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
