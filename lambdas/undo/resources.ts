import type { UpdateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { ItemsClient, TableClient } from '../aws/dynamodb';
import { AliasClient, FunctionConcurrencyClient, FunctionConfigurationClient, parseAliasKey, type FunctionSettings } from '../aws/lambda';
import { ScalableTargetClient } from '../aws/application-autoscaling';
import { EcsServiceClient, parseServiceKey } from '../aws/ecs';
import { ParameterClient } from '../aws/ssm';
import { capacitySnapshot } from '../aws/table-capacity';
import type { ItemKey } from '../domain/item-keys';
import { FunctionEnvironmentClient } from '../aws/lambda-environment';
import { AccessKeyClient } from '../aws/iam-access-keys';
import { GatewayClient, type GatewayConfig } from '../aws/agentcore-gateway';
import { ScheduleClient } from '../aws/scheduler';
import { redactVariables, restoredVariables } from '../domain/function-environment';
import { AliasChanged, ChangeRejected } from '../shared/errors';
import { holds as holdsByKind, type RestoreKind } from '../domain/reversible';
import type { ItemAtKey, RestoreStep } from '../domain/undo-plan';

/**
 * How the undo reads and restores a kind of value (lambdas/domain/reversible.ts): the value a
 * restore compares, in the shape the runbook recorded it (ledger `before` and `after`), and the
 * restore call. Deleted items are put back key by key (restore-items.ts), not as one value.
 */
interface ValueResource {
  /** The value now; `parameters` are the restore call's, for a kind whose target alone does not name it (a schedule of a service). */
  read(target: string, parameters: Readonly<Record<string, unknown>>): Promise<unknown>;
  /** Makes the restore call exactly as planned; returns the value it set. */
  restore(step: RestoreStep): Promise<unknown>;
}

/** The kinds restored key by key rather than as one value. */
export const ITEM_KINDS: ReadonlySet<RestoreKind> = new Set<RestoreKind>(['dynamodb-items']);
type ValueKind = Exclude<RestoreKind, 'dynamodb-items'>;

/** The resources an undo reads and restores, through the shared clients of lambdas/aws/. */
export class UndoResources {
  private readonly values: Readonly<Record<ValueKind, ValueResource>>;

  constructor(
    functions = new FunctionConcurrencyClient(),
    tables = new TableClient(),
    parameters = new ParameterClient(),
    private readonly items = new ItemsClient(),
    aliases = new AliasClient(),
    configurations = new FunctionConfigurationClient(),
    services = new EcsServiceClient(),
    scalableTargets = new ScalableTargetClient(),
    environments = new FunctionEnvironmentClient(),
    accessKeys = new AccessKeyClient(),
    gateways = new GatewayClient(),
    schedules = new ScheduleClient(),
  ) {
    this.values = {
      'lambda-reserved-concurrency': {
        read: async (target) => (await functions.read(target)).reservedConcurrency,
        restore: (step) => (step.operation === 'lambda:DeleteFunctionConcurrency'
          ? functions.remove(step.target)
          : functions.put(step.target, Number(step.parameters.ReservedConcurrentExecutions))),
      },
      'dynamodb-capacity': {
        read: async (target) => {
          const table = await tables.describe(target);
          return { ...capacitySnapshot(table), tableStatus: table.tableStatus };
        },
        restore: async (step) => {
          await tables.switchToProvisioned(step.parameters as unknown as UpdateTableCommandInput);
          return step.restoreTo;
        },
      },
      'lambda-alias': {
        read: async (target) => {
          const { functionName, alias } = parseAliasKey(target);
          const now = await aliases.read(functionName, alias);
          return { functionVersion: now.functionVersion, additionalVersionWeights: now.additionalVersionWeights };
        },
        // Compared again and updated with the RevisionId of that read: a change made since is refused, never overwritten.
        restore: async (step) => {
          const { functionName, alias } = parseAliasKey(step.target);
          const now = await aliases.read(functionName, alias);
          if (!holdsByKind('lambda-alias', now, step.expected)) throw new AliasChanged(`${step.target} no longer serves what the runbook set: not restored`);
          const p = step.parameters as { FunctionVersion: string; RoutingConfig: { AdditionalVersionWeights: Record<string, number> } };
          const set = await aliases.update(functionName, alias, { functionVersion: p.FunctionVersion, additionalVersionWeights: p.RoutingConfig.AdditionalVersionWeights }, now.revisionId);
          return { functionVersion: set.functionVersion, additionalVersionWeights: set.additionalVersionWeights };
        },
      },
      'lambda-configuration': {
        read: async (target) => (await configurations.read(target)).settings,
        restore: async (step) => {
          const { FunctionName: _name, ...settings } = step.parameters as Partial<FunctionSettings> & { FunctionName: string };
          return configurations.update(step.target, settings);
        },
      },
      // Digests only: the values never leave the restore call.
      'lambda-environment': {
        read: async (target) => ({ variables: redactVariables(target, (await environments.read(target)).variables) }),
        // Compared again on the read the write names the RevisionId of: a change made since is refused by Lambda, never overwritten.
        restore: async (step) => {
          const now = await environments.read(step.target);
          if (!holdsByKind('lambda-environment', { variables: redactVariables(step.target, now.variables) }, step.expected)) {
            throw new ChangeRejected(`${step.target}'s environment changed since the runbook set it: not restored`);
          }
          const p = step.parameters as { removes: string[]; empties: string[] };
          const restored = restoredVariables(now.variables, { remove: p.removes, empty: p.empties });
          const was = { variables: redactVariables(step.target, restored) };
          if (!holdsByKind('lambda-environment', was, step.restoreTo)) throw new ChangeRejected(`${step.target}'s environment would not come back as recorded: not restored`);
          await environments.write(step.target, restored, now.revisionId);
          return was;
        },
      },
      // The task definition the service runs; the restore starts a deployment of the recorded one (its rollout is ECS's).
      'ecs-task-definition': {
        read: async (target) => ({ taskDefinition: (await services.describe(parseServiceKey(target))).taskDefinition }),
        restore: async (step) => ({ taskDefinition: (await services.deployTaskDefinition(parseServiceKey(step.target), String(step.parameters.taskDefinition))).taskDefinition }),
      },
      'ecs-scalable-target': {
        read: async (target) => {
          const key = parseServiceKey(target);
          const range = await scalableTargets.read(key);
          return range ? { ...range, desiredCount: (await services.describe(key)).desiredCount } : null;
        },
        // The recorded range, then the recorded desired count (within it) where nothing but the change and this
        // registration moved it: still what the change left, or moved from there to the range's edge. A scaling
        // activity since moved it elsewhere: the range alone is put back, and the service's policies scale it.
        // Both ways: a raise is scaled back in, and a pin at 0 (a halt) comes back up to the recorded count.
        restore: async (step) => {
          const key = parseServiceKey(step.target);
          const p = step.parameters as { MinCapacity: number; MaxCapacity: number };
          const range = await scalableTargets.register(key, { minCapacity: p.MinCapacity, maxCapacity: p.MaxCapacity });
          const within = (n: number) => Math.min(Math.max(n, range.minCapacity), range.maxCapacity);
          const was = (step.restoreTo as { desiredCount?: number }).desiredCount;
          const left = (step.expected as { desiredCount?: number } | null)?.desiredCount;
          const now = (await services.describe(key)).desiredCount;
          const untouched = left !== undefined && (now === left || now === within(left));
          const desired = was !== undefined && untouched && within(was) !== now ? (await services.setDesiredCount(key, within(was))).desiredCount : now;
          return { ...range, desiredCount: desired };
        },
      },
      'ecs-desired-count': {
        read: async (target) => ({ desiredCount: (await services.describe(parseServiceKey(target))).desiredCount }),
        restore: async (step) => ({ desiredCount: (await services.setDesiredCount(parseServiceKey(step.target), Number(step.parameters.desiredCount))).desiredCount }),
      },
      // Every key of the user (the target), by id; a row's value names one of them (reversible.ts compares only those).
      'iam-access-key': {
        read: (target) => accessKeys.statuses(target),
        restore: async (step) => {
          const p = step.parameters as { AccessKeyId: string; Status: 'Active' | 'Inactive' };
          return { [p.AccessKeyId]: await accessKeys.setStatus(step.target, p.AccessKeyId, p.Status) };
        },
      },
      // The whole configuration, as UpdateGateway takes it; the gateway is UPDATING after the call and READY again on its own.
      'agentcore-gateway': {
        read: async (target) => (await gateways.read(target)).config,
        restore: async (step) => {
          const { gatewayIdentifier: _id, ...config } = step.parameters as unknown as { gatewayIdentifier: string } & GatewayConfig;
          await gateways.update(step.target, config);
          return config;
        },
      },
      // A timed revert's schedule, by the name its call recorded: what it runs and when, or null once it is gone.
      'scheduler-schedule': {
        read: async (_target, p) => {
          const now = await schedules.get(String(p.Name), String(p.GroupName ?? 'default'));
          return now ? { Name: now.Name, ScheduleExpression: now.ScheduleExpression } : null;
        },
        restore: async (step) => {
          await schedules.remove(String(step.parameters.Name), String(step.parameters.GroupName ?? 'default'));
          return null;
        },
      },
      'ssm-parameter': {
        read: (target) => parameters.read(target),
        restore: (step) => parameters.write(step.target, String(step.parameters.Value)),
      },
    };
  }

  private value(kind: RestoreKind): ValueResource {
    if (ITEM_KINDS.has(kind)) throw new Error(`${kind} is read at its keys: readItems`);
    return this.values[kind as ValueKind];
  }

  /** The resource's current value, shaped as the runbook recorded it (items: readItems, at the restore's keys). */
  read(kind: RestoreKind, target: string, parameters: Readonly<Record<string, unknown>> = {}): Promise<unknown> {
    return this.value(kind).read(target, parameters);
  }

  /** Makes the restore call exactly as planned; returns the value it set. */
  restore(step: RestoreStep): Promise<unknown> {
    return this.value(step.kind).restore(step);
  }

  /** The items at these keys now (GetItem, strongly consistent), null where there is none. */
  async readItems(target: string, keys: readonly ItemKey[]): Promise<ItemAtKey[]> {
    const found: ItemAtKey[] = [];
    for (const key of keys) found.push({ key, item: (await this.items.readItem(target, key)) ?? null });
    return found;
  }

  /** One PutItem of an items restore, with the planned condition: false when an item has the key now. */
  async putItemIfAbsent(step: RestoreStep, item: Record<string, unknown>): Promise<boolean> {
    const p = step.parameters as { ConditionExpression: string; ExpressionAttributeNames: Record<string, string> };
    return this.items.putIfAbsent(step.target, item, { ConditionExpression: p.ConditionExpression, ExpressionAttributeNames: p.ExpressionAttributeNames });
  }
}

/** Whether a value read now is the value a ledger row describes, as its kind compares it (reversible.ts). */
export const holds = (kind: RestoreKind, current: unknown, value: unknown): boolean => holdsByKind(kind, current, value);
