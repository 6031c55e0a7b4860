import { GatewayBusy, GatewayClient, type GatewayConfig } from '../../../lambdas/aws/agentcore-gateway';
import { performAction, type ActionResult } from '../../../lambdas/shared/act';
import { requireEnv, requireJsonEnv } from '../../../lambdas/shared/env';
import { ChangeRejected } from '../../../lambdas/shared/errors';
import { taskHandler } from '../../../lambdas/shared/handler';
import { Ledger } from '../../../lambdas/shared/ledger';
import { stepInputSchema } from '../../../lambdas/shared/task-input';
import { haltedConfig, isHalted } from '../gateway-halt';
import { haltScopesSchema, scopeOf } from '../halt-scope';

const ledger = new Ledger(requireEnv('LEDGER_TABLE'));
const SCOPES = requireJsonEnv('HALT_SCOPES', (raw) => haltScopesSchema.parse(raw));
const gateways = new GatewayClient();

/**
 * Stop new invocations at the gateway (seed 000 "Halt every AgentCore session", step 1): attach
 * the deny-all policy engine in ENFORCE mode (gateway-halt.ts says why this mechanism). The
 * gateway's whole configuration is recorded in the ledger before the call, and the call sends it
 * back with that one field changed. A gateway not READY is GatewayBusy (retried); one that runs
 * under another role than the configured one is refused: the halt may pass only that role.
 */
export const handler = taskHandler(stepInputSchema, async ({ incident, execution, dryRun }): Promise<ActionResult<GatewayConfig, GatewayConfig>> => {
  const scope = scopeOf(SCOPES, incident.target);
  const { gatewayId, haltPolicyEngineArn, roleArn } = scope.gateway;
  let read = await gateways.read(gatewayId);
  const intended = haltedConfig(read.config, haltPolicyEngineArn);
  return performAction<GatewayConfig, GatewayConfig>(ledger, incident, execution, {
    step: 'block-gateway',
    operation: 'bedrock-agentcore:UpdateGateway',
    target: gatewayId,
    parameters: { gatewayIdentifier: gatewayId, ...intended },
    intended,
    readBefore: async () => {
      read = await gateways.read(gatewayId);
      return read.config;
    },
    mutate: async (before) => {
      if (isHalted(before, haltPolicyEngineArn)) return before;
      if (read.status !== 'READY') throw new GatewayBusy(`AgentCore gateway ${gatewayId} is ${read.status}: the halt waits for it to be READY`);
      if (before.roleArn !== roleArn) throw new ChangeRejected(`AgentCore gateway ${gatewayId} runs under ${before.roleArn}, not the configured ${roleArn}: the halt passes only that role`);
      const halted = haltedConfig(before, haltPolicyEngineArn);
      await gateways.update(gatewayId, halted);
      return halted;
    },
    inEffect: (observed) => (isHalted(observed, haltPolicyEngineArn) ? observed : undefined),
  }, { dryRun });
});
