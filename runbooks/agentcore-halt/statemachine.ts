/** agentcore-halt (seed 000 "Halt every AgentCore session", "Fan-out kill switch"): the emergency stop, immediate in every environment. */
import type { Retrier } from '../../statemachines/src/asl';
import { plannedOnly, pollUntilDone, runbookMachine, Spine, TRANSIENT } from '../../statemachines/src/spine';

const spine = new Spine('agentcore-halt');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed', 'InvalidInput'], 'Escalate: gateway or proxy not found');
/** A gateway still UPDATING refuses another update (ConflictException): waited out, then the halt goes on. */
const GATEWAY_BUSY: Retrier = { ErrorEquals: ['GatewayBusy'], IntervalSeconds: 10, MaxAttempts: 12, BackoffRate: 1, JitterStrategy: 'FULL' };
const STATE = ['environment', 'gateway', 'proxy'];

export default runbookMachine(spine, {
  comment: 'agentcore-halt (seed 000 "Halt every AgentCore session", "Fan-out kill switch"): admit -> read the gateway and the proxy -> stop new gateway invocations (attach the deny-all policy engine, ENFORCE; the whole previous configuration in the ledger) -> pin the proxy\'s scalable target at 0 (or its desired count to 0) -> POST each kill-switch endpoint -> wait for the gateway to be READY and the proxy to run no task -> page the critical topic. No approval in any environment: it is the emergency stop. The resume is the undo (npm run undo, approvers per environment, two in prod), which puts the gateway and the proxy back from the ledger; a kill-switch POST has no API inverse.',
  admitted: 'Read the gateway and the proxy',
  states: [
    {
      'Read the gateway and the proxy': invoke('InspectFunctionArn', {
        comment: 'GetGateway (status, policy engine), DescribeServices and DescribeScalableTargets of the proxy: what is already halted is not touched again.',
        result: STATE, at: '$.diagnosis', catch: [notFound], next: 'Gateway already halted?',
      }),
      'Gateway already halted?': {
        Type: 'Choice', Comment: 'A gateway already refusing every call (the deny-all engine enforced) is left as it is.',
        Choices: [{ Variable: '$.diagnosis.gateway.halted', BooleanEquals: true, Next: 'Proxy already stopped?' }],
        Default: 'Block gateway invocations',
      },
      'Block gateway invocations': mutation('GatewayFunctionArn', {
        comment: 'UpdateGateway with the configuration as read and the deny-all policy engine in ENFORCE mode (UpdateGateway has no status: see docs/runbooks.md). The whole previous configuration is recorded in the ledger before the call.',
        at: '$.gatewayAction', retry: [GATEWAY_BUSY, TRANSIENT],
        catch: [notFound, catches(['ChangeRejected'], 'Escalate: halt refused')], next: 'Proxy already stopped?',
      }),
      'Proxy already stopped?': {
        Type: 'Choice', Comment: 'A proxy at desired count 0 whose scalable target (if any) is pinned at 0 is left as it is.',
        Choices: [{ Variable: '$.diagnosis.proxy.stopped', BooleanEquals: true, Next: 'POST the kill switches' }],
        Default: 'Scale the proxy to zero',
      },
      'Scale the proxy to zero': mutation('ProxyFunctionArn', {
        comment: 'RegisterScalableTarget 0 to 0 (the desired count follows at once, and no scaling policy can raise it), or UpdateService desiredCount 0 where the service has no scalable target; the range and desired count it replaces are recorded first.',
        at: '$.proxyAction', catch: [notFound], next: 'POST the kill switches',
      }),
      'POST the kill switches': mutation('KillSwitchFunctionArn', {
        comment: "Seed 000 fan-out: POST /portfolio/kill_switch and /workloads/halt with the token from the configured secret, each its own ledger row written first. A POST that got no answer is sent again by the Retry, and after the retries the execution fails here (the execution-failure rule pages; a redrive sends again only the POSTs that did not answer); a refused one is escalated after the check. The gateway and the proxy stay halted either way.",
        result: ['posts', 'allHalted', 'planned', 'summary'], at: '$.killSwitch',
        catch: [catches(['TargetNotFound', 'TargetNotAllowed', 'InvalidInput'], 'Escalate: kill-switch token not found')],
        next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.killSwitch', otherwise: 'Start checking the halt' }),
    pollUntilDone(spine, {
      names: { start: 'Start checking the halt', check: 'Check the halt', decide: 'Halted?', wait: 'Wait for the gateway and the proxy' },
      fn: 'CheckFunctionArn', at: '$.check', reports: ['state', 'reason'], canFail: true,
      decideComment: 'The gateway is UPDATING after the call and READY again with the engine enforced; the proxy stops its tasks.',
      done: 'Kill switches halted?', givenUp: 'Escalate: halt not verified',
    }),
    {
      'Kill switches halted?': {
        Type: 'Choice', Comment: 'Every kill-switch endpoint answered that it halted.',
        Choices: [{ Variable: '$.killSwitch.allHalted', BooleanEquals: true, Next: 'Notify halted' }],
        Default: 'Escalate: kill switch refused',
      },
      'Notify halted': notify(
        'remediated',
        "States.Format('AgentCore halted in {}: {}; kill switch: {}. Resume (puts the gateway configuration and the proxy capacity back from the ledger; the kill switch is resumed by a person in the operator console): npm run undo -- {}', $.diagnosis.environment, $.check.reason, $.killSwitch.summary, $.admission.incident.id)",
        { evidence: { 'before.$': '$.diagnosis', 'after.$': '$.check.state', 'killSwitch.$': '$.killSwitch.posts' }, critical: true },
      ),
      'Escalate: kill switch refused': escalate(
        "States.Format('AgentCore halted in {} ({}), but a kill-switch endpoint did not halt: {}. POST it by hand now (seed 000: /portfolio/kill_switch and /workloads/halt, or the topbar KillSwitch)', $.diagnosis.environment, $.check.reason, $.killSwitch.summary)",
        { evidence: { 'after.$': '$.check.state', 'killSwitch.$': '$.killSwitch.posts' } },
      ),
      'Escalate: kill-switch token not found': escalate(
        "States.Format('the gateway and the proxy are halted in {}, but the kill switch was not POSTed: its token could not be read ({}). POST /portfolio/kill_switch and /workloads/halt by hand now (or the topbar KillSwitch)', $.diagnosis.environment, $.error.Cause)",
        { error: '$.error' },
      ),
      'Escalate: halt not verified': escalate("States.Format('the halt did not take in time or did not hold: {}. Stop the gateway and the proxy by hand', $.check.reason)", { evidence: '$.check.state' }),
      'Escalate: halt refused': escalate('the gateway was not changed: refused just before the call (the error says why); stop it by hand', { error: '$.error' }),
      'Escalate: gateway or proxy not found': escalate('the AgentCore gateway or the proxy service does not exist, or the environment is not configured: nothing changed by this step', { error: '$.error' }),
    },
  ],
});
