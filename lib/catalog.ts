/**
 * The catalog: for each enabled runbook (runbooks/registry.ts), its ASL file, the handlers its Task
 * states invoke and what each may touch, built from its module; and what every runbook shares:
 * admit, notify, the approval page, the trigger functions and the undo state machine. Plain data
 * built from config: the CDK stack turns it into functions, roles and state machines, and the
 * drill binds the same handlers to the same ASL. Nothing here names a runbook.
 */
import { POLICY_DEFAULTS, type RunbookPolicies } from '../lambdas/domain/admission';
import { deadlineSeconds, type ApprovalPolicy, type GateSettings } from '../lambdas/domain/approval';
import { gateEntries } from '../lambdas/domain/approval-gates';
import type { EventPattern } from '../lambdas/domain/event-pattern';
import { sameValue } from '../lambdas/domain/canonical';
import { executionFailurePattern } from '../lambdas/domain/execution-failure';
import { alarmRulePatterns, exceptNamedAlarms, routeTargets, taggedAlarmPattern } from '../lambdas/domain/routing';
import { eventRulePattern, SERVICE_EVENTS } from '../lambdas/domain/service-events';
import { policyParameterName, switchParameterNames, type SwitchParameters } from '../lambdas/domain/switches';
import { TAG_RESOURCES } from '../lambdas/domain/tag-resources';
import type { RunbookTrigger } from '../lambdas/domain/trigger';
import {
  gatePolicyOf, type AlarmTrigger, type BudgetSpec, type BudgetTrigger, type EventTrigger, type RunbookContext, type RunbookModule,
} from '../runbooks/module';
import { RUNBOOKS, type RunbookName } from '../runbooks/registry';
import type { EnvironmentConfig, GatePolicy, RunbookConfig, VerifyConfig } from './config/schema';
import {
  byTag, json, literalArns, partitionOf, scoped, stackNameOf, stateMachineNameOf, tagReads, UNDO_MACHINE, undoStateMachineName, verifyPolicy,
  type Arns, type HandlerDef, type Permission, type RunbookDef,
} from '../runbooks/kit';

export { literalArns, partitionOf, stackNameOf, stateMachineNameOf, UNDO_MACHINE, undoStateMachineName, type Arns, type HandlerDef, type Permission, type RunbookDef };

/** A registered runbook, its own config type left open: shared code reads only what every runbook has. */
export type AnyRunbook = RunbookModule<string, RunbookConfig>;
/** Every registered runbook, in registry order. */
export const MODULES: readonly AnyRunbook[] = RUNBOOKS as readonly AnyRunbook[];

/** A runbook's part of the environment's config. */
export function runbookConfig(config: EnvironmentConfig, module: AnyRunbook): RunbookConfig {
  const part = (config.runbooks as Record<string, RunbookConfig | undefined>)[module.name];
  if (!part) throw new Error(`config has no runbooks.${module.name}`);
  return part;
}

/** The registered runbooks enabled in this environment, in registry order. */
export const enabledRunbooks = (config: EnvironmentConfig): AnyRunbook[] => MODULES.filter((m) => runbookConfig(config, m).enabled);

/** What a module's functions are given (runbooks/module.ts RunbookContext). */
export function contextOf(module: AnyRunbook, config: EnvironmentConfig, arns: Arns): RunbookContext<RunbookConfig> {
  return {
    config: runbookConfig(config, module),
    environment: config.environment,
    arns,
    approvalRequest: (id) => approvalRequestHandler(id, module.name, config),
    verifyAlarm: (id, verify) => alarmVerifyHandler(id, module.name, verify),
    deadlineSeconds: (severity) => deadlineSeconds(approvalPolicy(config), severity),
    runbookStartedBy: (metric) => enabledRunbooks(config).filter(isAlarm).find((m) => m.name !== module.name
      && m.trigger.route.selectors.some((s) => s.namespaces.includes(metric.namespace) && s.metricNames.includes(metric.metricName)))?.name,
  };
}

const isAlarm = (m: AnyRunbook): m is AnyRunbook & { trigger: AlarmTrigger<RunbookConfig> } => m.trigger?.kind === 'alarm';
const isBudget = (m: AnyRunbook): m is AnyRunbook & { trigger: BudgetTrigger<RunbookConfig> } => m.trigger?.kind === 'budget';
const isEvent = (m: AnyRunbook): m is AnyRunbook & { events: EventTrigger<RunbookConfig> } => m.events !== undefined;

/**
 * Verify or escalate for an alarm-started runbook: read the state of the alarm that fired.
 * DescribeAlarms returns composite alarms only to a caller granted it on "*" (CloudWatch API
 * reference); a narrower grant (alarm ARNs) would hide tag-routed composite alarms. Read-only.
 */
function alarmVerifyHandler(id: string, runbook: string, verify: VerifyConfig): HandlerDef {
  return {
    id, substitution: 'VerifyFunctionArn', entry: 'lambdas/verify/alarm.ts', usesLedger: false,
    description: `${runbook}: verify the alarm returned to OK`,
    environment: { VERIFY_POLICY: verifyPolicy(verify) },
    permissions: [{ actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] }],
  };
}

/** Target keys per runbook, as admit and the allowlists name them. */
export function runbookTargets(config: EnvironmentConfig): Record<RunbookName, string[]> {
  return Object.fromEntries(MODULES.map((m) => [m.name, m.targets(runbookConfig(config, m))])) as Record<RunbookName, string[]>;
}

/** The EventBridge patterns that start each enabled alarm-driven runbook, for its configured targets. */
export function alarmRoutes(config: EnvironmentConfig, arns: Arns): {
  runbook: string; patterns: EventPattern[]; trigger: AlarmTrigger<RunbookConfig>; dimensions: Record<string, string>[]; anyTarget: boolean;
}[] {
  // A runbook that allowlists by tag takes alarms on any target of its metrics: admit reads the tags.
  return enabledRunbooks(config).filter(isAlarm).map((m) => {
    const c = runbookConfig(config, m);
    const [dimensions, anyTarget] = [m.trigger.dimensions(c, arns), c.targetTags !== undefined];
    // No target its alarms may name (a module whose targets configure no alarm): no rule, and nothing for the tag router.
    const patterns = dimensions.length === 0 && !anyTarget ? [] : alarmRulePatterns(m.trigger.route, dimensions, { anyTarget });
    return { runbook: m.name, trigger: m.trigger, dimensions, anyTarget, patterns };
  });
}

/**
 * The EventBridge patterns that start each enabled runbook started by AWS service events: one per
 * route, for its configured targets (any target, for a runbook that allowlists by tag: admit reads
 * the tags). The stack deploys one rule per pattern; the drill routes a recorded event by them.
 */
export function eventRoutes(config: EnvironmentConfig, arns: Arns): { runbook: string; patterns: EventPattern[] }[] {
  return enabledRunbooks(config).filter(isEvent).map((m) => {
    const ctx = contextOf(m, config, arns);
    // A route no configured target is routed by (a second route whose config lists nothing) has no rule.
    const routed = m.events.routes.map((route) => [route, ctx.config.targetTags !== undefined ? 'any' : m.events.targetValues(ctx, route)] as const);
    return { runbook: m.name, patterns: routed.filter(([, values]) => values === 'any' || values.length > 0).map(([route, values]) => eventRulePattern(route, values)) };
  });
}

/** The alarms the enabled runbooks' rules route by their names (an event route of alarm state changes): the tag router's rule leaves them out. */
export function namedAlarms(config: EnvironmentConfig, arns: Arns): string[] {
  return enabledRunbooks(config).filter(isEvent).flatMap((m) => m.events.routes
    .filter((r) => SERVICE_EVENTS[r.event].targetField.join('.') === 'detail.alarmName')
    .flatMap((r) => m.events.targetValues(contextOf(m, config, arns), r).filter((v): v is string => typeof v === 'string')));
}

/** The tag router's rule: every ALARM transition but those of the alarms routed by name. */
export const routerPattern = (config: EnvironmentConfig, arns: Arns): EventPattern => taggedAlarmPattern(namedAlarms(config, arns));

/** Every EventBridge pattern that starts a runbook, alarm rules and event rules, by runbook. */
export function runbookRulePatterns(config: EnvironmentConfig, arns: Arns): Record<string, EventPattern[]> {
  const out: Record<string, EventPattern[]> = {};
  // An alarm routed by its name starts that runbook only, whatever metric it watches.
  const named = namedAlarms(config, arns);
  for (const r of alarmRoutes(config, arns)) (out[r.runbook] ??= []).push(...r.patterns.map((p) => exceptNamedAlarms(p, named)));
  for (const r of eventRoutes(config, arns)) (out[r.runbook] ??= []).push(...r.patterns);
  return out;
}

/** What starts each runbook, as admit reads the events it is given (in its bundle: lambdas/shared/runbook-triggers.generated.json). */
export function runbookTriggers(): Record<string, RunbookTrigger> {
  return Object.fromEntries(MODULES.map((m): [string, RunbookTrigger] => [m.name, {
    ...(m.trigger?.kind === 'alarm' ? { alarm: m.trigger.route } : {}),
    ...(m.trigger?.kind === 'budget' ? { budget: true as const } : {}),
    ...(m.events ? { events: m.events.routes } : {}),
    ...(m.manualStart ? { manual: m.manualStart } : {}),
  }]));
}

/** What admit enforces: per runbook, on/off, cooldown and the allowlist. */
export function runbookPolicies(config: EnvironmentConfig): RunbookPolicies {
  const policies: RunbookPolicies = {};
  for (const m of MODULES) {
    const rb = runbookConfig(config, m);
    policies[m.name] = {
      enabled: rb.enabled, cooldownMinutes: rb.cooldownMinutes, dryRun: rb.dryRun ?? config.dryRun, targets: m.targets(rb),
      flapping: rb.flapping, maxRemediationsPerHour: rb.maxRemediationsPerHour,
      ...(rb.targetTags && m.tags ? { targetTags: rb.targetTags, tagResource: m.tags.resource } : {}),
    };
  }
  return policies;
}

/** SSM refuses a Standard-tier parameter value over 4 KB. */
const STANDARD_PARAMETER_LIMIT = 4096;

/**
 * Each enabled runbook's admission policy as the stack writes it to SSM (admit reads it with the
 * switches): what equals admit's default is left out (it fills it back). A policy too long for a
 * Standard parameter fails the synth, naming the runbook.
 */
export function admissionPolicyParameters(config: EnvironmentConfig): { runbook: string; name: string; value: string }[] {
  const policies = runbookPolicies(config);
  const isDefault = (key: string, value: unknown) => key in POLICY_DEFAULTS && sameValue(value, POLICY_DEFAULTS[key as keyof typeof POLICY_DEFAULTS]);
  return enabledRunbooks(config).map((m) => {
    const value = json(Object.fromEntries(Object.entries(policies[m.name]!).filter(([k, v]) => !isDefault(k, v))));
    if (Buffer.byteLength(value) > STANDARD_PARAMETER_LIMIT) {
      throw new Error(`${m.name}'s admission policy is ${Buffer.byteLength(value)} bytes, over SSM's ${STANDARD_PARAMETER_LIMIT}-byte parameter: name fewer targets and allowlist the rest by tag (targetTags)`);
    }
    return { runbook: m.name, name: policyParameterName(switchPrefix(config), m.name), value };
  });
}

/** EventBridge's default quota on an event pattern's size, in characters (adjustable to 4,096). */
export const EVENT_PATTERN_LIMIT = 2048;

/**
 * Every EventBridge pattern the stack deploys, as the account will hold it (ARNs in full, for the
 * config's region and its partition), checked against EventBridge's pattern size: a pattern over it
 * fails the synth, naming its rule, rather than the deployment.
 */
export function assertEventPatternSizes(config: EnvironmentConfig): void {
  const arns = literalArns(partitionOf(config.region), config.region, '000000000000');
  const machineArns = enabledRunbooks(config).map((m) => arns.stateMachine(stateMachineNameOf(config.environment, m.name)));
  const rules: [string, EventPattern][] = [
    ...Object.entries(runbookRulePatterns(config, arns)).flatMap(([runbook, patterns]) => patterns.map((p, i): [string, EventPattern] => [`${runbook}'s trigger rule ${i + 1}`, p])),
    ['the tag router\'s rule', routerPattern(config, arns)],
    ['the execution-failure rule', executionFailurePattern(machineArns)],
  ];
  for (const [rule, pattern] of rules) {
    const size = JSON.stringify(pattern).length;
    if (size > EVENT_PATTERN_LIMIT) {
      throw new Error(`${rule}'s event pattern would be ${size} characters, over EventBridge's ${EVENT_PATTERN_LIMIT} (a quota that can be raised to 4,096): route fewer alarms by name, or allowlist targets by tag`);
    }
  }
}

/** Where the environment's switches live in SSM. */
const switchPrefix = (config: EnvironmentConfig): string => config.switchParameterPrefix ?? `/runbook-autopilot/${config.environment}`;

/** The kill switch and one switch per enabled runbook (SSM parameters, "enabled" when created). */
export function switchParameters(config: EnvironmentConfig): SwitchParameters {
  return switchParameterNames(switchPrefix(config), enabledRunbooks(config).map((m) => m.name));
}

/**
 * Where the command line (`autopilot`) finds what the stack generated a name for: the ledger
 * table, in an SSM parameter beside the switches, read with the same access as they are.
 */
export function operatorParameters(config: EnvironmentConfig): { readonly ledgerTable: string } {
  return { ledgerTable: `${switchPrefix(config)}/ledger-table` };
}

/** Per runbook that allowlists by tag: the tag-reading action, where its tagged targets may be, and its tags when it is on. */
function tagPatterns(config: EnvironmentConfig, arns: Arns): { action: string; pattern: string[]; tags: RunbookConfig['targetTags'] }[] {
  return MODULES.flatMap((m) => {
    if (!m.tags) return [];
    const c = runbookConfig(config, m);
    return [{ action: TAG_RESOURCES[m.tags.resource].readAction, pattern: m.tags.pattern(contextOf(m, config, arns)), tags: c.enabled ? c.targetTags : undefined }];
  });
}

/**
 * What the report writers (the report step, the execution-failure notifier) are told besides the
 * bucket: per enabled runbook that declares any, its changes that bypass a hard rule.
 */
export function reportEnvironment(config: EnvironmentConfig): Record<string, string> {
  const rules = Object.fromEntries(enabledRunbooks(config).flatMap((m) => (m.hardRules && Object.keys(m.hardRules).length > 0 ? [[m.name, m.hardRules]] : [])));
  return Object.keys(rules).length > 0 ? { HARD_RULES: json(rules) } : {};
}

/**
 * Handlers every runbook shares: admit (the gate), notify (the ledger outcome + SNS) and report (the
 * post-incident report, after the last notification; the stack binds it to the report bucket).
 */
export function sharedHandlers(config: EnvironmentConfig, arns: Arns): { admit: HandlerDef; notify: HandlerDef; report: HandlerDef } {
  const switches = switchParameters(config);
  return {
    admit: {
      id: 'Admit', substitution: 'AdmitFunctionArn', entry: 'lambdas/admit/handler.ts', usesLedger: true,
      description: 'Admit: dedupe alarm transitions, enforce the allowlist, the switches and cooldowns',
      // The same size however many runbooks there are: what starts each runbook is in admit's bundle
      // (npm run triggers), and its switches and policy are SSM parameters under this prefix.
      environment: { PARAMETER_PREFIX: switchPrefix(config) },
      permissions: [
        {
          actions: ['ssm:GetParameters'],
          resources: [switches.automation, ...Object.values(switches.runbooks), ...admissionPolicyParameters(config).map((p) => p.name)].map((n) => arns.ssmParameter(n)),
        },
        ...tagPatterns(config, arns).flatMap((t) => tagReads(t.action, t.pattern, t.tags)),
      ],
    },
    notify: {
      id: 'Notify', substitution: 'NotifyFunctionArn', entry: 'lambdas/notify/handler.ts', usesLedger: true, permissions: [],
      description: 'Notify: record the outcome and publish to the critical or info topic',
      environment: notificationEnvironment(config),
    },
    report: {
      id: 'Report', substitution: 'ReportFunctionArn', entry: 'lambdas/report/handler.ts', usesLedger: true, permissions: [],
      description: 'Report: write the post-incident report of an ended incident to the report bucket',
      environment: reportEnvironment(config),
    },
  };
}

/** What every handler that publishes a notification is told: where the runbooks' pages are (lambdas/domain/notification.ts). */
export function notificationEnvironment(config: EnvironmentConfig): Record<string, string> {
  const url = config.notifications.runbookPagesUrl;
  return url ? { RUNBOOK_PAGES_URL: url } : {};
}

/** A runbook's deployed state machine: its ARN and name (tokens in the stack, literals in the drill). */
export interface RunbookMachineRef {
  readonly runbook: string;
  readonly arn: string;
  readonly name: string;
}

/**
 * The execution-failure rule's target: a runbook execution that failed, timed out or was aborted
 * is escalated, naming the state a redrive retries. It reads those executions' history (read-only,
 * the runbooks' executions only), marks the incident failed in the ledger, publishes to the
 * critical topic and writes the incident's report (the stack binds the topic and the report
 * bucket; `report`: reportEnvironment).
 */
export function executionFailureHandler(config: EnvironmentConfig, arns: Arns, machines: readonly RunbookMachineRef[], report: Readonly<Record<string, string>> = {}): HandlerDef {
  return {
    id: 'ExecutionFailed', substitution: 'ExecutionFailedFunctionArn', entry: 'lambdas/notify/execution-failed.ts', usesLedger: true,
    description: 'Execution failed: escalate a failed, timed-out or aborted runbook execution, naming the state a redrive retries',
    environment: { RUNBOOK_MACHINES: json(machines.map(({ runbook, arn }) => ({ runbook, arn }))), ...notificationEnvironment(config), ...report },
    permissions: machines.length === 0 ? [] : [{ actions: ['states:GetExecutionHistory'], resources: machines.map((m) => arns.executions(m.name)) }],
  };
}

/** The environment's approval policy, as the approval handlers receive it. */
export function approvalPolicy(config: EnvironmentConfig): ApprovalPolicy {
  const a = config.approvals;
  return { requiredApprovals: a.requiredApprovals, approvers: a.approvers.map(({ name, level }) => ({ name, level })), deadlineMinutes: a.deadlineMinutes };
}

/** Every gated step of the enabled runbooks, keyed `<runbook>/<step>`, with its effective settings. */
export function approvalGates(config: EnvironmentConfig): Record<string, GateSettings> {
  const gates: Record<string, GateSettings> = {};
  const add = (key: string, g: GatePolicy) => {
    gates[key] = { severity: g.severity, onTimeout: g.onTimeout, requiredApprovals: g.requiredApprovals ?? config.approvals.requiredApprovals };
  };
  const enabled = enabledRunbooks(config);
  for (const m of enabled) {
    for (const gate of m.gates ?? []) {
      const policy = gatePolicyOf(runbookConfig(config, m), gate);
      // An acknowledgement: one person's, never automatic; silence escalates it, and after the last level the run escalates.
      if (policy && gate.acknowledge) gates[`${m.name}/${gate.step}`] = { severity: policy.severity, onTimeout: 'abort', requiredApprovals: 1, acknowledge: true };
      else if (policy) add(`${m.name}/${gate.step}`, policy);
    }
  }
  // An undo is asked under the incident's runbook: `<runbook>/undo`.
  for (const m of enabled) {
    if (!m.undo) continue;
    const policy = config.undo.approval;
    if (m.undoNeedsNoApproval !== undefined && m.undoMinimumApprovals !== undefined) throw new Error(`${m.name}: an undo cannot both need no approval and a minimum of approvals`);
    if (m.undoNeedsNoApproval !== undefined) {
      gates[`${m.name}/undo`] = { severity: policy.severity, onTimeout: policy.onTimeout, requiredApprovals: 0, noApproverBecause: m.undoNeedsNoApproval };
      continue;
    }
    const minimum = m.undoMinimumApprovals ?? 0;
    const required = policy.requiredApprovals ?? config.approvals.requiredApprovals;
    add(`${m.name}/undo`, required >= minimum ? policy : { ...policy, requiredApprovals: minimum });
  }
  return gates;
}

/**
 * A runbook's approval request handler (the `.waitForTaskToken` Task of its gated steps), or the
 * undo state machine's. Each knows every gate (`<runbook>/<step>`) and picks by the incident's
 * runbook and the step, so functions built from this one file all carry the same configuration.
 */
export function approvalRequestHandler(id: string, runbook: string, config: EnvironmentConfig): HandlerDef {
  const gates = approvalGates(config);
  return {
    id, substitution: 'ApprovalRequestFunctionArn', entry: 'lambdas/approval/request.ts', usesLedger: true, usesApprovals: true,
    description: `${runbook}: ask the approvers of a gated step (one signed link each)`,
    environment: {
      APPROVAL_POLICY: json(approvalPolicy(config)), APPROVAL_GATES: json(gateEntries(gates, config.approvals.requiredApprovals)),
      ...notificationEnvironment(config),
    },
    // It sends a task result itself: an auto-approval, or (on the deadline path) a verdict the page could not deliver before
    // the previous task ended. Task results take no resource ARN: the task token is the capability.
    permissions: [{ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: ['*'] }],
  };
}

/**
 * The approval page behind API Gateway: reads requests and writes decisions in the ledger, reads
 * the signing key, re-reads each gated target's live state (what each enabled runbook's module
 * lets it read), and sends the task result.
 */
export function approvalPageHandler(config: EnvironmentConfig, arns: Arns): HandlerDef {
  const pages = enabledRunbooks(config).flatMap((m) => (m.approvalPage ? [{ page: m.approvalPage, ctx: contextOf(m, config, arns) }] : []));
  return {
    id: 'ApprovalPage', substitution: '', entry: 'lambdas/approval/page.ts', usesLedger: true, usesApprovals: true,
    description: 'Approval page: shows a gated step on GET, decides only on a POST of its own form',
    environment: {
      APPROVAL_TIME_ZONE: config.approvals.timeZone,
      ...Object.assign({}, ...pages.map(({ page, ctx }) => page.environment?.(ctx) ?? {})),
    },
    permissions: [
      ...pages.flatMap(({ page, ctx }) => page.permissions(ctx)),
      // SendTaskSuccess/Failure take no resource ARN: the task token, kept in the ledger, is the capability.
      { actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: ['*'] },
    ],
  };
}

/** Every definition names its service integrations in the deploying partition. */
const partitionSubstitution = (arns: Arns) => ({ Partition: arns.partition });

/** Each enabled runbook's state machine, as its module builds it. */
export function buildCatalog(config: EnvironmentConfig, arns: Arns): RunbookDef[] {
  return enabledRunbooks(config).map((m) => {
    const ctx = contextOf(m, config, arns);
    return {
      name: m.name,
      definitionFile: `${m.name}.asl.json`,
      handlers: m.handlers(ctx),
      substitutions: { ...m.stateMachine.substitutions?.(ctx), ...partitionSubstitution(arns) },
      ...(m.stateMachine.permissions ? { stateMachinePermissions: m.stateMachine.permissions(ctx) } : {}),
      ...(m.serviceRoles ? { serviceRoles: m.serviceRoles(ctx) } : {}),
    };
  });
}

/** The runbook AWS Budgets alerts start, if one is enabled; there is one budget topic and one adapter. */
export function budgetRunbook(config: EnvironmentConfig): { name: string; budget: BudgetSpec } | undefined {
  const started = enabledRunbooks(config).filter(isBudget);
  if (started.length > 1) throw new Error(`Only one runbook may be started by AWS Budgets alerts; ${started.map((m) => m.name).join(' and ')} are both enabled`);
  const m = started[0];
  return m ? { name: m.name, budget: m.trigger.budget(runbookConfig(config, m)) } : undefined;
}

/**
 * Functions that start runbooks rather than run in them: the budget adapter (AWS Budgets notify
 * only through SNS) and the alarm router (alarms routed by tag, composite alarms included).
 */
export function triggerHandlers(
  config: EnvironmentConfig,
  arns: Arns,
  machines: readonly RunbookMachineRef[],
): { budgetAdapter?: HandlerDef; alarmRouter?: HandlerDef } {
  const out: { budgetAdapter?: HandlerDef; alarmRouter?: HandlerDef } = {};
  const machineOf = (runbook: string) => machines.find((m) => m.runbook === runbook);
  const budget = budgetRunbook(config);
  const started = budget ? machineOf(budget.name) : undefined;
  if (budget && started) {
    out.budgetAdapter = {
      id: 'BudgetAdapter', substitution: '', entry: 'lambdas/budget-adapter/handler.ts', usesLedger: false, permissions: [],
      description: `Starts ${budget.name} from an AWS Budgets SNS notification`,
      environment: { STATE_MACHINE_ARN: started.arn, BUDGET_NAMES: json([budget.budget.budgetName]), RUNBOOK: budget.name },
    };
  }
  const routes = alarmRoutes(config, arns).filter((r) => r.patterns.length > 0).filter((r) => {
    const machine = machineOf(r.runbook);
    // The router finds each machine by the name the stack gives it.
    if (machine && machine.name !== stateMachineNameOf(config.environment, r.runbook)) {
      throw new Error(`${r.runbook}: its state machine is named ${machine.name}, not ${stateMachineNameOf(config.environment, r.runbook)}`);
    }
    return machine !== undefined;
  });
  if (routes.length > 0) {
    out.alarmRouter = {
      id: 'AlarmRouter', substitution: '', entry: 'lambdas/alarm-router/handler.ts', usesLedger: false, permissions: [],
      description: 'Starts the runbook an alarm names by tag (composite alarms, alarms of any metric)',
      environment: {
        // Only what differs per environment: each route's metrics are in the router's bundle (npm run triggers), its state
        // machine's ARN is the prefix all share and the runbook's name (stateMachineNameOf), and its targets are the values
        // per dimension the patterns match.
        STATE_MACHINE_ARN_PREFIX: arns.stateMachine(stateMachineNameOf(config.environment, '')),
        ROUTES: json(Object.fromEntries(routes.map((r) => [r.runbook, routeTargets(r.trigger.route, r.dimensions, { anyTarget: r.anyTarget })]))),
      },
    };
  }
  return out;
}

/**
 * The undo state machine: puts back what a runbook replaced, from the ledger. Its restore role
 * may call only the inverse actions each enabled runbook's module names, on that runbook's
 * reversible targets; targets allowlisted by tag only under the runbook's tag conditions. A
 * runbook whose changes have no inverse (a forced redeployment) gives it nothing.
 */
export function undoMachine(config: EnvironmentConfig, arns: Arns): RunbookDef {
  const restore: Permission[] = [];
  const finish: Permission[] = [];
  const targets: string[] = [];
  const tagsByRunbook: Record<string, Record<string, string>> = {};
  for (const m of enabledRunbooks(config)) {
    if (!m.undo) continue;
    const ctx = contextOf(m, config, arns);
    const tags = ctx.config.targetTags && m.tags ? { tags: ctx.config.targetTags, pattern: m.tags.pattern(ctx), read: TAG_RESOURCES[m.tags.resource].readAction } : undefined;
    const changes = m.undo(ctx);
    for (const change of changes) {
      targets.push(...change.targets.filter((t) => !targets.includes(t)));
      restore.push({ actions: change.restoreActions, resources: change.resources });
      if (change.passRoles?.length) restore.push({ actions: ['iam:PassRole'], resources: change.passRoles });
      if (change.verifyActions.length > 0) finish.push({ actions: change.verifyActions, resources: change.resources });
      if (change.byTag && tags) {
        restore.push(...byTag(change.restoreActions, tags.pattern, tags.tags));
        finish.push(...byTag(change.verifyActions, tags.pattern, tags.tags));
      }
    }
    if (tags && changes.some((c) => c.byTag)) {
      // The restore re-reads a tagged target's tags first: a target that lost them since is refused.
      restore.push(...tagReads(tags.read, tags.pattern, tags.tags));
      tagsByRunbook[m.name] = tags.tags;
    }
  }
  return {
    name: UNDO_MACHINE, definitionFile: 'undo.asl.json',
    substitutions: {
      UndoApprovalTimeoutSeconds: String(deadlineSeconds(approvalPolicy(config), config.undo.approval.severity)),
      ...partitionSubstitution(arns),
    },
    handlers: [
      approvalRequestHandler('UndoApprovalRequest', UNDO_MACHINE, config),
      {
        id: 'UndoPlan', substitution: 'PlanFunctionArn', entry: 'lambdas/undo/plan.ts', usesLedger: true, permissions: [],
        description: 'undo: admit the request and plan each restore from the ledger', environment: {},
      },
      {
        id: 'UndoRestore', substitution: 'RestoreFunctionArn', entry: 'lambdas/undo/restore.ts', usesLedger: true,
        description: 'undo: compare and restore one recorded value',
        environment: {
          ALLOWED_TARGETS: json(targets), UNDO_ON_TIMEOUT: config.undo.approval.onTimeout,
          ...(Object.keys(tagsByRunbook).length > 0 ? { ALLOWED_TARGET_TAGS_BY_RUNBOOK: json(tagsByRunbook) } : {}),
        },
        permissions: scoped(restore),
      },
      {
        id: 'UndoFinish', substitution: 'FinishFunctionArn', entry: 'lambdas/undo/finish.ts', usesLedger: true,
        description: 'undo: verify the restored values and record the outcome', environment: {},
        permissions: scoped(finish),
      },
    ],
  };
}
