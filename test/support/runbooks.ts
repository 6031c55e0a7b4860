/** The registered runbooks as tests use them: a module by name, what starts it, its metric route. */
import { runbookTriggers } from '../../lib/catalog';
import type { MetricRoute } from '../../lambdas/domain/routing';
import type { RunbookTrigger } from '../../lambdas/domain/trigger';
import { RUNBOOKS, type RegisteredRunbook, type RunbookName } from '../../runbooks/registry';

export function runbook<N extends RunbookName>(name: N): Extract<RegisteredRunbook, { name: N }> {
  const found = RUNBOOKS.find((m) => m.name === name);
  if (!found) throw new Error(`no runbook ${name} is registered`);
  return found as Extract<RegisteredRunbook, { name: N }>;
}

/** What starts the runbook, as admit reads it from its bundle (lambdas/shared/runbook-triggers.ts). */
export function triggerOf(name: RunbookName): RunbookTrigger {
  const trigger = runbookTriggers()[name];
  if (!trigger) throw new Error(`no trigger for ${name}`);
  return trigger;
}

/** The metrics and target dimensions an alarm-started runbook routes on. */
export function routeOf(name: RunbookName): MetricRoute {
  const trigger = triggerOf(name);
  if (!trigger.alarm) throw new Error(`${name} is not started by alarms`);
  return trigger.alarm;
}
