/**
 * Admit and the alarm router carry what starts each runbook in their bundles, generated from the
 * modules (npm run triggers): the file must be what the registry says, or they would route by
 * stale definitions.
 */
import { triggersStaleness } from '../../tools/triggers';
import bundled from '../../lambdas/shared/runbook-triggers.generated.json';
import { sameValue } from '../../lambdas/domain/canonical';
import { metricRulePatterns, type RouteTargets } from '../../lambdas/domain/routing';
import { alarmRoutes, enabledRunbooks, literalArns, runbookTriggers, stateMachineNameOf, triggerHandlers } from '../../lib/catalog';
import { loadConfig } from '../../lib/config/load';
import { ENVIRONMENTS } from './support';
import { runbookTriggersSchema } from '../../lambdas/domain/trigger';

test('lambdas/shared/runbook-triggers.generated.json is what the runbook modules say (npm run triggers)', () => {
  expect(triggersStaleness()).toBeUndefined();
});

test('the bundled table names every registered runbook, in the shape admit parses', () => {
  expect(runbookTriggersSchema.parse(bundled)).toEqual(runbookTriggers());
});

test("the alarm router rebuilds, from its environment and the bundled routes, the very patterns of the stack's metric rules, in every environment", () => {
  const problems: string[] = [];
  for (const env of ENVIRONMENTS) {
    const config = loadConfig(env);
    const arns = literalArns('aws', config.region, '123456789012');
    const machines = enabledRunbooks(config).map((m) => ({ runbook: m.name, arn: arns.stateMachine(stateMachineNameOf(config.environment, m.name)), name: stateMachineNameOf(config.environment, m.name) }));
    const router = triggerHandlers(config, arns, machines).alarmRouter;
    const routes = JSON.parse(router?.environment.ROUTES ?? '{}') as Record<string, RouteTargets>;
    for (const r of alarmRoutes(config, arns).filter((route) => route.patterns.length > 0)) {
      const given = routes[r.runbook];
      const bundledRoute = runbookTriggersSchema.parse(bundled)[r.runbook]?.alarm;
      if (!given || !bundledRoute) problems.push(`${env}: the router is not given ${r.runbook}`);
      else if (!sameValue(metricRulePatterns(bundledRoute, given), r.patterns)) problems.push(`${env}: the router's patterns for ${r.runbook} are not the stack's`);
      else if (`${router!.environment.STATE_MACHINE_ARN_PREFIX}${r.runbook}` !== machines.find((m) => m.runbook === r.runbook)?.arn) problems.push(`${env}: ${r.runbook}'s state machine ARN differs`);
    }
  }
  expect(problems).toEqual([]);
});
