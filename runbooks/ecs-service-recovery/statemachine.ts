/** ecs-service-recovery (seed 000 'ECS Fargate service down', seed 004 'Service Unhealthy', 'Stale Heartbeat'): redeploy unless the cause is image pull or secrets. */
import { plannedOnly, pollUntilDone, runbookMachine, Spine, verifyAlarm } from '../../statemachines/src/spine';

const spine = new Spine('ecs-service-recovery');
const { invoke, mutation, notify, escalate, catches } = spine;
const notFound = catches(['TargetNotFound', 'TargetNotAllowed'], 'Escalate: service not found');

export default runbookMachine(spine, {
  comment: "ecs-service-recovery (seed 000 'ECS Fargate service down', seed 004 'Service Unhealthy', 'Stale Heartbeat'): read the evidence, redeploy unless the cause is image pull or secrets (a stale heartbeat restarts a service ECS reports healthy). admit -> diagnose -> act -> verify -> notify.",
  admitted: 'Read service events and stopped tasks',
  states: [
    {
      'Read service events and stopped tasks': invoke('InspectFunctionArn', {
        comment: "Seed 000 'ECS Fargate service down' step 1: the last 10 service events and the stopped tasks' reasons.",
        result: { 'value.$': '$.Payload' }, at: '$.diagnosis', catch: [notFound], next: 'Can a redeploy fix it?',
      }),
      'Can a redeploy fix it?': {
        Type: 'Choice',
        Choices: [
          { Variable: '$.diagnosis.value.redeployCanFix', BooleanEquals: false, Next: 'Escalate: redeploy cannot fix' },
          { Variable: '$.diagnosis.value.healthy', BooleanEquals: true, Next: 'Notify already healthy' },
        ],
        Default: 'Force new deployment',
      },
      'Escalate: redeploy cannot fix': escalate('$.diagnosis.value.verdict', { evidence: '$.diagnosis.value' }),
      'Notify already healthy': notify('skipped', 'already healthy: running tasks equal desired and no rollout is failing', { evidence: '$.diagnosis.value' }),
      'Force new deployment': mutation('RedeployFunctionArn', {
        comment: 'Seed 000 step 3: force a fresh rollout. Records the previous deployment first.',
        payload: { step: 'redeploy', 'target.$': '$.admission.incident.target' }, at: '$.action', catch: [notFound], next: 'Planned only?',
      }),
    },
    plannedOnly(spine, { action: '$.action', otherwise: 'Start watching rollout' }),
    pollUntilDone(spine, {
      names: { start: 'Start watching rollout', check: 'Check rollout', decide: 'Rollout complete?', wait: 'Wait for rollout' },
      fn: 'CheckFunctionArn', at: '$.check', reports: ['service'], canFail: true, done: 'Start verifying the alarm', givenUp: 'Escalate: rollout did not complete',
    }),
    { 'Escalate: rollout did not complete': escalate('the forced rollout failed or did not complete in time', { evidence: '$.check.service' }) },
    verifyAlarm(spine, { verified: 'Notify remediated' }),
    {
      'Notify remediated': notify(
        'remediated',
        "States.Format('forced a new deployment; the rollout completed with all desired tasks running; {}', $.verify.reason)",
        { evidence: '$.check.service' },
      ),
      'Escalate: service not found': escalate('the service does not exist or is not a configured target', { error: '$.error' }),
    },
  ],
});
