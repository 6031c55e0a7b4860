/**
 * Handlers print their metrics on stdout (EMF lines, lambdas/shared/metrics.ts); in a test that
 * invokes one directly they would only flood Jest's output. The drill turns them back on for the
 * functions it loads and takes the lines off stdout itself (drill/metrics-tap.ts).
 */
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
