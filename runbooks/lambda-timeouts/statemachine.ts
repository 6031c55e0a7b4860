/** lambda-timeouts (seed 004 "Lambda Timeouts", seed 003 "Duration > 80% of timeout"): raise the timeout once, gated, within the ceiling and the SQS source's limit. */
import { approvalGate, plannedOnly, pollUntilDone, runbookMachine, Spine } from '../../statemachines/src/spine';

const spine = new Spine('lambda-timeouts');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: function not found');

export default runbookMachine(spine, {
  comment: "lambda-timeouts (seed 004 'Lambda Timeouts: increase timeout', seed 003 'Duration > 80% of timeout'): admit -> diagnose (configuration, SQS sources, last timeouts) -> ask (gated) -> raise the timeout to the configured target -> wait for LastUpdateStatus Successful -> notify. At the ceiling, at the SQS source's limit or already raised: escalate, nothing changed.",
  admitted: 'Read function configuration',
  // The update's check (LastUpdateStatus Successful with the raised timeout) is the verification.
  verifiedBy: '$.check',
  states: [
    {
      'Read function configuration': invoke('InspectFunctionArn', {
        comment: "Seed 004 'Lambda Timeouts' first response: the function's timeout, memory and LastUpdateStatus, the visibility timeout of each SQS queue that invokes it, and the plan: raise, or why not.",
        result: ['functionName', 'timeoutSeconds', 'memorySize', 'lastUpdateStatus', 'logGroup', 'ceilingSeconds', 'queues', 'plan'],
        at: '$.diagnosis', catch: [notFound, catches(['EventSourceNotFound'], 'Escalate: SQS source not found')], next: 'Read the last timeouts',
      }),
      'Read the last timeouts': invoke('TimeoutsFunctionArn', {
        comment: 'Best effort: the last "Task timed out" lines of the function\'s log group (one bounded FilterLogEvents page). What cannot be read is reported as unavailable; the decision does not depend on it.',
        payload: { 'logGroup.$': '$.diagnosis.logGroup' }, result: ['count', 'recent', 'summary'], at: '$.timeouts',
        catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.timeoutsError', Next: 'Timeouts unavailable' }],
        next: 'Raise the timeout?',
      }),
      'Timeouts unavailable': {
        Type: 'Pass', Comment: 'Reading the logs failed after its retries: the runbook goes on, and says what it could not read.',
        Parameters: { count: null, recent: [], 'summary.$': "States.Format('evidence unavailable: {}', $.timeoutsError.Error)" },
        ResultPath: '$.timeouts', Next: 'Raise the timeout?',
      },
      'Raise the timeout?': {
        Type: 'Choice', Comment: 'Only a plan to raise goes on; at the ceiling, at the SQS source\'s limit, already raised or an update in progress escalates with nothing changed.',
        Choices: [{ Variable: '$.diagnosis.plan.decision', StringEquals: 'raise', Next: 'Prepare raise approval' }],
        Default: 'Escalate: timeout not raised',
      },
      'Escalate: timeout not raised': escalate("States.Format('timeout not raised ({}): {}. {}', $.diagnosis.plan.decision, $.diagnosis.plan.reason, $.timeouts.summary)", {
        evidence: { 'diagnosis.$': '$.diagnosis', 'timeouts.$': '$.timeouts' },
      }),
    },
    approvalGate(spine, {
      names: {
        prepare: 'Prepare raise approval', ask: 'Ask to raise: wait for approvers', rejected: 'Raise rejected', approved: 'Raise approved?',
      },
      step: 'raise', at: '$.raiseApproval', deadline: 'RaiseApprovalTimeoutSeconds',
      prepare: { comment: "The gate's deadline comes from its severity (seed 004: Lambda Timeouts is Medium), per escalation level; an environment needing no approver approves at once." },
      ask: {
        comment: 'The approval step: the exact call (the function and its new timeout) and the evidence; the result lands at $.approval.',
        gate: {
          operation: 'lambda:UpdateFunctionConfiguration', 'target.$': '$.admission.incident.target',
          parameters: { 'FunctionName.$': '$.admission.incident.target', 'Timeout.$': '$.diagnosis.plan.toSeconds' },
          evidence: { 'diagnosis.$': '$.diagnosis', 'timeouts.$': '$.timeouts' },
        },
      },
      approvedComment: 'The raise runs only on $.approval.decision == approved (or a timeout on a step marked safe).',
      whenApproved: 'Raise function timeout', otherwise: 'Escalate: timeout kept, raise not approved',
    }),
    {
      'Escalate: timeout kept, raise not approved': escalate("States.Format('the timeout stays {} s: the raise was {}. {}', $.diagnosis.timeoutSeconds, $.approval.decision, $.timeouts.summary)", { evidence: '$.approval' }),
      'Raise function timeout': mutation('RaiseFunctionArn', {
        comment: 'UpdateFunctionConfiguration with the absolute target (baseline plus one step, within the ceiling), as approved; the timeout it replaces is recorded in the ledger before the call. A timeout changed since the diagnosis, or an SQS source now too tight, is refused (ChangeRejected).',
        payload: { 'approval.$': '$.approval' }, at: '$.action',
        catch: [notFound, catches(['ChangeRejected'], 'Escalate: raise refused')], next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Start waiting for the update' }),
    pollUntilDone(spine, {
      names: { start: 'Start waiting for the update', check: 'Check update status', decide: 'Update successful?', wait: 'Wait for the update' },
      fn: 'CheckFunctionArn', at: '$.check', payload: { 'expected.$': '$.action.after.Timeout' }, reports: ['function'], canFail: true,
      decideComment: 'Lambda applies a configuration update asynchronously: LastUpdateStatus is InProgress, then Successful or Failed.',
      done: 'Notify remediated', givenUp: 'Escalate: update did not succeed',
    }),
    {
      'Escalate: update did not succeed': escalate('the timeout update did not reach LastUpdateStatus Successful with the new timeout in time', { evidence: '$.check.function' }),
      'Notify remediated': notify(
        'remediated',
        "States.Format('raised the timeout of {} from {} s to {} s (LastUpdateStatus Successful); its Duration alarm still compares with 80% of the configured timeout until config says the new one. {}', $.admission.incident.target, $.action.before.Timeout, $.action.after.Timeout, $.timeouts.summary)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'timeouts.$': '$.timeouts', 'update.$': '$.check.function' } },
      ),
      'Escalate: raise refused': escalate('timeout not raised: refused just before the call (the timeout or an SQS source changed since the diagnosis; the error says which)', { error: '$.error' }),
      'Escalate: SQS source not found': escalate("an SQS event source of the function names a queue that does not exist: its visibility timeout, the limit a raise must stay below, cannot be read; nothing changed", { error: '$.error' }),
      'Escalate: function not found': escalate('the function does not exist or is not a configured target', { error: '$.error' }),
    },
  ],
});
