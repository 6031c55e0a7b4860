/**
 * What the truth properties share: each runbook as the property drives it (its recorded event, the
 * resources it changes and how to read them, the calls to fail, what a person may change), the
 * generated sequences of steps, and the checks that the ledger says what the account holds.
 *
 * Everything runs in one drill sandbox per test file (the real ASL and handlers, dynalite behind
 * the drill's proxy): each sequence starts from the seed account again, with incidents of its own.
 */
import { DeleteItemCommand, DescribeTableCommand, PutItemCommand, ScanCommand, UpdateItemCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import type { Drill, DrillFault, MutationReceived } from '../../../drill/drill';
import type { DrillResult } from '../../../drill/result';
import type { FaultKind } from '../../../drill/sandbox';
import { ECS_CLUSTER, FRONTEND_SERVICE, MODEL_PREFERENCE_PARAMETER, PROXY_SERVICE, SEED_MODEL, seedTasks, STUCK_TASK_IDS } from '../../../drill/sandbox';
import { sameValue, stepOf, UNDO_STEP_PREFIX } from '../../../lambdas/domain/undo-plan';
import type { ActionRecord } from '../../../lambdas/shared/ledger';

export const FUNCTION = 'cabruca-segmentation-prod-researcher-agent';
export const TABLE = 'cabruca-segmentation-prod-agent-tasks';
export const PARAMETER = MODEL_PREFERENCE_PARAMETER;
export const CHEAPER_MODEL = 'anthropic.claude-haiku-4-5-20251022-v1:0';
const FRONTEND = `${ECS_CLUSTER}/${FRONTEND_SERVICE}`;
const PROXY = `${ECS_CLUSTER}/${PROXY_SERVICE}`;

export type RunbookName = 'lambda-runaway' | 'dynamodb-throttling' | 'ecs-service-recovery' | 'llm-budget-guardrail';

/** A fault to inject before a step: any kind, on any call the runbook (or its undo) makes, 1 to 20 in a row. */
export interface StepFault {
  readonly call: string;
  readonly kind: FaultKind;
  readonly times: number;
}

/** A person's change to the account between steps. */
export type HumanChange =
  | { readonly kind: 'concurrency'; readonly value: number | null }
  | { readonly kind: 'billing'; readonly onDemand: boolean }
  | { readonly kind: 'task picked up'; readonly task: number }
  | { readonly kind: 'model'; readonly value: string };

export type Step =
  | { readonly kind: 'deliver'; readonly transition: number; readonly faults: readonly StepFault[] }
  | { readonly kind: 'undo'; readonly transition: number; readonly faults: readonly StepFault[] }
  | { readonly kind: 'human'; readonly change: HumanChange };

interface RunbookModel {
  readonly event: string;
  /** Calls worth failing: the runbook's reads and mutations, and its undo's. */
  readonly calls: readonly string[];
  /** The state that makes the runbook's change, and its operation (the drill's timeline line for it once it is done). */
  readonly actState: string;
  readonly actOperation: string;
  readonly human: fc.Arbitrary<HumanChange> | null;
  /** What the runbook's act step sets, and how to tell the account holds it (a re-fired alarm on a target not so must act again). */
  readonly remediated: ((account: Account) => boolean) | null;
  readonly remediates: ((m: MutationReceived) => boolean) | null;
}

const MODELS: Record<RunbookName, RunbookModel> = {
  'lambda-runaway': {
    event: 'events/lambda-runaway.alarm.json',
    calls: ['lambda:GetFunction', 'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency', 'cloudwatch:DescribeAlarms', 'events:ListRuleNamesByTarget', 'ssm:GetParameter'],
    actState: 'Stop function: reserved concurrency 0',
    actOperation: 'lambda:PutFunctionConcurrency',
    human: fc.constantFrom<number | null>(null, 0, 5, 12).map((value) => ({ kind: 'concurrency' as const, value })),
    remediated: (a) => a.concurrency === 0,
    remediates: (m) => m.operation === 'PutFunctionConcurrency' && m.input.FunctionName === FUNCTION && m.input.ReservedConcurrentExecutions === 0,
  },
  'dynamodb-throttling': {
    event: 'events/dynamodb-throttling.alarm.json',
    calls: ['dynamodb:DescribeTable', 'dynamodb:UpdateTable', 'dynamodb:Scan', 'dynamodb:ListBackups', 'dynamodb:CreateBackup', 'dynamodb:DescribeBackup', 'dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'cloudwatch:DescribeAlarms'],
    actState: 'Switch to on-demand',
    actOperation: 'dynamodb:UpdateTable',
    human: fc.oneof(
      fc.boolean().map((onDemand) => ({ kind: 'billing' as const, onDemand })),
      fc.integer({ min: 0, max: STUCK_TASK_IDS.length - 1 }).map((task) => ({ kind: 'task picked up' as const, task })),
    ),
    remediated: (a) => a.table.billingMode === 'PAY_PER_REQUEST',
    remediates: (m) => m.operation === 'UpdateTable' && m.input.TableName === TABLE && m.input.BillingMode === 'PAY_PER_REQUEST',
  },
  'ecs-service-recovery': {
    event: 'events/ecs-service-recovery.alarm.json',
    calls: ['ecs:DescribeServices', 'ecs:UpdateService', 'ecs:ListTasks', 'ecs:DescribeTasks', 'cloudwatch:DescribeAlarms'],
    actState: 'Force new deployment',
    actOperation: 'ecs:UpdateService',
    human: null,
    // A redeploy has no "already done" state to read: a re-run replays one still PRIMARY.
    remediated: null,
    remediates: null,
  },
  'llm-budget-guardrail': {
    event: 'events/llm-budget-guardrail.sns.json',
    calls: ['ssm:GetParameter', 'ssm:PutParameter', 'ce:GetCostAndUsage', 'ecs:DescribeServices', 'ecs:UpdateService'],
    actState: 'Switch model preference',
    actOperation: 'ssm:PutParameter',
    human: fc.constantFrom(SEED_MODEL, CHEAPER_MODEL, 'anthropic.claude-opus-4-1-20250805-v1:0').map((value) => ({ kind: 'model' as const, value })),
    remediated: (a) => a.parameter === CHEAPER_MODEL,
    remediates: (m) => m.operation === 'PutParameter' && m.input.Name === PARAMETER && m.input.Value === CHEAPER_MODEL,
  },
};

export const eventOf = (runbook: RunbookName) => MODELS[runbook].event;

/** Every kind, lost answers (the call applied) and timeouts the most often: they are what a record can get wrong. */
const KIND = fc.oneof(
  { weight: 4, arbitrary: fc.constant<FaultKind>('applied-timeout') },
  { weight: 2, arbitrary: fc.constantFrom<FaultKind>('timeout', 'server-error') },
  { weight: 1, arbitrary: fc.constantFrom<FaultKind>('throttling', 'access-denied', 'not-found') },
);
const MUTATING = /:(Put|Update|Delete|Create)/;

/** Sequences of 1 to `maxSteps` steps on one runbook: deliveries of up to three transitions (again and again), undos, faults, a person's changes. */
export function sequenceArbitrary(runbook: RunbookName, maxSteps: number, options: { undo: boolean }): fc.Arbitrary<Step[]> {
  const model = MODELS[runbook];
  // Mutating calls the most often; every read too.
  const call = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...model.calls.filter((c) => MUTATING.test(c))) },
    { weight: 1, arbitrary: fc.constantFrom(...model.calls) },
  );
  const faults = fc.array(fc.record({ call, kind: KIND, times: fc.integer({ min: 1, max: 20 }) }), { maxLength: 2 });
  const transition = fc.integer({ min: 0, max: 2 });
  const steps: fc.Arbitrary<Step>[] = [
    fc.record({ kind: fc.constant('deliver' as const), transition, faults }),
    fc.record({ kind: fc.constant('deliver' as const), transition, faults: fc.constant([]) }),
  ];
  if (options.undo) steps.push(fc.record({ kind: fc.constant('undo' as const), transition, faults }));
  if (model.human) steps.push(fc.record({ kind: fc.constant('human' as const), change: model.human }));
  return fc.array(fc.oneof(...steps), { minLength: 1, maxLength: maxSteps });
}

export function faultOf(f: StepFault): DrillFault {
  const [service, operation] = f.call.split(':') as [string, string];
  if (service === 'dynamodb') return { service: 'dynamodb', operation, table: TABLE, error: f.kind, times: f.times, holdMs: 2 };
  return { service, operation, error: f.kind, times: f.times, holdMs: 2 } as DrillFault;
}

// ---------------------------------------------------------------------------------------------
// The account as the runbooks change it.

export interface Account {
  readonly concurrency: number | null;
  readonly table: { billingMode: string; read: number | null; write: number | null };
  /** The tasks table's items by task id. */
  readonly items: ReadonlyMap<string, Record<string, unknown>>;
  readonly parameter: string;
  /** The PRIMARY deployment of each service a runbook redeploys. */
  readonly primary: Readonly<Record<string, string | null>>;
  readonly backups: ReadonlySet<string>;
}

export async function readAccount(drill: Drill): Promise<Account> {
  const table = (await drill.directDynamo.send(new DescribeTableCommand({ TableName: TABLE }))).Table;
  const billingMode = table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED';
  const items = ((await drill.directDynamo.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }))).Items ?? []).map((i) => unmarshall(i));
  const services = drill.sandbox.state.ecs.clusters[ECS_CLUSTER]!.services;
  const primary = (name: string) => services[name]?.deployments.find((d) => d.status === 'PRIMARY')?.id ?? null;
  return {
    concurrency: drill.sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency,
    table: {
      billingMode,
      read: billingMode === 'PROVISIONED' ? table?.ProvisionedThroughput?.ReadCapacityUnits ?? null : null,
      write: billingMode === 'PROVISIONED' ? table?.ProvisionedThroughput?.WriteCapacityUnits ?? null : null,
    },
    items: new Map(items.map((i) => [String(i.task_id), i])),
    parameter: drill.sandbox.state.ssm.parameters[PARAMETER]!.value,
    primary: { [FRONTEND]: primary(FRONTEND_SERVICE), [PROXY]: primary(PROXY_SERVICE) },
    backups: new Set(drill.backups().map((b) => b.backupArn)),
  };
}

/** What the sandbox holds at the start (captured once): every sequence starts from it again. */
export interface Seed {
  readonly lambda: unknown;
  readonly ecs: unknown;
  readonly ssm: unknown;
}

export const captureSeed = (drill: Drill): Seed => structuredClone({ lambda: drill.sandbox.state.lambda, ecs: drill.sandbox.state.ecs, ssm: drill.sandbox.state.ssm });

export async function resetAccount(drill: Drill, seed: Seed): Promise<void> {
  drill.clearFaults();
  const state = drill.sandbox.state as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(seed)) state[key] = structuredClone(value);
  const db = drill.directDynamo;
  if ((await drill.tableView(TABLE))?.billingMode === 'PAY_PER_REQUEST') {
    await db.send(new UpdateTableCommand({ TableName: TABLE, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }));
  }
  for (const item of (await db.send(new ScanCommand({ TableName: TABLE }))).Items ?? []) {
    await db.send(new DeleteItemCommand({ TableName: TABLE, Key: { task_id: item.task_id! } }));
  }
  for (const task of seedTasks(new Date())) await db.send(new PutItemCommand({ TableName: TABLE, Item: marshall(task) }));
}

/** The change as a person makes it: straight to the resource (not through the drill's proxy, so no fault meets it). */
export async function applyHuman(drill: Drill, change: HumanChange): Promise<Aspect[]> {
  switch (change.kind) {
    case 'concurrency':
      drill.sandbox.state.lambda.functions[FUNCTION]!.reservedConcurrency = change.value;
      return [`concurrency`];
    case 'model':
      drill.sandbox.state.ssm.parameters[PARAMETER]!.value = change.value;
      return ['parameter'];
    case 'billing': {
      const now = (await drill.tableView(TABLE))?.billingMode;
      if (change.onDemand && now !== 'PAY_PER_REQUEST') await drill.directDynamo.send(new UpdateTableCommand({ TableName: TABLE, BillingMode: 'PAY_PER_REQUEST' }));
      if (!change.onDemand && now === 'PAY_PER_REQUEST') {
        await drill.directDynamo.send(new UpdateTableCommand({ TableName: TABLE, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }));
      }
      return ['table'];
    }
    case 'task picked up': {
      const id = STUCK_TASK_IDS[change.task]!;
      await drill.directDynamo.send(new UpdateItemCommand({
        TableName: TABLE, Key: { task_id: { S: id } }, UpdateExpression: 'SET #s = :running',
        ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':running': { S: 'running' } },
      }));
      return [`item:${id}`];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Aspects: what one row changes, how the account shows it, and which calls reach it.

/** `concurrency`, `table`, `parameter`, `item:<task id>`, `service:<cluster/service>`, `backup:<arn>`. */
export type Aspect = string;

/** The aspects a row changes, each with whether the account holds the row's `after` there. */
function effectsOf(row: ActionRecord): { aspect: Aspect; holds: (a: Account) => boolean }[] {
  const after = row.after as Record<string, unknown> | number | string | null | undefined;
  switch (row.operation) {
    case 'lambda:PutFunctionConcurrency':
    case 'lambda:DeleteFunctionConcurrency':
      return [{ aspect: 'concurrency', holds: (a) => sameValue(a.concurrency, after ?? null) }];
    case 'dynamodb:UpdateTable': {
      const want = after as { billingMode: string; readCapacityUnits?: number; writeCapacityUnits?: number };
      return [{
        aspect: 'table',
        holds: (a) => a.table.billingMode === want.billingMode && (want.billingMode !== 'PROVISIONED' || (a.table.read === want.readCapacityUnits && a.table.write === want.writeCapacityUnits)),
      }];
    }
    case 'ssm:PutParameter':
      return [{ aspect: 'parameter', holds: (a) => a.parameter === after }];
    case 'ecs:UpdateService':
      return [{ aspect: `service:${row.target}`, holds: (a) => a.primary[row.target] === (after as { deploymentId: string }).deploymentId }];
    case 'dynamodb:CreateBackup':
      return [{ aspect: `backup:${String((after as { backupArn: string }).backupArn)}`, holds: (a) => a.backups.has((after as { backupArn: string }).backupArn) }];
    case 'dynamodb:DeleteItem':
      return ((after as { deleted: { task_id: string }[] }).deleted ?? []).map((k) => ({ aspect: `item:${k.task_id}`, holds: (a: Account) => !a.items.has(k.task_id) }));
    case 'dynamodb:PutItem': {
      const done = after as { restored: { task_id: string }[]; unchanged: { task_id: string }[] };
      return [...done.restored, ...done.unchanged].map((k) => ({ aspect: `item:${k.task_id}`, holds: (a: Account) => a.items.has(k.task_id) }));
    }
    default:
      throw new Error(`no aspect known for ${row.operation}`);
  }
}

/** The aspects a row may change whatever its outcome (an unknown delete: every task it read). */
function aspectsOf(row: ActionRecord): Aspect[] {
  if (row.operation === 'dynamodb:DeleteItem') return (((row.before as { items?: { task_id: string }[] }).items) ?? []).map((i) => `item:${i.task_id}`);
  if (row.operation === 'dynamodb:PutItem') return (((row.before as { key: { task_id: string } }[]) ?? [])).map((k) => `item:${k.key.task_id}`);
  if (row.operation === 'dynamodb:CreateBackup') return ['backups'];
  return effectsOf({ ...row, after: row.intended ?? row.after ?? { deleted: [], restored: [], unchanged: [], backupArn: '', deploymentId: '' } }).map((e) => e.aspect);
}

/** The aspect a call that reached the account changes. */
function aspectsOfCall(m: MutationReceived): Aspect[] {
  switch (`${m.service}:${m.operation}`) {
    case 'lambda:PutFunctionConcurrency':
    case 'lambda:DeleteFunctionConcurrency':
      return m.input.FunctionName === FUNCTION ? ['concurrency'] : [];
    case 'dynamodb:UpdateTable':
      return m.input.TableName === TABLE ? ['table'] : [];
    case 'ssm:PutParameter':
      return m.input.Name === PARAMETER ? ['parameter'] : [];
    case 'ecs:UpdateService':
      return [`service:${String(m.input.cluster)}/${String(m.input.service)}`];
    case 'dynamodb:CreateBackup':
      return ['backups'];
    case 'dynamodb:DeleteItem':
      return [`item:${(m.input.Key as { task_id: { S: string } }).task_id.S}`];
    case 'dynamodb:PutItem':
      return [`item:${(m.input.Item as { task_id: { S: string } }).task_id.S}`];
    default:
      return [];
  }
}

const time = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.POSITIVE_INFINITY);

/**
 * Every ledger row says what the account holds: per aspect, the newest row that may have changed it
 * (succeeded, or unknown / at intent: no claim) holds its `after` in the account, unless a person
 * changed that aspect since. Returns what disagrees.
 */
export function ledgerDisagreements(rows: readonly ActionRecord[], account: Account, humanAt: ReadonlyMap<Aspect, number>): string[] {
  const newest = new Map<Aspect, { row: ActionRecord; holds?: (a: Account) => boolean; at: number }>();
  for (const row of rows) {
    if (row.status === 'failed' || row.status === 'planned') continue;
    const settled = row.status === 'succeeded';
    const effects = settled ? effectsOf(row) : aspectsOf(row).map((aspect) => ({ aspect, holds: undefined }));
    const at = settled ? time(row.completedAt) : time(row.attemptedAt ?? row.startedAt);
    for (const e of effects) {
      const seen = newest.get(e.aspect);
      if (!seen || seen.at <= at) newest.set(e.aspect, { row, holds: e.holds, at });
    }
  }
  const out: string[] = [];
  for (const [aspect, { row, holds, at }] of newest) {
    if (!holds || (humanAt.get(aspect) ?? -1) >= at) continue;
    if (!holds(account)) out.push(`${row.actionKey} (${row.status}) says ${JSON.stringify(row.after)} for ${aspect}, the account does not hold it`);
  }
  return out;
}

/**
 * At most one call takes effect per row of intent: per aspect, the calls that took effect are no
 * more than the rows that may have made them, plus the times a person changed it back in between.
 */
export function extraCalls(rows: readonly ActionRecord[], calls: readonly MutationReceived[], humanChanges: ReadonlyMap<Aspect, number>): string[] {
  const allowed = new Map<Aspect, number>();
  for (const row of rows) {
    if (row.status === 'planned') continue;
    for (const aspect of new Set(aspectsOf(row))) allowed.set(aspect, (allowed.get(aspect) ?? 0) + 1);
  }
  const made = new Map<Aspect, number>();
  for (const m of calls.filter((c) => c.applied)) for (const aspect of aspectsOfCall(m)) made.set(aspect, (made.get(aspect) ?? 0) + 1);
  const out: string[] = [];
  for (const [aspect, n] of made) {
    const limit = (allowed.get(aspect) ?? 0) + (humanChanges.get(aspect) ?? 0);
    if (n > limit) out.push(`${n} calls took effect on ${aspect}, for ${allowed.get(aspect) ?? 0} row(s) and ${humanChanges.get(aspect) ?? 0} change(s) by a person`);
  }
  return out;
}

/** The aspects an incident's own rows changed (its undo's excepted), for the undo check. */
export function touchedBy(rows: readonly ActionRecord[]): Aspect[] {
  return [...new Set(rows.filter((r) => !stepOf(r.actionKey).startsWith(UNDO_STEP_PREFIX) && r.status !== 'planned' && r.status !== 'failed')
    .filter((r) => r.operation !== 'ecs:UpdateService' && r.operation !== 'dynamodb:CreateBackup')
    .flatMap((r) => (r.status === 'succeeded' ? effectsOf(r).map((e) => e.aspect) : aspectsOf(r))))];
}

/**
 * What an undo must bring each resource back to: per aspect the incident's oldest row that may
 * have changed it (succeeded or unknown; its undo rows aside), and the value it recorded as `before`.
 */
export function startsOf(rows: readonly ActionRecord[]): Map<Aspect, unknown> {
  const out = new Map<Aspect, unknown>();
  for (const row of rows) {
    if (stepOf(row.actionKey).startsWith(UNDO_STEP_PREFIX) || !['succeeded', 'unknown', 'intent'].includes(row.status)) continue;
    for (const aspect of touchedBy([row])) if (!out.has(aspect)) out.set(aspect, startOf(row, aspect));
  }
  return out;
}

function startOf(row: ActionRecord, aspect: Aspect): unknown {
  const before = row.before as Record<string, unknown> | number | string | null;
  if (aspect === 'table') {
    const b = before as { billingMode: string; readCapacityUnits: number | null; writeCapacityUnits: number | null };
    return { billingMode: b.billingMode, read: b.billingMode === 'PROVISIONED' ? b.readCapacityUnits : null, write: b.billingMode === 'PROVISIONED' ? b.writeCapacityUnits : null };
  }
  if (aspect.startsWith('item:')) {
    const items = ((before as { items?: Record<string, unknown>[] }).items ?? []);
    return items.find((i) => i.task_id === aspect.slice(5)) ?? null;
  }
  return before;
}

/** An aspect's value in the account, to compare a start with an end. */
export function valueAt(account: Account, aspect: Aspect): unknown {
  if (aspect === 'concurrency') return account.concurrency;
  if (aspect === 'table') return account.table;
  if (aspect === 'parameter') return account.parameter;
  if (aspect.startsWith('item:')) return account.items.get(aspect.slice(5)) ?? null;
  throw new Error(`no value for ${aspect}`);
}

/** Names an aspect as the undo's reason would (its resource). */
export const resourceOf = (aspect: Aspect): string =>
  aspect === 'concurrency' ? FUNCTION : aspect === 'parameter' ? PARAMETER : aspect === 'table' || aspect.startsWith('item:') ? TABLE : aspect;

/** Whether a step's run ended remediated (its last notification). */
export const remediatedRun = (r: DrillResult) => r.outcome === 'remediated';

export const modelOf = (runbook: RunbookName) => MODELS[runbook];
