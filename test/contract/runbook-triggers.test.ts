/**
 * Admit carries what starts each runbook in its bundle, generated from the modules (npm run
 * triggers): the file must be what the registry says, or admit would route by stale definitions.
 */
import { triggersStaleness } from '../../tools/triggers';
import bundled from '../../lambdas/shared/runbook-triggers.generated.json';
import { runbookTriggers } from '../../lib/catalog';
import { runbookTriggersSchema } from '../../lambdas/domain/trigger';

test('lambdas/shared/runbook-triggers.generated.json is what the runbook modules say (npm run triggers)', () => {
  expect(triggersStaleness()).toBeUndefined();
});

test('the bundled table names every registered runbook, in the shape admit parses', () => {
  expect(runbookTriggersSchema.parse(bundled)).toEqual(runbookTriggers());
});
