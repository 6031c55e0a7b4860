import type { BedrockAgentCoreControlClient, GetGatewayCommandOutput, UpdateGatewayCommandInput } from '@aws-sdk/client-bedrock-agentcore-control';
import { classifyAwsError, hasErrorName, TargetNotFound } from '../shared/errors';
import { readsAndMutations } from '../shared/lazy-sdk';
import { agentCoreSdk } from '../shared/sdk-modules';

const agentCoreClients = (reads?: BedrockAgentCoreControlClient, mutations?: BedrockAgentCoreControlClient) =>
  readsAndMutations(agentCoreSdk, (m, settings) => new m.BedrockAgentCoreControlClient(settings), reads, mutations);

/**
 * An AgentCore gateway's configuration: every field UpdateGateway takes besides the identifier.
 * UpdateGateway replaces the configuration as a whole (a field left out is cleared), so a change
 * sends back everything it read with one field changed, and an undo sends back the recorded whole.
 */
export interface GatewayConfig {
  readonly name: string;
  readonly description?: string;
  readonly roleArn: string;
  readonly protocolType?: string;
  readonly protocolConfiguration?: unknown;
  readonly authorizerType: string;
  readonly authorizerConfiguration?: unknown;
  readonly kmsKeyArn?: string;
  readonly customTransformConfiguration?: unknown;
  readonly interceptorConfigurations?: unknown;
  readonly policyEngineConfiguration?: { readonly arn: string; readonly mode: string };
  readonly exceptionLevel?: string;
  readonly wafConfiguration?: unknown;
}

const GATEWAY_CONFIG_FIELDS = [
  'name', 'description', 'roleArn', 'protocolType', 'protocolConfiguration', 'authorizerType', 'authorizerConfiguration', 'kmsKeyArn',
  'customTransformConfiguration', 'interceptorConfigurations', 'policyEngineConfiguration', 'exceptionLevel', 'wafConfiguration',
] as const;

export interface GatewayView {
  readonly gatewayId: string;
  /** READY, UPDATING, UPDATE_UNSUCCESSFUL, CREATING, DELETING or FAILED. */
  readonly status: string;
  readonly config: GatewayConfig;
}

/** The gateway is not READY (an update is in progress): UpdateGateway refused it, nothing changed; retried once it settles. */
export class GatewayBusy extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayBusy';
  }
}

/** The configuration fields of a GetGateway answer, the ones it does not hold left out. */
function configOf(out: Pick<GetGatewayCommandOutput, (typeof GATEWAY_CONFIG_FIELDS)[number]>): GatewayConfig {
  const source = out as Record<string, unknown>;
  return Object.fromEntries(GATEWAY_CONFIG_FIELDS.flatMap((f) => (source[f] === undefined || source[f] === null ? [] : [[f, source[f]]]))) as unknown as GatewayConfig;
}

/** A Bedrock AgentCore gateway (GetGateway, UpdateGateway). */
export class GatewayClient {
  private readonly clients: ReturnType<typeof agentCoreClients>;

  constructor(reads?: BedrockAgentCoreControlClient, mutations?: BedrockAgentCoreControlClient) {
    this.clients = agentCoreClients(reads, mutations);
  }

  async read(gatewayId: string): Promise<GatewayView> {
    try {
      const { m, client } = await this.clients.reads.get();
      const out = await client.send(new m.GetGatewayCommand({ gatewayIdentifier: gatewayId }));
      return { gatewayId, status: out.status ?? 'UNKNOWN', config: configOf(out) };
    } catch (e: unknown) {
      throw this.mapError(e, gatewayId, 'GetGateway');
    }
  }

  /** Sends the whole configuration; returns the gateway's status after it (UPDATING). */
  async update(gatewayId: string, config: GatewayConfig): Promise<string> {
    try {
      const { m, client } = await this.clients.mutations.get();
      const out = await client.send(new m.UpdateGatewayCommand({ gatewayIdentifier: gatewayId, ...config } as UpdateGatewayCommandInput));
      return out.status ?? 'UPDATING';
    } catch (e: unknown) {
      throw this.mapError(e, gatewayId, 'UpdateGateway');
    }
  }

  private mapError(e: unknown, gatewayId: string, operation: string): Error {
    if (hasErrorName(e, 'ResourceNotFoundException')) return new TargetNotFound(`AgentCore gateway ${gatewayId} does not exist (${operation}: ${e.message})`);
    if (hasErrorName(e, 'ConflictException')) return new GatewayBusy(`AgentCore gateway ${gatewayId} is not READY (${operation}: ${e.message}): nothing changed`);
    return classifyAwsError(e, `bedrock-agentcore:${operation} on ${gatewayId}`);
  }
}
