/** scale-out (seed 001 C 'Celery queue depth alarm: scale workers up', seed 004 'ECS Memory High: scale service'): raise the service's capacity once, to an absolute value within a ceiling. */
import { approvalGate, plannedOnly, pollUntilDone, runbookMachine, Spine, verifyAlarm } from '../../statemachines/src/spine';

const spine = new Spine('scale-out');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: service or queue not found');

export default runbookMachine(spine, {
  comment: "scale-out (seed 001 C 'Celery queue depth alarm: scale workers up', seed 004 'ECS Memory High: scale service'): admit -> diagnose (desired and running counts, scalable target, queue backlog) -> ask (gated per environment) -> raise the scalable target's minimum, or the desired count where there is none, to the configured scale-out (an absolute value within the ceiling) -> wait for the tasks -> verify the alarm -> notify. At the ceiling or already scaled out: escalate, nothing changed. Scale-in is the undo (npm run undo), to the recorded values.",
  admitted: 'Read service capacity',
  states: [
    {
      'Read service capacity': invoke('InspectFunctionArn', {
        comment: "DescribeServices (desired, running), DescribeScalableTargets (ecs:service:DesiredCount) and the worker queue's backlog; the plan: scale out (which call, which absolute value), or why not.",
        result: ['cluster', 'service', 'desiredCount', 'runningCount', 'pendingCount', 'scalableTarget', 'scaleOutTasks', 'ceilingTasks', 'queue', 'plan'],
        at: '$.diagnosis', catch: [notFound], next: 'Scale out?',
      }),
      'Scale out?': {
        Type: 'Choice', Comment: 'Only a plan to scale out goes on; at the ceiling or already scaled out escalates with nothing changed (a re-fired alarm never raises it again).',
        Choices: [{ Variable: '$.diagnosis.plan.decision', StringEquals: 'scale-out', Next: 'Prepare scale-out approval' }],
        Default: 'Escalate: capacity not raised',
      },
      'Escalate: capacity not raised': escalate("States.Format('capacity not raised ({}): {}', $.diagnosis.plan.decision, $.diagnosis.plan.reason)", { evidence: '$.diagnosis' }),
    },
    approvalGate(spine, {
      names: { prepare: 'Prepare scale-out approval', ask: 'Ask to scale out: wait for approvers', rejected: 'Scale-out rejected', approved: 'Scale-out approved?' },
      step: 'scale', at: '$.scaleApproval', deadline: 'ScaleApprovalTimeoutSeconds',
      prepare: { comment: "The gate's deadline comes from its severity (seed 004: ECS Memory High is Medium), per escalation level; an environment needing no approver approves at once." },
      ask: {
        comment: 'The approval step: the exact call (RegisterScalableTarget or UpdateService, with its absolute values) and the evidence; the result lands at $.approval.',
        gate: {
          'operation.$': '$.diagnosis.plan.operation', 'target.$': '$.admission.incident.target',
          'parameters.$': '$.diagnosis.plan.parameters', evidence: { 'diagnosis.$': '$.diagnosis' },
        },
      },
      approvedComment: 'The scale-out runs only on $.approval.decision == approved (or a timeout on a step marked safe).',
      whenApproved: 'Raise service capacity', otherwise: 'Escalate: capacity kept, scale-out not approved',
    }),
    {
      'Escalate: capacity kept, scale-out not approved': escalate("States.Format('capacity stays as it is: the scale-out was {}. {}', $.approval.decision, $.diagnosis.plan.reason)", { evidence: '$.approval' }),
      'Raise service capacity': mutation('ScaleFunctionArn', {
        comment: "RegisterScalableTarget (the minimum, and the maximum where the minimum would pass it) or, with no scalable target, UpdateService's desired count: absolute values, as approved; the values they replace are recorded in the ledger before the call. A capacity changed since the diagnosis is refused (ChangeRejected), never lowered.",
        payload: { 'approval.$': '$.approval', 'change.$': '$.diagnosis.plan.change' }, at: '$.action',
        catch: [notFound, catches(['ChangeRejected'], 'Escalate: scale-out refused')], next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Start watching the new tasks' }),
    pollUntilDone(spine, {
      names: { start: 'Start watching the new tasks', check: 'Check running tasks', decide: 'All tasks running?', wait: 'Wait for the tasks' },
      fn: 'CheckFunctionArn', at: '$.check', reports: ['service'], canFail: true,
      decideComment: 'The new desired count is reached when its tasks run: ECS starts them over a minute or two.',
      done: 'Start verifying the alarm', givenUp: 'Escalate: tasks did not start',
    }),
    { 'Escalate: tasks did not start': escalate('the service did not reach its new desired count in time (or its rollout failed): the capacity stays raised; look at its events', { evidence: '$.check.service' }) },
    verifyAlarm(spine, { verified: 'Notify remediated' }),
    {
      'Notify remediated': notify(
        'remediated',
        "States.Format('scaled out {}: {}; all {} tasks run; {}. Scale-in is the undo: npm run undo -- {} puts back the recorded capacity once the queue is quiet.', $.admission.incident.target, $.diagnosis.plan.reason, $.check.service.desiredCount, $.verify.reason, $.admission.incident.id)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'service.$': '$.check.service' } },
      ),
      'Escalate: scale-out refused': escalate('capacity not raised: refused just before the call (the capacity or the scalable target changed since the diagnosis; the error says which)', { error: '$.error' }),
      'Escalate: service or queue not found': escalate('the service or the queue it drains does not exist, or the service is not a configured target', { error: '$.error' }),
    },
  ],
});
