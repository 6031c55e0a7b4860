import { GatewayClient } from '../../lambdas/aws/agentcore-gateway';
import { ScalableTargetClient, type CapacityRange } from '../../lambdas/aws/application-autoscaling';
import { EcsServiceClient } from '../../lambdas/aws/ecs';
import { isHalted, policyEngineInWords } from './gateway-halt';
import { proxyKey, type HaltScope } from './halt-scope';

/** The gateway as a halt reads it: before its part, and in each check after. */
export interface GatewayState { readonly gatewayId: string; readonly status: string; readonly halted: boolean; readonly policyEngine: string }

/** The proxy as a halt reads it: before its part, and in each check after. */
export interface ProxyState {
  readonly service: string;
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly scalableTarget: CapacityRange | null;
  /** Desired count 0, and a scalable target (if any) pinned at 0 to 0: no scaling policy can start a task. */
  readonly stopped: boolean;
}

export class HaltReader {
  constructor(readonly gateways = new GatewayClient(), readonly services = new EcsServiceClient(), readonly targets = new ScalableTargetClient()) {}

  async gateway(scope: HaltScope): Promise<GatewayState> {
    const gw = await this.gateways.read(scope.gateway.gatewayId);
    return { gatewayId: gw.gatewayId, status: gw.status, halted: isHalted(gw.config, scope.gateway.haltPolicyEngineArn), policyEngine: policyEngineInWords(gw.config) };
  }

  async proxy(scope: HaltScope): Promise<ProxyState> {
    const service = await this.services.describe(scope.proxy);
    const scalableTarget = await this.targets.read(scope.proxy);
    const pinned = scalableTarget === null || scalableTarget.maxCapacity === 0;
    return { service: proxyKey(scope), desiredCount: service.desiredCount, runningCount: service.runningCount, scalableTarget, stopped: service.desiredCount === 0 && pinned };
  }
}
