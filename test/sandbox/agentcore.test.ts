import { BedrockAgentCoreControlClient, GetGatewayCommand, UpdateGatewayCommand, type UpdateGatewayCommandInput } from '@aws-sdk/client-bedrock-agentcore-control';
import { AGENTCORE_GATEWAY_ID, HALT_POLICY_ENGINE, KILL_SWITCH_TOKEN, TOOL_POLICY_ENGINE } from '../../drill/sandbox';
import { clientConfig, rejectionOf, useSandbox } from './support';

const sandbox = useSandbox();
const agentcore = () => new BedrockAgentCoreControlClient(clientConfig(sandbox()));
const engine = (id: string) => `arn:aws:bedrock-agentcore:sa-east-1:111122223333:policy-engine/${id}`;
const read = () => agentcore().send(new GetGatewayCommand({ gatewayIdentifier: AGENTCORE_GATEWAY_ID }));
/** The seeded gateway's whole configuration, as UpdateGateway takes it. */
async function asUpdate(): Promise<UpdateGatewayCommandInput> {
  const g = await read();
  return {
    gatewayIdentifier: AGENTCORE_GATEWAY_ID, name: g.name, description: g.description, roleArn: g.roleArn, protocolType: g.protocolType,
    protocolConfiguration: g.protocolConfiguration, authorizerType: g.authorizerType, authorizerConfiguration: g.authorizerConfiguration,
    policyEngineConfiguration: g.policyEngineConfiguration,
  };
}
const post = (path: string, token?: string) => fetch(new URL(path, sandbox().url), { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body: '{}' });

describe('AgentCore gateway', () => {
  test('GetGateway answers the seeded gateway READY, with its policy engine and authorizer, timestamps as RFC 3339', async () => {
    const g = await read();
    expect(g).toMatchObject({ gatewayId: AGENTCORE_GATEWAY_ID, status: 'READY', authorizerType: 'CUSTOM_JWT', policyEngineConfiguration: { arn: engine(TOOL_POLICY_ENGINE), mode: 'ENFORCE' } });
    expect(g.createdAt).toBeInstanceOf(Date);
  });

  test('UpdateGateway answers 202 UPDATING; the gateway is READY again after a GetGateway has seen it UPDATING', async () => {
    const out = await agentcore().send(new UpdateGatewayCommand({ ...(await asUpdate()), policyEngineConfiguration: { arn: engine(HALT_POLICY_ENGINE), mode: 'ENFORCE' } }));
    expect(out.status).toBe('UPDATING');
    expect((await read()).status).toBe('UPDATING');
    expect(await read()).toMatchObject({ status: 'READY', policyEngineConfiguration: { arn: engine(HALT_POLICY_ENGINE), mode: 'ENFORCE' } });
  });

  test('UpdateGateway replaces the configuration: a field left out is cleared (the policy engine, the description)', async () => {
    const { policyEngineConfiguration: _p, description: _d, ...rest } = await asUpdate();
    await agentcore().send(new UpdateGatewayCommand(rest));
    const g = await read();
    expect(g.policyEngineConfiguration).toBeUndefined();
    expect(g.description).toBeUndefined();
    expect(g.authorizerConfiguration).toEqual((await asUpdate()).authorizerConfiguration);
  });

  test('a gateway still UPDATING refuses another update (ConflictException 409), changing nothing', async () => {
    const whole = await asUpdate();
    await agentcore().send(new UpdateGatewayCommand({ ...whole, policyEngineConfiguration: { arn: engine(HALT_POLICY_ENGINE), mode: 'ENFORCE' } }));
    const e = await rejectionOf(agentcore().send(new UpdateGatewayCommand(whole)));
    expect({ name: e.name, status: e.$metadata?.httpStatusCode }).toEqual({ name: 'ConflictException', status: 409 });
    expect(sandbox().state.agentcore!.gateways[AGENTCORE_GATEWAY_ID]!.policyEngineConfiguration?.arn).toBe(engine(HALT_POLICY_ENGINE));
  });

  test.each([
    ['another name (a gateway keeps the name it was created with)', { name: 'renamed-gateway' }, 'ValidationException', 400, 'cannot be changed'],
    ['no role', { roleArn: undefined }, 'ValidationException', 400, "at 'roleArn' failed to satisfy constraint: Member must not be null"],
    ['no authorizer type', { authorizerType: undefined }, 'ValidationException', 400, "at 'authorizerType'"],
    ['a JWT authorizer without its configuration', { authorizerConfiguration: undefined }, 'ValidationException', 400, 'authorizerConfiguration is required'],
    ['a policy engine that does not exist', { policyEngineConfiguration: { arn: engine('nope-0000000000'), mode: 'ENFORCE' } }, 'ValidationException', 400, 'does not exist'],
    ['a mode AgentCore does not know', { policyEngineConfiguration: { arn: engine(HALT_POLICY_ENGINE), mode: 'BLOCK' } }, 'ValidationException', 400, 'enum value set: [ENFORCE, LOG_ONLY]'],
    ['a gateway that does not exist', { gatewayIdentifier: 'nothing-here-0000000000' }, 'ResourceNotFoundException', 404, 'Gateway not found'],
  ])('UpdateGateway with %s is refused as AgentCore refuses it, and changes nothing', async (_what, change, name, status, message) => {
    const e = await rejectionOf(agentcore().send(new UpdateGatewayCommand({ ...(await asUpdate()), ...change } as UpdateGatewayCommandInput)));
    expect({ name: e.name, status: e.$metadata?.httpStatusCode }).toEqual({ name, status });
    expect(e.message).toContain(message);
    expect(await read()).toMatchObject({ status: 'READY', name: 'alphaswarm-prod-gateway', policyEngineConfiguration: { arn: engine(TOOL_POLICY_ENGINE) } });
  });
});

describe('the application kill switch (unsigned requests on the loopback port)', () => {
  test('a POST with the token halts; a second POST answers 200 again and changes nothing; each is recorded without the token', async () => {
    const first = await post('/workloads/halt', KILL_SWITCH_TOKEN);
    const again = await post('/workloads/halt', KILL_SWITCH_TOKEN);
    expect([first.status, await first.json(), again.status, await again.json()]).toEqual([200, { status: 'halted', alreadyHalted: false }, 200, { status: 'halted', alreadyHalted: true }]);
    const endpoint = sandbox().state.application!.endpoints['/workloads/halt']!;
    expect(endpoint.halted).toBe(true);
    expect(endpoint.posts.map((p) => [p.authorized, p.status])).toEqual([[true, 200], [true, 200]]);
    expect(JSON.stringify(sandbox().snapshot())).not.toContain(KILL_SWITCH_TOKEN);
    // Not an AWS call: not in the call log.
    expect(sandbox().calls).toEqual([]);
  });

  test('no token or another token is 401 and halts nothing; an endpoint told to fail answers its status and halts nothing', async () => {
    expect((await post('/portfolio/kill_switch')).status).toBe(401);
    expect((await post('/portfolio/kill_switch', 'guess')).status).toBe(401);
    sandbox().state.application!.endpoints['/portfolio/kill_switch']!.failWith = 503;
    expect((await post('/portfolio/kill_switch', KILL_SWITCH_TOKEN)).status).toBe(503);
    expect(sandbox().state.application!.endpoints['/portfolio/kill_switch']).toMatchObject({ halted: false, posts: [{ authorized: false, status: 401 }, { authorized: false, status: 401 }, { authorized: true, status: 503 }] });
  });

  test('a path the application does not serve is not the kill switch: an unsigned request to it is refused as AWS refuses an unsigned call', async () => {
    expect((await post('/admin/delete_everything', KILL_SWITCH_TOKEN)).status).toBe(403);
  });
});
