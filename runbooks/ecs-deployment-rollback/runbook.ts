/**
 * ecs-deployment-rollback (seed 002 "(h) Rollback", seed 000 "Roll back to the previous tag"): a
 * configured ECS service's deployment that failed (the ECS Deployment State Change event
 * SERVICE_DEPLOYMENT_FAILED) goes back to the task definition of its last successful deployment,
 * as approved (prod: two distinct approvers, seed 002's 4-eyes rule), its rollout watched. The
 * seeds roll back by re-applying Terraform pinned to the previous image tag; a service deployment
 * records the task definition that ran, so the same rollback is one UpdateService, and reversible.
 * With the circuit breaker's rollback on, ECS rolls back itself: watched, nothing changed.
 */
import { z } from 'zod';
import { gatePolicy, resourceName, runbookBase } from '../config';
import { ECS_UPDATE_SERVICE_CHANGES, json, type Arns, type HandlerDef } from '../kit';
import { defineRunbook } from '../module';
import definition from './statemachine';

const config = z.strictObject({
  ...runbookBase,
  targets: z.array(z.strictObject({ clusterName: resourceName, serviceName: resourceName })).min(1),
  /** A failed release is a production incident (seed 002: prod changes need two reviewers, which the environment's policy gives). */
  rollback: z.strictObject({
    approval: gatePolicy.default({ severity: 'P2', onTimeout: 'abort' }),
  }).default({ approval: { severity: 'P2', onTimeout: 'abort' } }),
  /** Service deployments read, newest first, to find the last successful one (ListServiceDeployments' maxResults). */
  historySize: z.number().int().min(2).max(100).default(20),
  /** Bounded wait for the rollback's rollout (or ECS's own) to complete. */
  rolloutTimeoutMinutes: z.number().int().min(1).max(120).default(20),
  rolloutPollSeconds: z.number().int().min(5).max(300).default(30),
});
export type EcsDeploymentRollbackConfig = z.infer<typeof config>;

const serviceKey = (t: { clusterName: string; serviceName: string }) => `${t.clusterName}/${t.serviceName}`;
const services = (c: EcsDeploymentRollbackConfig, arns: Arns) => c.targets.map((t) => arns.ecsService(t.clusterName, t.serviceName));
const describeServices = (c: EcsDeploymentRollbackConfig, arns: Arns) => ({ actions: ['ecs:DescribeServices'], resources: services(c, arns) });

export default defineRunbook({
  name: 'ecs-deployment-rollback',
  answers: ['roll-back-to-previous-tag', 'deploy-rollback'],
  config,
  targets: (c) => c.targets.map(serviceKey),
  events: {
    kind: 'event',
    routes: [{ event: 'ecs-deployment-state', detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] } }],
    targetValues: ({ config: c, arns }) => services(c, arns),
  },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({ RollbackApprovalTimeoutSeconds: String(deadlineSeconds(c.rollback.approval.severity)) }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns } = ctx;
    const allowed = { ALLOWED_TARGETS: json(c.targets.map(serviceKey)) };
    const watch = { ROLLOUT_TIMEOUT_SECONDS: String(c.rolloutTimeoutMinutes * 60), POLL_SECONDS: String(c.rolloutPollSeconds) };
    return [
      {
        id: 'EcsDeploymentRollbackInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/ecs-deployment-rollback/handlers/inspect.ts', usesLedger: false,
        description: 'ecs-deployment-rollback: read the service, its deployment history and the last successful task definition',
        environment: { ...allowed, HISTORY_SIZE: String(c.historySize) },
        permissions: [
          { actions: ['ecs:DescribeServices', 'ecs:ListServiceDeployments'], resources: services(c, arns) },
          // Both are authorized on the service and on its deployments or revisions, whose ids ECS gives.
          { actions: ['ecs:DescribeServiceDeployments'], resources: [...services(c, arns), ...c.targets.map((t) => arns.ecsServiceDeployments(t.clusterName, t.serviceName))] },
          { actions: ['ecs:DescribeServiceRevisions'], resources: [...services(c, arns), ...c.targets.map((t) => arns.ecsServiceRevisions(t.clusterName, t.serviceName))] },
          // IAM authorizes DescribeTaskDefinition on no resource.
          { actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] },
        ],
      },
      ctx.approvalRequest('EcsDeploymentRollbackApprovalRequest'),
      {
        id: 'EcsDeploymentRollbackRollback', substitution: 'RollbackFunctionArn', entry: 'runbooks/ecs-deployment-rollback/handlers/rollback.ts', usesLedger: true,
        description: 'ecs-deployment-rollback: UpdateService to the last successful task definition, as approved',
        environment: { ...allowed, ROLLBACK_ON_TIMEOUT: c.rollback.approval.onTimeout },
        permissions: [{ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: services(c, arns) }],
      },
      {
        id: 'EcsDeploymentRollbackCheck', substitution: 'CheckFunctionArn', entry: 'runbooks/ecs-deployment-rollback/handlers/check.ts', usesLedger: false,
        description: 'ecs-deployment-rollback: watch the rollback rollout', environment: watch,
        permissions: [describeServices(c, arns)],
      },
    ];
  },
  gates: [{ step: 'rollback', policyAt: ['rollback', 'approval'] }],
  undo: ({ config: c, arns }) => [{
    operation: 'ecs:UpdateService', targets: c.targets.map(serviceKey), resources: services(c, arns),
    restoreActions: ['ecs:DescribeServices', 'ecs:UpdateService'], verifyActions: ['ecs:DescribeServices'],
  }],
  approvalPage: {
    // The page re-reads the service: its task definition and rollout now.
    permissions: ({ config: c, arns }) => [describeServices(c, arns)],
  },
  nag: ({ config: c, arns }) => c.targets.flatMap((t) => [
    {
      id: `AwsSolutions-IAM5[Resource::${arns.ecsServiceDeployments(t.clusterName, t.serviceName)}]`,
      reason: `ecs-deployment-rollback reads the service deployments of ${serviceKey(t)} (ecs:DescribeServiceDeployments) to find its last successful one; ECS names each deployment with an id known only when it runs.`,
    },
    {
      id: `AwsSolutions-IAM5[Resource::${arns.ecsServiceRevisions(t.clusterName, t.serviceName)}]`,
      reason: `ecs-deployment-rollback reads the service revisions of ${serviceKey(t)} (ecs:DescribeServiceRevisions): the task definition and images each deployment ran; ECS names each revision with an id known only when it is created.`,
    },
  ]),
  drill: {
    event: 'events/ecs-deployment-rollback.event.json',
    scenarios: ['drill/scenarios/admin-circuit-breaker-rolling-back.json', 'drill/scenarios/admin-no-older-deployment.json'],
    changes: { 'ecs:UpdateService': ECS_UPDATE_SERVICE_CHANGES },
    // admit -> service, deployment history, revisions, the chosen task definition -> approval (auto here) -> re-read, UpdateService -> rollout polls -> notify
    calls: [
      { call: 'ecs:DescribeServices', state: 'Read the failed deployment' },
      { call: 'ecs:ListServiceDeployments', state: 'Read the failed deployment' },
      { call: 'ecs:DescribeServiceDeployments', state: 'Read the failed deployment' },
      { call: 'ecs:DescribeServiceRevisions', state: 'Read the failed deployment' },
      { call: 'ecs:DescribeTaskDefinition', state: 'Read the failed deployment' },
      { call: 'ecs:UpdateService', state: 'Roll back to the last good task definition', mutates: true },
      { call: 'sns:Publish', state: 'Notify remediated' },
    ],
  },
});
