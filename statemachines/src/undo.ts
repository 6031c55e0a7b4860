/** undo: puts back the values an incident's runbook replaced, from its ledger rows, once approved. */
import { UNGUARDED, type Definition } from './asl';
import { approvalGate, assemble, EXECUTION, fromPayload, INCIDENT, LAMBDA_INVOKE, Spine, TABLE_BUSY, TRANSIENT, withReport } from './spine';

// The undo catches its failures into its own path: it records the undo failed beside the incident
// (so it may be started again) and escalates; the stack's execution-failure rule watches runbooks only.
const UNDO_FAILURE = 'Record failure and escalate';
const UNDO_FAILED = 'Undo failed';
const spine = new Spine('undo', { failure: UNDO_FAILURE, failed: UNDO_FAILED, switches: false });
const { invoke, notify, escalate, catches } = spine;

const definition: Definition = {
  Comment: 'undo: puts back the values an incident\'s runbook replaced, from its ledger rows. admit/plan -> restore each (compare, then restore) -> verify -> notify; any failure escalates.',
  StartAt: 'Receive undo request',
  // Each decided ending rewrites the incident's report with the undo in it (from the ledger alone:
  // the undo's own data is not the incident's). A failed undo keeps the report as it was.
  States: withReport(spine, assemble(spine.name, [
    {
      'Receive undo request': {
        Type: 'Pass', Comment: 'Started by `npm run undo -- <incident-id>` (or StartExecution) with { incidentId, requestedBy }.',
        Parameters: { 'request.$': '$', admission: { incident: null, restores: [], notReversible: [] } }, Next: 'Admit and plan the undo',
      },
      'Admit and plan the undo': spine.task('PlanFunctionArn', {
        comment: 'Unknown, still running, already undone or nothing to restore: refused with a reason. Otherwise the undo is claimed in the incident\'s ledger record and each restore is planned from the recorded values.',
        payload: { 'request.$': '$.request', ...EXECUTION },
        result: ['decision', 'reason', 'incident', 'requestedBy', 'restores', 'notReversible', 'skipped'], at: '$.admission', next: 'Anything to restore?',
      }),
      'Anything to restore?': {
        Type: 'Choice', Comment: 'Something to restore: ask the approvers first (the environment approval policy).',
        Choices: [{ Variable: '$.admission.decision', StringEquals: 'undo', Next: 'Prepare undo approval' }], Default: 'Notify undo refused',
      },
      'Notify undo refused': notify('rejected', '$.admission.reason'),
    },
    approvalGate(spine, {
      names: {
        prepare: 'Prepare undo approval', ask: 'Ask to undo: wait for approvers', rejected: 'Undo rejected', recordRejection: 'Record undo rejection',
        escalate: 'Escalate undo approval?', resendL2: 'Re-send undo request to L2', resendL3: 'Re-send undo request to L3', timedOut: 'Undo approval timed out', approved: 'Undo approved?',
      },
      step: 'undo', at: '$.undoApproval', deadline: 'UndoApprovalTimeoutSeconds',
      prepare: {
        comment: "Seed 002: an undo changes production too, so it waits for the environment's approval policy (dev: none; staging: one; prod: two distinct approvers). The deadline comes from config undo.approval.severity, per escalation level.",
      },
      ask: {
        comment: 'The reusable approval step: one signed link per approver; the person who asked for the undo cannot approve it.',
        event: { 'startedBy.$': '$.admission.requestedBy' },
        gate: {
          'operation.$': '$.admission.restores[0].operation', 'target.$': '$.admission.restores[0].target', parameters: { 'restores.$': '$.admission.restores' },
          evidence: { 'requestedBy.$': '$.admission.requestedBy', 'notReversible.$': '$.admission.notReversible', 'skipped.$': '$.admission.skipped' },
        },
      },
      approvedComment: 'The restores run only on $.approval.decision == approved (or a timeout where undo.approval.onTimeout is proceed).',
      whenApproved: 'Restore each recorded value', otherwise: 'Record undo not approved',
      dryRunAsksNobody: false,
    }),
    {
      'Record undo not approved': invoke('FinishFunctionArn', {
        comment: 'Nothing was restored: the undo is recorded as not approved beside the incident, so it may be asked for again.',
        payload: { mode: 'not-approved', 'decision.$': '$.approval.decision' }, result: ['recorded'], at: '$.notApproved',
        catch: [catches(['States.ALL'], 'Escalate failure')], next: 'Notify undo not approved',
      }),
      'Notify undo not approved': escalate("States.Format('undo not approved ({}): nothing was restored', $.approval.decision)", { evidence: '$.approval' }),
      'Restore each recorded value': {
        Type: 'Map',
        Comment: 'Newest change first, one at a time: compare (the resource still holds what the runbook set) and restore the recorded value.',
        ItemsPath: '$.admission.restores', MaxConcurrency: 1,
        ItemSelector: { ...INCIDENT, ...EXECUTION, 'restore.$': '$$.Map.Item.Value', 'approval.$': '$.approval' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Restore recorded value',
          States: {
            'Restore recorded value': {
              Type: 'Task', Resource: LAMBDA_INVOKE,
              Parameters: { FunctionName: '${RestoreFunctionArn}', 'Payload.$': '$' },
              ResultSelector: fromPayload(['sourceKey', 'operation', 'target', 'outcome', 'reason', 'expected', 'found', 'restoredTo', 'replayed']),
              Retry: [TRANSIENT, TABLE_BUSY],
              End: true,
              [UNGUARDED]: 'the Map catches: a restore that fails after its retries stops the undo and escalates',
            },
          },
        },
        ResultPath: '$.restored',
        Catch: [catches(['States.ALL'], UNDO_FAILURE)],
        Next: 'Verify restored values',
      },
      'Verify restored values': invoke('FinishFunctionArn', {
        comment: 'Re-reads every restored resource, and records the undo\'s outcome beside the incident.',
        payload: { mode: 'verify', 'restores.$': '$.admission.restores', 'results.$': '$.restored', 'notReversible.$': '$.admission.notReversible' },
        result: ['allRestored', 'reason', 'checks'], at: '$.verification', next: 'Restored?',
      }),
      'Restored?': { Type: 'Choice', Choices: [{ Variable: '$.verification.allRestored', BooleanEquals: true, Next: 'Notify undone' }], Default: 'Escalate: not restored' },
      'Notify undone': notify('remediated', '$.verification.reason', { evidence: '$.verification.checks' }),
      'Escalate: not restored': escalate('$.verification.reason', { evidence: '$.restored' }),
      [UNDO_FAILURE]: invoke('FinishFunctionArn', {
        comment: 'Marks the undo failed beside the incident (so it may be run again), then escalates.',
        payload: { mode: 'fail', 'error.$': '$.error' }, result: ['recorded'], at: '$.failure',
        catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: 'Escalate failure' }], next: 'Escalate failure',
      }),
      'Escalate failure': notify('failed', 'an undo step failed (transient AWS errors are retried first; a refusal is not)', { error: '$.error', next: UNDO_FAILED }),
      [UNDO_FAILED]: {
        Type: 'Fail', Error: 'UndoFailed',
        Cause: 'An undo step failed after its retries, or its notification did. The ledger rows say which restores were made (undo-<step>) and what each replaced.',
      },
    },
  ]), { facts: false }),
};
export default definition;
