/**
 * Where a test run's files share the stack templates they synthesize (test/infra/synth.ts,
 * stackTemplate): a directory the global setup makes for the run and its teardown removes.
 */
export const TEMPLATE_DIR_VARIABLE = 'RUNBOOK_AUTOPILOT_TEMPLATE_DIR';
