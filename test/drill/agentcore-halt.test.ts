import type { AwsCallReceived } from '../../drill/drill';
import { AGENTCORE_GATEWAY_ID, ECS_CLUSTER, HALT_POLICY_ENGINE, KILL_SWITCH_SECRET, KILL_SWITCH_TOKEN, PROXY_SERVICE, TOOL_POLICY_ENGINE } from '../../drill/sandbox';
import { runDrill, scenario } from './run-drill';

const EVENT = 'events/agentcore-halt.event.json';
const PROXY = `${ECS_CLUSTER}/${PROXY_SERVICE}`;
const ENGINE = (id: string) => `arn:aws:bedrock-agentcore:sa-east-1:111122223333:policy-engine/${id}`;
const callsOf = (r: unknown) => (r as { calls: AwsCallReceived[] }).calls;
const of = (calls: readonly AwsCallReceived[], service: string, operation: string) => calls.filter((c) => c.service === service && c.operation === operation);
/** The email of each page to the critical topic: what a person reads, whole. */
const pagesOf = (r: unknown) => of(callsOf(r), 'sns', 'Publish').filter((c) => String(c.input.TopicArn).endsWith('-critical'))
  .map((c) => (JSON.parse(String(c.input.Message)) as { email: string }).email);
/** The run's one escalation, as its email says it. */
const escalationOf = (r: unknown): string => {
  const pages = pagesOf(r).filter((p) => p.startsWith('agentcore-halt: escalated'));
  expect(pages).toHaveLength(1);
  return pages[0]!;
};
/** Its "Each part" block: each part and its outcome, a line each. */
const partsOf = (page: string): string[] => /\nEach part:\n((?: {2}.*\n?)+)/.exec(page)?.[1]?.trimEnd().split('\n').map((l) => l.trim()) ?? [];
const resource = (r: unknown, when: 'before' | 'after', name: string) => (r as { resources: Record<string, Record<string, unknown>> }).resources[when]![name];

test('the halt, at once under prod\'s policy: the whole gateway configuration recorded and sent back with the deny-all engine, the proxy pinned at 0, both kill switches POSTed; the resume needs two approvers and puts everything back but the kill switch', async () => {
  const { code, stdout, results: [r] } = await runDrill(['--event', EVENT, '--then-undo', '--env', 'prod', '--approve', 'alice', '--approve', 'bob', '--json', '--calls']);
  expect(code).toBe(0);
  // The kill-switch token is read from its secret (the call is in the output) and reaches nothing of the drill's: no ledger row, log line, notification or report.
  expect(stdout).toContain(KILL_SWITCH_SECRET);
  expect(stdout).not.toContain(KILL_SWITCH_TOKEN);

  expect(r).toMatchObject({ runbook: 'agentcore-halt', outcome: 'remediated', notifications: [{ outcome: 'remediated', topic: 'critical' }], approvalRequests: [] });
  // The page names each part and its outcome.
  const [page] = pagesOf(r);
  expect(partsOf(page!)).toEqual(['gateway: halted', 'proxy: scaled to zero', 'kill switch: /portfolio/kill_switch: halted (200); /workloads/halt: halted (200)']);
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

test('a kill-switch endpoint that answers 503: the other is POSTed once; the failing one is retried, paged with the other parts, POSTed again after the page, and the execution fails there; a redrive sends again only that one', async () => {
  const { results: [r] } = await runDrill(['--scenario', scenario('kill-switch-endpoint-fails'), '--event', EVENT, '--then-redrive', '--json', '--calls']);

  expect(r).toMatchObject({ outcome: 'failed' });
  // One escalation naming each part (the gateway and the proxy halted and verified), then the execution-failure rule's page per run.
  expect(r!.notifications).toEqual([
    { outcome: 'escalated', topic: 'critical' }, { outcome: 'failed', topic: 'critical', via: 'rule' }, { outcome: 'failed', topic: 'critical', via: 'rule' },
  ]);
  const failedAt = 'POST the kill switches again';
  expect(r!.runs.map((x) => [x.status, x.from, x.failedAt])).toEqual([['FAILED', null, failedAt], ['FAILED', failedAt, failedAt]]);
  expect(r!.runs[0]!.error).toMatch(/POST \/workloads\/halt answered 503/);
  const escalation = escalationOf(r);
  expect(escalation).toMatch(/what halted is verified \(gateway \S+ READY, policy engine alphaswarm_prod_halt_deny_all-h7d3s9f2c5 \(ENFORCE\); proxy \S+ desired 0, running 0/);
  expect(partsOf(escalation)).toEqual([
    'gateway: halted', 'proxy: scaled to zero',
    'kill switch: not halted; attempted again after this page (AwsUnavailable: POST /workloads/halt answered 503: it may have taken effect)',
  ]);
  expect(r!.actions.map((a) => [a.operation, a.target, a.status])).toEqual([
    ['bedrock-agentcore:UpdateGateway', AGENTCORE_GATEWAY_ID, 'succeeded'],
    ['application-autoscaling:RegisterScalableTarget', PROXY, 'succeeded'],
    ['application:PostKillSwitch', '/portfolio/kill_switch', 'succeeded'],
    // No answer that says it halted: unknown, never "failed" (a 5xx may follow a halt).
    ['application:PostKillSwitch', '/workloads/halt', 'unknown'],
  ]);
  // The endpoint that answered is never POSTed again, by the retries, the second attempt or the redrive; the gateway and the proxy stay halted.
  expect(resource(r, 'after', '/portfolio/kill_switch')).toEqual({ halted: true, posts: 1 });
  expect(resource(r, 'after', '/workloads/halt')).toEqual({ halted: false, posts: 15 });
  expect(resource(r, 'after', AGENTCORE_GATEWAY_ID)).toMatchObject({ policyEngine: `${HALT_POLICY_ENGINE} (ENFORCE)` });
  expect(resource(r, 'after', PROXY)).toMatchObject({ desiredCount: 0, minCapacity: 0, maxCapacity: 0 });
});

describe('each part is attempted whatever happened to the ones before: one that does not halt is recorded, the others halt, and one escalation names each', () => {
  test('the gateway is not found: the proxy is still pinned at 0 and both kill switches POSTed, what halted is verified, and the resume puts back only the proxy', async () => {
    const { results: [r] } = await runDrill(['--event', EVENT, '--fault', 'bedrock-agentcore:GetGateway=not-foundx500', '--then-undo', '--approve', 'alice', '--json', '--calls']);

    expect(r).toMatchObject({ outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }] });
    expect(r!.runs.map((x) => x.status)).toEqual(['SUCCEEDED']);
    const escalation = escalationOf(r);
    expect(partsOf(escalation)).toEqual([
      expect.stringMatching(new RegExp(`^gateway: not halted \\(TargetNotFound: AgentCore gateway ${AGENTCORE_GATEWAY_ID} does not exist`)),
      'proxy: scaled to zero', 'kill switch: /portfolio/kill_switch: halted (200); /workloads/halt: halted (200)',
    ]);
    // Only the proxy is verified: the gateway did not halt, so it is not read again.
    expect(escalation).toMatch(/what halted is verified \(proxy \S+ desired 0, running 0, scalable target 0-0\)/);
    expect(r!.actions.map((a) => [a.operation, a.target, a.status, a.auditedBeforeCall])).toEqual([
      ['application-autoscaling:RegisterScalableTarget', PROXY, 'succeeded', true],
      ['application:PostKillSwitch', '/portfolio/kill_switch', 'succeeded', true],
      ['application:PostKillSwitch', '/workloads/halt', 'succeeded', true],
    ]);
    expect(of(callsOf(r), 'bedrock-agentcore', 'UpdateGateway')).toEqual([]);
    expect(resource(r, 'after', PROXY)).toMatchObject({ desiredCount: 0, runningCount: 0, minCapacity: 0, maxCapacity: 0 });
    expect(resource(r, 'after', '/workloads/halt')).toEqual({ halted: true, posts: 1 });
    // The resume puts back what this halt changed: the proxy's range, nothing of the gateway.
    expect(r!.undo).toMatchObject({ outcome: 'remediated', restored: true });
    expect(r!.undo!.actions.map((a) => [a.operation, a.target, a.status])).toEqual([['application-autoscaling:RegisterScalableTarget', PROXY, 'succeeded']]);
  });

  test('the gateway\'s change is refused (it runs under another role): recorded as a failed row, the proxy and the kill switches still halted', async () => {
    const { results: [r] } = await runDrill(['--scenario', scenario('agentcore-gateway-other-role'), '--event', EVENT, '--json', '--calls']);

    expect(r).toMatchObject({ outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }] });
    expect(partsOf(escalationOf(r))).toEqual([
      expect.stringMatching(/^gateway: not halted \(ChangeRejected: AgentCore gateway \S+ runs under arn:aws:iam::111122223333:role\/someone-elses-gateway-role, not the configured /),
      'proxy: scaled to zero', 'kill switch: /portfolio/kill_switch: halted (200); /workloads/halt: halted (200)',
    ]);
    expect(r!.actions.map((a) => [a.operation, a.target, a.status])).toEqual([
      ['bedrock-agentcore:UpdateGateway', AGENTCORE_GATEWAY_ID, 'failed'],
      ['application-autoscaling:RegisterScalableTarget', PROXY, 'succeeded'],
      ['application:PostKillSwitch', '/portfolio/kill_switch', 'succeeded'],
      ['application:PostKillSwitch', '/workloads/halt', 'succeeded'],
    ]);
    expect(of(callsOf(r), 'bedrock-agentcore', 'UpdateGateway')).toEqual([]);
    expect(resource(r, 'after', AGENTCORE_GATEWAY_ID)).toEqual(resource(r, 'before', AGENTCORE_GATEWAY_ID));
    expect(resource(r, 'after', PROXY)).toMatchObject({ desiredCount: 0, minCapacity: 0, maxCapacity: 0 });
    expect(resource(r, 'after', '/portfolio/kill_switch')).toEqual({ halted: true, posts: 1 });
  });

  test('the proxy\'s update is denied once: the gateway and the kill switches halt, one escalation names the proxy, which is scaled to zero at the second attempt after it; then every part is verified and the halt is paged as done', async () => {
    const { results: [r] } = await runDrill(['--event', EVENT, '--fault', 'application-autoscaling:RegisterScalableTarget=access-deniedx1', '--json', '--calls']);

    expect(r).toMatchObject({ outcome: 'remediated', notifications: [{ outcome: 'escalated', topic: 'critical' }, { outcome: 'remediated', topic: 'critical' }] });
    expect(r!.runs.map((x) => x.status)).toEqual(['SUCCEEDED']);
    const escalation = escalationOf(r);
    // Only the gateway is verified before the page: the proxy had not halted.
    expect(escalation).toMatch(/what halted is verified \(gateway \S+ READY, policy engine alphaswarm_prod_halt_deny_all-h7d3s9f2c5 \(ENFORCE\)\)/);
    expect(partsOf(escalation)).toEqual([
      'gateway: halted', expect.stringMatching(/^proxy: not halted; attempted again after this page \(AwsAccessDenied: application-autoscaling:RegisterScalableTarget on /),
      'kill switch: /portfolio/kill_switch: halted (200); /workloads/halt: halted (200)',
    ]);
    const done = pagesOf(r).find((p) => p.startsWith('agentcore-halt: remediated'))!;
    expect(partsOf(done)).toEqual(['gateway: halted', 'proxy: scaled to zero at the second attempt', 'kill switch: /portfolio/kill_switch: halted (200); /workloads/halt: halted (200)']);
    expect(done).toMatch(/AgentCore halted in prod: gateway \S+ READY, .*; proxy \S+ desired 0, running 0, scalable target 0-0/);
    // Each change once, its row of intent first; each kill switch POSTed once.
    expect(r!.actions.map((a) => [a.operation, a.target, a.status, a.auditedBeforeCall])).toEqual([
      ['bedrock-agentcore:UpdateGateway', AGENTCORE_GATEWAY_ID, 'succeeded', true],
      ['application-autoscaling:RegisterScalableTarget', PROXY, 'succeeded', true],
      ['application:PostKillSwitch', '/portfolio/kill_switch', 'succeeded', true],
      ['application:PostKillSwitch', '/workloads/halt', 'succeeded', true],
    ]);
    // The pin was sent twice (denied, then at the second attempt) and took effect once.
    expect(of(callsOf(r), 'application-autoscaling', 'RegisterScalableTarget')).toHaveLength(2);
    expect(r!.runs.flatMap((x) => x.calls.filter((c) => c.applied).map((c) => c.operation))).toEqual(['bedrock-agentcore:UpdateGateway', 'application-autoscaling:RegisterScalableTarget']);
    expect(resource(r, 'after', PROXY)).toMatchObject({ desiredCount: 0, runningCount: 0, minCapacity: 0, maxCapacity: 0 });
    expect(resource(r, 'after', '/workloads/halt')).toEqual({ halted: true, posts: 1 });
  });

  test('the proxy\'s update is denied for good: the gateway and the kill switches halt, one escalation names each part, and the proxy\'s second attempt fails the execution there (a redrive retries it)', async () => {
    const { results: [r] } = await runDrill(['--event', EVENT, '--fault', 'application-autoscaling:RegisterScalableTarget=access-deniedx500', '--json', '--calls']);

    expect(r).toMatchObject({ outcome: 'failed', notifications: [{ outcome: 'escalated', topic: 'critical' }, { outcome: 'failed', topic: 'critical', via: 'rule' }] });
    expect(r!.runs.map((x) => [x.status, x.failedAt])).toEqual([['FAILED', 'Scale the proxy to zero again']]);
    expect(partsOf(escalationOf(r))).toEqual([
      'gateway: halted', expect.stringMatching(/^proxy: not halted; attempted again after this page \(AwsAccessDenied: /),
      'kill switch: /portfolio/kill_switch: halted (200); /workloads/halt: halted (200)',
    ]);
    expect(r!.actions.map((a) => [a.operation, a.target, a.status])).toEqual([
      ['bedrock-agentcore:UpdateGateway', AGENTCORE_GATEWAY_ID, 'succeeded'],
      ['application-autoscaling:RegisterScalableTarget', PROXY, 'failed'],
      ['application:PostKillSwitch', '/portfolio/kill_switch', 'succeeded'],
      ['application:PostKillSwitch', '/workloads/halt', 'succeeded'],
    ]);
    expect(resource(r, 'after', AGENTCORE_GATEWAY_ID)).toMatchObject({ policyEngine: `${HALT_POLICY_ENGINE} (ENFORCE)` });
    expect(resource(r, 'after', PROXY)).toEqual(resource(r, 'before', PROXY));
    expect(resource(r, 'after', '/workloads/halt')).toEqual({ halted: true, posts: 1 });
  });

  test('a dry run with the gateway not found: the proxy and the kill switches are planned, nothing changes, and the escalation names the gateway', async () => {
    const { results: [r] } = await runDrill(['--event', EVENT, '--dry-run', '--fault', 'bedrock-agentcore:GetGateway=not-foundx500', '--json', '--calls']);

    expect(r).toMatchObject({ outcome: 'escalated', notifications: [{ outcome: 'escalated', topic: 'critical' }] });
    expect(partsOf(escalationOf(r))).toEqual([
      expect.stringMatching(/^gateway: not halted \(TargetNotFound: /),
      'proxy: scaled to zero (planned, not made: dry run)',
      'kill switch: /portfolio/kill_switch: planned (POST planned, not sent); /workloads/halt: planned (POST planned, not sent)',
    ]);
    expect(r!.actions.map((a) => [a.operation, a.status])).toEqual([
      ['application-autoscaling:RegisterScalableTarget', 'planned'], ['application:PostKillSwitch', 'planned'], ['application:PostKillSwitch', 'planned'],
    ]);
    expect(r!.resources.after).toEqual(r!.resources.before);
  });
});
