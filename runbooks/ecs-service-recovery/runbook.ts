/**
 * ecs-service-recovery (seeds 000, 004): an ECS service running fewer tasks than desired, or one
 * whose application's heartbeat went stale, is diagnosed from its events and stopped tasks; image
 * pull and secrets failures escalate, anything else gets a forced new deployment whose rollout is
 * watched.
 */
import { z } from 'zod';
import { alarmName, resourceName, runbookBase, targetTagsSchema, verifySchema } from '../config';
import { byTag, ECS_UPDATE_SERVICE_CHANGES, json, tagReads, type Arns, type HandlerDef } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';

const config = z.strictObject({
  ...runbookBase,
  targets: z.array(z.strictObject({
    clusterName: resourceName,
    serviceName: resourceName,
    /**
     * Seed 004 "Stale Heartbeat": the team's alarm on the heartbeat the application in this service
     * publishes, tagged `runbook-autopilot:runbook=ecs-service-recovery` and
     * `runbook-autopilot:target=<cluster>/<service>`. When it starts the run, a service ECS reports
     * healthy is restarted all the same: its tasks run, the application in them stopped reporting.
     */
    heartbeatAlarm: alarmName.optional(),
  })).min(1).refine(
    (targets) => new Set(targets.flatMap((t) => t.heartbeatAlarm ?? [])).size === targets.filter((t) => t.heartbeatAlarm).length,
    'each heartbeatAlarm watches one service: name it on one target',
  ),
  /** Services not named above that carry all these tags are targets too, in the clusters the targets name. */
  targetTags: targetTagsSchema,
  verify: verifySchema('not-cleared'),
  /** Bounded wait for the forced rollout to reach COMPLETED. */
  rolloutTimeoutMinutes: z.number().int().min(1).max(120).default(20),
  rolloutPollSeconds: z.number().int().min(5).max(300).default(30),
});
export type EcsServiceRecoveryConfig = z.infer<typeof config>;

const serviceKey = (t: { clusterName: string; serviceName: string }) => `${t.clusterName}/${t.serviceName}`;
/** Each heartbeat alarm by the target it watches (inspect's HEARTBEAT_ALARMS). */
const heartbeatAlarms = (c: EcsServiceRecoveryConfig) =>
  Object.fromEntries(c.targets.flatMap((t) => (t.heartbeatAlarm ? [[serviceKey(t), t.heartbeatAlarm] as const] : [])));
const clusters = (c: EcsServiceRecoveryConfig) => [...new Set(c.targets.map((t) => t.clusterName))];
/** Services in the clusters the named targets are in: diagnosis reads tasks per cluster. */
const anyService = (c: EcsServiceRecoveryConfig, arns: Arns) => clusters(c).map((cluster) => arns.ecsService(cluster, '*'));

export default defineRunbook({
  name: 'ecs-service-recovery',
  answers: ['ecs-fargate-service-down', 'service-unhealthy', 'stale-heartbeat'],
  config,
  targets: (c) => c.targets.map(serviceKey),
  trigger: {
    kind: 'alarm',
    // Running tasks below desired, unhealthy service. Not memory or CPU (AWS/ECS): seed 004 answers
    // "ECS Memory High" by scaling, and a redeploy does not give a loaded service more room.
    route: {
      selectors: [{
        namespaces: ['ECS/ContainerInsights'],
        metricNames: ['RunningTaskCount', 'DesiredTaskCount', 'PendingTaskCount'],
        alarmedMetricOnly: false,
      }],
      targetDimensions: ['ClusterName', 'ServiceName'],
    },
    dimensions: (c) => c.targets.map((t) => ({ ClusterName: t.clusterName, ServiceName: t.serviceName })),
  },
  tags: { resource: 'ecs:service', pattern: ({ config: c, arns }) => anyService(c, arns) },
  stateMachine: { definition },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    const services = c.targets.map((t) => arns.ecsService(t.clusterName, t.serviceName));
    const tagEnv: Record<string, string> = c.targetTags ? { ALLOWED_TARGET_TAGS: json(c.targetTags) } : {};
    const describeServices = [{ actions: ['ecs:DescribeServices'], resources: services }, ...byTag(['ecs:DescribeServices'], anyService(c, arns), c.targetTags)];
    return [
      {
        id: 'EcsServiceRecoveryInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/ecs-service-recovery/handlers/inspect.ts', usesLedger: false,
        description: 'ecs-service-recovery: read service events and stopped tasks', environment: { HEARTBEAT_ALARMS: json(heartbeatAlarms(c)) },
        permissions: [
          ...describeServices,
          // ListTasks is scoped by cluster through a condition key, not a resource ARN.
          { actions: ['ecs:ListTasks'], resources: ['*'], conditions: { ArnEquals: { 'ecs:cluster': clusters(c).map((cluster) => arns.ecsCluster(cluster)) } } },
          { actions: ['ecs:DescribeTasks'], resources: clusters(c).map((cluster) => arns.ecsTask(cluster)) },
        ],
      },
      {
        id: 'EcsServiceRecoveryRedeploy', substitution: 'RedeployFunctionArn', entry: 'runbooks/ecs-service-recovery/handlers/redeploy.ts', usesLedger: true,
        description: 'ecs-service-recovery: force a new deployment',
        environment: { ALLOWED_TARGETS: json(c.targets.map(serviceKey)), ...tagEnv },
        permissions: [
          { actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: services },
          ...byTag(['ecs:DescribeServices', 'ecs:UpdateService'], anyService(c, arns), c.targetTags),
          ...tagReads('ecs:ListTagsForResource', anyService(c, arns), c.targetTags),
        ],
      },
      {
        id: 'EcsServiceRecoveryCheck', substitution: 'CheckFunctionArn', entry: 'runbooks/ecs-service-recovery/handlers/check.ts', usesLedger: false,
        description: 'ecs-service-recovery: watch the rollout',
        environment: { ROLLOUT_TIMEOUT_SECONDS: String(c.rolloutTimeoutMinutes * 60), POLL_SECONDS: String(c.rolloutPollSeconds) },
        permissions: describeServices,
      },
      ctx.verifyAlarm('EcsServiceRecoveryVerify', c.verify),
    ];
  },
  alarms: (c) => c.targets.map((t) => {
    const metric = (metricName: string) => ({
      namespace: 'ECS/ContainerInsights', metricName, statistic: 'Average', periodMinutes: 1,
      dimensions: { ClusterName: t.clusterName, ServiceName: t.serviceName },
    });
    return {
      id: `${t.clusterName}-${t.serviceName}-running-below-desired`,
      description: `Seed 000/004: ${t.serviceName} runs fewer tasks than desired. Starts ecs-service-recovery. Needs Container Insights on the cluster.`,
      metric: { expression: 'desired - running', metrics: { desired: metric('DesiredTaskCount'), running: metric('RunningTaskCount') }, label: 'Tasks missing', periodMinutes: 1 },
      threshold: 0,
      comparison: 'GreaterThanThreshold', evaluationPeriods: 5, datapointsToAlarm: 5, treatMissingData: 'breaching',
    };
  }),
  nag: ({ config: c, arns }) => clusters(c).map((cluster) => ({
    id: `AwsSolutions-IAM5[Resource::${arns.ecsTask(cluster)}]`,
    reason: `ecs:DescribeTasks reads the stopped tasks of cluster ${cluster}; task ids are not known before the tasks run.`,
  })),
  drill: {
    // The seed's admin frontend lost its tasks after a completed rollout: a redeploy fixes it. The
    // admin service's alarm (a sample) meets a failed rollout: escalated, nothing redeployed.
    event: 'events/ecs-service-recovery.alarm.json',
    // The strategy service's heartbeat alarm (seed 004 "Stale Heartbeat"): ECS sees it healthy, it is restarted.
    samples: ['events/samples/composite.alarm.json', 'events/samples/ecs-service-recovery-failed-rollout.alarm.json', 'events/samples/ecs-service-recovery-stale-heartbeat.alarm.json'],
    scenarios: ['drill/scenarios/admin-frontend-already-recovered.json', 'drill/scenarios/admin-frontend-image-pull-failure.json', 'drill/scenarios/admin-frontend-service-deleted.json'],
    taggedAlarms: {
      'alphaswarm-admin-frontend-prod-tasks-below-desired': {},
      'alphaswarm-admin-prod-tasks-below-desired': {},
      // A team's own composite alarm: it names no metric, so its tags name the target too.
      'alphaswarm-admin-frontend-prod-degraded': { target: 'alphaswarm-cluster-prod/alphaswarm-admin-frontend-prod' },
      // An application's metric, in a namespace of its own: its tags name the target.
      'tradai-prod-strategy-heartbeat-stale': { target: 'tradai-cluster-prod/tradai-prod-strategy-service' },
    },
    changes: {
      'ecs:UpdateService': ECS_UPDATE_SERVICE_CHANGES,
    },
    // admit -> service, stopped tasks and their reasons -> forced deployment -> rollout polls -> alarm back to OK? -> notify
    calls: [
      { call: 'ecs:DescribeServices', state: 'Read service events and stopped tasks' },
      { call: 'ecs:ListTasks', state: 'Read service events and stopped tasks' },
      { call: 'ecs:DescribeTasks', state: 'Read service events and stopped tasks' },
      { call: 'ecs:UpdateService', state: 'Force new deployment', mutates: true },
      { call: 'cloudwatch:DescribeAlarms', state: 'Check alarm state' },
      { call: 'sns:Publish', state: 'Notify remediated' },
    ],
  },
});
