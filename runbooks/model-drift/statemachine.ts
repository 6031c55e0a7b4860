/** model-drift (seed 004 "Model Drift Detected", "Significant Drift (PSI > 0.25)"): notify on drift; on significant drift pause trading, retrain once, resume as approved after validation. */
import { approvalGate, plannedOnly, pollUntilDone, runbookMachine, Spine } from '../../statemachines/src/spine';

const spine = new Spine('model-drift');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: alarm, switch or workflow not found');

export default runbookMachine(spine, {
  comment: "model-drift (seed 004 'Model Drift Detected: assess PSI severity, consider pause', 'Significant Drift (PSI > 0.25): pause trading, trigger retraining'): admit -> assess (the alarm that fired and its threshold, the model's PSI, the trading switch, open positions, running retrainings) -> drift: notify, nothing changed; significant drift: pause trading (the switch's value recorded first; open positions or positions that cannot be told escalate instead, seed 004 'Position Stuck') -> start the retraining workflow once (named after the incident; one already running is watched instead) -> wait for its validation (bounded) -> ask (gated) -> resume trading to the recorded value -> notify. Not validated, not approved, or changed by someone since: trading stays paused and the run escalates (npm run undo puts the switch back).",
  admitted: 'Assess drift',
  states: [
    {
      'Assess drift': invoke('InspectFunctionArn', {
        comment: "Seed 004 'Model Drift Detected' first response, assess PSI severity: the alarm that fired (DescribeAlarms: its metric, comparison and threshold, which config's levels tell apart as drift or significant; never its name), the model's newest PSI, the trading switch, the open positions the application reports, the retraining workflow's running executions; and the plan.",
        result: ['model', 'alarm', 'psi', 'switch', 'positions', 'retrainings', 'plan'],
        at: '$.diagnosis', catch: [notFound], next: 'Which drift?',
      }),
      'Which drift?': {
        Type: 'Choice', Comment: 'Only significant drift with nothing open pauses; drift notifies; a position open or unknown, or trading already paused by someone else, escalates with nothing changed.',
        Choices: [
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'pause', Next: 'Pause trading' },
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'notify-drift', Next: 'Notify drift detected' },
          {
            Or: [
              { Variable: '$.diagnosis.plan.decision', StringEquals: 'positions-open' },
              { Variable: '$.diagnosis.plan.decision', StringEquals: 'positions-unknown' },
            ],
            Next: 'Escalate: open positions, trading not paused',
          },
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'already-paused', Next: 'Escalate: trading already paused' },
        ],
        Default: 'Notify: nothing to act on',
      },
      'Notify drift detected': notify('skipped', '$.diagnosis.plan.reason', {
        comment: "Seed 004 'Model Drift Detected' (Medium): the assessment goes to the info topic; a human considers a pause. Nothing changes.",
        evidence: '$.diagnosis',
      }),
      'Notify: nothing to act on': notify('skipped', '$.diagnosis.plan.reason', { evidence: '$.diagnosis' }),
      'Escalate: open positions, trading not paused': escalate('$.diagnosis.plan.reason', {
        comment: "Seed 004 'Position Stuck' is a person's to handle (close it, contact the exchange): pausing with a position open would strand it.",
        evidence: '$.diagnosis',
      }),
      'Escalate: trading already paused': escalate('$.diagnosis.plan.reason', { evidence: '$.diagnosis' }),
      'Pause trading': mutation('SwitchFunctionArn', {
        comment: 'PutParameter of the paused value on the trading switch the application reads; the value it replaces is recorded in the ledger before the call. Open positions are read again just before the write: any open (or unknown), or the switch paused by someone since, is refused (ChangeRejected).',
        payload: { mode: 'pause' }, at: '$.pause',
        catch: [notFound, catches(['ChangeRejected'], 'Escalate: pause refused')], next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.pause', otherwise: 'Start retraining' }),
    {
      'Start retraining': invoke('RetrainFunctionArn', {
        comment: "StartExecution of the retraining workflow, named after the incident (a retry or a redrive starts it once), ledger row first; a retraining of the workflow already running is watched instead and nothing is started.",
        result: ['executionArn', 'name', 'startedByThisRun', 'reason', 'action'], at: '$.retrain', catch: [notFound], next: 'Start waiting for the retraining',
      }),
    },
    pollUntilDone(spine, {
      names: { start: 'Start waiting for the retraining', check: 'Check the retraining', decide: 'Retrained and validated?', wait: 'Wait for the retraining' },
      fn: 'CheckFunctionArn', at: '$.check', payload: { 'executionArn.$': '$.retrain.executionArn' }, reports: ['retraining'], canFail: true,
      decideComment: "The retraining ends SUCCEEDED with its validation passed (the output field config names), fails, or is still running when the wait (retraining.watch) ends.",
      catch: [notFound], done: 'Prepare resume approval', givenUp: 'Escalate: retrained model not validated, trading stays paused',
    }),
    {
      'Escalate: retrained model not validated, trading stays paused': escalate(
        "States.Format('trading stays paused: {} ({}); npm run undo -- {} puts the switch back', $.check.retraining.summary, $.diagnosis.plan.reason, $.admission.incident.id)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'retraining.$': '$.check.retraining' } },
      ),
    },
    approvalGate(spine, {
      names: { prepare: 'Prepare resume approval', ask: 'Ask to resume trading: wait for approvers', rejected: 'Resume rejected', approved: 'Resume approved?' },
      step: 'resume', at: '$.resumeApproval', deadline: 'ResumeApprovalTimeoutSeconds',
      prepare: { comment: "The gate's deadline comes from its severity (seed 004: Significant Drift is High), per escalation level; an environment needing no approver approves at once." },
      ask: {
        comment: 'The approval step: the exact call (the switch back to the value the pause recorded) and the evidence (the drift, the retraining and its validation); the result lands at $.approval.',
        gate: {
          operation: 'ssm:PutParameter', 'target.$': '$.pause.target',
          parameters: { 'Name.$': '$.pause.target', 'Value.$': '$.pause.before' },
          evidence: { 'diagnosis.$': '$.diagnosis', 'retraining.$': '$.check.retraining' },
        },
      },
      approvedComment: 'Trading resumes only on $.approval.decision == approved (or a timeout on a step marked safe).',
      whenApproved: 'Resume trading', otherwise: 'Escalate: trading stays paused, resume not approved',
    }),
    {
      'Escalate: trading stays paused, resume not approved': escalate(
        "States.Format('trading stays paused: the resume was {} ({}). npm run undo -- {} puts the switch back', $.approval.decision, $.check.retraining.summary, $.admission.incident.id)",
        { evidence: '$.approval' },
      ),
      'Resume trading': mutation('SwitchFunctionArn', {
        comment: 'As approved: PutParameter of the value the pause recorded (read from its ledger row), unless the switch was changed since the pause (then it is left as it is).',
        payload: { mode: 'resume', 'approval.$': '$.approval' }, result: ['restored', 'reason', 'action'], at: '$.resume',
        catch: [notFound, catches(['ChangeRejected', 'NothingToRestore'], 'Escalate: resume refused')], next: 'Trading resumed?',
      }),
      'Trading resumed?': {
        Type: 'Choice', Choices: [{ Variable: '$.resume.restored', BooleanEquals: true, Next: 'Notify remediated' }], Default: 'Escalate: switch changed since the pause',
      },
      'Escalate: switch changed since the pause': escalate('$.resume.reason', { evidence: '$.resume' }),
      'Notify remediated': notify(
        'remediated',
        "States.Format('paused trading for {} ({}); {}; {}; resumed trading as approved: the switch is back to {}', $.admission.incident.target, $.diagnosis.plan.reason, $.retrain.reason, $.check.retraining.summary, $.pause.before)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'retraining.$': '$.check.retraining', 'resume.$': '$.resume' } },
      ),
      'Escalate: pause refused': escalate('trading not paused: refused just before the call (a position opened, or the switch was paused by someone, since the assessment; the error says which)', { error: '$.error' }),
      'Escalate: resume refused': escalate('trading stays paused: the resume was refused (no approval in the ledger covers it, or no finished pause of this incident is recorded); the error says which', { error: '$.error' }),
      'Escalate: alarm, switch or workflow not found': escalate('the alarm that fired, the trading switch or the retraining workflow does not exist, or the model is not a configured target', { error: '$.error' }),
    },
  ],
});
