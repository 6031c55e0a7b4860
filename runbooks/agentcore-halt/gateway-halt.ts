import type { GatewayConfig } from '../../lambdas/aws/agentcore-gateway';

/**
 * The halt's gateway change (pure). UpdateGateway has no status: new invocations are stopped by
 * attaching a policy engine that holds no policy, in ENFORCE mode. AgentCore evaluates every tool
 * call through the gateway's policy engine with Cedar's semantics, where what no policy permits is
 * denied: every call is refused at the gateway, whoever makes it. The rest of the configuration is
 * sent back as read (UpdateGateway replaces it as a whole), so the change is exactly one field and
 * the undo puts the whole recorded configuration back. Sending it again changes nothing.
 */
export function haltedConfig(config: GatewayConfig, haltPolicyEngineArn: string): GatewayConfig {
  return { ...config, policyEngineConfiguration: { arn: haltPolicyEngineArn, mode: 'ENFORCE' } };
}

/** Whether a gateway's configuration is the halt's: the deny-all engine attached, enforced. */
export function isHalted(config: GatewayConfig, haltPolicyEngineArn: string): boolean {
  return config.policyEngineConfiguration?.arn === haltPolicyEngineArn && config.policyEngineConfiguration.mode === 'ENFORCE';
}

/** The policy engine in words, for the evidence: "<engine id> (MODE)" or "none". */
export function policyEngineInWords(config: GatewayConfig): string {
  const p = config.policyEngineConfiguration;
  return p ? `${p.arn.split('/').at(-1) ?? p.arn} (${p.mode})` : 'none';
}
