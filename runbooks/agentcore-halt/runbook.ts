/**
 * agentcore-halt (seed 000 "Halt every AgentCore session", "Fan-out kill switch"): the emergency
 * stop, started by an operator (`autopilot start agentcore-halt --target <environment> --reason
 * ...`, or StartExecution from the console with the same input) or by a configured alarm. It stops
 * new invocations at the AgentCore gateway (the deny-all policy engine attached in ENFORCE mode:
 * UpdateGateway has no status), pins the AgentCore proxy's scalable target at 0 (its desired count
 * follows), and POSTs the application's kill-switch endpoints, each change recorded in the ledger
 * before it is made. The three parts are independent: each is attempted whatever happened to the
 * ones before, and a part that did not halt is named, with its error, on one escalation (a failure
 * a retry may mend is then attempted again, failing the execution there if it fails again). No
 * approval in any environment: it is the emergency stop. The resume is the
 * undo: the gateway's recorded configuration and the proxy's recorded capacity put back, with at
 * least one approver everywhere and the environment's count where higher (two in prod).
 */
import { z } from 'zod';
import { alarmName, resourceName, runbookBase } from '../config';
import { DESCRIBE_SCALABLE_TARGETS, json, registerEcsScalableTarget, type Arns, type HandlerDef, type Permission } from '../kit';
import { defineRunbook } from '../module';
import type { HaltScope } from './halt-scope';
import definition from './statemachine';

const KILL_SWITCH_PATHS = ['/portfolio/kill_switch', '/workloads/halt'];
/** AgentCore's gateway id: its name, a dash and ten lower-case letters or digits (the API model's pattern). */
const gatewayId = z.string().regex(/^([0-9a-z][-]?){1,100}-[0-9a-z]{10}$/, 'an AgentCore gateway id (<name>-<10 lower-case letters or digits>)');
/** IAM role names: letters, digits and + = , . @ _ - (IAM's own rule), up to 64. */
const roleName = z.string().min(1).max(64).regex(/^[\w+=,.@-]+$/, 'an IAM role name (letters, digits and + = , . @ _ -)');
/** A policy engine's id: its name, a dash and ten lower-case letters or digits. */
const policyEngineId = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,47}-[a-z0-9]{10}$/, 'an AgentCore policy engine id (<name>-<10 lower-case letters or digits>)');
/** The application's endpoints are reached over TLS only: the POST carries a bearer token. */
const baseUrl = z.url().refine((u) => u.startsWith('https://'), 'an https:// URL (the POST carries a token)');
const endpointPath = z.string().regex(/^\/[\w./-]*$/, 'a path starting with /');

const config = z.strictObject({
  ...runbookBase,
  /**
   * What a halt stops, per environment of the application this account runs (a person names it:
   * `--target prod`): the gateway, the proxy service and the kill-switch endpoints. `alarms`: the
   * alarms that start this halt by their names (optional; none by default).
   */
  targets: z.array(z.strictObject({
    environment: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'an environment name (lower-case letters, digits, -)'),
    gateway: z.strictObject({
      gatewayId,
      /** The gateway's service role, in this account: UpdateGateway passes it again (iam:PassRole on it only); a gateway under another role is refused. */
      roleName,
      /** A policy engine of this account that holds no policy, created once beforehand: in ENFORCE mode it refuses every call (Cedar denies what no policy permits). */
      haltPolicyEngineId: policyEngineId,
    }),
    proxy: z.strictObject({ clusterName: resourceName, serviceName: resourceName }),
    killSwitch: z.strictObject({
      baseUrl,
      paths: z.array(endpointPath).min(1).default(KILL_SWITCH_PATHS),
      /** The Secrets Manager secret whose value is the endpoints' bearer token (read at run time; never logged or recorded). */
      secretName: resourceName,
      timeoutSeconds: z.number().int().min(1).max(60).default(10),
    }),
    alarms: z.array(alarmName).default([]),
  })).min(1),
  /** Waiting for the gateway to be READY again and the proxy's tasks to stop. */
  check: z.strictObject({
    pollSeconds: z.number().int().min(5).max(300).default(15),
    timeoutMinutes: z.number().int().min(1).max(60).default(10),
  }).default({ pollSeconds: 15, timeoutMinutes: 10 }),
});
export type AgentcoreHaltConfig = z.infer<typeof config>;
type Target = AgentcoreHaltConfig['targets'][number];

const roleArnOf = (t: Target, arns: Arns) => arns.iamRole(t.gateway.roleName);
const scopeOf = (t: Target, arns: Arns): HaltScope => ({
  environment: t.environment,
  gateway: { gatewayId: t.gateway.gatewayId, roleArn: roleArnOf(t, arns), haltPolicyEngineArn: arns.agentcorePolicyEngine(t.gateway.haltPolicyEngineId) },
  proxy: { cluster: t.proxy.clusterName, service: t.proxy.serviceName },
  killSwitch: { baseUrl: t.killSwitch.baseUrl, paths: t.killSwitch.paths, secretId: t.killSwitch.secretName, timeoutSeconds: t.killSwitch.timeoutSeconds },
});
/** Every target key that starts a halt (its environment, each of its alarms), with what it stops. */
const scopes = (c: AgentcoreHaltConfig, arns: Arns): Record<string, HaltScope> =>
  Object.fromEntries(c.targets.flatMap((t) => [t.environment, ...t.alarms].map((key) => [key, scopeOf(t, arns)])));
const alarmNames = (c: AgentcoreHaltConfig) => c.targets.flatMap((t) => t.alarms);
const gateways = (c: AgentcoreHaltConfig, arns: Arns) => c.targets.map((t) => arns.agentcoreGateway(t.gateway.gatewayId));
const gatewayIds = (c: AgentcoreHaltConfig) => c.targets.map((t) => t.gateway.gatewayId);
const services = (c: AgentcoreHaltConfig, arns: Arns) => c.targets.map((t) => arns.ecsService(t.proxy.clusterName, t.proxy.serviceName));
const proxies = (c: AgentcoreHaltConfig) => c.targets.map((t) => `${t.proxy.clusterName}/${t.proxy.serviceName}`);

export default defineRunbook({
  name: 'agentcore-halt',
  answers: ['halt-agentcore', 'kill-switch-fan-out'],
  config,
  targets: (c) => [...c.targets.map((t) => t.environment), ...alarmNames(c)],
  events: {
    kind: 'event',
    // A configured alarm starts it by its name (none by default): the alarm says something is already spending or trading out of control.
    routes: [{ event: 'cloudwatch-alarm-named', detail: { state: { value: ['ALARM'] } } }],
    targetValues: ({ config: c }) => alarmNames(c),
  },
  // `autopilot start agentcore-halt --target prod --reason "..."`: the environment says everything the halt stops.
  manualStart: {},
  stateMachine: { definition },
  handlers: ({ config: c, arns }): HandlerDef[] => {
    const env = { HALT_SCOPES: json(scopes(c, arns)) };
    const reads: Permission[] = [
      { actions: ['bedrock-agentcore:GetGateway'], resources: gateways(c, arns) },
      { actions: ['ecs:DescribeServices'], resources: services(c, arns) },
      DESCRIBE_SCALABLE_TARGETS,
    ];
    return [
      {
        id: 'AgentcoreHaltInspect', substitution: 'InspectFunctionArn', entry: 'runbooks/agentcore-halt/handlers/inspect.ts', usesLedger: false,
        description: 'agentcore-halt: read one part, on its own: the gateway, or the proxy service and its scalable target', environment: env, permissions: reads,
      },
      {
        id: 'AgentcoreHaltGateway', substitution: 'GatewayFunctionArn', entry: 'runbooks/agentcore-halt/handlers/gateway.ts', usesLedger: true,
        description: 'agentcore-halt: stop new gateway invocations (UpdateGateway with the deny-all policy engine, ENFORCE)', environment: env,
        permissions: [
          { actions: ['bedrock-agentcore:GetGateway', 'bedrock-agentcore:UpdateGateway'], resources: gateways(c, arns) },
          // UpdateGateway names the gateway's role again: passing that role only, to AgentCore only.
          { actions: ['iam:PassRole'], resources: c.targets.map((t) => roleArnOf(t, arns)), conditions: { StringEquals: { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' } } },
        ],
      },
      {
        id: 'AgentcoreHaltProxy', substitution: 'ProxyFunctionArn', entry: 'runbooks/agentcore-halt/handlers/proxy.ts', usesLedger: true,
        description: "agentcore-halt: pin the proxy's scalable target at 0 (or its desired count to 0)", environment: env,
        permissions: [
          { actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: services(c, arns) }, DESCRIBE_SCALABLE_TARGETS,
          registerEcsScalableTarget(arns),
        ],
      },
      {
        id: 'AgentcoreHaltKillSwitch', substitution: 'KillSwitchFunctionArn', entry: 'runbooks/agentcore-halt/handlers/kill-switch.ts', usesLedger: true,
        description: "agentcore-halt: POST the application's kill-switch endpoints (token from Secrets Manager)", environment: env,
        permissions: [{ actions: ['secretsmanager:GetSecretValue'], resources: c.targets.map((t) => arns.secret(t.killSwitch.secretName)) }],
      },
      {
        id: 'AgentcoreHaltCheck', substitution: 'CheckFunctionArn', entry: 'runbooks/agentcore-halt/handlers/check.ts', usesLedger: false,
        description: 'agentcore-halt: verify what halted: the gateway READY with the halt in force, the proxy running no task',
        environment: { ...env, POLL_SECONDS: String(c.check.pollSeconds), CHECK_TIMEOUT_SECONDS: String(c.check.timeoutMinutes * 60) },
        permissions: reads,
      },
    ];
  },
  // The resume: the gateway's whole recorded configuration, the proxy's recorded range and desired count.
  undo: ({ config: c, arns }) => {
    const register = 'application-autoscaling:RegisterScalableTarget';
    const describe = 'application-autoscaling:DescribeScalableTargets';
    const targets = proxies(c);
    return [
      {
        operation: 'bedrock-agentcore:UpdateGateway', targets: gatewayIds(c), resources: gateways(c, arns),
        restoreActions: ['bedrock-agentcore:GetGateway', 'bedrock-agentcore:UpdateGateway'], verifyActions: ['bedrock-agentcore:GetGateway'],
        passRoles: c.targets.map((t) => roleArnOf(t, arns)),
      },
      { operation: register, targets, resources: [arns.scalableTarget('*')], restoreActions: [register], verifyActions: [] },
      { operation: register, targets, resources: ['*'], restoreActions: [describe], verifyActions: [describe] },
      { operation: register, targets, resources: services(c, arns), restoreActions: ['ecs:DescribeServices'], verifyActions: ['ecs:DescribeServices'] },
      { operation: 'ecs:UpdateService', targets, resources: services(c, arns), restoreActions: ['ecs:DescribeServices', 'ecs:UpdateService'], verifyActions: ['ecs:DescribeServices'] },
    ];
  },
  // Starting the agents again is never done unasked: one approver at least, and the environment's count where higher (two in prod).
  undoMinimumApprovals: 1,
  nag: ({ arns }) => [{
    id: `AwsSolutions-IAM5[Resource::${arns.scalableTarget('*')}]`,
    reason: "agentcore-halt pins (application-autoscaling:RegisterScalableTarget; its undo puts it back) the AgentCore proxy's scalable target at 0; Application Auto Scaling names a scalable target by an id of its own, so its ARN cannot name the service: the grant is limited to ECS desired counts by condition, and the handler to the configured services.",
  }],
  drill: {
    event: 'events/agentcore-halt.event.json',
    samples: ['events/samples/agentcore-halt.alarm.json'],
    scenarios: [
      'drill/scenarios/agentcore-gateway-already-halted.json', 'drill/scenarios/agentcore-proxy-already-stopped.json', 'drill/scenarios/kill-switch-endpoint-fails.json',
      'drill/scenarios/agentcore-proxy-without-scalable-target.json', 'drill/scenarios/agentcore-gateway-other-role.json',
    ],
    changes: {
      'bedrock-agentcore:UpdateGateway': { fields: ['policyEngine', 'authorizerType'] },
      'application-autoscaling:RegisterScalableTarget': { fields: ['minCapacity', 'maxCapacity', 'desiredCount'] },
      'ecs:UpdateService': { fields: ['desiredCount'] },
      'application:PostKillSwitch': { fields: [], note: "the application's kill switch has no API inverse: a person resumes trading and workloads in the operator console" },
    },
    // What a halt is about, by the names the sandbox keeps them under: reported before and after every run (one that fails early too).
    watches: (c) => [...gatewayIds(c), ...proxies(c), ...c.targets.flatMap((t) => t.killSwitch.paths)],
    // admit -> the gateway, UpdateGateway (reads first) -> the proxy, its scalable target, the pin -> the token, the POSTs -> the checks -> notify.
    // A part's call failing after its Retry is recorded and the next part attempted; after the page, the part's step is attempted again and the execution fails there (failsAt).
    calls: [
      { call: 'bedrock-agentcore:GetGateway', state: 'Read the gateway', failsAt: 'Block gateway invocations again' },
      { call: 'bedrock-agentcore:UpdateGateway', state: 'Block gateway invocations', mutates: true, failsAt: 'Block gateway invocations again' },
      { call: 'ecs:DescribeServices', state: 'Read the proxy', failsAt: 'Scale the proxy to zero again' },
      { call: 'application-autoscaling:DescribeScalableTargets', state: 'Read the proxy', notFound: 'failed', failsAt: 'Scale the proxy to zero again' },
      { call: 'application-autoscaling:RegisterScalableTarget', state: 'Scale the proxy to zero', mutates: true, failsAt: 'Scale the proxy to zero again' },
      { call: 'secretsmanager:GetSecretValue', state: 'POST the kill switches', failsAt: 'POST the kill switches again' },
      { call: 'sns:Publish', state: 'Notify halted' },
    ],
  },
});
