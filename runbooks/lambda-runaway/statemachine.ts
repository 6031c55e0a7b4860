/** lambda-runaway (seed 003 section 4): emergency stop of a runaway Lambda function, then a gated restore. */
import type { Condition } from '../../statemachines/src/asl';
import { approvalGate, plannedOnly, runbookMachine, Spine, verifyAlarm } from '../../statemachines/src/spine';

const spine = new Spine('lambda-runaway');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: function not found');
const READ = ['functionName', 'reservedConcurrency', 'state'];
/** Reserved concurrency is 0: the function is stopped. */
const stopped = (at: string): Condition =>
  ({ And: [{ Variable: `${at}.reservedConcurrency`, IsNumeric: true }, { Variable: `${at}.reservedConcurrency`, NumericEquals: 0 }] });

export default runbookMachine(spine, {
  comment: 'lambda-runaway (seed 003 section 4): emergency stop of a runaway Lambda function. admit -> diagnose -> act -> verify (function stopped, alarm back to OK) -> find what invokes it -> ask a human to restore (gated) -> restore -> verify -> notify.',
  admitted: 'Read function concurrency',
  states: [
    {
      'Read function concurrency': invoke('InspectFunctionArn', { result: READ, at: '$.diagnosis', catch: [notFound], next: 'Already stopped?' }),
      'Already stopped?': { Type: 'Choice', Choices: [{ ...stopped('$.diagnosis'), Next: 'Notify already stopped' }], Default: 'Stop function: reserved concurrency 0' },
      'Notify already stopped': notify('skipped', 'already stopped: reserved concurrency is 0', { evidence: '$.diagnosis' }),
      'Stop function: reserved concurrency 0': mutation('StopFunctionArn', {
        comment: 'Seed 003 section 4, emergency stop. The previous reserved concurrency is recorded in the ledger before the call.',
        at: '$.action', catch: [notFound], next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Verify function stopped' }),
    {
      'Verify function stopped': invoke('InspectFunctionArn', { result: READ, at: '$.verification', next: 'Stopped?' }),
      'Stopped?': { Type: 'Choice', Choices: [{ ...stopped('$.verification'), Next: 'Start verifying the alarm' }], Default: 'Escalate: function still running' },
      'Escalate: function still running': escalate('reserved concurrency is not 0 after the stop', { evidence: '$.verification' }),
    },
    verifyAlarm(spine, { verified: 'Find what invokes the function' }),
    {
      'Find what invokes the function': invoke('EvidenceFunctionArn', {
        comment: 'Seed 003 section 4, investigate cause, after the stop: the EventBridge rules, S3 notifications and event source mappings that invoke the function. Read-only; what cannot be read is reported as unavailable, and the stop stands either way.',
        result: ['functionName', 'rules', 'buckets', 'eventSourceMappings', 'unavailable', 'summary'], at: '$.evidence',
        catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.evidenceError', Next: 'Evidence unavailable' }],
        next: 'Prepare restore approval',
      }),
      'Evidence unavailable': {
        Type: 'Pass',
        Comment: 'Reading the evidence failed after its retries: the function stays stopped, and the notification says what could not be read.',
        Parameters: {
          'functionName.$': '$.verification.functionName', rules: [], buckets: [], eventSourceMappings: [],
          'unavailable.$': "States.Array(States.Format('{}: {}', $.evidenceError.Error, $.evidenceError.Cause))",
          'summary.$': "States.Format('evidence unavailable: {}', $.evidenceError.Error)",
        },
        ResultPath: '$.evidence', Next: 'Prepare restore approval',
      },
    },
    approvalGate(spine, {
      names: {
        prepare: 'Prepare restore approval', ask: 'Ask to restore: wait for approvers', rejected: 'Restore rejected', approved: 'Restore approved?',
      },
      step: 'restore', at: '$.restoreApproval', deadline: 'RestoreApprovalTimeoutSeconds',
      prepare: {
        comment: "Seed 003 section 4: after the stop, a human decides whether to restore to a conservative reserved concurrency. The deadline comes from the gate's severity (seed 003 response times), per escalation level.",
        parameters: { 'reservedConcurrency.$': "States.StringToJson('${RestoreReservedConcurrency}')" },
      },
      ask: {
        comment: 'The approval step: the request handler keeps the task token in the ledger and sends each approver of this level their own signed link; only a POST on the approval page decides (SendTaskSuccess with the decisions, or SendTaskFailure ApprovalRejected). The result lands at $.approval.',
        gate: {
          operation: 'lambda:PutFunctionConcurrency', 'target.$': '$.admission.incident.target',
          parameters: { 'FunctionName.$': '$.admission.incident.target', 'ReservedConcurrentExecutions.$': '$.restoreApproval.reservedConcurrency' },
          evidence: { 'diagnosis.$': '$.diagnosis', 'stop.$': '$.action', 'verification.$': '$.verification', 'alarm.$': '$.verify', 'invokedBy.$': '$.evidence' },
        },
      },
      approvedComment: 'The reusable gate: the mutation runs only on $.approval.decision == approved (or a timeout on a step marked safe).',
      whenApproved: 'Restore function: conservative reserved concurrency', otherwise: 'Escalate: kept stopped, restore not approved',
    }),
    {
      'Escalate: kept stopped, restore not approved': escalate(
        "States.Format('the function stays stopped (reserved concurrency 0): the restore was {}; a human decides what next. {}', $.approval.decision, $.evidence.summary)",
        { evidence: '$.approval' },
      ),
      'Restore function: conservative reserved concurrency': mutation('RestoreFunctionArn', {
        comment: "Seed 003 section 4 'set conservative concurrency limits', as approved. The handler checks the ledger's approval names exactly this call; the replaced value (0) is recorded before the call.",
        payload: { 'approval.$': '$.approval' }, at: '$.restore', catch: [notFound], next: 'Verify function restored',
      }),
      'Verify function restored': invoke('InspectFunctionArn', { result: READ, at: '$.restoreVerification', next: 'Restored?' }),
      'Restored?': {
        Type: 'Choice',
        Choices: [{
          And: [{ Variable: '$.restoreVerification.reservedConcurrency', IsNumeric: true }, { Variable: '$.restoreVerification.reservedConcurrency', NumericEqualsPath: '$.restore.after' }],
          Next: 'Notify remediated',
        }],
        Default: 'Escalate: restore not applied',
      },
      'Notify remediated': notify(
        'remediated',
        "States.Format('emergency stop (reserved concurrency 0), then restored to a conservative {} after the approval step ({}); {}. {}', $.restore.after, $.approval.decision, $.verify.reason, $.evidence.summary)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'invokedBy.$': '$.evidence' } },
      ),
      'Escalate: restore not applied': escalate('the approved restore did not take: reserved concurrency differs from the value set', { evidence: '$.restoreVerification' }),
      'Escalate: function not found': escalate('the function does not exist or is not a configured target', { error: '$.error' }),
    },
  ],
});
