/** lambda-errors-rollback (seed 003 section 1 "Quick rollback", seed 004 "Lambda Errors"): a function's alias back to the previous version. */
import { approvalGate, plannedOnly, runbookMachine, Spine, verifyAlarm } from '../../statemachines/src/spine';

const spine = new Spine('lambda-errors-rollback');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: function or alias not found');

export default runbookMachine(spine, {
  comment: "lambda-errors-rollback (seed 003 section 1 'Quick rollback', seed 004 'Lambda Errors'): errors on a function's alias roll the alias back to the previous published version. admit -> diagnose (alias, versions, earlier rollbacks) -> ask (gated in staging and prod) -> UpdateAlias with RevisionId -> verify (alias, alarm back to OK) -> notify. Undo: the alias back to the version it served.",
  admitted: 'Read alias, versions and earlier rollbacks',
  states: [
    {
      'Read alias, versions and earlier rollbacks': invoke('InspectFunctionArn', {
        comment: 'GetAlias (version, canary weights, RevisionId), ListVersionsByFunction, and the ledger: versions an earlier rollback left (failing) or chose (good). Decides the version to go back to, or why there is none.',
        result: ['target', 'decision', 'reason', 'alias', 'versions', 'history', 'call'], at: '$.diagnosis', catch: [notFound], next: 'Anything to roll back to?',
      }),
      'Anything to roll back to?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.diagnosis.decision', StringEquals: 'rollback', Next: 'Prepare rollback approval' }],
        Default: 'Escalate: nothing to roll back to',
      },
      'Escalate: nothing to roll back to': escalate('$.diagnosis.reason', { evidence: '$.diagnosis' }),
    },
    approvalGate(spine, {
      names: {
        prepare: 'Prepare rollback approval', ask: 'Ask to roll back: wait for approvers', rejected: 'Rollback rejected', approved: 'Rollback approved?',
      },
      step: 'rollback', at: '$.rollbackApproval', deadline: 'RollbackApprovalTimeoutSeconds',
      prepare: { comment: "Gated in staging and prod (the environment's required approvals): the deadline per escalation level comes from the gate's severity." },
      ask: {
        comment: 'The exact UpdateAlias, RevisionId included: what runs is what the approvers saw, and an alias changed meanwhile is refused by Lambda.',
        gate: { operation: 'lambda:UpdateAlias', 'target.$': '$.diagnosis.target', 'parameters.$': '$.diagnosis.call', evidence: { 'diagnosis.$': '$.diagnosis' } },
      },
      approvedComment: 'The rollback runs only on $.approval.decision == approved (or a timeout on a gate marked proceed).',
      whenApproved: 'Roll back alias to the previous version', otherwise: 'Escalate: rollback not approved',
    }),
    {
      'Escalate: rollback not approved': escalate(
        "States.Format('the alias keeps serving the version that errs: the rollback was {}; a human decides. {}', $.approval.decision, $.diagnosis.reason)",
        { evidence: '$.approval' },
      ),
      'Roll back alias to the previous version': mutation('RollbackFunctionArn', {
        comment: "Seed 003 section 1 'Quick rollback': UpdateAlias to the chosen version, weights cleared, with the RevisionId read at diagnosis. The routing replaced is recorded in the ledger before the call.",
        payload: { 'call.$': '$.diagnosis.call', 'approval.$': '$.approval' }, at: '$.action',
        catch: [notFound, catches(['AliasChanged'], 'Escalate: alias changed since it was read')], next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Verify alias rolled back' }),
    {
      'Verify alias rolled back': invoke('CheckFunctionArn', {
        payload: { 'expected.$': '$.action.after' }, result: ['target', 'functionVersion', 'additionalVersionWeights', 'rolledBack'], at: '$.verification', next: 'Rolled back?',
      }),
      'Rolled back?': {
        Type: 'Choice', Choices: [{ Variable: '$.verification.rolledBack', BooleanEquals: true, Next: 'Start verifying the alarm' }], Default: 'Escalate: alias not rolled back',
      },
      'Escalate: alias not rolled back': escalate('the alias does not serve the version the rollback set', { evidence: '$.verification' }),
    },
    verifyAlarm(spine, { verified: 'Notify remediated' }),
    {
      'Notify remediated': notify(
        'remediated',
        "States.Format('{}; the alias now serves version {}; {}', $.diagnosis.reason, $.verification.functionVersion, $.verify.reason)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'rollback.$': '$.action' } },
      ),
      'Escalate: alias changed since it was read': escalate(
        'the alias changed since the runbook read it (its RevisionId no longer matches): Lambda refused the rollback and nothing was changed; a human looks at it as it is now',
        { error: '$.error' },
      ),
      'Escalate: function or alias not found': escalate('the function or its alias does not exist, or it is not a configured target: nothing was changed', { error: '$.error' }),
    },
  ],
});
