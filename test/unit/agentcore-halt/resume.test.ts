import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { BedrockAgentCoreControlClient, GetGatewayCommand, UpdateGatewayCommand } from '@aws-sdk/client-bedrock-agentcore-control';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { inverseOf, NOT_REVERSIBLE, type Inverse } from '../../../lambdas/domain/reversible';
import type { RestoreStep } from '../../../lambdas/domain/undo-plan';
import { UndoResources } from '../../../lambdas/undo/resources';
import { haltedConfig } from '../../../runbooks/agentcore-halt/gateway-halt';

const agentcore = mockClient(BedrockAgentCoreControlClient);
const ecs = mockClient(ECSClient);
const aas = mockClient(ApplicationAutoScalingClient);
const resources = new UndoResources();
const GW = 'alphaswarm-prod-gateway-k3x9q2w7rt';
const HALT = 'arn:aws:bedrock-agentcore:sa-east-1:111122223333:policy-engine/halt_deny_all-h7d3s9f2c5';
const seeded = {
  name: 'alphaswarm-prod-gateway', roleArn: 'arn:aws:iam::111122223333:role/gw', authorizerType: 'CUSTOM_JWT', protocolType: 'MCP',
  authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: 'https://cognito/.well-known/openid-configuration', allowedClients: ['c1'] } },
  interceptorConfigurations: [{ interceptor: { lambda: { arn: 'arn:aws:lambda:sa-east-1:111122223333:function:audit' } }, interceptionPoints: ['REQUEST'] }],
};
const row = (before: unknown, after: unknown) => ({
  actionKey: `block-gateway#bedrock-agentcore:UpdateGateway#${GW}`, operation: 'bedrock-agentcore:UpdateGateway', target: GW, status: 'succeeded', executionArn: 'arn', before, after,
});
const stepOf = (inverse: Inverse): RestoreStep => ({ ...inverse, sourceKey: 'k', sourceStep: 's', step: 'undo-s', newer: [], restoresStart: true });

beforeEach(() => {
  agentcore.reset();
  ecs.reset();
  aas.reset();
});

test('a gateway without a policy engine comes back without one: the resume sends the recorded configuration whole (UpdateGateway clears what it leaves out)', async () => {
  const inverse = inverseOf(row(seeded, haltedConfig(seeded, HALT))) as Inverse;
  expect(inverse).toMatchObject({ kind: 'agentcore-gateway', operation: 'bedrock-agentcore:UpdateGateway', restoreTo: seeded, expected: { ...seeded, policyEngineConfiguration: { arn: HALT, mode: 'ENFORCE' } } });
  agentcore.on(UpdateGatewayCommand).resolves({ status: 'UPDATING' });
  expect(await resources.restore(stepOf(inverse))).toEqual(seeded);
  expect(agentcore.commandCalls(UpdateGatewayCommand).map((c) => c.args[0].input)).toEqual([{ gatewayIdentifier: GW, ...seeded }]);
});

test('a gateway the halt found already halted has nothing to put back; a row without the required fields says why', () => {
  const halted = haltedConfig(seeded, HALT);
  expect(inverseOf(row(halted, halted))).toEqual({ why: expect.stringContaining('already halted') });
  expect(inverseOf(row({ name: 'x' }, halted))).toEqual({ why: expect.stringContaining('not a gateway configuration') });
});

test('the undo reads a gateway as its configuration only (no status, no timestamps), so a READY or UPDATING gateway compares alike', async () => {
  agentcore.on(GetGatewayCommand).resolves({ ...seeded, gatewayId: GW, status: 'UPDATING', gatewayArn: 'arn', createdAt: new Date(), updatedAt: new Date() } as never);
  expect(await resources.read('agentcore-gateway', GW)).toEqual(seeded);
});

/** The undo of the proxy's pin: it ran at 2 tasks in a range of 0 to 6 before the halt. */
function pinnedProxy(): Inverse {
  const target = 'alphaswarm-cluster-prod/alphaswarm-agentcore-proxy-prod';
  return inverseOf({
    actionKey: `pin-proxy#application-autoscaling:RegisterScalableTarget#${target}`, operation: 'application-autoscaling:RegisterScalableTarget', target, status: 'succeeded', executionArn: 'arn',
    before: { minCapacity: 0, maxCapacity: 6, desiredCount: 2 }, after: { minCapacity: 0, maxCapacity: 0, desiredCount: 0 },
  }) as Inverse;
}

test('a proxy pinned at 0 whose recorded range starts at 0 gets its desired count back too (registering 0-6 leaves it at 0)', async () => {
  const inverse = pinnedProxy();
  aas.on(RegisterScalableTargetCommand).resolves({});
  ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'alphaswarm-agentcore-proxy-prod', status: 'ACTIVE', desiredCount: 0, runningCount: 0, pendingCount: 0, deployments: [] }] });
  ecs.on(UpdateServiceCommand).resolves({ service: { serviceName: 'alphaswarm-agentcore-proxy-prod', status: 'ACTIVE', desiredCount: 2, runningCount: 0, pendingCount: 0, deployments: [] } });
  expect(await resources.restore(stepOf(inverse))).toEqual({ minCapacity: 0, maxCapacity: 6, desiredCount: 2 });
  expect(aas.commandCalls(RegisterScalableTargetCommand).map((c) => c.args[0].input)).toEqual([expect.objectContaining({ MinCapacity: 0, MaxCapacity: 6 })]);
  expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([{ cluster: 'alphaswarm-cluster-prod', service: 'alphaswarm-agentcore-proxy-prod', desiredCount: 2 }]);
});

test('a proxy a scaling activity moved since the pin is left to its policies: only the range comes back', async () => {
  const inverse = pinnedProxy();
  aas.on(RegisterScalableTargetCommand).resolves({});
  ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'alphaswarm-agentcore-proxy-prod', status: 'ACTIVE', desiredCount: 5, runningCount: 5, pendingCount: 0, deployments: [] }] });
  expect(await resources.restore(stepOf(inverse))).toEqual({ minCapacity: 0, maxCapacity: 6, desiredCount: 5 });
  expect(ecs.commandCalls(UpdateServiceCommand)).toEqual([]);
});

test('a kill-switch POST has no inverse: the plan says what a person does instead', () => {
  expect(inverseOf({ actionKey: 'kill-switch#application:PostKillSwitch#/workloads/halt', operation: 'application:PostKillSwitch', target: '/workloads/halt', status: 'succeeded', executionArn: 'arn', before: null, after: { status: 200 } }))
    .toEqual({ why: NOT_REVERSIBLE['application:PostKillSwitch'] });
  expect(NOT_REVERSIBLE['application:PostKillSwitch']).toMatch(/a person resumes trading and workloads in the operator console/);
});
