import { GatewayClient } from '../../lambdas/aws/agentcore-gateway';
import { ScalableTargetClient, type CapacityRange } from '../../lambdas/aws/application-autoscaling';
import { EcsServiceClient } from '../../lambdas/aws/ecs';
import { isHalted, policyEngineInWords } from './gateway-halt';
import { proxyKey, type HaltScope } from './halt-scope';

/** The gateway and the proxy as a halt reads them: the diagnosis, and each check after it. */
export interface HaltState {
  readonly environment: string;
  readonly gateway: { readonly gatewayId: string; readonly status: string; readonly halted: boolean; readonly policyEngine: string };
  readonly proxy: {
    readonly service: string;
    readonly desiredCount: number;
    readonly runningCount: number;
    readonly scalableTarget: CapacityRange | null;
    /** Desired count 0, and a scalable target (if any) pinned at 0 to 0: no scaling policy can start a task. */
    readonly stopped: boolean;
  };
}

export class HaltReader {
  constructor(readonly gateways = new GatewayClient(), readonly services = new EcsServiceClient(), readonly targets = new ScalableTargetClient()) {}

  async read(scope: HaltScope): Promise<HaltState> {
    const gw = await this.gateways.read(scope.gateway.gatewayId);
    const service = await this.services.describe(scope.proxy);
    const scalableTarget = await this.targets.read(scope.proxy);
    const pinned = scalableTarget === null || scalableTarget.maxCapacity === 0;
    return {
      environment: scope.environment,
      gateway: { gatewayId: gw.gatewayId, status: gw.status, halted: isHalted(gw.config, scope.gateway.haltPolicyEngineArn), policyEngine: policyEngineInWords(gw.config) },
      proxy: { service: proxyKey(scope), desiredCount: service.desiredCount, runningCount: service.runningCount, scalableTarget, stopped: service.desiredCount === 0 && pinned },
    };
  }
}
