/**
 * The registry of reversible operations: for each call a runbook makes whose change the undo can
 * put back, what kind of value a restore compares and sets, how its inverse is planned from the
 * call's ledger row, and how the approval page names it. Pure: no AWS here. How the undo reads and
 * restores each kind is lambdas/undo/resources.ts (typed by RestoreKind, so a kind cannot be left
 * out there); which runbook may have which of its targets restored is its module's `undo`.
 */
import { sameValue } from './canonical';
import { describeKey, type ItemKey } from './item-keys';
import { isRecordedEnvironment, restorePlan } from './function-environment';
import { digestOf, itemAt, recordedItemsAt, type RecordedItems } from './recorded-items';
import type { TagResource } from './tag-resources';

/** The fields of a ledger action row the plan reads. */
export interface RecordedAction {
  readonly actionKey: string;
  readonly operation: string;
  readonly target: string;
  readonly status: string;
  readonly before: unknown;
  readonly after?: unknown;
  /** What the call meant to set: an unsettled row's change, if it took effect. */
  readonly intended?: unknown;
  /** An undo row: the key of the action it put back. */
  readonly undoes?: string;
  readonly executionArn: string;
  /** The call's exact parameters: what tells apart changes one operation makes (a task definition, a forced deployment). */
  readonly parameters?: unknown;
}

/** The restore call that puts one change back, and the values it compares. */
export interface Inverse {
  readonly kind: RestoreKind;
  /** The exact call, as "service:Operation", and its parameters as the API takes them. */
  readonly operation: string;
  readonly target: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** What the runbook set: the resource must still hold it, or someone changed it since. */
  readonly expected: unknown;
  /** What the runbook replaced: the value the restore puts back. */
  readonly restoreTo: unknown;
}

export interface Reversible<K extends string = string> {
  /** The runbook's call whose change can be put back, as its ledger rows name it. */
  readonly operation: string;
  /**
   * Whether a row of the operation is this change: one call may make several (UpdateService sets a
   * task definition, or forces a deployment), told apart by what the row records. A row no entry
   * of its operation recognizes has no inverse (NOT_REVERSIBLE says why). @default every row
   */
  recognizes?(action: RecordedAction): boolean;
  /** What a restore of it compares and sets. */
  readonly kind: K;
  /** The calls a restore of this kind makes. */
  readonly restoreOperations: readonly string[];
  /** What is put back, as the undo's approval page names it. */
  readonly words: string;
  /** Whose tags a target allowlisted by tag has: re-read before its restore. */
  readonly tagResource?: TagResource;
  /** The inverse of one finished change, from its ledger row, or why there is none. */
  inverse(action: RecordedAction): Omit<Inverse, 'kind'> | { why: string };
  /** An unsettled row as the change it meant to make. @default its `intended` is the `after` it would have left */
  asIfInEffect?(action: RecordedAction): RecordedAction | undefined;
  /** Whether a value read now is the value a ledger row describes. @default structural equality */
  holds?(current: unknown, value: unknown): boolean;
}

/** Reserved concurrency, put back as it was: a number, or none (DeleteFunctionConcurrency). */
const reservedConcurrency: Reversible<'lambda-reserved-concurrency'> = {
  operation: 'lambda:PutFunctionConcurrency',
  kind: 'lambda-reserved-concurrency',
  restoreOperations: ['lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'],
  words: 'reserved concurrency',
  tagResource: 'lambda:function',
  inverse({ target, before, after }) {
    if (before === null || before === undefined) {
      return { operation: 'lambda:DeleteFunctionConcurrency', target, parameters: { FunctionName: target }, expected: after, restoreTo: null };
    }
    if (typeof before !== 'number' || !Number.isInteger(before) || before < 0) return { why: `the recorded reserved concurrency ${JSON.stringify(before)} is not a number or "none"` };
    return { operation: 'lambda:PutFunctionConcurrency', target, parameters: { FunctionName: target, ReservedConcurrentExecutions: before }, expected: after, restoreTo: before };
  },
};

interface RoutingRecord { functionVersion?: unknown; additionalVersionWeights?: unknown }

const isWeights = (w: unknown): w is Record<string, number> => !!w && typeof w === 'object' && !Array.isArray(w)
  && Object.entries(w).every(([v, n]) => /^\d+$/.test(v) && typeof n === 'number' && n >= 0 && n <= 1);
/** An alias's routing as a ledger row records it, weights left out where they are 0 (Lambda routes nothing there). */
const routingOf = (value: unknown): { functionVersion: string; additionalVersionWeights: Record<string, number> } | undefined => {
  const r = (value ?? {}) as RoutingRecord;
  if (typeof r.functionVersion !== 'string' || !/^(\d+|\$LATEST)$/.test(r.functionVersion)) return undefined;
  const weights = r.additionalVersionWeights ?? {};
  if (!isWeights(weights)) return undefined;
  return { functionVersion: r.functionVersion, additionalVersionWeights: Object.fromEntries(Object.entries(weights).filter(([, n]) => n > 0)) };
};

/**
 * An alias's routing after a rollback, put back as it was: the version it served and a
 * canary's weights. The restore names the RevisionId it reads just before the call, so a change
 * made since that read is refused by Lambda, not overwritten.
 */
const aliasRouting: Reversible<'lambda-alias'> = {
  operation: 'lambda:UpdateAlias',
  kind: 'lambda-alias',
  restoreOperations: ['lambda:UpdateAlias'],
  words: 'alias version',
  inverse({ target, before, after }) {
    const was = routingOf(before);
    if (!was) return { why: `the recorded alias routing ${JSON.stringify(before)} is not a version and weights` };
    const [functionName, alias] = [target.slice(0, target.lastIndexOf(':')), target.slice(target.lastIndexOf(':') + 1)];
    if (!functionName || !alias) return { why: `${target} does not name an alias as function:alias` };
    return {
      operation: 'lambda:UpdateAlias', target,
      parameters: { FunctionName: functionName, Name: alias, FunctionVersion: was.functionVersion, RoutingConfig: { AdditionalVersionWeights: was.additionalVersionWeights } },
      expected: routingOf(after) ?? after,
      restoreTo: was,
    };
  },
  // A version and its weights; the RevisionId changes with every update and is not part of the value.
  holds: (current, value) => {
    const [now, want] = [routingOf(current), routingOf(value)];
    return now !== undefined && want !== undefined && sameValue(now, want);
  },
};

/**
 * A function's environment variables (a key set where it was missing), put back without the
 * values: the row records every variable as a digest (lambdas/domain/function-environment.ts),
 * before and after, and its parameters name the environment the same way. The restore removes the
 * variables the change added (empties those it set where they were empty), on the environment read
 * just before and only while every variable still has the digest the change left, written with
 * that read's RevisionId: a change made since is left alone and escalated, never overwritten.
 */
const functionEnvironment: Reversible<'lambda-environment'> = {
  operation: 'lambda:UpdateFunctionConfiguration',
  kind: 'lambda-environment',
  restoreOperations: ['lambda:UpdateFunctionConfiguration'],
  words: 'environment variables',
  tagResource: 'lambda:function',
  recognizes: ({ parameters }) => typeof (parameters as { Environment?: unknown } | null | undefined)?.Environment === 'object',
  inverse({ target, before, after }) {
    if (!isRecordedEnvironment(before) || !isRecordedEnvironment(after)) return { why: 'the recorded environment is not a set of variable digests' };
    if (sameValue(before.variables, after.variables)) return { why: 'the function already had these variables: the call changed nothing' };
    const plan = restorePlan(target, before, after);
    if ('why' in plan) return plan;
    return {
      operation: 'lambda:UpdateFunctionConfiguration', target,
      parameters: { FunctionName: target, Environment: { Variables: before.variables }, removes: plan.remove, empties: plan.empty },
      expected: { variables: after.variables }, restoreTo: { variables: before.variables },
    };
  },
  holds: (current, value) => isRecordedEnvironment(current) && isRecordedEnvironment(value) && sameValue(current.variables, value.variables),
};

/** The configuration fields an UpdateFunctionConfiguration sets and the undo puts back (its own names: Timeout, MemorySize). */
const CONFIGURATION_FIELDS = ['Timeout', 'MemorySize'] as const;
const isSettings = (v: unknown): v is Record<string, number> => !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0
  && Object.entries(v).every(([k, n]) => (CONFIGURATION_FIELDS as readonly string[]).includes(k) && typeof n === 'number' && Number.isInteger(n) && n > 0);

/**
 * A function's configuration (its timeout, say), put back field by field: the row records the
 * fields the call set, before and after, and the restore sets the recorded ones again.
 */
const functionConfiguration: Reversible<'lambda-configuration'> = {
  operation: 'lambda:UpdateFunctionConfiguration',
  kind: 'lambda-configuration',
  restoreOperations: ['lambda:UpdateFunctionConfiguration'],
  words: 'function configuration',
  tagResource: 'lambda:function',
  inverse({ target, before, after }) {
    if (!isSettings(before)) return { why: `the recorded configuration ${JSON.stringify(before)} is not a set of ${CONFIGURATION_FIELDS.join(' or ')} values` };
    if (sameValue(before, after)) return { why: 'the function already had this configuration: the call changed nothing' };
    return { operation: 'lambda:UpdateFunctionConfiguration', target, parameters: { FunctionName: target, ...before }, expected: after, restoreTo: before };
  },
  // Compared on the fields the row recorded: the read holds every configurable field.
  holds(current, value) {
    const now = (current ?? {}) as Record<string, unknown>;
    return isSettings(value) && Object.entries(value).every(([k, n]) => now[k] === n);
  },
};

interface IndexCapacity { indexName: string; readCapacityUnits: number | null; writeCapacityUnits: number | null }
interface CapacityRecord { billingMode?: unknown; readCapacityUnits?: unknown; writeCapacityUnits?: unknown; globalSecondaryIndexes?: unknown }

const isUnits = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** A table's capacity mode, put back to provisioned with the table's and every index's throughput. */
const tableCapacity: Reversible<'dynamodb-capacity'> = {
  operation: 'dynamodb:UpdateTable',
  kind: 'dynamodb-capacity',
  restoreOperations: ['dynamodb:UpdateTable'],
  words: 'capacity mode',
  tagResource: 'dynamodb:table',
  inverse({ target, before, after }) {
    const was = (before ?? {}) as CapacityRecord;
    if (was.billingMode === 'PAY_PER_REQUEST') return { why: 'the table was already on-demand: the switch changed nothing' };
    if (was.billingMode !== 'PROVISIONED') return { why: `the recorded billing mode ${JSON.stringify(was.billingMode)} is not PROVISIONED or PAY_PER_REQUEST` };
    const indexes = (Array.isArray(was.globalSecondaryIndexes) ? was.globalSecondaryIndexes : []) as IndexCapacity[];
    // AWS requires the throughput of the table and of every index when switching back to provisioned.
    if (!isUnits(was.readCapacityUnits) || !isUnits(was.writeCapacityUnits) || !indexes.every((i) => isUnits(i.readCapacityUnits) && isUnits(i.writeCapacityUnits))) {
      return { why: 'the recorded provisioned capacities are incomplete: switching back to provisioned needs the throughput of the table and every index' };
    }
    return {
      operation: 'dynamodb:UpdateTable', target,
      parameters: {
        TableName: target,
        BillingMode: 'PROVISIONED',
        ProvisionedThroughput: { ReadCapacityUnits: was.readCapacityUnits, WriteCapacityUnits: was.writeCapacityUnits },
        ...(indexes.length > 0 ? {
          GlobalSecondaryIndexUpdates: indexes.map((i) => ({
            Update: { IndexName: i.indexName, ProvisionedThroughput: { ReadCapacityUnits: i.readCapacityUnits, WriteCapacityUnits: i.writeCapacityUnits } },
          })),
        } : {}),
      },
      expected: after,
      restoreTo: { billingMode: 'PROVISIONED', readCapacityUnits: was.readCapacityUnits, writeCapacityUnits: was.writeCapacityUnits, globalSecondaryIndexes: indexes },
    };
  },
  // A table is compared on what the switch changed (mode, and capacities when provisioned), not on its status or timestamps.
  holds(current, value) {
    const now = (current ?? {}) as Record<string, unknown>;
    const want = (value ?? {}) as Record<string, unknown>;
    if (now.billingMode !== want.billingMode) return false;
    if (want.billingMode === 'PAY_PER_REQUEST') return true;
    return sameValue(
      { r: now.readCapacityUnits, w: now.writeCapacityUnits, i: now.globalSecondaryIndexes ?? [] },
      { r: want.readCapacityUnits, w: want.writeCapacityUnits, i: want.globalSecondaryIndexes ?? [] },
    );
  },
};

/**
 * A String parameter's value, overwritten back. A SecureString's new version (a rotated secret) is
 * not this change: its earlier value is the leaked one, and its row records versions, never values
 * (NOT_REVERSIBLE).
 */
const parameterValue: Reversible<'ssm-parameter'> = {
  operation: 'ssm:PutParameter',
  recognizes: ({ parameters }) => (parameters as { Type?: unknown } | null | undefined)?.Type !== 'SecureString',
  kind: 'ssm-parameter',
  restoreOperations: ['ssm:PutParameter'],
  words: 'parameter value',
  inverse({ target, before, after }) {
    if (typeof before !== 'string') return { why: `the recorded parameter value ${JSON.stringify(before)} is not a string` };
    if (before === after) return { why: 'the parameter already held this value: the call changed nothing' };
    return { operation: 'ssm:PutParameter', target, parameters: { Name: target, Value: before, Type: 'String', Overwrite: true }, expected: after, restoreTo: before };
  },
};

/** Plain JSON all the way down: items are compared (and digested) as JSON, where a set or binary attribute is not itself. */
function jsonSafe(value: unknown): boolean {
  if (value instanceof Set || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return false;
  if (Array.isArray(value)) return value.every(jsonSafe);
  if (value && typeof value === 'object') return Object.values(value).every(jsonSafe);
  return true;
}

interface DeleteRecord { items?: unknown; backupArn?: unknown }
interface DeleteSummary { deleted?: unknown; skipped?: unknown }

const isKey = (k: unknown): k is ItemKey => !!k && typeof k === 'object' && !Array.isArray(k) && Object.keys(k).length > 0
  && Object.values(k).every((v) => typeof v === 'string' || typeof v === 'number');

/**
 * Deleted items (a cleanup of stuck tasks, seed 003 §2): the row's `before.items` holds every item
 * in full, read just before the delete, and `after.deleted` the keys actually deleted. Only those
 * are put back (a skipped item was never deleted), each by a PutItem that only creates: an item
 * someone created again under the same key since is never overwritten. The step names the keys,
 * their count and a digest of the items, never the items: the restore reads them from the row
 * (recorded-items.ts; lambdas/undo/restore-items.ts puts them back).
 */
const deletedItems: Reversible<'dynamodb-items'> = {
  operation: 'dynamodb:DeleteItem',
  kind: 'dynamodb-items',
  restoreOperations: ['dynamodb:PutItem'],
  words: 'deleted items',
  tagResource: 'dynamodb:table',
  inverse({ target, before, after }) {
    const was = (before ?? {}) as DeleteRecord;
    const done = (after ?? {}) as DeleteSummary;
    if (!Array.isArray(done.deleted) || !done.deleted.every(isKey)) return { why: 'the recorded delete does not list the keys it deleted' };
    if (done.deleted.length === 0) {
      const skipped = Array.isArray(done.skipped) ? done.skipped.length : 0;
      return { why: `no task was deleted (${skipped} skipped): nothing to put back` };
    }
    const items = Array.isArray(was.items) ? was.items : [];
    const backup = typeof was.backupArn === 'string' ? `; it is in backup ${was.backupArn}` : '';
    for (const key of done.deleted) {
      const item = itemAt(items, key);
      if (!item) return { why: `the ledger row does not hold the deleted item ${describeKey(key)}, so it cannot be put back from the ledger${backup}` };
      if (!jsonSafe(item)) return { why: `the deleted item ${describeKey(key)} holds a set or binary attribute, which the undo does not compare or put back${backup}` };
    }
    const keys = done.deleted;
    const recorded = recordedItemsAt({ operation: 'dynamodb:DeleteItem', target, status: 'succeeded', before, after }, target, { target, keys });
    if ('why' in recorded) return recorded;
    // Every item carries all its key attributes: "this key attribute does not exist" means "no item has this key".
    const keyAttribute = Object.keys(keys[0]!)[0]!;
    const restoreTo: RecordedItems = { count: keys.length, keys, digest: digestOf(recorded.map((r) => r.item)) };
    return {
      operation: 'dynamodb:PutItem', target,
      parameters: { TableName: target, ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': keyAttribute } },
      // The runbook left no item at any of these keys.
      expected: { count: keys.length, item: null },
      restoreTo,
    };
  },
  // An unsettled cleanup meant to delete every task it read (its `intended`), and only those the row holds.
  asIfInEffect(a) {
    const items = (a.before as { items?: unknown } | null | undefined)?.items;
    const intended = a.intended as { deleted?: unknown } | undefined;
    if (!Array.isArray(items) || !Array.isArray(intended?.deleted)) return undefined;
    const keys = (intended.deleted as ItemKey[]).filter((k) => isKey(k) && itemAt(items, k));
    return { ...a, after: { deleted: keys, skipped: [] } };
  },
};

const TASK_DEFINITION_ARN = /^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/;
const taskDefinitionOf = (value: unknown): string | undefined => {
  const t = (value as { taskDefinition?: unknown } | null | undefined)?.taskDefinition;
  return typeof t === 'string' && TASK_DEFINITION_ARN.test(t) ? t : undefined;
};

/**
 * The task definition an ECS service runs, put back (a deployment rollback's undo): its row's
 * parameters name a task definition, and its `before` the one the service ran. A forced new
 * deployment makes the same call with no task definition: not this change (NOT_REVERSIBLE).
 */
const serviceTaskDefinition: Reversible<'ecs-task-definition'> = {
  operation: 'ecs:UpdateService',
  kind: 'ecs-task-definition',
  restoreOperations: ['ecs:UpdateService'],
  words: 'task definition',
  recognizes: ({ parameters }) => typeof (parameters as { taskDefinition?: unknown } | null | undefined)?.taskDefinition === 'string',
  inverse({ target, before, after }) {
    const was = taskDefinitionOf(before);
    if (!was) return { why: `the recorded task definition ${JSON.stringify(before)} is not a task definition ARN` };
    const [cluster, service, ...rest] = target.split('/');
    if (!cluster || !service || rest.length > 0) return { why: `${target} does not name a service as cluster/service` };
    if (was === taskDefinitionOf(after)) return { why: 'the service already ran this task definition: the call changed nothing' };
    return { operation: 'ecs:UpdateService', target, parameters: { cluster, service, taskDefinition: was }, expected: { taskDefinition: taskDefinitionOf(after) ?? null }, restoreTo: { taskDefinition: was } };
  },
  holds: (current, value) => taskDefinitionOf(current) !== undefined && taskDefinitionOf(current) === taskDefinitionOf(value),
};
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
interface RangeRecord { minCapacity?: unknown; maxCapacity?: unknown; desiredCount?: unknown }
const rangeOf = (v: unknown): { minCapacity: number; maxCapacity: number } | undefined => {
  const r = (v ?? {}) as RangeRecord;
  return isCount(r.minCapacity) && isCount(r.maxCapacity) && r.minCapacity <= r.maxCapacity ? { minCapacity: r.minCapacity, maxCapacity: r.maxCapacity } : undefined;
};
const serviceOf = (target: string) => {
  const [cluster, service] = target.split('/');
  return cluster && service ? { cluster, service } : undefined;
};

/**
 * An ECS service's scalable target, put back to its recorded range (the scale-in): the row records
 * the range and the desired count it replaced. The restore registers the recorded range, then puts
 * the desired count back where the raise left it untouched since (lambdas/undo/resources.ts).
 */
const scalableTargetRange: Reversible<'ecs-scalable-target'> = {
  operation: 'application-autoscaling:RegisterScalableTarget',
  kind: 'ecs-scalable-target',
  restoreOperations: ['application-autoscaling:RegisterScalableTarget', 'ecs:UpdateService'],
  words: 'service capacity (scalable target range)',
  inverse({ target, before, after }) {
    const was = rangeOf(before);
    const service = serviceOf(target);
    if (!was || !service) return { why: `the recorded range ${JSON.stringify(before)} of ${target} is not a minimum and maximum` };
    const desired = (before as RangeRecord).desiredCount;
    const restoreTo = { ...was, ...(isCount(desired) ? { desiredCount: desired } : {}) };
    if (sameValue(was, rangeOf(after))) return { why: 'the scalable target already had this range: the call changed nothing' };
    return {
      operation: 'application-autoscaling:RegisterScalableTarget', target,
      parameters: { ServiceNamespace: 'ecs', ResourceId: `service/${service.cluster}/${service.service}`, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: was.minCapacity, MaxCapacity: was.maxCapacity },
      expected: after, restoreTo,
    };
  },
  // The range decides; the desired count moves with scaling activities and is put back only where it was left alone.
  holds: (current, value) => {
    const [now, want] = [rangeOf(current), rangeOf(value)];
    return now !== undefined && want !== undefined && sameValue(now, want);
  },
};

/**
 * A desired count an ECS service without a scalable target was scaled out to, put back: its row's
 * parameters name a desired count. A forced new deployment makes the same call with neither a
 * desired count nor a task definition: not this change (NOT_REVERSIBLE).
 */
const desiredCount: Reversible<'ecs-desired-count'> = {
  operation: 'ecs:UpdateService',
  kind: 'ecs-desired-count',
  restoreOperations: ['ecs:UpdateService'],
  words: 'desired count',
  recognizes: ({ parameters }) => typeof (parameters as { desiredCount?: unknown } | null | undefined)?.desiredCount === 'number',
  inverse({ target, before, after }) {
    const was = (before ?? {}) as RangeRecord;
    const set = (after ?? {}) as RangeRecord;
    if (!isCount(was.desiredCount) || !isCount(set.desiredCount) || Object.keys(before as object).length !== 1) {
      return { why: 'a forced new deployment keeps the same task definition: there is no earlier value to put back (a service that reads a restored value at start picks it up at its next deployment)' };
    }
    const service = serviceOf(target);
    if (!service) return { why: `${target} does not name a service as cluster/service` };
    if (was.desiredCount === set.desiredCount) return { why: 'the service already had this desired count: the call changed nothing' };
    return { operation: 'ecs:UpdateService', target, parameters: { ...service, desiredCount: was.desiredCount }, expected: { desiredCount: set.desiredCount }, restoreTo: { desiredCount: was.desiredCount } };
  },
  holds: (current, value) => (current as RangeRecord | null)?.desiredCount === (value as RangeRecord | null)?.desiredCount,
};

const ACCESS_KEY_STATUSES = ['Active', 'Inactive'];
/** One key's status in a record of `{ <access key id>: status }`. */
const keyStatusOf = (value: unknown, accessKeyId: string): string | undefined => {
  const status = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[accessKeyId] : undefined;
  return typeof status === 'string' && ACCESS_KEY_STATUSES.includes(status) ? status : undefined;
};

/**
 * An IAM access key's status (a leaked key deactivated), put back as it was. Rows record
 * `{ <access key id>: status }` for the one key the call named; the undo reads all the user's keys
 * (the target is the user) and compares only the keys a row names.
 */
const accessKeyStatus: Reversible<'iam-access-key'> = {
  operation: 'iam:UpdateAccessKey',
  kind: 'iam-access-key',
  restoreOperations: ['iam:UpdateAccessKey'],
  words: 'access key status',
  inverse({ target, before, after, parameters }) {
    const accessKeyId = (parameters as { AccessKeyId?: unknown } | undefined)?.AccessKeyId;
    if (typeof accessKeyId !== 'string') return { why: 'the recorded call names no access key' };
    const was = keyStatusOf(before, accessKeyId);
    if (was === undefined) return { why: `the recorded status of ${accessKeyId} ${JSON.stringify(before)} is not Active or Inactive` };
    const set = keyStatusOf(after, accessKeyId);
    if (was === set) return { why: `access key ${accessKeyId} was already ${was}: the call changed nothing` };
    return {
      operation: 'iam:UpdateAccessKey', target, parameters: { UserName: target, AccessKeyId: accessKeyId, Status: was },
      expected: { [accessKeyId]: set ?? null }, restoreTo: { [accessKeyId]: was },
    };
  },
  // The user's other key (a user has up to two) is not this change: only the keys the row names are compared.
  holds(current, value) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) return sameValue(current, value);
    return Object.entries(value).every(([key, status]) => keyStatusOf(current, key) === status);
  },
};

interface GatewayRecord { name?: unknown; roleArn?: unknown; authorizerType?: unknown }
/** A gateway configuration as a row records it: UpdateGateway's fields, the three it requires present. */
const isGatewayConfig = (v: unknown): v is Record<string, unknown> => {
  const g = (v ?? {}) as GatewayRecord;
  return typeof v === 'object' && !Array.isArray(v) && typeof g.name === 'string' && typeof g.roleArn === 'string' && typeof g.authorizerType === 'string';
};

/**
 * An AgentCore gateway's configuration (the halt's deny-all policy engine attached), put back as
 * a whole: UpdateGateway replaces the configuration, so the restore sends the recorded one, every
 * field of it, and a field the gateway did not have stays absent. Compared as a whole too.
 */
const gatewayConfiguration: Reversible<'agentcore-gateway'> = {
  operation: 'bedrock-agentcore:UpdateGateway',
  kind: 'agentcore-gateway',
  restoreOperations: ['bedrock-agentcore:UpdateGateway'],
  words: 'gateway configuration (its policy engine)',
  inverse({ target, before, after }) {
    if (!isGatewayConfig(before)) return { why: `the recorded configuration of gateway ${target} is not a gateway configuration (name, role and authorizer)` };
    if (sameValue(before, after)) return { why: `gateway ${target} already had this configuration (already halted): the call changed nothing` };
    return { operation: 'bedrock-agentcore:UpdateGateway', target, parameters: { gatewayIdentifier: target, ...before }, expected: after, restoreTo: before };
  },
};

interface ScheduleRecord { Name: string; ScheduleExpression: string }
const scheduleOf = (v: unknown): ScheduleRecord | undefined => {
  const s = v as Partial<ScheduleRecord> | null | undefined;
  return typeof s?.Name === 'string' && typeof s.ScheduleExpression === 'string' ? { Name: s.Name, ScheduleExpression: s.ScheduleExpression } : undefined;
};

/**
 * A timed revert's one-time schedule (EventBridge Scheduler), taken back by deleting it: an early
 * revert must not leave it to fire later. The row's target is the resource the revert is for (a
 * service), its parameters name the schedule; a schedule already gone (it ran and deleted itself, or
 * a person cancelled it) is the value before the runbook: nothing to call.
 */
const revertSchedule: Reversible<'scheduler-schedule'> = {
  operation: 'scheduler:CreateSchedule',
  kind: 'scheduler-schedule',
  restoreOperations: ['scheduler:DeleteSchedule'],
  words: 'scheduled revert',
  inverse({ target, parameters, after }) {
    const p = parameters as { Name?: unknown; GroupName?: unknown; ScheduleExpression?: unknown } | undefined;
    if (typeof p?.Name !== 'string' || typeof p.ScheduleExpression !== 'string') return { why: 'the recorded call names no schedule' };
    const set = scheduleOf(after) ?? { Name: p.Name, ScheduleExpression: p.ScheduleExpression };
    return { operation: 'scheduler:DeleteSchedule', target, parameters: { Name: p.Name, GroupName: typeof p.GroupName === 'string' ? p.GroupName : 'default' }, expected: set, restoreTo: null };
  },
  holds: (current, value) => (value === null ? current === null : scheduleOf(current) !== undefined && sameValue(scheduleOf(current), scheduleOf(value))),
};

/** Every reversible operation, one line each. */
export const REVERSIBLE = [
  reservedConcurrency, tableCapacity, parameterValue, deletedItems, aliasRouting, functionEnvironment, functionConfiguration, serviceTaskDefinition, scalableTargetRange,
  desiredCount, accessKeyStatus, gatewayConfiguration, revertSchedule,
] as const;

export type RestoreKind = (typeof REVERSIBLE)[number]['kind'];
export const RESTORE_KINDS = REVERSIBLE.map((r) => r.kind) as [RestoreKind, ...RestoreKind[]];
/** Every call a restore may make. */
export const RESTORE_OPERATIONS = [...new Set(REVERSIBLE.flatMap((r) => r.restoreOperations))] as [string, ...string[]];

/** Changes that have no inverse, and why (a runbook's plan lists them as not reversible). */
export const NOT_REVERSIBLE: Readonly<Record<string, string>> = {
  'dynamodb:CreateBackup': 'the on-demand backup is kept: it holds the tasks as they were before the delete, and the undo deletes nothing',
  'states:StartExecution': 'a started execution cannot be taken back: it runs to its end (the undo stops nothing)',
  'ecs:RegisterTaskDefinition': 'a registered task definition revision is kept (ECS keeps every revision): the service is put back on the one it ran, and the new revision stays unused',
  'ssm:PutParameter': "a secret's new version has no inverse: putting the leaked value back is never a remediation (rotate it again instead)",
  'ecs:UpdateService': 'a forced new deployment keeps the same task definition: there is no earlier value to put back (a service that reads a restored value at start picks it up at its next deployment)',
  'application:PostKillSwitch': "the application's kill switch has no API inverse: once the incident is over, a person resumes trading and workloads in the operator console (the topbar KillSwitch), after the gateway and the proxy are back",
};

const byKind = new Map<string, Reversible>(REVERSIBLE.map((r) => [r.kind, r]));

/** The registry's entry for a row: of its operation, the one that recognizes what the row records. */
const reversibleOf = (action: RecordedAction): Reversible | undefined =>
  (REVERSIBLE as readonly Reversible[]).find((r) => r.operation === action.operation && (r.recognizes?.(action) ?? true));

/** The registry's entry for a kind of restore (undefined for a kind it does not know). */
export const reversibleOfKind = (kind: string): Reversible | undefined => byKind.get(kind);

/** The inverse call of one finished action, or why there is none. */
export function inverseOf(action: RecordedAction): Inverse | { why: string } {
  const reversible = reversibleOf(action);
  if (!reversible) return { why: NOT_REVERSIBLE[action.operation] ?? `no inverse is known for ${action.operation}` };
  const inverse = reversible.inverse(action);
  return 'why' in inverse ? inverse : { kind: reversible.kind as RestoreKind, ...inverse };
}

/** An unsettled row (its answer lost) as the change it meant to make, or undefined when its row does not say. */
export function asIfInEffect(action: RecordedAction): RecordedAction | undefined {
  const own = reversibleOf(action)?.asIfInEffect;
  if (own) return own(action);
  return action.intended === undefined ? undefined : { ...action, after: action.intended };
}

/** Whether a value read now is the value a ledger row describes, as the kind compares it. */
export function holds(kind: string, current: unknown, value: unknown): boolean {
  const compare = byKind.get(kind)?.holds;
  return compare ? compare(current, value) : sameValue(current, value);
}
