/**
 * auth-degraded-mode (seed 001 D "Auth0 JWKS returns 503"): the alarm on a configured service's JWKS
 * fetch failures (every authenticated request fails with jwks_unreachable) sets
 * ALPHASWARM_AUTH_ENFORCE=permissive on the service while the identity provider is down, only when
 * its operator UI is firewalled at the ingress (a config fact: otherwise it notifies and changes
 * nothing), as approved (every environment but dev). The change is a new task definition revision
 * with only that variable changed, deployed and watched; the revision it replaces is recorded first.
 * The revert is scheduled at once (EventBridge Scheduler, one-time, one per incident, deleted after
 * it runs): it starts the undo of the incident, the same compared and verified restore an operator's
 * early `npm run undo` makes (which deletes the schedule). The critical page is the P1 follow-up the
 * seed asks for: a hard rule is bypassed until the revert, and when that is.
 */
import { z } from 'zod';
import { gatePolicy, resourceName, runbookBase } from '../config';
import { json, undoStateMachineName, type AlarmSpec, type Arns, type HandlerDef } from '../kit';
import { defineRunbook, type RunbookContext } from '../module';
import { revertScheduleName } from './auth-plan';
import definition from './statemachine';

/**
 * What the application publishes for each JWKS fetch that fails (jwks_unreachable), its ECS service
 * as ClusterName and ServiceName dimensions: the same in every environment, as the routes are.
 */
export const JWKS_FAILURES_METRIC = { namespace: 'AlphaSwarm/Auth', metricName: 'JwksFetchFailures' } as const;

/** IAM role names: letters, digits and + = , . @ _ - (IAM's own rule), up to 64. */
const roleName = z.string().min(1).max(64).regex(/^[\w+=,.@-]+$/, 'an IAM role name (letters, digits and + = , . @ _ -)');

const config = z.strictObject({
  ...runbookBase,
  targets: z.array(z.strictObject({
    clusterName: resourceName,
    serviceName: resourceName,
    /** The container whose environment holds the auth variable. */
    container: z.string().min(1).max(255),
    /** Seed 001 D: "ONLY do this if your operator UI is firewalled at the Ingress layer". false: notify only, nothing changed. */
    operatorUiFirewalled: z.boolean(),
    /** Its task definition family. @default the service's name */
    taskDefinitionFamily: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'a task definition family').optional(),
    /** The task definition's roles, which registering a revision passes to ECS (iam:PassRole on these only). */
    taskRoleName: roleName.optional(),
    executionRoleName: roleName.optional(),
  })).min(1),
  variable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').default('ALPHASWARM_AUTH_ENFORCE'),
  permissiveValue: z.string().min(1).default('permissive'),
  /** How long permissive mode lasts before the scheduled revert (seed 001 D: "while you wait for Auth0 to recover"). */
  revertAfterMinutes: z.number().int().min(15).max(24 * 60).default(120),
  /** A hard rule is bypassed: P1 (seed 001 post-incident), 15 minutes per level unless the environment says otherwise. */
  degrade: z.strictObject({ approval: gatePolicy.default({ severity: 'P1', onTimeout: 'abort' }) }).default({ approval: { severity: 'P1', onTimeout: 'abort' } }),
  /** The alarm the stack creates on JWKS_FAILURES_METRIC per target. */
  failures: z.strictObject({
    threshold: z.number().min(0).default(5),
    periodMinutes: z.number().int().min(1).max(60).default(1),
    evaluationPeriods: z.number().int().min(1).max(30).default(3),
  }).default({ threshold: 5, periodMinutes: 1, evaluationPeriods: 3 }),
  rolloutTimeoutMinutes: z.number().int().min(1).max(120).default(20),
  rolloutPollSeconds: z.number().int().min(5).max(300).default(30),
});
export type AuthDegradedModeConfig = z.infer<typeof config>;

type Target = AuthDegradedModeConfig['targets'][number];
const serviceKey = (t: Target) => `${t.clusterName}/${t.serviceName}`;
const services = (c: AuthDegradedModeConfig, arns: Arns) => c.targets.map((t) => arns.ecsService(t.clusterName, t.serviceName));
/** The schedules it creates: one per incident (incident ids are inc-<hex>), named as the schedule step names them. */
const revertSchedules = (arns: Arns) => arns.schedule('default', revertScheduleName('inc-*'));
/** The role EventBridge Scheduler assumes to start the undo: a fixed name, so the handler passes it without a reference across stacks. */
const schedulerRoleName = (environment: string) => `runbook-autopilot-${environment}-auth-revert-scheduler`;
const taskRoles = (c: AuthDegradedModeConfig, arns: Arns) => [...new Set(c.targets.flatMap((t) => [t.taskRoleName, t.executionRoleName]).filter((r): r is string => r !== undefined))].map((r) => arns.iamRole(r));
const familiesOf = (c: AuthDegradedModeConfig) => [...new Set(c.targets.map((t) => t.taskDefinitionFamily ?? t.serviceName))];
const describeServices = (c: AuthDegradedModeConfig, arns: Arns) => ({ actions: ['ecs:DescribeServices'], resources: services(c, arns) });

export default defineRunbook({
  name: 'auth-degraded-mode',
  answers: ['jwks-503'],
  config,
  targets: (c) => c.targets.map(serviceKey),
  trigger: {
    kind: 'alarm',
    route: {
      selectors: [{ namespaces: [JWKS_FAILURES_METRIC.namespace], metricNames: [JWKS_FAILURES_METRIC.metricName], alarmedMetricOnly: true }],
      targetDimensions: ['ClusterName', 'ServiceName'],
    },
    dimensions: (c) => c.targets.map((t) => ({ ClusterName: t.clusterName, ServiceName: t.serviceName })),
  },
  stateMachine: {
    definition,
    substitutions: ({ config: c, deadlineSeconds }) => ({ DegradeApprovalTimeoutSeconds: String(deadlineSeconds(c.degrade.approval.severity)) }),
  },
  handlers: (ctx): HandlerDef[] => {
    const { config: c, arns, environment } = ctx;
    const settings = {
      AUTH_TARGETS: json(Object.fromEntries(c.targets.map((t) => [serviceKey(t), { container: t.container, operatorUiFirewalled: t.operatorUiFirewalled }]))),
      AUTH_VARIABLE: c.variable, PERMISSIVE_VALUE: c.permissiveValue,
    };
    const allowed = { ALLOWED_TARGETS: json(c.targets.map(serviceKey)) };
    const families = familiesOf(c);
    const roles = taskRoles(c, arns);
    return [
      {
        id: 'AuthDegradedModeInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/auth-degraded-mode/handlers/inspect.ts', usesLedger: false,
        description: 'auth-degraded-mode: read the service, its task definition and the auth mode its container sets',
        environment: { ...allowed, ...settings, REVERT_AFTER_MINUTES: String(c.revertAfterMinutes) },
        permissions: [
          describeServices(c, arns),
          // IAM authorizes DescribeTaskDefinition on no resource.
          { actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] },
        ],
      },
      ctx.approvalRequest('AuthDegradedModeApprovalRequest'),
      {
        id: 'AuthDegradedModeRegister', substitution: 'RegisterFunctionArn', entry: 'runbooks/auth-degraded-mode/handlers/register.ts', usesLedger: true,
        description: 'auth-degraded-mode: register the running task definition with auth permissive, nothing else changed, as approved',
        environment: { ...allowed, AUTH_VARIABLE: c.variable, PERMISSIVE_VALUE: c.permissiveValue, DEGRADE_ON_TIMEOUT: c.degrade.approval.onTimeout },
        permissions: [
          { actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] },
          // A new revision of the service's own family; its tags are kept, which ECS authorizes as TagResource on create.
          { actions: ['ecs:RegisterTaskDefinition'], resources: families.map((f) => arns.ecsTaskDefinitionFamily(f)) },
          { actions: ['ecs:TagResource'], resources: families.map((f) => arns.ecsTaskDefinitionFamily(f)), conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } } },
          // Registering passes the task definition's roles to ECS tasks: these roles only, to ECS tasks only.
          ...(roles.length > 0 ? [{ actions: ['iam:PassRole'], resources: roles, conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }] : []),
        ],
      },
      {
        id: 'AuthDegradedModeDegrade', substitution: 'DegradeFunctionArn', entry: 'runbooks/auth-degraded-mode/handlers/degrade.ts', usesLedger: true,
        description: 'auth-degraded-mode: deploy the permissive revision to the service, as approved',
        environment: { ...allowed, AUTH_VARIABLE: c.variable, PERMISSIVE_VALUE: c.permissiveValue, DEGRADE_ON_TIMEOUT: c.degrade.approval.onTimeout },
        permissions: [{ actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: services(c, arns) }],
      },
      {
        id: 'AuthDegradedModeSchedule', substitution: 'ScheduleFunctionArn', entry: 'runbooks/auth-degraded-mode/handlers/schedule.ts', usesLedger: true,
        description: 'auth-degraded-mode: schedule the revert (EventBridge Scheduler, one-time, per incident) that starts the undo',
        environment: {
          ...allowed, REVERT_AFTER_MINUTES: String(c.revertAfterMinutes),
          UNDO_STATE_MACHINE_ARN: arns.stateMachine(undoStateMachineName(environment)), SCHEDULER_ROLE_ARN: arns.iamRole(schedulerRoleName(environment)),
        },
        permissions: [
          { actions: ['scheduler:CreateSchedule', 'scheduler:GetSchedule'], resources: [revertSchedules(arns)] },
          // The schedule names the role EventBridge Scheduler assumes: passed to that service only.
          { actions: ['iam:PassRole'], resources: [arns.iamRole(schedulerRoleName(environment))], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } },
        ],
      },
      {
        id: 'AuthDegradedModeCheck', substitution: 'CheckFunctionArn', entry: 'runbooks/auth-degraded-mode/handlers/check.ts', usesLedger: false,
        description: 'auth-degraded-mode: watch the rollout of the permissive revision',
        environment: { ROLLOUT_TIMEOUT_SECONDS: String(c.rolloutTimeoutMinutes * 60), POLL_SECONDS: String(c.rolloutPollSeconds) },
        permissions: [describeServices(c, arns)],
      },
    ];
  },
  serviceRoles: ({ environment, arns }: RunbookContext<AuthDegradedModeConfig>) => [{
    id: 'AuthRevertScheduler', roleName: schedulerRoleName(environment), service: 'scheduler.amazonaws.com',
    description: 'auth-degraded-mode: EventBridge Scheduler starts the undo of an incident at its scheduled revert',
    permissions: [{ actions: ['states:StartExecution'], resources: [arns.stateMachine(undoStateMachineName(environment))] }],
  }],
  gates: [{ step: 'degrade-auth', policyAt: ['degrade', 'approval'] }],
  undo: ({ config: c, arns }) => [
    {
      operation: 'ecs:UpdateService', targets: c.targets.map(serviceKey), resources: services(c, arns),
      restoreActions: ['ecs:DescribeServices', 'ecs:UpdateService'], verifyActions: ['ecs:DescribeServices'],
    },
    {
      operation: 'scheduler:CreateSchedule', targets: c.targets.map(serviceKey), resources: [revertSchedules(arns)],
      restoreActions: ['scheduler:GetSchedule', 'scheduler:DeleteSchedule'], verifyActions: ['scheduler:GetSchedule'],
    },
  ],
  undoNeedsNoApproval: 'the revert puts enforced auth back: it ends what was approved for a while, so it asks nobody, whoever starts it',
  hardRules: { 'ecs:UpdateService': 'ALPHASWARM_AUTH_ENFORCE=strict (every request authenticated): permissive while the identity provider is down' },
  approvalPage: { permissions: ({ config: c, arns }) => [describeServices(c, arns)] },
  alarms: (c) => c.targets.map((t): AlarmSpec => ({
    id: `${t.serviceName}-jwks-failures`,
    description: `Seed 001 D: ${t.serviceName} cannot fetch its identity provider's JWKS (${JWKS_FAILURES_METRIC.metricName}, jwks_unreachable). Starts auth-degraded-mode.`,
    metric: { ...JWKS_FAILURES_METRIC, dimensions: { ClusterName: t.clusterName, ServiceName: t.serviceName }, statistic: 'Sum', periodMinutes: c.failures.periodMinutes },
    threshold: c.failures.threshold, comparison: 'GreaterThanThreshold', evaluationPeriods: c.failures.evaluationPeriods, treatMissingData: 'notBreaching',
  })),
  nag: ({ config: c, arns }) => [
    {
      id: `AwsSolutions-IAM5[Resource::${revertSchedules(arns)}]`,
      reason: 'auth-degraded-mode creates (scheduler:CreateSchedule, scheduler:GetSchedule) one revert schedule per incident, named auth-revert-<incident id> (known only when the incident is), and the undo deletes it (scheduler:DeleteSchedule); nothing else of the schedule group.',
    },
    ...familiesOf(c).map((f) => ({
      id: `AwsSolutions-IAM5[Resource::${arns.ecsTaskDefinitionFamily(f)}]`,
      reason: `auth-degraded-mode registers the next revision of task definition family ${f} (ecs:RegisterTaskDefinition, and ecs:TagResource for its tags on create only), whose number ECS gives at registration.`,
    })),
  ],
  drill: {
    event: 'events/auth-degraded-mode.alarm.json',
    scenarios: ['drill/scenarios/auth-operator-ui-not-firewalled.json', 'drill/scenarios/auth-scheduled-revert-fires.json'],
    changes: {
      'ecs:UpdateService': { fields: ['taskDefinition', 'environment'] },
      'ecs:RegisterTaskDefinition': { fields: [], note: 'the registered revision is kept (ECS keeps every revision); the service goes back to the one it ran' },
      // The drill shows a service's timed-revert schedules beside it (their description names it).
      'scheduler:CreateSchedule': { fields: ['schedules'], note: 'the undo deletes the schedule, or it deleted itself after it ran' },
    },
    // admit -> service, task definition -> approval (auto here) -> register -> re-read, UpdateService -> schedule -> rollout polls -> critical page
    calls: [
      { call: 'ecs:DescribeServices', state: 'Read the service and its auth mode' },
      { call: 'ecs:DescribeTaskDefinition', state: 'Read the service and its auth mode' },
      { call: 'ecs:RegisterTaskDefinition', state: 'Register the permissive revision', mutates: true, notFound: 'failed' },
      { call: 'ecs:UpdateService', state: 'Set auth to permissive', mutates: true },
      { call: 'scheduler:GetSchedule', state: 'Schedule the revert', notFound: 'nothing' },
      // CreateSchedule's not-found is a schedule group that does not exist: not about the service.
      { call: 'scheduler:CreateSchedule', state: 'Schedule the revert', mutates: true, notFound: 'failed' },
      { call: 'sns:Publish', state: 'Notify: auth permissive until the revert' },
    ],
  },
});
