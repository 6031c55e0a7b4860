/** ecs-deployment-rollback (seed 002 '(h) Rollback', seed 000 'Roll back to the previous tag'): a failed ECS deployment back to the last successful task definition. */
import { approvalGate, plannedOnly, pollUntilDone, runbookMachine, Spine } from '../../statemachines/src/spine';

const spine = new Spine('ecs-deployment-rollback');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: service not found');

export default runbookMachine(spine, {
  comment: "ecs-deployment-rollback (seed 002 '(h) Rollback', seed 000 'Roll back to the previous tag'): a SERVICE_DEPLOYMENT_FAILED event of a configured service. admit -> diagnose (DescribeServices: circuit breaker and deployments; ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions: the last successful deployment's task definition; DescribeTaskDefinition: images pinned by digest?) -> ask (gated; prod: two approvers) -> UpdateService to that task definition -> watch the rollout -> notify. A circuit breaker that rolls back itself: watch its rollback, change nothing. Nothing older, or superseded: say so, change nothing. Undo: the service back to the task definition it ran.",
  admitted: 'Read the failed deployment',
  // The rollback's check (every desired task off the failed task definition) is the verification.
  verifiedBy: '$.check',
  states: [
    {
      'Read the failed deployment': invoke('InspectFunctionArn', {
        comment: "Seed 002 '(h) Rollback': what changed and the release before it. The service's circuit breaker and deployments, its service deployments newest first, the failed one in full, the revisions they deployed, and the chosen task definition's images (pinned by digest or a mutable tag).",
        result: ['service', 'deploymentId', 'plan', 'failed', 'images', 'pinWarning', 'call', 'from', 'to', 'summary'],
        at: '$.diagnosis', catch: [notFound], next: 'Roll back?',
      }),
      'Roll back?': {
        Type: 'Choice', Comment: 'A rollback plan goes on; ECS rolling back itself is watched; a deployment already replaced needs nothing; nothing older to go back to escalates.',
        Choices: [
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'rollback', Next: 'Prepare rollback approval' },
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'circuit-breaker', Next: 'Start watching the ECS rollback' },
          { Variable: '$.diagnosis.plan.decision', StringEquals: 'superseded', Next: 'Notify superseded' },
        ],
        Default: 'Escalate: nothing to roll back to',
      },
      'Notify superseded': notify('skipped', '$.diagnosis.summary', { evidence: { 'diagnosis.$': '$.diagnosis' } }),
      'Escalate: nothing to roll back to': escalate('$.diagnosis.summary', { evidence: { 'diagnosis.$': '$.diagnosis' } }),
    },
    pollUntilDone(spine, {
      names: { start: 'Start watching the ECS rollback', check: 'Check the ECS rollback', decide: 'ECS rollback complete?', wait: 'Wait for the ECS rollback' },
      fn: 'CheckFunctionArn', at: '$.check', payload: { 'failedTaskDefinition.$': '$.diagnosis.from' }, reports: ['service'], canFail: true,
      decideComment: "The circuit breaker's rollback: complete when every desired task runs on a task definition other than the one that failed.",
      done: 'Notify ECS rolled back', givenUp: 'Escalate: ECS rollback did not complete',
    }),
    {
      'Notify ECS rolled back': notify(
        'skipped',
        "States.Format('{} ECS rolled it back to {}; this runbook changed nothing.', $.diagnosis.summary, $.check.service.taskDefinition)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'check.$': '$.check.service' } },
      ),
      'Escalate: ECS rollback did not complete': escalate("States.Format('{} The rollback ECS started failed or did not complete in time.', $.diagnosis.summary)", { evidence: { 'diagnosis.$': '$.diagnosis', 'check.$': '$.check.service' } }),
    },
    approvalGate(spine, {
      names: {
        prepare: 'Prepare rollback approval', ask: 'Ask to roll back: wait for approvers', rejected: 'Rollback rejected', approved: 'Rollback approved?',
      },
      step: 'rollback', at: '$.rollbackApproval', deadline: 'RollbackApprovalTimeoutSeconds',
      prepare: { comment: "Gated wherever the environment requires approvals (seed 002: prod needs two distinct reviewers); the deadline per escalation level comes from the gate's severity." },
      ask: {
        comment: 'The exact UpdateService (cluster, service, task definition ARN) and the evidence: the failed deployment, the last successful one, and whether its images are pinned by digest.',
        gate: { operation: 'ecs:UpdateService', 'target.$': '$.diagnosis.service', 'parameters.$': '$.diagnosis.call', evidence: { 'diagnosis.$': '$.diagnosis' } },
      },
      approvedComment: 'The rollback runs only on $.approval.decision == approved (or a timeout on a gate marked proceed).',
      whenApproved: 'Roll back to the last good task definition', otherwise: 'Escalate: rollback not approved',
    }),
    {
      'Escalate: rollback not approved': escalate(
        "States.Format('the service stays on the deployment that failed: the rollback was {}. {}', $.approval.decision, $.diagnosis.summary)",
        { evidence: '$.approval' },
      ),
      'Roll back to the last good task definition': mutation('RollbackFunctionArn', {
        comment: "Seed 002 '(h) Rollback': UpdateService to the last successful deployment's task definition (by ARN and revision). The task definition it replaces is recorded in the ledger before the call. A service that no longer runs the one that failed is refused (ChangeRejected).",
        payload: { 'call.$': '$.diagnosis.call', 'from.$': '$.diagnosis.from', 'approval.$': '$.approval' }, at: '$.action',
        catch: [notFound, catches(['ChangeRejected'], 'Escalate: service changed since it was read')], next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Start watching the rollback' }),
    pollUntilDone(spine, {
      names: { start: 'Start watching the rollback', check: 'Check the rollback', decide: 'Rollback complete?', wait: 'Wait for the rollback' },
      fn: 'CheckFunctionArn', at: '$.check', payload: { 'failedTaskDefinition.$': '$.diagnosis.from' }, reports: ['service'], canFail: true,
      decideComment: 'Bounded by rolloutTimeoutMinutes: complete when every desired task runs the task definition rolled back to.',
      done: 'Notify remediated', givenUp: 'Escalate: rollback did not complete',
    }),
    {
      'Escalate: rollback did not complete': escalate('rolled back, but the rollout failed or did not complete in time', { evidence: { 'diagnosis.$': '$.diagnosis', 'check.$': '$.check.service' } }),
      'Notify remediated': notify(
        'remediated',
        "States.Format('{} The rollout completed on {}.', $.diagnosis.summary, $.check.service.taskDefinition)",
        { evidence: { 'diagnosis.$': '$.diagnosis', 'rollback.$': '$.action', 'check.$': '$.check.service' } },
      ),
      'Escalate: service changed since it was read': escalate(
        'not rolled back: the service changed since the runbook read it (a new deployment or a rollback by hand); nothing was changed, a human looks at it as it is now',
        { error: '$.error' },
      ),
      'Escalate: service not found': escalate('the service does not exist, or the event does not name a configured service and its deployment: nothing was changed', { error: '$.error' }),
    },
  ],
});
