import { ScalableTargetClient } from '../../lambdas/aws/application-autoscaling';
import { EcsServiceClient, type ServiceKey, type ServiceView } from '../../lambdas/aws/ecs';
import type { CapacityNow } from './capacity-plan';

/** A service's counts and its scalable target's range, read together (DescribeServices, DescribeScalableTargets). */
export class ServiceCapacity {
  constructor(
    readonly services = new EcsServiceClient(),
    readonly targets = new ScalableTargetClient(),
  ) {}

  async read(key: ServiceKey): Promise<CapacityNow & { service: ServiceView }> {
    const service = await this.services.describe(key);
    const scalableTarget = await this.targets.read(key);
    return { service, desiredCount: service.desiredCount, runningCount: service.runningCount, scalableTarget };
  }
}
