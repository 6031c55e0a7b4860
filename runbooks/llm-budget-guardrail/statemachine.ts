/** llm-budget-guardrail (seed 000 'Cost guardrails'): the cheaper model while Bedrock drives the spend, restored later. */
import type { Retrier } from '../../statemachines/src/asl';
import { ACTION_RESULT, plannedOnly, runbookMachine, Spine, START_EXECUTION, verifyLoop } from '../../statemachines/src/spine';

const spine = new Spine('llm-budget-guardrail');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: parameter or service not found');
const restoreFailed = catches(['TargetNotFound', 'TargetNotAllowed', 'NothingToRestore'], 'Escalate: restore failed');
/** StartExecution's failed call (throttled, unavailable): retried as the Lambda tasks' transient errors are. */
const START_FAILED: Retrier = { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' };

export default runbookMachine(spine, {
  comment: "llm-budget-guardrail (seed 000 'Cost guardrails'): when Bedrock token spend drives a budget alert, switch to the cheaper model for a while, then restore. admit -> diagnose -> act -> notify -> wait -> restore.",
  trigger: 'The budget alert, as the budget adapter starts it from the AWS Budgets SNS notification.',
  admitted: 'Check Bedrock spend',
  states: [
    {
      'Check Bedrock spend': invoke('InspectFunctionArn', {
        comment: "Seed 000 'Cost guardrails': act only if the Bedrock token spend drives the alert.",
        result: { 'value.$': '$.Payload' }, at: '$.diagnosis', catch: [notFound], next: 'Is Bedrock the driver?',
      }),
      'Is Bedrock the driver?': {
        Type: 'Choice',
        Choices: [
          { Variable: '$.diagnosis.value.bedrockIsDriver', BooleanEquals: false, Next: 'Notify: Bedrock is not the driver' },
          { Variable: '$.diagnosis.value.alreadyCheaper', BooleanEquals: true, Next: 'Notify already on the cheaper model' },
        ],
        Default: 'Switch model preference',
      },
      'Notify: Bedrock is not the driver': notify('skipped', '$.diagnosis.value.verdict', { evidence: '$.diagnosis.value' }),
      'Notify already on the cheaper model': notify('skipped', 'the model preference is already the cheaper model', { evidence: '$.diagnosis.value' }),
      'Switch model preference': mutation('PreferenceFunctionArn', {
        comment: 'Records the current model before writing the cheaper one.',
        payload: { mode: 'switch' }, at: '$.switch', catch: [notFound], next: 'Redeploy agent proxy',
      }),
      'Redeploy agent proxy': mutation('RedeployFunctionArn', {
        comment: 'The proxy reads the preference at start: a fresh rollout applies it.',
        payload: { step: 'switch-redeploy', target: '${ProxyService}' }, at: '$.redeploy', catch: [notFound], next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.redeploy', otherwise: 'Start verifying the switch' }),
    verifyLoop(spine, {
      names: { start: 'Start verifying the switch', check: 'Check model and proxy rollout', decide: 'Cheaper model in effect?', wait: 'Wait for the switch to take effect' },
      comments: {
        start: 'Verify or escalate: no alarm started this run, so verify the resource state: the parameter and the proxy rollout.',
        check: 'Reads the model preference and the agent proxy service; attempt 0 only returns the configured wait.',
        decide: '$.verify.status: verified, not-verified (escalate, then undo where configured) or pending.',
      },
      action: '$.switch', reports: ['model', 'proxy'], verified: 'Notify model switched', notVerified: 'Read what to do when not verified',
    }),
    {
      'Read what to do when not verified': {
        Type: 'Pass',
        Comment: 'config llm-budget-guardrail.undoIfNotVerified, filled in at deploy ("true" or "false"), and the line the escalation adds about it.',
        Result: { undo: '${UndoIfNotVerified}', note: '${UndoIfNotVerifiedNote}' }, ResultPath: '$.onNotVerified', Next: 'Escalate: switch not verified',
      },
      'Escalate: switch not verified': escalate("States.Format('{}. {}', $.verify.reason, $.onNotVerified.note)", {
        comment: 'Not verified: escalate. The recorded values stay in the ledger; the timed restore does not run. The message says whether the undo follows.',
        evidence: '$.verify', next: 'Undo the unverified switch?',
      }),
      'Undo the unverified switch?': {
        Type: 'Choice', Choices: [{ Variable: '$.onNotVerified.undo', StringEquals: 'true', Next: 'Start the undo of the switch' }], Default: 'Switch kept for the operator',
      },
      'Switch kept for the operator': {
        Type: 'Succeed', Comment: 'undoIfNotVerified is off: the escalation says how to undo by hand (npm run undo -- <incident id>).',
      },
      'Start the undo of the switch': {
        Type: 'Task',
        Comment: 'Starts the undo state machine for this incident and does not wait: the undo asks its own approvers (environment policy) and notifies its own outcome. Named after the incident, so a redrive or a retry after a timeout starts no second undo.',
        Resource: START_EXECUTION,
        Parameters: {
          StateMachineArn: '${UndoStateMachineArn}',
          'Name.$': "States.Format('not-verified-{}', $.admission.incident.id)",
          Input: { 'incidentId.$': '$.admission.incident.id', requestedBy: 'llm-budget-guardrail: switch not verified', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
        },
        ResultSelector: { 'executionArn.$': '$.ExecutionArn' },
        ResultPath: '$.undo',
        Retry: [{ ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'], MaxAttempts: 0 }, START_FAILED],
        Catch: [
          { ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'], ResultPath: '$.undoError', Next: 'Undo already started' },
          { ErrorEquals: ['States.ALL'], ResultPath: '$.undoError', Next: 'Escalate: undo not started' },
        ],
        Next: 'Undo started',
      },
      'Undo started': { Type: 'Succeed', Comment: 'The undo runs on its own: see $.undo.executionArn.' },
      'Undo already started': {
        Type: 'Succeed', Comment: "An execution of that name exists: this incident's undo was started before (a redrive or a retry). One undo per incident.",
      },
      'Escalate: undo not started': escalate(
        "States.Format('{}. The undo could not be started ({}: {}): put back the previous model with npm run undo -- {}', $.verify.reason, $.undoError.Error, $.undoError.Cause, $.admission.incident.id)",
        { comment: 'The switch is escalated already; this second message says the undo did not start and how to start it by hand.', evidence: '$.undoError' },
      ),
      'Notify model switched': notify(
        'remediated',
        'Bedrock drives the spend: model preference switched to the cheaper model and the agent proxy redeployed; it is restored after the configured time',
        { evidence: '$.diagnosis.value', next: 'Wait before restoring the model', unsent: 'Wait before restoring the model' },
      ),
      'Wait before restoring the model': {
        Type: 'Wait', Comment: 'Seed 000: 24 h by default (revertAfterHours).', SecondsPath: '$.diagnosis.value.revertAfterSeconds', Next: 'Restore model preference',
      },
      'Restore model preference': invoke('PreferenceFunctionArn', {
        comment: 'Writes back the recorded value, unless a human changed the parameter meanwhile.',
        payload: { mode: 'restore' }, result: ['restored', 'reason', 'action'], at: '$.restore', catch: [restoreFailed], next: 'Was the model restored?',
      }),
      'Was the model restored?': {
        Type: 'Choice', Choices: [{ Variable: '$.restore.restored', BooleanEquals: true, Next: 'Redeploy agent proxy again' }], Default: 'Notify restore skipped',
      },
      'Notify restore skipped': escalate('$.restore.reason', { evidence: '$.restore' }),
      'Redeploy agent proxy again': invoke('RedeployFunctionArn', {
        payload: { step: 'restore-redeploy', target: '${ProxyService}' }, result: ACTION_RESULT, at: '$.redeployAgain',
        catch: [catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: restore failed')], next: 'Notify model restored',
      }),
      'Notify model restored': notify('remediated', 'model preference restored to the recorded value and the agent proxy redeployed', { evidence: '$.restore' }),
      'Escalate: parameter or service not found': escalate(
        'the model preference parameter or the agent proxy service does not exist, or is not a configured target',
        { error: '$.error' },
      ),
      'Escalate: restore failed': escalate('the model preference could not be restored: it stays on the cheaper model until a human restores it', { error: '$.error' }),
    },
  ],
});
