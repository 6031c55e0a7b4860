/**
 * What starts each registered runbook (its alarm route: metric selectors and target dimensions;
 * its budget or service-event routes), generated from the modules by `npm run triggers`. It is the
 * same in every environment, so it travels in the bundle of every function that reads it (admit,
 * the alarm router), not in their environments, which Lambda caps at 4 KB.
 */
import { runbookTriggersSchema, type RunbookTrigger } from '../domain/trigger';
import generated from './runbook-triggers.generated.json';

export const BUNDLED_TRIGGERS: Readonly<Record<string, RunbookTrigger>> = runbookTriggersSchema.parse(generated);
