/** agentops-key (seed 003 §5 "AgentOps Connection Issues"): find the agent functions without their AgentOps key and set it from the secret, gated, recorded without the value. */
import { approvalGate, plannedOnly, pollUntilDone, runbookMachine, Spine, verifyAlarm } from '../../statemachines/src/spine';

const spine = new Spine('agentops-key');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: agent function not found');

export default runbookMachine(spine, {
  comment: "agentops-key (seed 003 §5 'AgentOps Connection Issues: verify the API key on each agent function; update it'): admit -> diagnose (GetFunctionConfiguration of every configured agent function: the key set, missing or empty, never its value) -> ask (gated) -> set the key from the configured secret into each function that lacks it (the whole environment merged, written with the RevisionId read, the environment recorded as digests first) -> wait for LastUpdateStatus Successful -> verify the alarm -> notify. Every function has the key: notify, nothing changed. The secret unreadable, or a function changed between read and write: escalate.",
  admitted: 'Read the agent functions',
  states: [
    {
      'Read the agent functions': invoke('InspectFunctionArn', {
        comment: "Seed 003 §5 'Verify API key': each configured agent function's environment, reported as the key's state only (set, missing or empty), and the plan.",
        result: ['functions', 'summary', 'plan'], at: '$.diagnosis', catch: [notFound], next: 'Set the key?',
      }),
      'Set the key?': {
        Type: 'Choice', Comment: 'Only functions without the key go on; every function with it notifies (the failures have another cause); an update in progress escalates, nothing changed.',
        Choices: [
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'set-key', Next: 'Prepare set-key approval' },
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'nothing-missing', Next: 'Notify: every function has the key' },
        ],
        Default: 'Escalate: key not set',
      },
      'Notify: every function has the key': notify('skipped', "States.Format('{}. {}', $.diagnosis.plan.reason, $.diagnosis.summary)", { evidence: '$.diagnosis' }),
      'Escalate: key not set': escalate("States.Format('key not set ({}): {}', $.diagnosis.plan.decision, $.diagnosis.plan.reason)", { evidence: '$.diagnosis' }),
    },
    approvalGate(spine, {
      names: { prepare: 'Prepare set-key approval', ask: 'Ask to set the key: wait for approvers', rejected: 'Set-key rejected', approved: 'Set-key approved?' },
      step: 'set-key', at: '$.setKeyApproval', deadline: 'SetKeyApprovalTimeoutSeconds',
      prepare: { comment: "The gate's deadline comes from its severity, per escalation level; an environment needing no approver approves at once." },
      ask: {
        comment: 'The approval step: the functions, the variable and the secret it is read from (never the value), and the diagnosis; the result lands at $.approval.',
        gate: {
          operation: 'lambda:UpdateFunctionConfiguration', 'target.$': '$.admission.incident.target',
          parameters: { 'FunctionNames.$': '$.diagnosis.plan.functions', 'Variable.$': '$.diagnosis.plan.variable', 'SecretId.$': '$.diagnosis.plan.secretId' },
          evidence: { 'diagnosis.$': '$.diagnosis' },
        },
      },
      approvedComment: 'The key is set only on $.approval.decision == approved (or a timeout on a step marked safe).',
      whenApproved: 'Set the key', otherwise: 'Escalate: key not set, not approved',
    }),
    {
      'Escalate: key not set, not approved': escalate("States.Format('the key stays unset: the change was {} ({})', $.approval.decision, $.diagnosis.plan.reason)", { evidence: '$.approval' }),
      'Set the key': mutation('SetKeyFunctionArn', {
        comment: 'GetSecretValue of the configured secret, then per function: the environment read with its RevisionId, the row of intent with the environment as digests, UpdateFunctionConfiguration of the whole merged environment naming that RevisionId. A function changed in between is refused by Lambda (ChangeRejected); a secret without the key changes nothing (KeySecretUnavailable).',
        payload: { 'approval.$': '$.approval', 'functions.$': '$.diagnosis.plan.functions' },
        result: ['operation', 'target', 'before', 'after', 'replayed', 'planned', 'parameters', 'functions', 'changed', 'summary'], at: '$.action',
        catch: [notFound, catches(['ChangeRejected'], 'Escalate: key not set, function changed'), catches(['KeySecretUnavailable'], 'Escalate: secret unavailable')],
        next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Start waiting for the update' }),
    pollUntilDone(spine, {
      names: { start: 'Start waiting for the update', check: 'Check update status', decide: 'Update successful?', wait: 'Wait for the update' },
      fn: 'CheckFunctionArn', at: '$.check', payload: { 'functions.$': '$.action.changed' }, reports: ['functions'], canFail: true,
      decideComment: 'Lambda applies a configuration update asynchronously: LastUpdateStatus is InProgress, then Successful or Failed.',
      done: 'Start verifying the alarm', givenUp: 'Escalate: update did not succeed',
    }),
    verifyAlarm(spine, { verified: 'Notify remediated' }),
    {
      'Escalate: update did not succeed': escalate('the environment update did not reach LastUpdateStatus Successful with the key set in time', { evidence: '$.check.functions' }),
      'Notify remediated': notify(
        'remediated',
        "States.Format('{} (LastUpdateStatus Successful); {}', $.action.summary, $.verify.reason)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'update.$': '$.check.functions' } },
      ),
      'Escalate: key not set, function changed': escalate('the key was not set: a function changed between its read and the write (Lambda refused the RevisionId) or has the key since; nothing was overwritten', { error: '$.error' }),
      'Escalate: secret unavailable': escalate('the key was not set: the configured secret does not exist or holds no key; nothing changed', { error: '$.error' }),
      'Escalate: agent function not found': escalate('an agent function does not exist or is not a configured target', { error: '$.error' }),
    },
  ],
});
