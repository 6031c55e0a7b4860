/** workflow-stuck (seed 004 "Workflow Stuck/Failed: check Step Functions history"): diagnose a failed execution from its history, redrive it once approved, within the cap; never this system's own. */
import { approvalGate, plannedOnly, pollUntilDone, runbookMachine, Spine } from '../../statemachines/src/spine';

const spine = new Spine('workflow-stuck');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: execution not found');

export default runbookMachine(spine, {
  comment: "workflow-stuck (seed 004 'Workflow Stuck/Failed: check Step Functions history'): admit -> diagnose (DescribeExecution: redrive status and reason; the history newest first, without execution data, down to the state that failed, its error and cause) -> ask (gated) -> RedriveExecution with a client token, at most redrive.maxPerExecution times per execution -> watch the redriven run -> notify. Not redrivable, at the cap, no longer failed, or one of this system's own state machines: escalate with the reason, nothing changed. The ExecutionTime alarm: the executions still running past maxExecutionMinutes, each with the state it is in (ListExecutions, GetExecutionHistory), paged; none stopped.",
  trigger: 'A Step Functions Execution Status Change event (FAILED, TIMED_OUT, ABORTED), or the CloudWatch alarm on the workflow\'s ExecutionTime, as EventBridge delivers it.',
  admitted: 'Failed, or running too long?',
  // The redriven run's check (it succeeded) is the verification.
  verifiedBy: '$.check',
  states: [
    {
      'Failed, or running too long?': {
        Type: 'Choice', Comment: "A failed execution's status event goes to its redrive; the ExecutionTime alarm to the executions that run too long.",
        Choices: [{ Variable: '$.admission.incident.source.name', StringEquals: 'Step Functions Execution Status Change', Next: 'Read the failed execution' }],
        Default: 'Read the executions running too long',
      },
      'Read the executions running too long': invoke('LongRunningFunctionArn', {
        comment: "Seed 004 'Workflow Stuck': the workflow's recent executions (ListExecutions), those past maxExecutionMinutes, and the state each still running is in (its history newest first). ExecutionTime is published when an execution closes, so the alarm may tell of one that ended: the runbook looks for those still running. A running execution is not failed, so not redrivable; none is stopped.",
        result: ['stateMachineArn', 'limitMinutes', 'runningLong', 'ranLong', 'escalate', 'summary'], at: '$.longRunning', catch: [notFound], next: 'Still running too long?',
      }),
      'Still running too long?': {
        Type: 'Choice', Comment: 'Executions still running past the limit page a person, with the state each is in; none: told, nothing changed.',
        Choices: [{ Variable: '$.longRunning.escalate', BooleanEquals: true, Next: 'Escalate: running too long' }],
        Default: 'Notify: none running too long',
      },
      'Escalate: running too long': escalate('$.longRunning.summary', { evidence: '$.longRunning' }),
      'Notify: none running too long': notify('skipped', '$.longRunning.summary', { evidence: '$.longRunning' }),
      'Read the failed execution': invoke('InspectFunctionArn', {
        comment: "Seed 004 'Workflow Stuck/Failed' first response: the execution's status, redrive status and reason, its state machine's tags (this system's own are refused, whatever the config says), the state that failed with its error and cause from the history (newest first, paged, without inputs and outputs), this runbook's redrives of it so far, and the plan: redrive, or why not.",
        result: ['execution', 'failure', 'redrivesSoFar', 'maxRedrives', 'plan', 'summary'],
        at: '$.diagnosis', catch: [notFound], next: 'Redrive the execution?',
      }),
      'Redrive the execution?': {
        Type: 'Choice', Comment: "Only a plan to redrive goes on; this system's own state machine, an execution not failed any more, one Step Functions will not redrive, or one at the per-execution cap escalates with nothing changed.",
        Choices: [
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'redrive', Next: 'Prepare redrive approval' },
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'own-state-machine', Next: 'Escalate: own state machine, refused' },
        ],
        Default: 'Escalate: not redriven',
      },
      'Escalate: own state machine, refused': escalate("States.Format('{} ({})', $.diagnosis.plan.reason, $.diagnosis.execution.executionArn)", {
        evidence: { 'diagnosis.$': '$.diagnosis' },
      }),
      'Escalate: not redriven': escalate("States.Format('not redriven ({}): {}', $.diagnosis.plan.decision, $.diagnosis.summary)", {
        evidence: { 'diagnosis.$': '$.diagnosis' },
      }),
    },
    approvalGate(spine, {
      names: {
        prepare: 'Prepare redrive approval', ask: 'Ask to redrive: wait for approvers', rejected: 'Redrive rejected', approved: 'Redrive approved?',
      },
      step: 'redrive', at: '$.redriveApproval', deadline: 'RedriveApprovalTimeoutSeconds',
      prepare: { comment: "The gate's deadline comes from its severity (seed 004: Workflow Stuck/Failed is High), per escalation level; an environment needing no approver approves at once." },
      ask: {
        comment: 'The approval step: the exact call (the execution and the client token) and the evidence (the failed state, its error and cause); the result lands at $.approval.',
        gate: {
          operation: 'states:RedriveExecution', 'target.$': '$.diagnosis.execution.executionArn',
          parameters: { 'executionArn.$': '$.diagnosis.execution.executionArn', 'redriveCount.$': '$.diagnosis.execution.redriveCount' },
          evidence: { 'diagnosis.$': '$.diagnosis' },
        },
      },
      approvedComment: 'The redrive runs only on $.approval.decision == approved (or a timeout on a step marked safe).',
      whenApproved: 'Redrive the execution', otherwise: 'Escalate: not redriven, not approved',
    }),
    {
      'Escalate: not redriven, not approved': escalate("States.Format('the execution stays failed: the redrive was {}. {}', $.approval.decision, $.diagnosis.summary)", { evidence: '$.approval' }),
      'Redrive the execution': mutation('RedriveFunctionArn', {
        comment: 'RedriveExecution from the state that failed, with a client token that is the same for every attempt of this step (Step Functions redrives once). The execution\'s status and redrive count are recorded in the ledger before the call. No longer failed, not redrivable, redriven by someone else since the diagnosis, or at the per-execution cap: refused (ChangeRejected). A redrive has no inverse: nothing for the undo.',
        payload: { 'approval.$': '$.approval', 'redriveCount.$': '$.diagnosis.execution.redriveCount' }, at: '$.action',
        catch: [notFound, catches(['ChangeRejected'], 'Escalate: redrive refused')], next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Start watching the redriven run' }),
    pollUntilDone(spine, {
      names: { start: 'Start watching the redriven run', check: 'Check the redriven run', decide: 'Redriven run succeeded?', wait: 'Wait for the redriven run' },
      fn: 'CheckFunctionArn', at: '$.check', payload: { 'redriveCount.$': '$.action.after.redriveCount' }, reports: ['execution'], canFail: true,
      decideComment: 'The redriven run goes on from the state that failed; it succeeds, fails again, or is still running when the watch ends.',
      done: 'Notify remediated', givenUp: 'Redriven run failed?',
    }),
    {
      'Redriven run failed?': {
        Type: 'Choice', Comment: 'Failed again: escalate (its own failure event starts this runbook again, counted against the cap). Still running when the watch ends: the redrive is done, the run is told as running.',
        Choices: [{ Variable: '$.check.failed', BooleanEquals: true, Next: 'Escalate: redriven run failed' }],
        Default: 'Notify redriven, still running',
      },
      'Escalate: redriven run failed': escalate("States.Format('redriven, and the run ended {} again ({}: {})', $.check.execution.status, $.check.execution.error, $.check.execution.cause)", { evidence: { 'diagnosis.$': '$.diagnosis', 'check.$': '$.check.execution' } }),
      'Notify redriven, still running': notify(
        'remediated',
        "States.Format('redrove {} from the state that failed; it was still running when the watch ended (its own status events tell the end). {}', $.diagnosis.execution.executionArn, $.diagnosis.summary)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'check.$': '$.check.execution' } },
      ),
      'Notify remediated': notify(
        'remediated',
        "States.Format('redrove {} from the state that failed, and the run succeeded (redrive {}). {}', $.diagnosis.execution.executionArn, $.check.execution.redriveCount, $.diagnosis.summary)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'check.$': '$.check.execution' } },
      ),
      'Escalate: redrive refused': escalate('not redriven: refused just before the call (the execution changed since the diagnosis, Step Functions will not redrive it, or the cap is reached; the error says which)', { error: '$.error' }),
      'Escalate: execution not found': escalate('the execution does not exist, or is not one of a configured state machine', { error: '$.error' }),
    },
  ],
});
