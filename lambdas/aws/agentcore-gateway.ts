import {
  BedrockAgentCoreControlClient, ConflictException, GetGatewayCommand, ResourceNotFoundException, UpdateGatewayCommand,
  type GetGatewayCommandOutput, type UpdateGatewayCommandInput,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { classifyAwsError, TargetNotFound } from '../shared/errors';
import { MUTATION_CLIENT_CONFIG } from '../shared/mutation-client';

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
  constructor(
    private readonly reads = new BedrockAgentCoreControlClient({}),
    /** UpdateGateway: no blind SDK retry (see mutation-client.ts). */
    private readonly mutations = new BedrockAgentCoreControlClient(MUTATION_CLIENT_CONFIG),
  ) {}

  async read(gatewayId: string): Promise<GatewayView> {
    try {
      const out = await this.reads.send(new GetGatewayCommand({ gatewayIdentifier: gatewayId }));
      return { gatewayId, status: out.status ?? 'UNKNOWN', config: configOf(out) };
    } catch (e: unknown) {
      throw this.mapError(e, gatewayId, 'GetGateway');
    }
  }

  /** Sends the whole configuration; returns the gateway's status after it (UPDATING). */
  async update(gatewayId: string, config: GatewayConfig): Promise<string> {
    try {
      const out = await this.mutations.send(new UpdateGatewayCommand({ gatewayIdentifier: gatewayId, ...config } as UpdateGatewayCommandInput));
      return out.status ?? 'UPDATING';
    } catch (e: unknown) {
      throw this.mapError(e, gatewayId, 'UpdateGateway');
    }
  }

  private mapError(e: unknown, gatewayId: string, operation: string): Error {
    if (e instanceof ResourceNotFoundException) return new TargetNotFound(`AgentCore gateway ${gatewayId} does not exist (${operation}: ${e.message})`);
    if (e instanceof ConflictException) return new GatewayBusy(`AgentCore gateway ${gatewayId} is not READY (${operation}: ${e.message}): nothing changed`);
    return classifyAwsError(e, `bedrock-agentcore:${operation} on ${gatewayId}`);
  }
}
