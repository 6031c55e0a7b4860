/**
 * What the catalog (lib/catalog.ts, built from the registered runbook modules) says each role of
 * the stack is and may do in one environment: the IAM tests take their expectations from here and
 * the IAM evaluator (stack-roles.ts) decides them against the synthesized roles. Nothing here names
 * a runbook: a runbook added to runbooks/registry.ts is covered as it is.
 */
import { toId } from '../../lib/autopilot-stack';
import {
  alarmRoutes, approvalPageHandler, eventRoutes, budgetRunbook, buildCatalog, executionFailureHandler, literalArns, sharedHandlers, stateMachineNameOf, triggerHandlers,
  UNDO_MACHINE, undoMachine, type HandlerDef, type Permission,
} from '../../lib/catalog';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { isResourceOf, PARTITION, REGION, resourceOfType } from './aws-actions';
import type { Decision, Grant, RequestContext, SynthesizedIam } from './stack-roles';

export type Kind = 'handler' | 'state machine' | 'rule target' | 'service role';

export interface CatalogRole {
  /** As SynthesizedIam.role() finds it: a function's id, `<Runbook>StateMachine`, `<Runbook>StateMachineEvents`. */
  readonly name: string;
  readonly kind: Kind;
  /** The runbook it serves ("undo" for the undo state machine's); none for what all runbooks share. */
  readonly runbook?: string;
  /** The function's definition. */
  readonly handler?: HandlerDef;
  /**
   * Everything the catalog grants it besides the stack's own resources it is bound to (ledger,
   * topics, signing key, its log group) and tracing: a function's permissions, a state machine's
   * service integrations. Undefined where the stack grants it from its own resources (the trigger
   * functions and the execution-failure notifier start or read the state machines).
   */
  readonly permissions?: readonly Permission[];
  /** Reads and writes the ledger. */
  readonly ledger: boolean;
  /** Sends approval requests or decides them: the only roles that read the signing key. */
  readonly approvals: boolean;
  /** A service role's principal (an AWS service acting for a runbook: a schedule's). */
  readonly service?: string;
}

export interface CatalogMachine {
  /** The runbook, or "undo". */
  readonly name: string;
  /** As SynthesizedIam.arnOf() finds it: `<Runbook>StateMachine`, `UndoStateMachine`. */
  readonly id: string;
  /** The functions its definition invokes (their ids). */
  readonly invokes: readonly string[];
  readonly permissions: readonly Permission[];
  /** What starts it: EventBridge rules on its alarms (and its service events, if any), rules on its service events only, the budget adapter, or a person (the undo). */
  readonly startedBy: 'alarms' | 'events' | 'budget' | 'hand';
}

export interface StackCatalog {
  readonly roles: readonly CatalogRole[];
  readonly machines: readonly CatalogMachine[];
}

/** The roles and state machines the stack builds from the catalog for `config`, in `account`. */
export function stackCatalog(config: EnvironmentConfig, account: string): StackCatalog {
  const arns = literalArns(PARTITION, REGION, account);
  const shared = sharedHandlers(config, arns);
  const undo = undoMachine(config, arns);
  const routed = new Set(alarmRoutes(config, arns).filter((r) => r.patterns.length > 0).map((r) => r.runbook));
  const heard = new Set(eventRoutes(config, arns).filter((r) => r.patterns.length > 0).map((r) => r.runbook));
  const budget = budgetRunbook(config)?.name;
  const machines: CatalogMachine[] = [
    ...buildCatalog(config, arns).map((def): CatalogMachine => ({
      name: def.name, id: `${toId(def.name)}StateMachine`,
      invokes: [shared.admit.id, shared.notify.id, shared.report.id, ...def.handlers.map((h) => h.id)],
      permissions: def.stateMachinePermissions ?? [],
      startedBy: routed.has(def.name) ? 'alarms' : heard.has(def.name) ? 'events' : def.name === budget ? 'budget' : 'hand',
    })),
    { name: UNDO_MACHINE, id: 'UndoStateMachine', invokes: [shared.notify.id, shared.report.id, ...undo.handlers.map((h) => h.id)], permissions: undo.stateMachinePermissions ?? [], startedBy: 'hand' },
  ];
  const fn = (handler: HandlerDef, runbook?: string, granted = true): CatalogRole => ({
    name: handler.id, kind: 'handler', handler, ledger: handler.usesLedger, approvals: handler.usesApprovals === true,
    ...(runbook ? { runbook } : {}), ...(granted ? { permissions: handler.permissions } : {}),
  });
  // Only their ids matter here: the stack grants them from the state machines it creates.
  const started = machines.map((m) => ({ runbook: m.name, arn: arns.stateMachine(stateMachineNameOf(config.environment, m.name)), name: stateMachineNameOf(config.environment, m.name) }));
  const triggers = Object.values(triggerHandlers(config, arns, started)).filter((h): h is HandlerDef => h !== undefined);
  const failures = executionFailureHandler(config, arns, []);
  const runbookMachines = machines.filter((m) => m.name !== UNDO_MACHINE);
  const roles: CatalogRole[] = [
    fn(shared.admit), fn(shared.notify), fn(shared.report), fn(approvalPageHandler(config, arns)),
    ...buildCatalog(config, arns).flatMap((def) => def.handlers.map((h) => fn(h, def.name))),
    ...undo.handlers.map((h) => fn(h, UNDO_MACHINE)),
    ...triggers.map((h) => fn(h, undefined, false)),
    fn(failures, undefined, false),
    ...machines.map((m): CatalogRole => ({ name: m.id, kind: 'state machine', runbook: m.name, permissions: m.permissions, ledger: false, approvals: false })),
    ...runbookMachines.filter((m) => m.startedBy === 'alarms' || m.startedBy === 'events').map((m): CatalogRole => ({ name: `${m.id}Events`, kind: 'rule target', runbook: m.name, ledger: false, approvals: false })),
    ...buildCatalog(config, arns).flatMap((def) => (def.serviceRoles ?? []).map((r): CatalogRole => ({
      name: r.id, kind: 'service role', runbook: def.name, permissions: r.permissions, service: r.service, ledger: false, approvals: false,
    }))),
  ];
  return { roles, machines };
}

/** One IAM request: an action on one resource (or "*" for an action that takes none), with its condition keys. */
export interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
}

export const describeRequest = (r: Request) => `${r.action} on ${r.resource}${r.context && Object.keys(r.context).length > 0 ? ` with ${JSON.stringify(r.context)}` : ''}`;

/** What a wildcard in a granted resource or condition stands for in a request. */
const SAMPLE = '0f1e2d3c4b5a';
/** What a look-alike adds to a name, a region or an account no grant names. */
const OTHER = 'q7zx4k';
const OTHER_REGION = REGION === 'us-east-1' ? 'eu-west-1' : 'us-east-1';
const OTHER_ACCOUNT = '999988887777';

const glob = (pattern: string, flags = '') => new RegExp(`^${pattern.split('*').map((p) => p.split('?').map(escapeRegExp).join('.')).join('.*')}$`, flags);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const valuesOf = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

/** The condition operators runbooks use; another fails here, so its meaning is added rather than guessed. */
const OPERATORS: Readonly<Record<string, (granted: string, requested: string) => boolean>> = {
  StringEquals: (g, r) => g === r,
  ArnEquals: (g, r) => g === r,
  StringLike: (g, r) => glob(g).test(r),
  ArnLike: (g, r) => glob(g).test(r),
};

function conditionsHold(conditions: Permission['conditions'], context: Readonly<Record<string, string>>): boolean {
  return Object.entries(conditions ?? {}).every(([operator, keys]) => {
    const test = OPERATORS[operator];
    if (!test) throw new Error(`a grant uses the condition operator ${operator}, which test/iam/catalog-roles.ts does not evaluate: add it to OPERATORS`);
    return Object.entries(keys).every(([key, granted]) => {
      const requested = context[key];
      return requested !== undefined && valuesOf(granted).some((g) => test(g, requested));
    });
  });
}

/** Whether the permissions allow the request, as IAM reads them: wildcards in actions and resources, every condition met. */
export function grants(permissions: readonly Permission[], request: Request): boolean {
  return permissions.some((p) => p.actions.some((a) => glob(a, 'i').test(request.action))
    && p.resources.some((r) => glob(r).test(request.resource))
    && conditionsHold(p.conditions, request.context ?? {}));
}

/** A request each permission allows, per action and resource: wildcards filled, "*" as a resource of the action's type, its conditions met. */
export async function requestsOf(permissions: readonly Permission[], account: string): Promise<Request[]> {
  const requests: Request[] = [];
  for (const p of permissions) {
    const context = Object.fromEntries(Object.values(p.conditions ?? {}).flatMap((keys) => Object.entries(keys))
      .map(([key, value]) => [key, valuesOf(value)[0]!.replaceAll('*', SAMPLE)]));
    for (const action of p.actions) {
      for (const resource of p.resources) {
        requests.push({ action, resource: resource === '*' ? await resourceOfType(action, account, SAMPLE) : resource.replaceAll('*', SAMPLE).replaceAll('?', 'x'), context });
      }
    }
  }
  return requests;
}

/**
 * Requests that look like one granted but are not: the same action on the resource with one of
 * its names changed, in another region, in another account; with a condition value changed or
 * left out. Only resources the action is authorized on (its type's ARN) are made.
 */
export async function lookAlikes(request: Request): Promise<Request[]> {
  const out: Request[] = [];
  const { resource, context = {} } = request;
  const arn = resource.split(':');
  if (resource !== '*' && arn.length >= 6) {
    const [prefix, rest] = [arn.slice(0, 5), arn.slice(5).join(':')];
    const parts = rest.split(/([:/])/);
    // The first part names the resource type (function, table/...) unless it is the only one (a bucket, a topic).
    const names = parts.map((_p, i) => i).filter((i) => i % 2 === 0 && (i > 0 || parts.length === 1));
    const candidates = [
      ...(prefix[3] ? [[...prefix.slice(0, 3), OTHER_REGION, prefix[4], rest].join(':')] : []),
      ...(prefix[4] ? [[...prefix.slice(0, 4), OTHER_ACCOUNT, rest].join(':')] : []),
      ...names.map((i) => [...prefix, parts.map((p, j) => (j === i ? `${p}-${OTHER}` : p)).join('')].join(':')),
    ];
    for (const other of candidates) if (await isResourceOf(request.action, other)) out.push({ ...request, resource: other });
  }
  for (const key of Object.keys(context)) {
    out.push({ ...request, context: { ...context, [key]: `${context[key]}-${OTHER}` } });
    const { [key]: _left, ...without } = context;
    out.push({ ...request, context: without });
  }
  return out;
}

/** One request and what IAM should decide of it for the role. */
export type Case = [role: string, action: string, resource: string, expected: Decision, context?: RequestContext];

export const asCase = (role: string, r: Request, expected: Decision): Case => [role, r.action, r.resource, expected, r.context];

/** Each case the evaluator decides otherwise, as a sentence. */
export async function mismatches(iam: SynthesizedIam, cases: readonly Case[]): Promise<string[]> {
  const out: string[] = [];
  for (const [role, action, resource, expected, context] of cases) {
    const decision = await iam.decide(iam.role(role), action, resource, context);
    if (decision !== expected) out.push(`${role}: ${describeRequest({ action, resource, ...(context ? { context: context as Record<string, string> } : {}) })} is ${decision}, expected ${expected}`);
  }
  return out;
}

/** A grant as a comparable line: action, resource and conditions (keys and values in order). */
export function grantLine(g: { action: string; resource: string; conditions?: Grant['conditions'] }): string {
  const conditions = Object.entries(g.conditions ?? {}).sort(([a], [b]) => a.localeCompare(b))
    .map(([op, keys]) => [op, Object.entries(keys).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, (Array.isArray(v) ? [...v] : [v]).sort()])]);
  return `${g.action} on ${g.resource}${conditions.length > 0 ? ` if ${JSON.stringify(conditions)}` : ''}`;
}

/** The permissions as grant lines, each once, in order. */
export const permissionLines = (permissions: readonly Permission[] = []): string[] => [...new Set(permissions.flatMap((p) => p.actions.flatMap((action) =>
  p.resources.map((resource) => grantLine({ action, resource, ...(p.conditions ? { conditions: p.conditions } : {}) })))))].sort();

/**
 * What the stack binds a function to besides its definition, on its own resources: writing its
 * log group, the ledger's rows, publishing to its topics (and their key), reading the signing key.
 * Who holds which is decided case by case (the ledger users, the approval roles, the pagers).
 */
const BOUND = new Set([
  'logs:CreateLogStream', 'logs:PutLogEvents', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query',
  'sns:Publish', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:GenerateDataKey', 'secretsmanager:GetSecretValue', 's3:PutObject',
]);
/** Objects of one of the stack's own buckets (the incident reports): `<bucket ARN>/<prefix>*`. */
const inOwnBucket = (iam: SynthesizedIam, resource: string) => /^arn:[^:]+:s3:::[^/]+\//.test(resource) && iam.ownResources.has(resource.slice(0, resource.indexOf('/')));

/** A grant the stack binds (above), or tracing, which takes no resource. */
export const boundOrTracing = (iam: SynthesizedIam) => (g: Grant) =>
  (BOUND.has(g.action) && (iam.ownResources.has(g.resource) || inOwnBucket(iam, g.resource))) || (g.resource === '*' && g.action.startsWith('xray:'));

/** The role's grants in the template as lines, but for those `besides` leaves out. A Deny is listed as one, so it never passes for an Allow. */
export function heldLines(iam: SynthesizedIam, role: string, besides: (g: Grant) => boolean): string[] {
  return [...new Set(iam.grantsOf(iam.role(role)).filter((g) => !besides(g))
    .map((g) => (g.effect === 'Allow' ? grantLine(g) : `${g.effect} ${grantLine(g)}`)))].sort();
}

/** The role may make every request its permissions grant, on every resource they name. */
export async function grantedCases(role: string, permissions: readonly Permission[], account: string): Promise<Case[]> {
  return (await requestsOf(permissions, account)).map((r) => asCase(role, r, 'Allowed'));
}

/** The look-alikes of every request its permissions grant, decided as the permissions decide them. */
export async function lookAlikeCases(role: string, permissions: readonly Permission[], account: string): Promise<Case[]> {
  const cases: Case[] = [];
  for (const r of await requestsOf(permissions, account)) {
    for (const other of await lookAlikes(r)) cases.push(asCase(role, other, grants(permissions, other) ? 'Allowed' : 'Denied'));
  }
  return cases;
}
