import { ECS_DESIRED_COUNT, scalableResourceId, type CapacityRange, type SuspendedState } from '../../../lambdas/aws/application-autoscaling';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv, requireJsonEnv } from '../../../lambdas/shared/env';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { haltScopesSchema, proxyKey, scopeOf } from '../halt-scope';
import { HaltReader } from '../halt-state';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const SCOPES = requireJsonEnv('HALT_SCOPES', (raw) => haltScopesSchema.parse(raw));
const reader = new HaltReader();

type Range = CapacityRange & { desiredCount: number; suspendedState?: SuspendedState };
type Desired = { desiredCount: number };
const PINNED: Range = { minCapacity: 0, maxCapacity: 0, desiredCount: 0 };

/**
 * Stop the AgentCore proxy (seed 000, step 2: desired count 0). Where Application Auto Scaling
 * manages the service, its scalable target is pinned at 0 to 0: Application Auto Scaling moves the
 * desired count to 0 at once, and no scaling policy can raise it while the range holds (a desired
 * count set alone would be scaled back up to the minimum). The range and the desired count it
 * replaces are recorded first; the undo registers them again. Without a scalable target, the
 * desired count is set to 0, recorded first.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident, execution, dryRun }): Promise<ActionResult<Range | Desired, Range | Desired>> => {
  const scope = scopeOf(SCOPES, incident.target);
  const key = scope.proxy;
  const target = proxyKey(scope);
  const now = await reader.targets.read(key);
  if (now !== null) {
    return performAction<Range, Range>(ledger, incident, execution, {
      step: 'pin-proxy', operation: 'application-autoscaling:RegisterScalableTarget', target,
      parameters: { ServiceNamespace: 'ecs', ResourceId: scalableResourceId(key), ScalableDimension: ECS_DESIRED_COUNT, MinCapacity: 0, MaxCapacity: 0 },
      intended: PINNED,
      // The range, which scaling was suspended (kept as it was: the pin needs no suspension) and the desired count.
      readBefore: async () => {
        const scalable = await reader.targets.readWithSuspension(key);
        const { desiredCount } = await reader.services.describe(key);
        return { ...(scalable ?? { minCapacity: desiredCount, maxCapacity: desiredCount }), desiredCount };
      },
      mutate: async () => {
        await reader.targets.register(key, { minCapacity: 0, maxCapacity: 0 });
        return PINNED;
      },
      inEffect: (observed) => (observed.minCapacity === 0 && observed.maxCapacity === 0 ? observed : undefined),
    }, { dryRun });
  }
  return performAction<Desired, Desired>(ledger, incident, execution, {
    step: 'scale-proxy', operation: 'ecs:UpdateService', target,
    parameters: { cluster: key.cluster, service: key.service, desiredCount: 0 },
    intended: { desiredCount: 0 },
    readBefore: async () => ({ desiredCount: (await reader.services.describe(key)).desiredCount }),
    mutate: async () => ({ desiredCount: (await reader.services.setDesiredCount(key, 0)).desiredCount }),
    inEffect: (observed) => (observed.desiredCount === 0 ? observed : undefined),
  }, { dryRun });
});
