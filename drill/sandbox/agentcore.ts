import { AwsError } from './aws-error';
import { isRecord, type Input } from './input';
import type { Output, ServiceContext, ServiceModel } from './model';
import type { AccountState, AgentCoreGatewayConfig, AgentCoreGatewayState } from './state';

/**
 * Bedrock AgentCore control plane (REST-JSON, signing name bedrock-agentcore): GetGateway and
 * UpdateGateway. As the API model says: UpdateGateway needs the identifier, `name` (the one the
 * gateway was created with), `roleArn` and `authorizerType` (CUSTOM_JWT needs its configuration);
 * it answers 202 with the gateway UPDATING. The request is the gateway's whole configuration: a
 * field it leaves out is cleared (an interceptor, a policy engine, a description), which is why a
 * caller must send back everything it read. A gateway that is not READY refuses an update
 * (ConflictException 409); a policy engine that does not exist is a ValidationException. UPDATING
 * turns READY after `readsToSettle` GetGateway reads (deterministic, not wall-clock).
 * Not modelled: creating or deleting gateways, targets, rules, rate limits, policy engines' own
 * API (the seed holds the engines), WAF associations, workload identities.
 */

const validation = (message: string) => new AwsError('ValidationException', 400, message, { fields: { reason: 'FieldValidationFailed' } });
const notFound = (id: string) => new AwsError('ResourceNotFoundException', 404, `Gateway not found: ${id}`);

const GATEWAY_ID = /^([0-9a-z][-]?){1,100}-[0-9a-z]{10}$/;
const GATEWAY_NAME = /^([0-9a-zA-Z][-]?){1,100}$/;
const ROLE_ARN = /^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role\/.+$/;
const AUTHORIZER_TYPES = ['CUSTOM_JWT', 'AWS_IAM', 'NONE', 'AUTHENTICATE_ONLY'];
const POLICY_MODES = ['ENFORCE', 'LOG_ONLY'];
const CONFIG_FIELDS = [
  'name', 'description', 'roleArn', 'protocolType', 'protocolConfiguration', 'authorizerType', 'authorizerConfiguration', 'kmsKeyArn',
  'customTransformConfiguration', 'interceptorConfigurations', 'policyEngineConfiguration', 'exceptionLevel', 'wafConfiguration',
] as const;

const gateways = (state: AccountState) => (state.agentcore ??= { gateways: {}, policyEngines: {} }).gateways;

/** A gateway by the identifier the path names: its id, or its ARN. */
function gatewayOf(state: AccountState, identifier: unknown): AgentCoreGatewayState {
  const id = typeof identifier === 'string' ? identifier.split('/').at(-1) ?? '' : '';
  if (!GATEWAY_ID.test(id)) throw validation(`1 validation error detected: Value '${String(identifier)}' at 'gatewayIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ([0-9a-z][-]?){1,100}-[0-9a-z]{10}`);
  const gateway = gateways(state)[id];
  if (!gateway) throw notFound(id);
  return gateway;
}

function gatewayOutput(g: AgentCoreGatewayState): Output {
  const config = Object.fromEntries(CONFIG_FIELDS.flatMap((f) => (g[f] === undefined ? [] : [[f, structuredClone(g[f])]])));
  return {
    gatewayArn: g.gatewayArn, gatewayId: g.gatewayId, gatewayUrl: g.gatewayUrl, status: g.status,
    ...(g.status === 'UPDATING' ? { statusReasons: ['Gateway update in progress'] } : {}),
    // This API's timestamps are RFC 3339 date-time strings (its model's timestampFormat), not epoch seconds.
    createdAt: g.createdAt, updatedAt: g.updatedAt, ...config,
  };
}

function getGateway(input: Input, { state }: ServiceContext): Output {
  const gateway = gatewayOf(state, input.gatewayIdentifier);
  // The read that observes the update settling: UPDATING for `readsToSettle` reads, then READY.
  if (gateway.status === 'UPDATING') {
    gateway.readsLeft = (gateway.readsLeft ?? gateway.readsToSettle ?? 1) - 1;
    if (gateway.readsLeft < 0) {
      gateway.status = 'READY';
      delete gateway.readsLeft;
    }
  }
  return gatewayOutput(gateway);
}

function requiredString(input: Input, field: string, pattern?: RegExp, patternText?: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw validation(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  if (pattern && !pattern.test(value)) throw validation(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${patternText ?? pattern.source}`);
  return value;
}

function updateGateway(input: Input, ctx: ServiceContext): Output {
  const { state } = ctx;
  const gateway = gatewayOf(state, input.gatewayIdentifier);
  const name = requiredString(input, 'name', GATEWAY_NAME);
  const roleArn = requiredString(input, 'roleArn', ROLE_ARN);
  const authorizerType = requiredString(input, 'authorizerType');
  if (!AUTHORIZER_TYPES.includes(authorizerType)) {
    throw validation(`1 validation error detected: Value '${authorizerType}' at 'authorizerType' failed to satisfy constraint: Member must satisfy enum value set: [${AUTHORIZER_TYPES.join(', ')}]`);
  }
  if (name !== gateway.name) throw validation(`The gateway name cannot be changed: ${gateway.gatewayId} is named ${gateway.name}, not ${name}`);
  if (authorizerType === 'CUSTOM_JWT' && !isRecord(input.authorizerConfiguration)) throw validation('authorizerConfiguration is required when authorizerType is CUSTOM_JWT');
  if (input.protocolType !== undefined && input.protocolType !== 'MCP') {
    throw validation(`1 validation error detected: Value '${String(input.protocolType)}' at 'protocolType' failed to satisfy constraint: Member must satisfy enum value set: [MCP]`);
  }
  const policy = input.policyEngineConfiguration;
  if (policy !== undefined) {
    if (!isRecord(policy) || typeof policy.arn !== 'string' || typeof policy.mode !== 'string') throw validation("policyEngineConfiguration needs both 'arn' and 'mode'");
    if (!POLICY_MODES.includes(policy.mode)) {
      throw validation(`1 validation error detected: Value '${policy.mode}' at 'policyEngineConfiguration.mode' failed to satisfy constraint: Member must satisfy enum value set: [${POLICY_MODES.join(', ')}]`);
    }
    if (!state.agentcore?.policyEngines[policy.arn]) throw validation(`Policy engine ${policy.arn} does not exist`);
  }
  if (gateway.status !== 'READY') throw new AwsError('ConflictException', 409, `Gateway ${gateway.gatewayId} is in ${gateway.status} status and cannot be updated`);
  // The request is the whole configuration: what it leaves out is cleared.
  const next: AgentCoreGatewayConfig = { name, roleArn, authorizerType: authorizerType as AgentCoreGatewayConfig['authorizerType'] };
  for (const field of CONFIG_FIELDS) {
    if (field !== 'name' && field !== 'roleArn' && field !== 'authorizerType' && input[field] !== undefined) (next as unknown as Record<string, unknown>)[field] = structuredClone(input[field]);
  }
  for (const field of CONFIG_FIELDS) delete (gateway as unknown as Record<string, unknown>)[field];
  Object.assign(gateway, next, { status: 'UPDATING', updatedAt: ctx.now().toISOString() });
  delete gateway.readsLeft;
  return gatewayOutput(gateway);
}

export const agentcoreModel: ServiceModel = {
  protocol: 'restJson1',
  routes: [
    { method: 'GET', path: '/gateways/{gatewayIdentifier}/', operation: 'GetGateway', status: 200 },
    { method: 'PUT', path: '/gateways/{gatewayIdentifier}/', operation: 'UpdateGateway', status: 202 },
  ],
  operations: {
    GetGateway: { mutating: false, run: getGateway },
    UpdateGateway: { mutating: true, run: updateGateway },
  },
};
