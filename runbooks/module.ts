/**
 * A runbook module: everything that is one runbook's, as one typed definition (plain data and
 * functions, no CDK constructs). The stack, the config schema, routing, the alarms, cdk-nag, the
 * undo's grants, the statemachines build, the drill and the contract suite all read the modules
 * from runbooks/registry.ts; none of them names a runbook.
 *
 * A module lives in runbooks/<name>/:
 * - runbook.ts        this definition (`export default defineRunbook({...})`);
 * - statemachine.ts   its state machine's builder source (npm run statemachines writes
 *                     statemachines/<name>.asl.json from it, the file CDK deploys and the drill runs);
 * - handlers/*.ts     its Lambda entries (they never import runbook.ts: it would pull config and
 *                     builder code into the bundles);
 * - gates.ts          if it has gated steps: the words its approval page shows (`GATES`), which the
 *                     shared approval page loads by the runbook's name;
 * - its own domain code and clients. What several runbooks use lives in lambdas/ (by AWS service
 *   in lambdas/aws/).
 *
 * `npx jest test/contract` checks a module against everything below and names what is missing.
 */
import type { z } from 'zod';
import type { PatternMatcher } from '../lambdas/domain/event-pattern';
import type { MetricRoute } from '../lambdas/domain/routing';
import type { EventRoute } from '../lambdas/domain/service-events';
import type { ManualStartSpec } from '../lambdas/domain/trigger';
import type { TagResource } from '../lambdas/domain/tag-resources';
import type { GatePolicy, RunbookConfig, SEVERITIES, VerifyConfig } from './config';
import type { Acknowledgement, AlarmSpec, Arns, HandlerDef, Permission, ServiceRoleDef } from './kit';
import type { Definition } from '../statemachines/src/asl';
import { REPORT_STATE } from '../statemachines/src/spine/report';
import { ADMIT } from '../statemachines/src/spine/runbook';
import type { SeedProcedureId } from './seed-procedures';

/** What a module's functions are given: its own config, the rest of the environment, and helpers. */
export interface RunbookContext<C> {
  /** This runbook's part of config/<env>.json (`runbooks.<name>`), validated, defaults filled. */
  readonly config: C;
  /** The environment's name (dev, staging, prod, drill): the stack names some resources after it. */
  readonly environment: string;
  /** ARNs in the deploying partition, region and account (tokens in the stack, literals in the drill). */
  readonly arns: Arns;
  /** The handler of its gated steps' `.waitForTaskToken` Task (lambdas/approval/request.ts), with every gate's settings. */
  approvalRequest(id: string): HandlerDef;
  /** The shared verify step (lambdas/verify/alarm.ts): did the alarm that started the run return to OK? */
  verifyAlarm(id: string, verify: VerifyConfig): HandlerDef;
  /** How long a gated step of this severity waits at each escalation level (its Task's timeout). */
  deadlineSeconds(severity: (typeof SEVERITIES)[number]): number;
  /**
   * Another runbook enabled in this environment whose alarms on this metric start it (its trigger's
   * route selects the metric); undefined when none does. A runbook that diagnoses and pages names it
   * as the one that answers what it found, without naming a runbook itself.
   */
  runbookStartedBy(metric: { readonly namespace: string; readonly metricName: string }): string | undefined;
}

/** Started by CloudWatch alarms: EventBridge rules on its metrics, and the tag router. */
export interface AlarmTrigger<C> {
  readonly kind: 'alarm';
  /** Which metrics signal its condition, and which dimensions name the target. */
  readonly route: MetricRoute;
  /** The dimensions of each configured target, as its alarms carry them (an ARN where the metric names the target by one). */
  dimensions(config: C, arns: Arns): Record<string, string>[];
}

/** What the stack creates for a runbook started by an AWS Budgets alert (SNS -> adapter -> StartExecution). */
export interface BudgetSpec {
  readonly budgetName: string;
  readonly monthlyLimitUsd: number;
  readonly alertThresholdsPercent: readonly number[];
  /** Create the AWS Budgets budget; false when it exists already and notifies the budget topic. */
  readonly create: boolean;
}

/** Started by AWS Budgets alerts through the budget adapter (lambdas/budget-adapter). */
export interface BudgetTrigger<C> {
  readonly kind: 'budget';
  budget(config: C): BudgetSpec;
}

/**
 * Started by AWS service events on EventBridge (a Step Functions execution failing, an ECS
 * deployment failing, an RDS failover): one rule per route, its pattern the route's source,
 * detail-type and detail filters plus the configured targets' values at the field where the event
 * names its target. The event kinds, their shapes and how each names the target and one occurrence
 * are shared (lambdas/domain/service-events.ts): admit reads them, and a Lambda bundle cannot load
 * a module.
 */
export interface EventTrigger<C> {
  readonly kind: 'event';
  readonly routes: readonly EventRoute[];
  /**
   * The values the event's target field takes for the configured targets (a state machine's ARN,
   * an ECS service's ARN, a DB instance's or cluster's ARN): the rules filter on them. A runbook
   * with routes of different kinds gives each route its own values.
   */
  targetValues(ctx: RunbookContext<C>, route: EventRoute): PatternMatcher[];
}

/** Targets not named in config are allowed when they carry `targetTags` (read at run time). */
export interface TagAllowlist<C> {
  /** The kind of resource its targets are: which tags are read, with which action (lambdas/domain/tag-resources.ts). */
  readonly resource: TagResource;
  /** Where a tagged target may be: its actions are granted there only under aws:ResourceTag conditions. */
  pattern(ctx: RunbookContext<C>): string[];
}

/** A human-gated step. Its words on the approval page are `GATES[step]` in runbooks/<name>/gates.ts. */
export interface GateDef {
  /** The step as the state machine's approval gate names it (`<runbook>/<step>` in the ledger). */
  readonly step: string;
  /** Where the runbook's config holds the gate's policy, e.g. ['restore', 'approval']; nothing there: the step is off. */
  readonly policyAt: readonly string[];
  /**
   * It asks for an acknowledgement, not a decision: the first eligible person who acknowledges
   * closes it, it is never automatic, and its policy needs only a severity (the deadline at each level).
   */
  readonly acknowledge?: true;
  /**
   * The recorded event (events/...) whose drill reaches this gate, when the module's own event does
   * not (a second path of the runbook): the contract suite asks an approver there. @default drill.event
   */
  readonly reachedBy?: string;
}

/** A change of this runbook the undo state machine can put back (its inverse: lambdas/domain/reversible.ts). */
export interface ReversibleChange {
  /** The runbook's call, as its ledger rows name it, e.g. "lambda:PutFunctionConcurrency". */
  readonly operation: string;
  /** The target keys (ledger `target`) whose change the undo may restore. */
  readonly targets: readonly string[];
  /** Their ARNs. */
  readonly resources: readonly string[];
  /** What the undo's restore calls on them: the reads it compares with and the inverse call. */
  readonly restoreActions: readonly string[];
  /** What the undo's finish calls on them to check the value is back. */
  readonly verifyActions: readonly string[];
  /** The same on targets allowlisted by tag (its TagAllowlist), under the runbook's aws:ResourceTag conditions. */
  readonly byTag?: boolean;
  /** Roles the restore call names again (an AgentCore gateway's service role): iam:PassRole on them only. */
  readonly passRoles?: readonly string[];
}

/** What the approval page (one function for every runbook) may read to show a gated target as it is now. */
export interface ApprovalPageReads<C> {
  permissions(ctx: RunbookContext<C>): Permission[];
  environment?(ctx: RunbookContext<C>): Record<string, string>;
}

/** How cdk-nag renders the stack's resources: pseudo parameters as <AWS::Partition> and so on. */
export interface NagContext<C> {
  readonly config: C;
  /** ARNs as cdk-nag names them in a finding's id. */
  readonly arns: Arns;
}

/** A mutating call's effect on a resource as the drill's sandbox shows it (the undo is compared on these fields). */
export interface DrillChange {
  readonly fields: readonly string[];
  /** Why the undo does not bring it back, where it does not. */
  readonly note?: string;
}

/** An AWS call a runbook's recorded event reaches, as the fault matrix fails it. */
export interface DrillCall {
  /** "service:Operation", as the drill's --fault names it. */
  readonly call: string;
  /** The state that first makes it (none for a trigger function's call, such as the budget adapter's StartExecution). */
  readonly state?: string;
  /** It changes the account: the SDK sends it again only when throttled (lambdas/shared/mutation-client.ts). */
  readonly mutates?: boolean;
  /** A read for the evidence only (the notification, the approval page): when it fails for good the runbook goes on and says what it could not read. The runbook's own: another may make the same call as a check it cannot act without. */
  readonly bestEffort?: boolean;
  /**
   * What a not-found answer means here, where it is not "the target is gone" (escalated):
   * `failed`, the answer is not about the target; `nothing`, an answer the runbook reads on (an empty
   * one: a function with no policy; or one its verdict names: a principal or a key that does not exist).
   */
  readonly notFound?: 'failed' | 'nothing';
  /**
   * Where the execution fails when this call fails for good (after the Retry), when that is not
   * `state`: a call the run catches where it is first made and makes again later (an independent
   * part, statemachines/src/spine/parts.ts, attempted again after the page; a notification caught
   * on the way to a later one). The contract suite redrives a mutating call's run from it, and the
   * fault matrix expects the run to fail there.
   */
  readonly failsAt?: string;
}

/**
 * The AWS call the spine makes first in every runbook's run: admit reads the runbook's switches and
 * admission policy (one GetParameters). A module lists only its own calls.
 */
export const ADMIT_CALLS: readonly DrillCall[] = [{ call: 'ssm:GetParameters', state: ADMIT }];

/**
 * The AWS calls the spine makes at the end of every runbook's run, after the runbook's own: the
 * report step puts the incident's report (a failure of it changes no outcome: it is counted). The
 * fault matrix fails them for every runbook; a module lists only its own calls.
 */
export const SPINE_CALLS: readonly DrillCall[] = [{ call: 's3:PutObject', state: REPORT_STATE }];

/**
 * A runbook's calls in the order its recorded event reaches them: a trigger function's (no state:
 * made before the execution starts), admit's, its states' own (drill.calls), then the spine's.
 */
export const drillCalls = (module: { readonly drill: { readonly calls: readonly DrillCall[] } }): readonly DrillCall[] => [
  ...module.drill.calls.filter((c) => c.state === undefined), ...ADMIT_CALLS, ...module.drill.calls.filter((c) => c.state !== undefined), ...SPINE_CALLS,
];

/** What the drill and the contract suite need of a runbook. */
export interface DrillDef<C> {
  /** Its recorded trigger, events/<name>.alarm.json, .sns.json or .event.json (an AWS service event): `npm run drill -- <name>` replays it. */
  readonly event: string;
  /** More recorded events that reach it (events/samples/): other alarm shapes, tagged targets. */
  readonly samples?: readonly string[];
  /** Its scenarios (drill/scenarios/*.json): the account changed before the event arrives. */
  readonly scenarios?: readonly string[];
  /** The scenario whose run leaves its change in place for an undo to put back. @default its recorded event in the seed account */
  readonly undoScenario?: string;
  /** Seed alarms a team tagged to route to this runbook (the tag router), with the target tag where the alarm names none. */
  readonly taggedAlarms?: Readonly<Record<string, { readonly target?: string }>>;
  /** DynamoDB tables it touches (dynalite, outside the sandbox): the drill shows them before and after. */
  tables?(config: C): string[];
  /**
   * Resources its runs are about besides its target and what its ledger rows name, by the names the
   * sandbox keeps them under: the drill reports them before and after every run, also one that
   * changed nothing (a runbook whose target is no AWS resource, e.g. a model, watches the switch it flips).
   */
  watches?(config: C): string[];
  /** For each mutating call it makes, what that call changes on the resource. */
  readonly changes: Readonly<Record<string, DrillChange>>;
  /**
   * How its recorded event ends in the seed account. `escalated`: a runbook that reads, diagnoses and
   * pages and changes nothing (no `changes`, no call that `mutates`); the page is what it does, in a
   * dry run too, which has nothing to plan. @default 'remediated'
   */
  readonly ends?: 'remediated' | 'escalated';
  /**
   * The AWS calls its recorded event reaches, in order (its own steps, notify; for a budget runbook
   * the adapter's StartExecution, with no state): the fault matrix (test/faults) fails each of them,
   * and the spine's (admit's, the report's: drillCalls). The contract suite checks the list against
   * a drill of the event.
   */
  readonly calls: readonly DrillCall[];
  /** Calls its handlers make that the fault matrix leaves alone, each with the reason (the contract suite checks none is missing). */
  readonly unfaulted?: Readonly<Record<string, string>>;
}

export interface RunbookModule<N extends string = string, C extends RunbookConfig = RunbookConfig> {
  /** kebab-case: its folder runbooks/<name>/, its state machine statemachines/<name>.asl.json, its key in config `runbooks`. */
  readonly name: N;
  /** The seed procedures and alerts it answers (runbooks/seed-procedures.ts): the alert coverage matrix. */
  readonly answers: readonly SeedProcedureId[];
  /**
   * The page-only procedures it pages for (their `unautomated` stays page-only: no machine answers
   * them): a runbook that only routes an alarm to the right human with the procedure in hand.
   */
  readonly pages?: readonly SeedProcedureId[];
  /** Its part of config/<env>.json: a strict object with `...runbookBase` and its own fields, defaults inside. */
  readonly config: z.ZodType<C, unknown>;
  /** Target keys, as admit and the allowlists name them (function, table, "cluster/service", budget). */
  targets(config: C): string[];
  /**
   * What starts it: alarms on its metrics, or AWS Budgets alerts. Absent for a runbook started by
   * service events only. A runbook may have both this (alarms) and `events`: each is its own
   * machinery (metric rules and the tag router; the budget adapter; one rule per event route), and
   * each consumer reads the one it builds.
   */
  readonly trigger?: AlarmTrigger<C> | BudgetTrigger<C>;
  /** Started by AWS service events (EventBridge), besides or instead of `trigger`. */
  readonly events?: EventTrigger<C>;
  /**
   * A runbook started by service events that a person may also start by hand (`autopilot start`):
   * what the start names besides the target, which the event would have named (the incident's
   * source occurrence), and its form. A runbook started by alarms names its alarm instead.
   */
  readonly manualStart?: ManualStartSpec;
  /** Present when its config may allowlist targets by tag (`targetTags`). */
  readonly tags?: TagAllowlist<C>;
  readonly stateMachine: {
    /** Built by runbooks/<name>/statemachine.ts. */
    readonly definition: Definition;
    /** ${Substitutions} besides the handler ARNs, admit, notify and the partition. */
    substitutions?(ctx: RunbookContext<C>): Record<string, string>;
    /** What the state machine's own role may do besides invoking its functions (service integrations). */
    permissions?(ctx: RunbookContext<C>): Permission[];
  };
  /** Its Lambda functions, each with its entry, environment and least-privilege permissions. */
  handlers(ctx: RunbookContext<C>): HandlerDef[];
  /** Roles an AWS service assumes for it (a schedule's role), each with only its permissions; a handler passes one by its fixed name. */
  serviceRoles?(ctx: RunbookContext<C>): ServiceRoleDef[];
  /** Its human-gated steps. */
  readonly gates?: readonly GateDef[];
  /** What the undo may put back of its changes; absent: nothing it does is reversible (no undo gate either). */
  undo?(ctx: RunbookContext<C>): ReversibleChange[];
  /**
   * The fewest approvals its undo needs, whatever the environment's undo policy says (its
   * requiredApprovals still applies where higher): an undo that reopens an exposure (a leaked key
   * made active again) is never put back unasked, in any environment. @default the environment's undo policy
   */
  readonly undoMinimumApprovals?: number;
  /**
   * Its undo restores a hard rule one of its changes bypassed for a while (auth enforced again): it is
   * what was approved to end, so it asks nobody in any environment (recorded as auto-approved, with
   * this reason), whoever starts it, a person or its own schedule. @default the environment's undo policy
   */
  readonly undoNeedsNoApproval?: string;
  /** What the approval page reads of its gated targets. */
  readonly approvalPage?: ApprovalPageReads<C>;
  /**
   * Its changes that bypass a hard rule (seed 001, Post-incident: "If a hard rule was bypassed,
   * schedule the revert as a P1 task"), by the operation its ledger rows name, each with the rule in
   * words. The incident report lists a P1 revert task for each one still in effect.
   */
  readonly hardRules?: Readonly<Record<string, string>>;
  /** The alarms the stack creates for its configured targets (those that start it, and those that only inform). */
  alarms?(config: C, arns: Arns): AlarmSpec[];
  /** The cdk-nag findings its grants raise that are accepted, each with its reason. */
  nag?(ctx: NagContext<C>): Acknowledgement[];
  readonly drill: DrillDef<C>;
}

/** A module, with its name and config type inferred. */
export function defineRunbook<const N extends string, C extends RunbookConfig>(module: RunbookModule<N, C>): RunbookModule<N, C> {
  return module;
}

/** A gate's policy in a runbook's config (undefined where the gated step is not configured). */
export function gatePolicyOf(config: unknown, gate: GateDef): GatePolicy | undefined {
  let node: unknown = config;
  for (const key of gate.policyAt) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node === undefined || node === null ? undefined : (node as GatePolicy);
}

/** Sets a gate's policy in a runbook's config where the gated step is configured (the drill's --env). */
export function setGatePolicy(config: unknown, gate: GateDef, policy: GatePolicy): void {
  const parentPath = gate.policyAt.slice(0, -1);
  const leaf = gate.policyAt.at(-1);
  let node: unknown = config;
  for (const key of parentPath) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  if (leaf !== undefined && node !== null && typeof node === 'object') (node as Record<string, unknown>)[leaf] = policy;
}
