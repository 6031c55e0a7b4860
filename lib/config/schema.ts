/**
 * config/<env>.json: the environment's shared part (parts.ts) and `runbooks`, one strict entry per
 * registered runbook, each validated by its own module's schema.
 */
import { z } from 'zod';
import { RUNBOOKS, type RegisteredRunbook, type RunbookName } from '../../runbooks/registry';
import { sharedConfigShape } from './parts';

export type { RunbookName } from '../../runbooks/registry';
export { RUNBOOK_NAMES } from '../../runbooks/registry';
export { ESCALATION_LEVELS, SEVERITIES, type ApprovalsConfig, type GatePolicy, type RunbookConfig, type SharedConfig, type TargetTags, type VerifyConfig } from './parts';

type RunbooksShape = { [M in RegisteredRunbook as M['name']]: M['config'] };

const runbooksShape = Object.fromEntries(RUNBOOKS.map((m) => [m.name, m.config])) as unknown as RunbooksShape;

export const environmentConfigSchema = z.strictObject({
  ...sharedConfigShape,
  runbooks: z.strictObject(runbooksShape),
});

export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;
/** One runbook's part of the config, by name. */
export type RunbookConfigOf<N extends RunbookName> = EnvironmentConfig['runbooks'][N];
