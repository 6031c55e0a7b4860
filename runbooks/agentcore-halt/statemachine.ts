/** agentcore-halt (seed 000 "Halt every AgentCore session", "Fan-out kill switch"): the emergency stop, immediate in every environment. */
import type { Retrier } from '../../statemachines/src/asl';
import {
  attemptAgain, carryOn, everyPartDone, pollUntilDone, recordPart, runbookMachine, Spine, startParts, TRANSIENT, type Part,
} from '../../statemachines/src/spine';

const spine = new Spine('agentcore-halt');
const { invoke, mutation, notify, escalate } = spine;
/** A gateway still UPDATING refuses another update (ConflictException): waited out, then the halt goes on. */
const GATEWAY_BUSY: Retrier = { ErrorEquals: ['GatewayBusy'], IntervalSeconds: 10, MaxAttempts: 12, BackoffRate: 1, JitterStrategy: 'FULL' };
/** A part's decided failures: its target not found, not this halt's to touch, no input naming it. */
const NOT_FOUND = ['TargetNotFound', 'TargetNotAllowed', 'InvalidInput'];
/** ...and for a change, its refusal; for the gateway, still busy after the waits. Attempting these again mends nothing. */
const REFUSED = [...NOT_FOUND, 'ChangeRejected'];
const GATEWAY_DECIDED = [...REFUSED, 'GatewayBusy'];

/** The three parts, each attempted whatever happened to the ones before; each one's outcome at $.halt.<part>. */
const GATEWAY: Part = { at: '$.halt.gateway', part: 'gateway' };
const PROXY: Part = { at: '$.halt.proxy', part: 'proxy' };
const KILL_SWITCH: Part = { at: '$.halt.killSwitch', part: 'kill switch' };
const PARTS = [GATEWAY, PROXY, KILL_SWITCH];
const NOT_HALTED = 'not halted';
const ATTEMPTED_AGAIN = 'not halted; attempted again after this page';

/** A part's failures in its first attempt: a decided one is recorded; any other is recorded to be attempted again after the page. */
function firstAttempt(part: Part, label: string, decided: readonly string[], next: string) {
  const refused = carryOn(spine, part, {
    name: `${label}: not halted`, errors: decided, outcome: NOT_HALTED, next,
    comment: `The ${part.part} was not found, not this halt's, or its change refused: recorded with its error; the next part is attempted all the same.`,
  });
  const again = carryOn(spine, part, {
    name: `${label}: to attempt again`, errors: ['States.ALL'], outcome: ATTEMPTED_AGAIN, also: { again: true }, next,
    comment: `The ${part.part} failed after its retries (no answer, access denied...): recorded; the next part is attempted, and after the page this one is attempted again, failing the execution there if it fails again (a redrive retries it).`,
  });
  return { catch: [refused.catch, again.catch], states: { ...refused.states, ...again.states } };
}
/** A part's decided failures in its second attempt (anything else fails the execution there). */
const secondAttempt = (part: Part, label: string, decided: readonly string[], next: string) => carryOn(spine, part, {
  name: `${label}: not halted at the second attempt`, errors: decided, outcome: NOT_HALTED, next,
  comment: `The ${part.part} was not found or its change refused at the second attempt: recorded with its error.`,
});

const gatewayFirst = firstAttempt(GATEWAY, 'Gateway', GATEWAY_DECIDED, 'Read the proxy');
const proxyFirst = firstAttempt(PROXY, 'Proxy', REFUSED, 'POST the kill switches');
const killSwitchFirst = firstAttempt(KILL_SWITCH, 'Kill switch', NOT_FOUND, 'Dry run?');
const gatewaySecond = secondAttempt(GATEWAY, 'Gateway', GATEWAY_DECIDED, 'Proxy again?');
const proxySecond = secondAttempt(PROXY, 'Proxy', REFUSED, 'Kill switch again?');
const killSwitchSecond = secondAttempt(KILL_SWITCH, 'Kill switch', NOT_FOUND, 'Dry run?');

const GATEWAY_COMMENT = 'UpdateGateway with the configuration as read and the deny-all policy engine in ENFORCE mode (UpdateGateway has no status: see docs/runbooks.md). The whole previous configuration is recorded in the ledger before the call; a gateway already halted is left as it is.';
const PROXY_COMMENT = 'RegisterScalableTarget 0 to 0 (the desired count follows at once, and no scaling policy can raise it), or UpdateService desiredCount 0 where the service has no scalable target; the range and desired count it replaces are recorded first.';
const KILL_SWITCH_COMMENT = 'Seed 000 fan-out: POST /portfolio/kill_switch and /workloads/halt with the token from the configured secret, each its own ledger row written first (a Retry, the second attempt or a redrive replays a POST that answered and sends again only one that did not). Every endpoint is tried; a refused one (4xx) is reported.';
const KILL_SWITCH_RESULT = ['posts', 'allHalted', 'planned', 'summary'];
const SECOND = 'The second attempt, after the page: a failure it does not decide fails the execution here (the execution-failure rule pages; a redrive retries this step).';

export default runbookMachine(spine, {
  comment: 'agentcore-halt (seed 000 "Halt every AgentCore session", "Fan-out kill switch"): admit -> three independent parts, each attempted whatever happened to the ones before, its outcome recorded at $.halt: the gateway (read it; unless already halted, attach the deny-all policy engine, ENFORCE, the whole previous configuration in the ledger), the proxy (read it; unless already stopped, pin its scalable target at 0, or its desired count to 0), the kill switch (POST each endpoint) -> verify the gateway and the proxy where they halted (READY with the engine enforced, no task running) -> every part halted: page the critical topic; any part not: one escalation naming each part and its outcome, with each failure\'s error. A part that failed for a reason a retry may mend (no answer after the retries, access denied) is then attempted once more, and the execution fails there if it fails again (the execution-failure rule pages; a redrive retries that step). No approval in any environment: it is the emergency stop. The resume is the undo (npm run undo, approvers per environment, two in prod), which puts the gateway and the proxy back from the ledger; a kill-switch POST has no API inverse.',
  admitted: 'Start the halt',
  // No alarm to verify by: the halt's check (the gateway READY with the engine enforced, the proxy running no task) is the verification.
  verifiedBy: '$.check',
  states: [
    startParts({
      name: 'Start the halt', at: '$.halt', next: 'Read the gateway',
      comment: 'Each part\'s outcome is kept at $.halt.<part> (gateway, proxy, killSwitch): { part, done, outcome, planned?, error?, again? }.',
    }),
    {
      'Read the gateway': invoke('InspectFunctionArn', {
        comment: 'GetGateway (status, policy engine): a gateway already halted is not touched again.',
        payload: { part: 'gateway' }, result: ['gatewayId', 'status', 'halted', 'policyEngine'], at: '$.gateway',
        catch: gatewayFirst.catch, next: 'Gateway already halted?',
      }),
      'Gateway already halted?': {
        Type: 'Choice', Comment: 'A gateway already refusing every call (the deny-all engine enforced) is left as it is.',
        Choices: [{ Variable: '$.gateway.halted', BooleanEquals: true, Next: 'Gateway: already halted' }],
        Default: 'Block gateway invocations',
      },
      'Block gateway invocations': mutation('GatewayFunctionArn', {
        comment: `${GATEWAY_COMMENT} A refusal (the configuration changed since it was recorded, another role) or a gateway still busy after the waits is recorded and the halt goes on.`,
        at: '$.gatewayAction', retry: [GATEWAY_BUSY, TRANSIENT], catch: gatewayFirst.catch, next: 'Gateway: halted',
      }),
      'Gateway: already halted': recordPart(GATEWAY, { done: true, outcome: 'already halted', next: 'Read the proxy' }),
      'Gateway: halted': recordPart(GATEWAY, { done: true, outcome: 'halted', planned: '$.gatewayAction.planned', next: 'Read the proxy' }),
      ...gatewayFirst.states,

      'Read the proxy': invoke('InspectFunctionArn', {
        comment: 'DescribeServices and DescribeScalableTargets of the proxy: a proxy already stopped is not touched again.',
        payload: { part: 'proxy' }, result: ['service', 'desiredCount', 'runningCount', 'scalableTarget', 'stopped'], at: '$.proxy',
        catch: proxyFirst.catch, next: 'Proxy already stopped?',
      }),
      'Proxy already stopped?': {
        Type: 'Choice', Comment: 'A proxy at desired count 0 whose scalable target (if any) is pinned at 0 is left as it is.',
        Choices: [{ Variable: '$.proxy.stopped', BooleanEquals: true, Next: 'Proxy: already stopped' }],
        Default: 'Scale the proxy to zero',
      },
      'Scale the proxy to zero': mutation('ProxyFunctionArn', { comment: PROXY_COMMENT, at: '$.proxyAction', catch: proxyFirst.catch, next: 'Proxy: halted' }),
      'Proxy: already stopped': recordPart(PROXY, { done: true, outcome: 'already stopped', next: 'POST the kill switches' }),
      'Proxy: halted': recordPart(PROXY, { done: true, outcome: 'scaled to zero', planned: '$.proxyAction.planned', next: 'POST the kill switches' }),
      ...proxyFirst.states,

      'POST the kill switches': mutation('KillSwitchFunctionArn', {
        comment: KILL_SWITCH_COMMENT, result: KILL_SWITCH_RESULT, at: '$.killSwitch', catch: killSwitchFirst.catch, next: 'Kill switches halted?',
      }),
      'Kill switches halted?': {
        Type: 'Choice', Comment: 'Every kill-switch endpoint answered that it halted (or, in a dry run, every POST is planned).',
        Choices: [{ Variable: '$.killSwitch.allHalted', BooleanEquals: true, Next: 'Kill switch: halted' }],
        Default: 'Kill switch: refused',
      },
      // Its summary says each POST's outcome (planned, in a dry run).
      'Kill switch: halted': recordPart(KILL_SWITCH, { done: true, outcome: '$.killSwitch.summary', next: 'Dry run?' }),
      'Kill switch: refused': recordPart(KILL_SWITCH, {
        done: false, outcome: "States.Format('not halted: {}', $.killSwitch.summary)", next: 'Dry run?',
        comment: 'An endpoint refused the POST (4xx, e.g. the token not accepted): nothing halted by it.',
      }),
      ...killSwitchFirst.states,

      'Dry run?': {
        Type: 'Choice', Comment: 'A dry run planned each call and made none: nothing to verify.',
        Choices: [{ Variable: '$.admission.dryRun', BooleanEquals: true, Next: 'Every part planned?' }],
        Default: 'Anything to verify?',
      },
      'Every part planned?': everyPartDone(PARTS, {
        comment: 'Every part planned (or already halted): the plan is notified; a part that could not even be planned is escalated.',
        every: 'Verify: planned, not verified', notEvery: 'Escalate: not every part halted',
      }),
      'Verify: planned, not verified': {
        Type: 'Pass', Comment: 'Nothing changed, so nothing is verified: the result says so rather than claiming success.',
        Result: { status: 'planned', reason: 'planned; not verified' }, ResultPath: '$.verify', Next: 'Notify plan (dry run)',
      },
      'Notify plan (dry run)': notify('skipped', 'dry run: the exact calls are planned in the ledger; nothing was changed (planned; not verified)', { parts: '$.halt' }),
      'Anything to verify?': {
        Type: 'Choice', Comment: 'The gateway or the proxy halted (or was found halted): verify what did; neither did: nothing to verify.',
        Choices: [{ Or: [{ Variable: '$.halt.gateway.done', BooleanEquals: true }, { Variable: '$.halt.proxy.done', BooleanEquals: true }], Next: 'Start checking the halt' }],
        Default: 'Escalate: not every part halted',
      },
    },
    pollUntilDone(spine, {
      names: { start: 'Start checking the halt', check: 'Check the halt', decide: 'Halted?', wait: 'Wait for the gateway and the proxy' },
      fn: 'CheckFunctionArn', at: '$.check', reports: ['state', 'reason'], canFail: true,
      payload: { verify: { 'gateway.$': '$.halt.gateway.done', 'proxy.$': '$.halt.proxy.done' } },
      decideComment: 'The gateway is UPDATING after the call and READY again with the engine enforced; the proxy stops its tasks. Only the parts that halted are checked.',
      done: 'Every part halted?', givenUp: 'Escalate: halt not verified',
    }),
    {
      'Every part halted?': everyPartDone(PARTS, {
        comment: 'The gateway, the proxy and every kill-switch endpoint halted.',
        every: 'Notify halted', notEvery: 'Escalate: part of the halt failed',
      }),
      'Notify halted': notify(
        'remediated',
        "States.Format('AgentCore halted in {}: {}. Resume (puts the gateway configuration and the proxy capacity back from the ledger; the kill switch is resumed by a person in the operator console): npm run undo -- {}', $.check.state.environment, $.check.reason, $.admission.incident.id)",
        { evidence: { 'after.$': '$.check.state', 'killSwitch.$': '$.killSwitch.posts' }, parts: '$.halt', critical: true },
      ),
      'Escalate: part of the halt failed': escalate(
        "States.Format('the halt of {} is not complete: what halted is verified ({}); halt by hand each part that did not (seed 000; the kill switch: /portfolio/kill_switch and /workloads/halt, or the topbar KillSwitch)', $.check.state.environment, $.check.reason)",
        { evidence: { 'after.$': '$.check.state' }, parts: '$.halt', next: 'Attempt a part again?' },
      ),
      'Escalate: not every part halted': escalate(
        "States.Format('the halt of {} is not complete, and nothing it changed is verified: halt by hand each part that did not (seed 000; the kill switch: /portfolio/kill_switch and /workloads/halt, or the topbar KillSwitch)', $.admission.incident.target)",
        { parts: '$.halt', next: 'Attempt a part again?' },
      ),
      'Escalate: halt not verified': escalate(
        "States.Format('the halt did not take in time or did not hold: {}. Stop the gateway and the proxy by hand', $.check.reason)",
        { evidence: '$.check.state', parts: '$.halt', next: 'Attempt a part again?' },
      ),
    },
    attemptAgain({
      name: 'Attempt a part again?', comment: 'The page is out: a part that failed for a reason a retry may mend is attempted once more.',
      parts: [
        { part: GATEWAY, choice: 'Gateway again?', state: 'Block gateway invocations again' },
        { part: PROXY, choice: 'Proxy again?', state: 'Scale the proxy to zero again' },
        { part: KILL_SWITCH, choice: 'Kill switch again?', state: 'POST the kill switches again' },
      ],
      then: 'Dry run?', none: 'Halt escalated',
    }),
    {
      'Halt escalated': { Type: 'Succeed', Comment: 'The escalation names each part and its outcome; nothing is left to attempt again.' },
      'Block gateway invocations again': mutation('GatewayFunctionArn', {
        comment: `${GATEWAY_COMMENT} ${SECOND}`, at: '$.gatewayAction', retry: [GATEWAY_BUSY, TRANSIENT], catch: [gatewaySecond.catch], next: 'Gateway: halted at the second attempt',
      }),
      'Gateway: halted at the second attempt': recordPart(GATEWAY, { done: true, outcome: 'halted at the second attempt', planned: '$.gatewayAction.planned', next: 'Proxy again?' }),
      ...gatewaySecond.states,
      'Scale the proxy to zero again': mutation('ProxyFunctionArn', {
        comment: `${PROXY_COMMENT} ${SECOND}`, at: '$.proxyAction', catch: [proxySecond.catch], next: 'Proxy: halted at the second attempt',
      }),
      'Proxy: halted at the second attempt': recordPart(PROXY, { done: true, outcome: 'scaled to zero at the second attempt', planned: '$.proxyAction.planned', next: 'Kill switch again?' }),
      ...proxySecond.states,
      'POST the kill switches again': mutation('KillSwitchFunctionArn', {
        comment: `${KILL_SWITCH_COMMENT} ${SECOND}`, result: KILL_SWITCH_RESULT, at: '$.killSwitch', catch: [killSwitchSecond.catch], next: 'Kill switches halted?',
      }),
      ...killSwitchSecond.states,
    },
  ],
});
