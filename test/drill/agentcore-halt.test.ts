import type { AwsCallReceived } from '../../drill/drill';
import { AGENTCORE_GATEWAY_ID, ECS_CLUSTER, HALT_POLICY_ENGINE, KILL_SWITCH_SECRET, KILL_SWITCH_TOKEN, PROXY_SERVICE, TOOL_POLICY_ENGINE } from '../../drill/sandbox';
import { runDrill, scenario } from './run-drill';

const EVENT = 'events/agentcore-halt.event.json';
const PROXY = `${ECS_CLUSTER}/${PROXY_SERVICE}`;
const ENGINE = (id: string) => `arn:aws:bedrock-agentcore:sa-east-1:111122223333:policy-engine/${id}`;
const callsOf = (r: unknown) => (r as { calls: AwsCallReceived[] }).calls;
const of = (calls: readonly AwsCallReceived[], service: string, operation: string) => calls.filter((c) => c.service === service && c.operation === operation);
const resource = (r: unknown, when: 'before' | 'after', name: string) => (r as { resources: Record<string, Record<string, unknown>> }).resources[when]![name];

test('the halt, at once under prod\'s policy: the whole gateway configuration recorded and sent back with the deny-all engine, the proxy pinned at 0, both kill switches POSTed; the resume needs two approvers and puts everything back but the kill switch', async () => {
  const { code, stdout, results: [r] } = await runDrill(['--event', EVENT, '--then-undo', '--env', 'prod', '--approve', 'alice', '--approve', 'bob', '--json', '--calls']);
  expect(code).toBe(0);
  // The kill-switch token is read from its secret (the call is in the output) and reaches nothing of the drill's: no ledger row, log line, notification or report.
  expect(stdout).toContain(KILL_SWITCH_SECRET);
  expect(stdout).not.toContain(KILL_SWITCH_TOKEN);

  expect(r).toMatchObject({ runbook: 'agentcore-halt', outcome: 'remediated', notifications: [{ outcome: 'remediated', topic: 'critical' }], approvalRequests: [] });
  const [gateway, proxy, ...posts] = r!.actions;
  const seeded = expect.objectContaining({
    name: 'alphaswarm-prod-gateway', roleArn: 'arn:aws:iam::111122223333:role/alphaswarm-prod-agentcore-gateway', authorizerType: 'CUSTOM_JWT',
    authorizerConfiguration: expect.objectContaining({ customJWTAuthorizer: expect.anything() }), protocolConfiguration: expect.anything(),
  });
  expect(gateway).toMatchObject({ operation: 'bedrock-agentcore:UpdateGateway', target: AGENTCORE_GATEWAY_ID, status: 'succeeded', auditedBeforeCall: true });
  expect(gateway!.before).toEqual(seeded);
  expect(gateway!.before).toMatchObject({ policyEngineConfiguration: { arn: ENGINE(TOOL_POLICY_ENGINE), mode: 'ENFORCE' } });
  expect(gateway!.after).toEqual({ ...(gateway!.before as object), policyEngineConfiguration: { arn: ENGINE(HALT_POLICY_ENGINE), mode: 'ENFORCE' } });
  // UpdateGateway replaces the configuration: the halt sends every field it read, the engine changed; the resume sends the recorded whole.
  expect(of(callsOf(r), 'bedrock-agentcore', 'UpdateGateway').map((c) => c.input)).toEqual([
    { gatewayIdentifier: AGENTCORE_GATEWAY_ID, ...(gateway!.after as object) },
    { gatewayIdentifier: AGENTCORE_GATEWAY_ID, ...(gateway!.before as object) },
  ]);
  expect(proxy).toMatchObject({
    operation: 'application-autoscaling:RegisterScalableTarget', target: PROXY, status: 'succeeded', auditedBeforeCall: true,
    // The range, the desired count and which scaling was suspended (none: the pin needs no suspension, and leaves it as it was).
    before: { minCapacity: 2, maxCapacity: 6, desiredCount: 2, suspendedState: { dynamicScalingIn: false, dynamicScalingOut: false, scheduledScaling: false } },
    after: { minCapacity: 0, maxCapacity: 0, desiredCount: 0 },
  });
  expect(posts.map((p) => [p.operation, p.target, p.status, p.auditedBeforeCall])).toEqual([
    ['application:PostKillSwitch', '/portfolio/kill_switch', 'succeeded', true],
    ['application:PostKillSwitch', '/workloads/halt', 'succeeded', true],
  ]);
  expect(resource(r, 'after', PROXY)).toMatchObject({ desiredCount: 0, runningCount: 0, minCapacity: 0, maxCapacity: 0 });
  expect(resource(r, 'after', '/workloads/halt')).toEqual({ halted: true, posts: 1 });

  // The resume: two distinct approvers (prod), the recorded values back, the kill switch left to a person.
  const undo = r!.undo!;
  expect(undo).toMatchObject({ outcome: 'remediated', restored: true });
  expect(JSON.stringify(undo.timeline)).toMatch(/Quorum reached \(2 of 2\)/);
  expect(undo.actions.map((a) => [a.operation, a.target, a.status])).toEqual([
    ['application-autoscaling:RegisterScalableTarget', PROXY, 'succeeded'],
    ['bedrock-agentcore:UpdateGateway', AGENTCORE_GATEWAY_ID, 'succeeded'],
  ]);
  expect(undo.actions[1]!.after).toEqual(gateway!.before);
  expect(undo.notReversible).toEqual(['/workloads/halt', '/portfolio/kill_switch'].map((target) => ({
    operation: 'application:PostKillSwitch', target, why: expect.stringContaining('a person resumes trading and workloads in the operator console'),
  })));
  const compared = Object.fromEntries(undo.resources.map((x) => [x.name, x.equalsStart]));
  expect(compared).toEqual({ [PROXY]: true, [AGENTCORE_GATEWAY_ID]: true, '/portfolio/kill_switch': null, '/workloads/halt': null });
});

test('a kill-switch endpoint that answers 503: the other is POSTed once; the failing one is retried, then the execution fails at its step, and a redrive sends again only that one', async () => {
  const { results: [r] } = await runDrill(['--scenario', scenario('kill-switch-endpoint-fails'), '--event', EVENT, '--then-redrive', '--json']);

  expect(r).toMatchObject({ outcome: 'failed' });
  expect(r!.notifications.at(-1)).toEqual({ outcome: 'failed', topic: 'critical', via: 'rule' });
  expect(r!.runs.map((x) => [x.status, x.from, x.failedAt])).toEqual([['FAILED', null, 'POST the kill switches'], ['FAILED', 'POST the kill switches', 'POST the kill switches']]);
  expect(r!.runs[0]!.error).toMatch(/POST \/workloads\/halt answered 503/);
  expect(r!.actions.map((a) => [a.operation, a.target, a.status])).toEqual([
    ['bedrock-agentcore:UpdateGateway', AGENTCORE_GATEWAY_ID, 'succeeded'],
    ['application-autoscaling:RegisterScalableTarget', PROXY, 'succeeded'],
    ['application:PostKillSwitch', '/portfolio/kill_switch', 'succeeded'],
    // No answer that says it halted: unknown, never "failed" (a 5xx may follow a halt).
    ['application:PostKillSwitch', '/workloads/halt', 'unknown'],
  ]);
  // The endpoint that answered is never POSTed again, by the retries or the redrive; the gateway and the proxy stay halted.
  expect(resource(r, 'after', '/portfolio/kill_switch')).toEqual({ halted: true, posts: 1 });
  expect(resource(r, 'after', '/workloads/halt')).toEqual({ halted: false, posts: 10 });
  expect(resource(r, 'after', AGENTCORE_GATEWAY_ID)).toMatchObject({ policyEngine: `${HALT_POLICY_ENGINE} (ENFORCE)` });
  expect(resource(r, 'after', PROXY)).toMatchObject({ desiredCount: 0, minCapacity: 0, maxCapacity: 0 });
});
