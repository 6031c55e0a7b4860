/**
 * scale-out (seed 001 C "Celery queue depth alarm: scale workers up", seed 004 "ECS Memory High:
 * scale service"): a worker service behind on its queue, or short of memory, gets its capacity
 * raised once to a configured count (an absolute value within a ceiling): the scalable target's
 * minimum where Application Auto Scaling manages it, otherwise the desired count. Gated per
 * environment; the undo is the scale-in, to the recorded values.
 */
import { z } from 'zod';
import { RUNBOOK_TAG, TARGET_TAG } from '../../lambdas/domain/routing';
import { gatePolicy, resourceName, runbookBase, verifySchema } from '../config';
import { DESCRIBE_SCALABLE_TARGETS, json, registerEcsScalableTarget, type AlarmSpec, type Arns, type HandlerDef } from '../kit';
import definition from './statemachine';
import { defineRunbook } from '../module';
import type { CapacityPolicy } from './capacity-plan';

const tasks = z.number().int().min(1).max(5000);

const config = z.strictObject({
  ...runbookBase,
  /**
   * The services, each with the count a scale-out sets and the ceiling it never passes (seed 001:
   * --replicas=8); `queueName`: the SQS queue its workers drain, whose depth alarm starts it too.
   */
  targets: z.array(z.strictObject({
    clusterName: resourceName, serviceName: resourceName, queueName: resourceName.optional(), scaleOutTasks: tasks, ceilingTasks: tasks,
  }).refine((t) => t.scaleOutTasks <= t.ceilingTasks, 'scaleOutTasks must not exceed ceilingTasks')).min(1),
  /** The alarms the stack creates: queue depth (messages visible) and memory (percent), each over 5 minutes. */
  thresholds: z.strictObject({
    queueDepthMessages: z.number().int().min(1).default(500),
    memoryPercent: z.number().gt(0).max(100).default(80),
  }).default({ queueDepthMessages: 500, memoryPercent: 80 }),
  scale: z.strictObject({
    approval: gatePolicy.default({ severity: 'P3', onTimeout: 'abort' }),
  }).default({ approval: { severity: 'P3', onTimeout: 'abort' } }),
  /** Waiting for the new tasks to run. */
  tasks: z.strictObject({
    pollSeconds: z.number().int().min(5).max(300).default(30),
    timeoutMinutes: z.number().int().min(1).max(60).default(10),
  }).default({ pollSeconds: 30, timeoutMinutes: 10 }),
  verify: verifySchema('not-cleared'),
});
export type ScaleOutConfig = z.infer<typeof config>;
type Target = ScaleOutConfig['targets'][number];

const serviceKey = (t: Target) => `${t.clusterName}/${t.serviceName}`;
const services = (c: ScaleOutConfig, arns: Arns) => c.targets.map((t) => arns.ecsService(t.clusterName, t.serviceName));
const queueArn = (arns: Arns, name: string) => arns.sqsQueue(name);
const policies = (c: ScaleOutConfig, arns: Arns): Record<string, CapacityPolicy> => Object.fromEntries(c.targets.map((t) => [serviceKey(t), {
  scaleOutTasks: t.scaleOutTasks, ceilingTasks: t.ceilingTasks, ...(t.queueName ? { queueArn: queueArn(arns, t.queueName) } : {}),
}]));

export default defineRunbook({
  name: 'scale-out',
  answers: ['queue-depth', 'ecs-memory-high'],
  config,
  targets: (c) => c.targets.map(serviceKey),
  trigger: {
    kind: 'alarm',
    // Memory (or CPU) of a service names it; a queue-depth alarm names only its queue, so the stack
    // tags it with the service it feeds and the tag router starts this runbook for it.
    route: {
      selectors: [{ namespaces: ['AWS/ECS'], metricNames: ['MemoryUtilization', 'CPUUtilization'], alarmedMetricOnly: true }],
      targetDimensions: ['ClusterName', 'ServiceName'],
    },
    dimensions: (c) => c.targets.map((t) => ({ ClusterName: t.clusterName, ServiceName: t.serviceName })),
  },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({ ScaleApprovalTimeoutSeconds: String(deadlineSeconds(c.scale.approval.severity)) }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    const env = { CAPACITY_POLICIES: json(policies(c, arns)) };
    const queues = c.targets.flatMap((t) => (t.queueName ? [queueArn(arns, t.queueName)] : []));
    return [
      {
        id: 'ScaleOutInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/scale-out/handlers/inspect.ts', usesLedger: false,
        description: 'scale-out: read desired and running counts, the scalable target and the queue backlog', environment: env,
        permissions: [
          { actions: ['ecs:DescribeServices'], resources: services(c, arns) }, DESCRIBE_SCALABLE_TARGETS,
          ...(queues.length > 0 ? [{ actions: ['sqs:GetQueueAttributes'], resources: queues }] : []),
        ],
      },
      ctx.approvalRequest('ScaleOutApprovalRequest'),
      {
        id: 'ScaleOutScale', substitution: 'ScaleFunctionArn', entry: 'runbooks/scale-out/handlers/scale.ts', usesLedger: true,
        description: "scale-out: raise the scalable target's minimum or the desired count, as approved",
        environment: { ...env, ALLOWED_TARGETS: json(c.targets.map(serviceKey)), SCALE_ON_TIMEOUT: c.scale.approval.onTimeout },
        permissions: [
          { actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: services(c, arns) }, DESCRIBE_SCALABLE_TARGETS,
          registerEcsScalableTarget(arns),
        ],
      },
      {
        id: 'ScaleOutCheck', substitution: 'CheckFunctionArn', entry: 'runbooks/scale-out/handlers/check.ts', usesLedger: false,
        description: 'scale-out: wait for the new tasks to run',
        environment: { POLL_SECONDS: String(c.tasks.pollSeconds), SCALE_TIMEOUT_SECONDS: String(c.tasks.timeoutMinutes * 60) },
        permissions: [{ actions: ['ecs:DescribeServices'], resources: services(c, arns) }],
      },
      ctx.verifyAlarm('ScaleOutVerify', c.verify),
    ];
  },
  gates: [{ step: 'scale', policyAt: ['scale', 'approval'] }],
  // The scale-in: the recorded range (and desired count), or the recorded desired count. One entry per
  // resource type, so each grant names only resources its actions are authorized on.
  undo: ({ config: c, arns }) => {
    const targets = c.targets.map(serviceKey);
    const register = 'application-autoscaling:RegisterScalableTarget';
    const describe = 'application-autoscaling:DescribeScalableTargets';
    return [
      { operation: register, targets, resources: [arns.scalableTarget('*')], restoreActions: [register], verifyActions: [] },
      { operation: register, targets, resources: ['*'], restoreActions: [describe], verifyActions: [describe] },
      // The range's restore puts the desired count back too: with ecs:UpdateService, granted by the next entry (the runbook's own change).
      { operation: register, targets, resources: services(c, arns), restoreActions: ['ecs:DescribeServices'], verifyActions: ['ecs:DescribeServices'] },
      { operation: 'ecs:UpdateService', targets, resources: services(c, arns), restoreActions: ['ecs:DescribeServices', 'ecs:UpdateService'], verifyActions: ['ecs:DescribeServices'] },
    ];
  },
  approvalPage: {
    permissions: ({ config: c, arns }) => [{ actions: ['ecs:DescribeServices'], resources: services(c, arns) }, DESCRIBE_SCALABLE_TARGETS],
  },
  alarms: (c) => c.targets.flatMap((t): AlarmSpec[] => [
    {
      id: `${t.clusterName}-${t.serviceName}-memory-high`,
      description: `Seed 004 "ECS Memory High": average memory of ${t.serviceName} above ${c.thresholds.memoryPercent}% for 5 minutes. Starts scale-out.`,
      metric: { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', dimensions: { ClusterName: t.clusterName, ServiceName: t.serviceName }, statistic: 'Average', periodMinutes: 1 },
      threshold: c.thresholds.memoryPercent, comparison: 'GreaterThanThreshold', evaluationPeriods: 5, datapointsToAlarm: 5, treatMissingData: 'notBreaching',
    },
    ...(t.queueName ? [{
      id: `${t.queueName}-depth`,
      description: `Seed 001 C: more than ${c.thresholds.queueDepthMessages} messages wait in ${t.queueName} for 5 minutes. Starts scale-out for ${t.serviceName} (routed by its tags).`,
      metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: t.queueName }, statistic: 'Maximum', periodMinutes: 1 },
      threshold: c.thresholds.queueDepthMessages, comparison: 'GreaterThanThreshold' as const, evaluationPeriods: 5, datapointsToAlarm: 5, treatMissingData: 'notBreaching' as const,
      tags: { [RUNBOOK_TAG]: 'scale-out', [TARGET_TAG]: serviceKey(t) },
    }] : []),
  ]),
  nag: ({ arns }) => [{
    id: `AwsSolutions-IAM5[Resource::${arns.scalableTarget('*')}]`,
    reason: 'scale-out raises (application-autoscaling:RegisterScalableTarget; its undo puts it back) the minimum of a configured ECS service\'s scalable target; Application Auto Scaling names a scalable target by an id of its own, so its ARN cannot name the service: the grant is limited to ECS desired counts by condition, and the handler to the configured services.',
  }],
  drill: {
    event: 'events/scale-out.alarm.json',
    // Seed 001 C's queue-depth alarm: it names only its queue, so its tags name the worker service.
    samples: ['events/samples/scale-out-queue-depth.alarm.json'],
    scenarios: ['drill/scenarios/worker-at-ceiling.json', 'drill/scenarios/worker-without-scalable-target.json', 'drill/scenarios/worker-queue-deleted.json'],
    taggedAlarms: { 'alphaswarm-prod-celery-depth': { target: 'alphaswarm-cluster-prod/alphaswarm-worker-prod' } },
    changes: {
      'application-autoscaling:RegisterScalableTarget': { fields: ['minCapacity', 'maxCapacity', 'desiredCount'] },
      'ecs:UpdateService': { fields: ['desiredCount'] },
    },
    // admit -> service, scalable target, queue -> approval (auto here) -> re-read, raise the minimum -> task polls -> alarm back to OK? -> notify
    calls: [
      { call: 'ecs:DescribeServices', state: 'Read service capacity' },
      // A service without a scalable target is an empty list, never an error: a not-found answer is not about the target.
      { call: 'application-autoscaling:DescribeScalableTargets', state: 'Read service capacity', notFound: 'failed' },
      // A queue that does not exist (QueueDoesNotExist) is escalated: the configuration no longer describes the account.
      { call: 'sqs:GetQueueAttributes', state: 'Read service capacity' },
      { call: 'application-autoscaling:RegisterScalableTarget', state: 'Raise service capacity', mutates: true },
      { call: 'cloudwatch:DescribeAlarms', state: 'Check alarm state' },
      { call: 'sns:Publish', state: 'Notify remediated' },
    ],
  },
});
