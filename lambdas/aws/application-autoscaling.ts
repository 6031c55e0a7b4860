import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { classifyAwsError, hasErrorName, TargetNotFound } from '../shared/errors';
import { readsAndMutations } from '../shared/lazy-sdk';
import { autoScalingSdk } from '../shared/sdk-modules';
import type { ServiceKey } from './ecs';

/** An ECS service's desired count, as Application Auto Scaling names the dimension. */
export const ECS_DESIRED_COUNT = 'ecs:service:DesiredCount';
/** service/CLUSTER/SERVICE: Application Auto Scaling's resource id of an ECS service. */
export const scalableResourceId = (key: ServiceKey): string => `service/${key.cluster}/${key.service}`;

/** Which of a scalable target's scaling Application Auto Scaling holds (RegisterScalableTarget's SuspendedState). */
export interface SuspendedState {
  readonly dynamicScalingIn: boolean;
  readonly dynamicScalingOut: boolean;
  readonly scheduledScaling: boolean;
}

/** The range Application Auto Scaling keeps a service's desired count in. */
export interface CapacityRange {
  readonly minCapacity: number;
  readonly maxCapacity: number;
}

const autoScalingClients = (reads?: ApplicationAutoScalingClient, mutations?: ApplicationAutoScalingClient) =>
  readsAndMutations(autoScalingSdk, (m, settings) => new m.ApplicationAutoScalingClient(settings), reads, mutations);

/** An ECS service's scalable target (DescribeScalableTargets, RegisterScalableTarget). */
export class ScalableTargetClient {
  private readonly clients: ReturnType<typeof autoScalingClients>;

  constructor(reads?: ApplicationAutoScalingClient, mutations?: ApplicationAutoScalingClient) {
    this.clients = autoScalingClients(reads, mutations);
  }

  /** The service's range; null when it has no scalable target (nothing keeps its desired count in a range). */
  async read(key: ServiceKey): Promise<CapacityRange | null> {
    const target = await this.readWithSuspension(key);
    return target && { minCapacity: target.minCapacity, maxCapacity: target.maxCapacity };
  }

  /** The range and which scaling is suspended on it (a record of the target as it was); null without a scalable target. */
  async readWithSuspension(key: ServiceKey): Promise<(CapacityRange & { suspendedState: SuspendedState }) | null> {
    const resourceId = scalableResourceId(key);
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId], ScalableDimension: ECS_DESIRED_COUNT }));
      const target = (out.ScalableTargets ?? []).find((t) => t.ResourceId === resourceId);
      if (!target) return null;
      if (target.MinCapacity === undefined || target.MaxCapacity === undefined) throw new Error(`application-autoscaling:DescribeScalableTargets returned ${resourceId} without its capacities`);
      const s = target.SuspendedState ?? {};
      return {
        minCapacity: target.MinCapacity, maxCapacity: target.MaxCapacity,
        suspendedState: { dynamicScalingIn: s.DynamicScalingInSuspended === true, dynamicScalingOut: s.DynamicScalingOutSuspended === true, scheduledScaling: s.ScheduledScalingSuspended === true },
      };
    } catch (e: unknown) {
      throw classifyAwsError(e, `application-autoscaling:DescribeScalableTargets on ${resourceId}`);
    }
  }

  /** Sets both bounds (absolute values). AWS moves the desired count into the new range at once. */
  async register(key: ServiceKey, range: CapacityRange): Promise<CapacityRange> {
    const resourceId = scalableResourceId(key);
    try {
      const { m, client } = await this.clients.mutations.get();
      await client.send(new m.RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: ECS_DESIRED_COUNT, MinCapacity: range.minCapacity, MaxCapacity: range.maxCapacity,
      }));
      return range;
    } catch (e: unknown) {
      // AWS answers a service that is gone with a ValidationException naming it.
      if (hasErrorName(e, 'ValidationException') && /service doesn't exist/i.test(e.message)) throw new TargetNotFound(`ECS service ${key.cluster}/${key.service} does not exist (RegisterScalableTarget: ${e.message})`);
      throw classifyAwsError(e, `application-autoscaling:RegisterScalableTarget on ${resourceId}`);
    }
  }
}
