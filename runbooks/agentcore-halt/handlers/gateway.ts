import { GatewayBusy, GatewayClient, type GatewayConfig } from '../../../lambdas/aws/agentcore-gateway';
import { sameValue } from '../../../lambdas/domain/canonical';
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
 * back with that one field changed. A gateway not READY is GatewayBusy (retried); one whose
 * configuration changed since it was recorded, or that runs under another role than the
 * configured one, is refused (ChangeRejected, escalated): nothing is overwritten, and the halt may
 * pass only that role. UpdateGateway names no revision: a change made between the last read and
 * the call is the one window left (docs/runbooks.md).
 */
export const handler = taskHandler(stepInputSchema, async ({ incident, execution, dryRun }): Promise<ActionResult<GatewayConfig, GatewayConfig>> => {
  const scope = scopeOf(SCOPES, incident.target);
  const { gatewayId, haltPolicyEngineArn, roleArn } = scope.gateway;
  const intended = haltedConfig((await gateways.read(gatewayId)).config, haltPolicyEngineArn);
  return performAction<GatewayConfig, GatewayConfig>(ledger, incident, execution, {
    step: 'block-gateway',
    operation: 'bedrock-agentcore:UpdateGateway',
    target: gatewayId,
    parameters: { gatewayIdentifier: gatewayId, ...intended },
    intended,
    readBefore: async () => (await gateways.read(gatewayId)).config,
    mutate: async (before) => {
      if (isHalted(before, haltPolicyEngineArn)) return before;
      // Read again just before the call: UpdateGateway names no revision, so a configuration changed since it was
      // recorded would be overwritten by this call and again by the resume. Refused instead; a new halt records it as it is.
      const now = await gateways.read(gatewayId);
      if (isHalted(now.config, haltPolicyEngineArn)) return now.config;
      if (now.status !== 'READY') throw new GatewayBusy(`AgentCore gateway ${gatewayId} is ${now.status}: the halt waits for it to be READY`);
      if (!sameValue(now.config, before)) {
        throw new ChangeRejected(`AgentCore gateway ${gatewayId}'s configuration changed since the halt recorded it: not changed (sending the recorded one would undo that change). Start the halt again: it records the configuration as it is now`);
      }
      if (before.roleArn !== roleArn) throw new ChangeRejected(`AgentCore gateway ${gatewayId} runs under ${before.roleArn}, not the configured ${roleArn}: the halt passes only that role`);
      const halted = haltedConfig(before, haltPolicyEngineArn);
      await gateways.update(gatewayId, halted);
      return halted;
    },
    inEffect: (observed) => (isHalted(observed, haltPolicyEngineArn) ? observed : undefined),
  }, { dryRun });
});
