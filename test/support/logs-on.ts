/**
 * For a test that reads the handlers' log lines: imported before anything that loads the logger,
 * so the logger starts at DEBUG (its level is read once, and each invocation goes back to it).
 */
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
