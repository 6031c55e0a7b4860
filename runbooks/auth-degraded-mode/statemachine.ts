/** auth-degraded-mode (seed 001 D "Auth0 JWKS returns 503"): permissive auth while the identity provider is down, only behind the operator UI's firewall, with a scheduled revert. */
import { approvalGate, plannedOnly, pollUntilDone, runbookMachine, Spine } from '../../statemachines/src/spine';

const spine = new Spine('auth-degraded-mode');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: service not found');

export default runbookMachine(spine, {
  comment: "auth-degraded-mode (seed 001 D 'Auth0 JWKS returns 503'): the service's JWKS failures alarm. admit -> diagnose (DescribeServices, DescribeTaskDefinition: what the container sets ALPHASWARM_AUTH_ENFORCE to; the target's config fact: operator UI firewalled at the ingress?) -> not firewalled: notify, nothing changed -> ask (gated everywhere but dev) -> RegisterTaskDefinition (only the variable permissive), then UpdateService to it, the previous revision recorded first -> schedule the revert (EventBridge Scheduler, one-time, per incident, deleted after it runs; it starts the undo) -> watch the rollout -> page the critical topic: a hard rule is bypassed until the revert (the P1 follow-up). The revert is the undo: the recorded task definition back, only while the service runs the permissive one, verified; an operator's npm run undo reverts early and deletes the schedule.",
  admitted: 'Read the service and its auth mode',
  // No alarm to verify by here: the rollout's check (every desired task on the permissive revision) is the verification.
  verifiedBy: '$.check',
  states: [
    {
      'Read the service and its auth mode': invoke('InspectFunctionArn', {
        comment: "Seed 001 D: what the service's container sets ALPHASWARM_AUTH_ENFORCE to now (a mode, never a secret), the task definition it runs, and the precondition: its operator UI firewalled at the ingress (config).",
        result: ['service', 'taskDefinition', 'container', 'variable', 'value', 'operatorUiFirewalled', 'plan', 'revertAfterMinutes', 'call', 'summary'],
        at: '$.diagnosis', catch: [notFound], next: 'Degrade auth?',
      }),
      'Degrade auth?': {
        Type: 'Choice', Comment: 'Only a firewalled operator UI goes on (seed 001 D: "ONLY do this if your operator UI is firewalled at the Ingress layer"); already permissive notifies; anything else escalates, nothing changed.',
        Choices: [
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'degrade', Next: 'Prepare degrade-auth approval' },
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'not-firewalled', Next: 'Notify: operator UI not firewalled' },
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'already-permissive', Next: 'Notify: already permissive' },
        ],
        Default: 'Escalate: auth not degraded',
      },
      'Notify: operator UI not firewalled': notify('skipped', '$.diagnosis.summary', { evidence: '$.diagnosis', critical: true }),
      'Notify: already permissive': notify('skipped', '$.diagnosis.summary', { evidence: '$.diagnosis', critical: true }),
      'Escalate: auth not degraded': escalate('$.diagnosis.summary', { evidence: '$.diagnosis' }),
    },
    approvalGate(spine, {
      names: { prepare: 'Prepare degrade-auth approval', ask: 'Ask to degrade auth: wait for approvers', rejected: 'Degrade rejected', approved: 'Degrade approved?' },
      step: 'degrade-auth', at: '$.degradeApproval', deadline: 'DegradeApprovalTimeoutSeconds',
      prepare: { comment: 'Gated wherever the environment requires approvals (every environment but dev); the deadline per level comes from the gate severity.' },
      ask: {
        comment: 'The exact change (a new revision of the running task definition with only ALPHASWARM_AUTH_ENFORCE permissive, deployed to the service), when the revert runs, and the diagnosis.',
        gate: { operation: 'ecs:UpdateService', 'target.$': '$.diagnosis.service', 'parameters.$': '$.diagnosis.call', evidence: { 'diagnosis.$': '$.diagnosis' } },
      },
      approvedComment: 'Auth is degraded only on $.approval.decision == approved (or a timeout on a gate marked proceed).',
      whenApproved: 'Register the permissive revision', otherwise: 'Escalate: degrade not approved',
    }),
    {
      'Escalate: degrade not approved': escalate(
        "States.Format('auth stays enforced: the change was {}. {}', $.approval.decision, $.diagnosis.summary)",
        { evidence: '$.approval' },
      ),
      'Register the permissive revision': mutation('RegisterFunctionArn', {
        comment: "Seed 001 D 'kubectl set env ... ALPHASWARM_AUTH_ENFORCE=permissive', on ECS: RegisterTaskDefinition of the running revision with only that variable changed (every other field, secret reference and tag kept). The revision the service runs is recorded in the ledger before the call; a retry finds its own registration instead of making another.",
        payload: { 'call.$': '$.diagnosis.call', 'approval.$': '$.approval' },
        result: ['operation', 'target', 'before', 'after', 'replayed', 'planned', 'parameters', 'registered', 'from', 'summary'], at: '$.registration',
        catch: [notFound], next: 'Set auth to permissive',
      }),
      'Set auth to permissive': mutation('DegradeFunctionArn', {
        comment: 'UpdateService to the permissive revision; the task definition it replaces is recorded in the ledger first (the revert puts it back). A service changed since the diagnosis is refused (ChangeRejected), nothing deployed.',
        payload: { 'call.$': '$.diagnosis.call', 'approval.$': '$.approval', 'registered.$': '$.registration.registered', 'summary.$': '$.registration.summary' },
        result: ['operation', 'target', 'before', 'after', 'replayed', 'planned', 'parameters', 'registered', 'from', 'summary'], at: '$.action',
        catch: [notFound, catches(['ChangeRejected'], 'Escalate: service changed since it was read')], next: 'Schedule the revert',
      }),
      'Schedule the revert': mutation('ScheduleFunctionArn', {
        comment: "Seed 001 D post-incident 'schedule the revert as a P1 task': one EventBridge Scheduler schedule per incident (at(...), UTC, ActionAfterCompletion DELETE) starting the undo of this incident. Recorded first; a re-run finds it by name. A dry run plans it. Failing after its Retry fails the execution here: the execution-failure rule pages that a hard rule is bypassed with no revert scheduled, and a redrive schedules it.",
        result: ['operation', 'target', 'before', 'after', 'replayed', 'planned', 'parameters', 'schedule', 'revertAt', 'summary'], at: '$.revert',
        next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Start watching the rollout' }),
    pollUntilDone(spine, {
      names: { start: 'Start watching the rollout', check: 'Check the rollout', decide: 'Rollout complete?', wait: 'Wait for the rollout' },
      fn: 'CheckFunctionArn', at: '$.check', payload: { 'taskDefinition.$': '$.action.registered' }, reports: ['service'], canFail: true,
      decideComment: 'Bounded by rolloutTimeoutMinutes: complete when every desired task runs the permissive revision.',
      done: 'Notify: auth permissive until the revert', givenUp: 'Escalate: rollout did not complete',
    }),
    {
      'Notify: auth permissive until the revert': notify(
        'remediated',
        "States.Format('P1 follow-up: a hard rule is bypassed. {} The rollout completed; {}={} on {} until {}, when the scheduled revert ({}) puts {} back and verifies it. Revert early: npm run undo -- {} (also deletes the schedule). Keep permissive longer: aws scheduler delete-schedule --name {} (then revert by hand with npm run undo).', $.action.summary, $.diagnosis.variable, $.diagnosis.call.value, $.diagnosis.service, $.revert.revertAt, $.revert.schedule, $.action.from, $.admission.incident.id, $.revert.schedule)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'change.$': '$.action', 'revert.$': '$.revert', 'check.$': '$.check.service' }, critical: true },
      ),
      'Escalate: rollout did not complete': escalate(
        "States.Format('{} The rollout failed or did not complete in time; the revert is scheduled for {} ({}). Revert now: npm run undo -- {}', $.action.summary, $.revert.revertAt, $.revert.schedule, $.admission.incident.id)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'change.$': '$.action', 'revert.$': '$.revert', 'check.$': '$.check.service' } },
      ),
      'Escalate: service changed since it was read': escalate(
        'auth not degraded: the service changed since the runbook read it (a deployment since); nothing was deployed, a human looks at it as it is now',
        { error: '$.error' },
      ),
      'Escalate: service not found': escalate('the service does not exist, or is not a configured target: nothing was changed', { error: '$.error' }),
    },
  ],
});
