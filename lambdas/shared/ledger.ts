import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { classifyAwsError, IncidentNotResumed } from './errors';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The remediation ledger: one DynamoDB table, one item collection per incident.
 *   INCIDENT#<id> / META            the incident: trigger, runbook, target, execution, outcome
 *   INCIDENT#<id> / ACTION#<key>    one mutating call: intent before the call, outcome after
 *   HISTORY#<runbook>#<target> / META    a target's remediations, and who holds its cooldown until when
 *   EXECUTION#<arn> / FAILURE#<n>   the escalation of a failed run (n: its redrive count), sent once
 *   CAP#<runbook>#<hour>, REDRIVE#<execution> / META   counted slots: a runbook's remediations per hour, its redrives of an execution
 *   INCIDENT#<id> / FACTS#<execution>   what a run held that the rows above do not (its event, admit's decision, its reads), for the report
 *   REPORT#<key> / META             which incident's report an S3 key holds: claimed once, so no report overwrites another's
 * (The last two are written by the report step, lambdas/report/.)
 */
export type IncidentStatus = 'admitted' | 'remediated' | 'skipped' | 'escalated' | 'failed' | 'rejected';
/**
 * `intent`: written before the call; `succeeded` / `failed`: the call's answer (or a re-read) says it
 * took effect / did not; `unknown`: the answer was lost (timeout, 5xx, network) or a multi-call
 * action stopped part way, so only a re-read of the target can tell (performAction reconciles it
 * before anything else touches the target); `planned`: a dry run recorded the exact call and made none.
 */
export type ActionStatus = 'intent' | 'succeeded' | 'failed' | 'planned' | 'unknown';
/** A row whose outcome the ledger does not know yet: the target is read again before anything else happens to it. */
export const isUnsettled = (status: string): boolean => status === 'intent' || status === 'unknown';

export interface IncidentRecord {
  incidentId: string;
  runbook: string;
  target: string;
  dedupeKey: string;
  executionArn: string;
  status: IncidentStatus;
  reason?: string;
  /**
   * Which run of the execution last wrote the status: 0, then one more per redrive. A write of an
   * earlier run (a failure heard late) never overwrites a later run's.
   */
  redriveCount?: number;
  /** The state a failed run failed at (a redrive retries it). */
  failedState?: string;
  summary: string;
  firedAt: string;
  createdAt: string;
  updatedAt: string;
  /** Set once an undo of this incident is started; the incident's own status and rows stay as they were. */
  undoStatus?: UndoStatus;
  undoExecutionArn?: string;
  undoRequestedBy?: string;
  undoReason?: string;
  undoUpdatedAt?: string;
  /** Where its post-incident report is (the S3 key), once the report step has claimed one. */
  reportKey?: string;
}

/**
 * Whether a new undo may claim the incident: none yet, the last one failed or was not approved, or
 * a re-run of the incident finished after the last undo ended (it may have acted again).
 */
export function mayUndoAgain(record: Pick<IncidentRecord, 'undoStatus' | 'updatedAt' | 'undoUpdatedAt'>): boolean {
  const { undoStatus, undoUpdatedAt } = record;
  if (!undoStatus || undoStatus === 'failed' || undoStatus === 'not-approved') return true;
  return undoStatus !== 'undoing' && undoUpdatedAt !== undefined && record.updatedAt > undoUpdatedAt;
}

/**
 * Whether an execution may claim an incident that has a record: its own (a Retry, a redrive), or a
 * failed one no undo is running on (an undo and a re-run would undo each other). The claim's
 * update states the same as its condition, which is what decides.
 */
export function mayTakeOver(record: Pick<IncidentRecord, 'executionArn' | 'status' | 'undoStatus'>, executionArn: string): boolean {
  return record.executionArn === executionArn || (record.status === 'failed' && record.undoStatus !== 'undoing');
}

/** `undoing` while the undo runs; `undone` when every restorable change was put back. */
/** `failed` and `not-approved` leave the incident free to be undone again. */
export type UndoStatus = 'undoing' | 'undone' | 'escalated' | 'failed' | 'not-approved';

export interface ActionRecord {
  incidentId: string;
  actionKey: string;
  runbook: string;
  operation: string;
  target: string;
  executionArn: string;
  status: ActionStatus;
  /** 1 for the first row of a key; see generationKey. */
  generation?: number;
  before: unknown;
  after?: unknown;
  /** The call's exact parameters. */
  parameters?: unknown;
  /** What the call is meant to set: the `after` an `unknown` row is compared with when the target is read again. */
  intended?: unknown;
  /** An undo's restore: the ledger key of the action it puts back. */
  undoes?: string;
  error?: string;
  /** Calls made for this row (0: a plan, or a change found in effect with no call of its own). */
  attempts: number;
  startedAt: string;
  /** When the last attempt began (a row of intent older than the incident's last outcome is no longer in flight). */
  attemptedAt?: string;
  completedAt?: string;
  /** Set when the outcome came from reading the target again, not from the call's answer. */
  reconciledAt?: string;
}

/**
 * Where a later attempt on the same target is recorded, once the first one's change is no longer
 * in effect (undone, or changed by someone since): `<key>#2`, `<key>#3`, ... The first is `<key>`.
 */
export const generationKey = (key: string, generation: number): string => (generation <= 1 ? key : `${key}#${generation}`);
export const generationOf = (row: Pick<ActionRecord, 'generation'>): number => row.generation ?? 1;

/** How a reconcile settled an unsettled row: in effect (with the `after` read now) or not. */
export type Settlement = { inEffect: true; after: unknown } | { inEffect: false; reason: string };

/** The dedupe key of an execution admit rejected before reading an incident: one per execution. */
export const rejectionKey = (executionArn: string) => `rejected|${executionArn}`;
/** The target of such a record: its event named none admit could read. */
export const NO_TARGET = '(none)';
const incidentKey = (id: string) => ({ pk: `INCIDENT#${id}`, sk: 'META' });
/** A target's row: its remediation history, and the cooldown hold on it. */
const historyKey = (runbook: string, target: string) => ({ pk: `HISTORY#${runbook}#${target}`, sk: 'META' });
/**
 * `condition` while nobody holds the target's cooldown or the hold expired: `(attribute_not_exists(untilMs)
 * OR untilMs <= :now) AND condition`, written without the group as one term per way of being free
 * (AND binds before OR). The answers are the same, a hold that is not a number included (it holds);
 * dynalite's parser took 1.5-3 ms of the local ledger's CPU on each parenthesized group.
 */
const whileHoldFree = (condition: string) => ['attribute_not_exists(untilMs)', 'untilMs <= :now'].map((free) => `${free} AND ${condition}`).join(' OR ');
/**
 * The newest remediations a target's row keeps: twice the most a flapping rule may count
 * (`flapping.maxRemediations`, at most 100 in config), and far more than any runbook reads of its
 * earlier remediations (10 at most). Past HISTORY_TRIM_AT the oldest go, in one write now and
 * then, so the row stays far below DynamoDB's 400 KB item limit and each grant's write stays
 * small. The incidents themselves stay.
 */
const HISTORY_KEPT = 200;
const HISTORY_TRIM_AT = 250;

/** One remediation of a target: the incident, and when it took the target's cooldown (or was recorded). */
export interface Remediation { incidentId: string; at: string }
/** A cooldown claim's answer: granted, with the target's history before it; or refused, naming the holder. */
export type CooldownAnswer = { granted: true; history: Remediation[] } | { granted: false; heldBy: string; until: string };

/**
 * Appends one remediation to a target's row, on condition the incident is not in it yet: the part
 * of the write both the cooldown's grant and a plain record make (`appended` fills its values).
 */
const APPEND_REMEDIATION = 'remediations = list_append(if_not_exists(remediations, :empty), :entry) ADD incidentIds :ids';
/** The incident is not in the row's history; true on a row without one (contains of a missing attribute is false). */
const NOT_RECORDED = 'NOT contains(incidentIds, :id)';
const appended = (entry: Remediation) => ({ ':id': entry.incidentId, ':empty': [], ':entry': [entry], ':ids': new Set([entry.incidentId]) });
/** The cooldown's grant: the hold free, and the incident not in the history yet. */
const GRANT_CONDITION = whileHoldFree(NOT_RECORDED);
/** A retried grant: held by this incident, or free with this incident in the history. */
const RETAKE_CONDITION = `heldBy = :id OR ${whileHoldFree('contains(incidentIds, :id)')}`;

/** A target row's list of remediations as stored, oldest first (empty when there is no row). */
const entriesOf = (row: Record<string, unknown> | undefined): Remediation[] => (row?.remediations as Remediation[] | undefined) ?? [];

/** A target row's history, oldest first, each incident once (a retry of an earlier version could add one twice). */
function historyOf(row: Record<string, unknown> | undefined): Remediation[] {
  const seen = new Set<string>();
  return entriesOf(row).filter((r) => {
    if (seen.has(r.incidentId)) return false;
    seen.add(r.incidentId);
    return true;
  });
}

/** A cooldown refused: the holder and its hold's end, as the target's row names them. */
const refusal = (row: Record<string, unknown> | undefined): CooldownAnswer => ({ granted: false, heldBy: String(row?.heldBy ?? 'unknown'), until: String(row?.until ?? '') });

const failureKey = (executionArn: string, redriveCount: number) => ({ pk: `EXECUTION#${executionArn}`, sk: `FAILURE#${redriveCount}` });
const actionKey = (id: string, key: string) => ({ pk: `INCIDENT#${id}`, sk: `ACTION#${key}` });

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as T;
}

/**
 * The item a refused conditional write returns (ReturnValuesOnConditionCheckFailure ALL_OLD), so
 * the caller learns who holds it without a second call; undefined when the answer carries none.
 */
function refusedItem(e: ConditionalCheckFailedException): Record<string, unknown> | undefined {
  return e.Item ? unmarshall(e.Item as Parameters<typeof unmarshall>[0]) : undefined;
}

/**
 * The document client every ledger user (the ledger, the approval store) reads and writes with.
 * After the SDK's own retries, throttling and 5xx become the errors the state machines retry, and
 * a failed condition passes through unchanged for the caller to read.
 */
export function ledgerDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  // The document client shares the client's middleware stack: a second ledger user of one client adds nothing.
  if (db.middlewareStack.identify().some((m) => m.startsWith('classifyLedgerErrors'))) return db;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (e: unknown) {
        throw classifyAwsError(e, `ledger ${String(context.commandName ?? 'call')}`);
      }
    },
    { step: 'initialize', name: 'classifyLedgerErrors' },
  );
  return db;
}

export class Ledger {
  private readonly db: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.db = ledgerDocumentClient(client);
  }

  /** The row a refused conditional write returned, or read at once when the answer carried none. */
  private async refusedRow(e: ConditionalCheckFailedException, key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    return refusedItem(e) ?? (await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }))).Item;
  }

  /**
   * Claims an incident for an execution. A second execution for the same transition gets the
   * existing record back (a duplicate); the same execution (Retry, redrive) reclaims its own, and
   * a failed incident may be taken over by a new execution so operators can run it again.
   * One conditional write: a plain put that only a new incident passes, whose refusal returns the
   * existing record. Only when that record is one this execution may take (its own, or failed and
   * not being undone) does a second, conditional update claim it, deciding again on the row as it
   * is then. A refusal read as a duplicate is the answer that update would have had at that moment.
   */
  async claimIncident(
    record: Omit<IncidentRecord, 'status' | 'createdAt' | 'updatedAt' | 'failedState'>,
  ): Promise<{ claimed: true } | { claimed: false; existing: IncidentRecord }> {
    const at = this.now().toISOString();
    // What a claim writes, whichever write makes it: the put below, or the update of reclaimIncident.
    const claim: Omit<IncidentRecord, 'createdAt'> = {
      incidentId: record.incidentId, runbook: record.runbook, target: record.target, dedupeKey: record.dedupeKey, executionArn: record.executionArn,
      summary: record.summary, firedAt: record.firedAt, status: 'admitted', redriveCount: record.redriveCount ?? 0, updatedAt: at,
    };
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...incidentKey(record.incidentId), ...claim, createdAt: at },
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { claimed: true };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const existing = strip<IncidentRecord>(refusedItem(e)) ?? await this.getIncident(record.incidentId);
      if (existing && !mayTakeOver(existing, record.executionArn)) return { claimed: false, existing };
    }
    return this.reclaimIncident(claim);
  }

  /** The claim of an incident that has a record: its own execution's, or a failed one not being undone (mayTakeOver, as a condition). */
  private async reclaimIncident(claim: Omit<IncidentRecord, 'createdAt'>): Promise<{ claimed: true } | { claimed: false; existing: IncidentRecord }> {
    const fields = Object.keys(claim) as (keyof typeof claim)[];
    try {
      // An update, not a put: a retried or taken-over claim keeps the incident's first createdAt.
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: incidentKey(claim.incidentId),
        UpdateExpression: `SET ${fields.map((f) => `#${f} = :${f}`).join(', ')}, #createdAt = if_not_exists(#createdAt, :updatedAt) REMOVE #reason, #failedState`,
        // A failed incident is taken over only while no undo of it runs: a re-run acting while the undo restores would undo the undo.
        // (NOT a = b holds when a is missing too; dynalite's parser takes milliseconds on nested parentheses.)
        ConditionExpression: 'attribute_not_exists(pk) OR #executionArn = :executionArn OR (#status = :failed AND NOT undoStatus = :undoing)',
        ExpressionAttributeNames: Object.fromEntries([...fields, 'createdAt', 'reason', 'failedState'].map((f) => [`#${f}`, f])),
        ExpressionAttributeValues: { ...Object.fromEntries(fields.map((f) => [`:${f}`, claim[f]])), ':failed': 'failed', ':undoing': 'undoing' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { claimed: true };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const existing = strip<IncidentRecord>(refusedItem(e)) ?? await this.getIncident(claim.incidentId);
      if (!existing) throw new Error(`Incident ${claim.incidentId} vanished while being claimed`, { cause: e });
      return { claimed: false, existing };
    }
  }

  /**
   * Records an execution admit turned away before it could read an incident from its event (a
   * malformed event, a state that is not ALARM, a kind the runbook is not started by): one row,
   * rejected, keyed by the execution (a retried admit or a redrive writes the same row again), so
   * nothing a rule delivered is dropped without a trace.
   */
  async recordRejection(record: { incidentId: string; runbook: string; executionArn: string; summary: string; reason: string; redriveCount?: number }): Promise<void> {
    const at = this.now().toISOString();
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: incidentKey(record.incidentId),
      UpdateExpression: 'SET incidentId = :id, runbook = :runbook, target = :target, dedupeKey = :dedupe, executionArn = :exec, '
        + 'summary = :summary, firedAt = if_not_exists(firedAt, :at), #status = :rejected, reason = :reason, redriveCount = :run, updatedAt = :at, createdAt = if_not_exists(createdAt, :at)',
      ConditionExpression: 'attribute_not_exists(pk) OR executionArn = :exec',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':id': record.incidentId, ':runbook': record.runbook, ':target': NO_TARGET, ':dedupe': rejectionKey(record.executionArn),
        ':exec': record.executionArn, ':summary': record.summary, ':rejected': 'rejected', ':reason': record.reason,
        ':run': record.redriveCount ?? 0, ':at': at,
      },
    }));
  }

  /**
   * Takes the cooldown for a target and records the remediation in its history, in one conditional
   * write of the target's row: granted when nobody holds the cooldown or the hold expired, and the
   * incident is not in the history yet. The answer carries the history as it was before (the
   * flapping rail's read), from the same write. A refusal returns the row: the holder's, or one
   * this incident is already in (a retried admit), which takes the hold again without a second entry.
   */
  async claimCooldown(runbook: string, target: string, incidentId: string, cooldownMs: number): Promise<CooldownAnswer> {
    const now = this.now();
    const untilMs = now.getTime() + cooldownMs;
    const key = historyKey(runbook, target);
    const hold = { ':id': incidentId, ':until': untilMs, ':untilText': new Date(untilMs).toISOString(), ':now': now.getTime() };
    const entry: Remediation = { incidentId, at: now.toISOString() };
    try {
      const out = await this.db.send(new UpdateCommand({
        TableName: this.tableName, Key: key,
        UpdateExpression: `SET runbook = :runbook, #target = :target, heldBy = :id, untilMs = :until, #until = :untilText, ${APPEND_REMEDIATION}`,
        ConditionExpression: GRANT_CONDITION,
        ExpressionAttributeNames: { '#until': 'until', '#target': 'target' },
        ExpressionAttributeValues: { ...hold, ...appended(entry), ':runbook': runbook, ':target': target },
        ReturnValues: 'ALL_OLD', ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      const before = out.Attributes;
      // A row an earlier version wrote (history, no hold): that version kept the hold apart; honour a live one.
      if (before !== undefined && before.untilMs === undefined) {
        const legacy = await this.legacyHold(runbook, target, incidentId, now.getTime());
        if (legacy) return this.giveBack(runbook, target, incidentId, legacy);
      }
      await this.trimHistory(runbook, target, [...entriesOf(before), entry]);
      return { granted: true, history: historyOf(before) };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const row = await this.refusedRow(e, key);
      const recorded = (row?.incidentIds as Set<string> | undefined)?.has(incidentId) === true;
      const live = typeof row?.untilMs === 'number' && row.untilMs > now.getTime();
      return row?.heldBy === incidentId || (recorded && !live) ? this.retake(key, hold, row) : refusal(row);
    }
  }

  /**
   * This incident is in the history already (a retried admit): it takes the hold again from now,
   * as its first claim did, if it still holds it or the hold lapsed; no second entry.
   */
  private async retake(key: Record<string, string>, hold: Record<string, string | number>, row: Record<string, unknown> | undefined): Promise<CooldownAnswer> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName, Key: key,
        UpdateExpression: 'SET heldBy = :id, untilMs = :until, #until = :untilText',
        ConditionExpression: RETAKE_CONDITION,
        ExpressionAttributeNames: { '#until': 'until' }, ExpressionAttributeValues: hold,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { granted: true, history: historyOf(row) };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      // Another incident took the hold since the row was read.
      return refusal(await this.refusedRow(e, key));
    }
  }

  /** A live hold another incident has on the row an earlier version kept cooldowns in (`COOLDOWN#`), if any. */
  private async legacyHold(runbook: string, target: string, incidentId: string, nowMs: number): Promise<{ heldBy: string; untilMs: number; until: string } | undefined> {
    const row = (await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: `COOLDOWN#${runbook}#${target}`, sk: 'META' }, ConsistentRead: true }))).Item;
    if (typeof row?.untilMs !== 'number' || row.untilMs <= nowMs || row.incidentId === incidentId) return undefined;
    return { heldBy: String(row.incidentId), untilMs: row.untilMs, until: String(row.until) };
  }

  /** Hands a hold just taken to the earlier holder, and takes this incident's entry back out: refused, as that version would have. */
  private async giveBack(runbook: string, target: string, incidentId: string, legacy: { heldBy: string; untilMs: number; until: string }): Promise<CooldownAnswer> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName, Key: historyKey(runbook, target),
      UpdateExpression: 'SET heldBy = :holder, untilMs = :until, #until = :untilText',
      ConditionExpression: 'heldBy = :id',
      ExpressionAttributeNames: { '#until': 'until' },
      ExpressionAttributeValues: { ':holder': legacy.heldBy, ':until': legacy.untilMs, ':untilText': legacy.until, ':id': incidentId },
    }));
    await this.forgetRemediation(runbook, target, incidentId);
    return { granted: false, heldBy: legacy.heldBy, until: legacy.until };
  }

  /** Remediations of a target so far (oldest first, each incident once), for flapping protection and the rollback history. */
  async remediationHistory(runbook: string, target: string): Promise<Remediation[]> {
    return historyOf(await this.targetRow(runbook, target));
  }

  private async targetRow(runbook: string, target: string): Promise<Record<string, unknown> | undefined> {
    return (await this.db.send(new GetCommand({ TableName: this.tableName, Key: historyKey(runbook, target), ConsistentRead: true }))).Item;
  }

  /**
   * Appends a remediation to the target's history without taking its cooldown (an event whose every
   * occurrence acts), once per incident (a retried admit adds nothing).
   */
  async recordRemediation(runbook: string, target: string, incidentId: string): Promise<void> {
    try {
      const out = await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: historyKey(runbook, target),
        UpdateExpression: `SET ${APPEND_REMEDIATION}`,
        ConditionExpression: NOT_RECORDED,
        ExpressionAttributeValues: appended({ incidentId, at: this.now().toISOString() }),
        ReturnValues: 'UPDATED_NEW',
      }));
      await this.trimHistory(runbook, target, entriesOf(out.Attributes));
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  /**
   * Drops the oldest remediations of a row that has grown past HISTORY_TRIM_AT, keeping the newest
   * HISTORY_KEPT, given the list as the caller's write left it: on condition the row holds that list
   * still (its size and ends); otherwise a later write trims.
   */
  private async trimHistory(runbook: string, target: string, list: readonly Remediation[]): Promise<void> {
    if (list.length <= HISTORY_TRIM_AT) return;
    const kept = list.slice(list.length - HISTORY_KEPT);
    const gone = list.slice(0, list.length - HISTORY_KEPT);
    try {
      // The kept list written whole, on condition the row still holds exactly the list read (one REMOVE per index would shift the rest).
      await this.db.send(new UpdateCommand({
        TableName: this.tableName, Key: historyKey(runbook, target),
        UpdateExpression: 'SET remediations = :kept DELETE incidentIds :gone',
        ConditionExpression: `size(remediations) = :size AND remediations[0].incidentId = :first AND remediations[${gone.length}].incidentId = :firstKept`,
        ExpressionAttributeValues: {
          ':kept': kept, ':gone': new Set(gone.map((r) => r.incidentId)), ':size': list.length, ':first': gone[0]!.incidentId, ':firstKept': kept[0]!.incidentId,
        },
      }));
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  /**
   * Takes an incident's entries back out of the target's history: one that took the cooldown and
   * was then held by a rail (flapping, the hourly cap) changed nothing. Each entry is removed by
   * its position, on condition it is still this incident's; the cooldown stays held.
   */
  async forgetRemediation(runbook: string, target: string, incidentId: string): Promise<void> {
    // One entry per write (one REMOVE per index would shift the rest); another write meanwhile moves the positions: read again.
    for (let attempt = 1; ; attempt++) {
      const list = entriesOf(await this.targetRow(runbook, target));
      const at = list.findIndex((r) => r.incidentId === incidentId);
      if (at < 0) return;
      const last = list.findLastIndex((r) => r.incidentId === incidentId) === at;
      try {
        await this.db.send(new UpdateCommand({
          TableName: this.tableName, Key: historyKey(runbook, target),
          UpdateExpression: `REMOVE remediations[${at}]${last ? ' DELETE incidentIds :ids' : ''}`,
          ConditionExpression: `remediations[${at}].incidentId = :id`,
          ExpressionAttributeValues: { ':id': incidentId, ...(last ? { ':ids': new Set([incidentId]) } : {}) },
        }));
        if (last) return;
      } catch (e: unknown) {
        if (!(e instanceof ConditionalCheckFailedException) || attempt >= 5) throw e;
      }
    }
  }

  /**
   * Takes one of the runbook's remediation slots for this clock hour. The set of incidents makes
   * it race-free (a conditional write) and idempotent (an incident already counted keeps its slot).
   */
  async claimHourlySlot(runbook: string, hour: string, incidentId: string, cap: number): Promise<{ granted: true } | { granted: false; used: number }> {
    return this.claimSlot(`CAP#${runbook}#${hour}`, incidentId, cap, 2 * 86400);
  }

  /**
   * Takes one of the `cap` slots kept under a key (`<KIND>#...`, e.g. `REDRIVE#<execution ARN>`: a
   * runbook's actions on one resource across incidents), for `ttlSeconds`: race-free, and an
   * incident already counted keeps its slot.
   */
  async claimSlot(key: string, incidentId: string, cap: number, ttlSeconds: number): Promise<{ granted: true } | { granted: false; used: number }> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: key, sk: 'META' },
        UpdateExpression: 'ADD incidents :ids SET expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(incidents) OR size(incidents) < :cap OR contains(incidents, :id)',
        ExpressionAttributeValues: {
          ':ids': new Set([incidentId]), ':id': incidentId, ':cap': cap,
          ':expires': Math.ceil(this.now().getTime() / 1000) + ttlSeconds,
        },
      }));
      return { granted: true };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      return { granted: false, used: cap };
    }
  }

  /** The incidents holding slots under a key (claimSlot). */
  async slotsTaken(key: string): Promise<string[]> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: key, sk: 'META' }, ConsistentRead: true }));
    return [...((out.Item?.incidents as Set<string> | undefined) ?? [])].sort();
  }

  /**
   * Records the outcome of an incident; only the execution that owns it may, and only from its
   * latest run (`redriveCount`: 0, then one more per redrive).
   */
  async finishIncident(incidentId: string, executionArn: string, status: IncidentStatus, reason: string, redriveCount = 0): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: incidentKey(incidentId),
      UpdateExpression: 'SET #status = :status, reason = :reason, redriveCount = :run, updatedAt = :at' + (status === 'failed' ? '' : ' REMOVE failedState'),
      // NOT a > b holds when a is missing too (a record from before redrive counts): no parentheses for dynalite's parser.
      ConditionExpression: 'executionArn = :exec AND NOT redriveCount > :run',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':reason': reason, ':at': this.now().toISOString(), ':exec': executionArn, ':run': redriveCount },
    }));
  }

  /**
   * A redriven run of the incident's execution takes it back before acting: `failed` (or a run
   * still recorded as running) becomes `admitted` again, for this run. Once per run: a later step
   * of the same run finds it taken. Refused when another execution took the incident over, or
   * while its undo runs (the redrive would undo the undo): the step then acts on nothing.
   */
  async resumeIncident(incidentId: string, executionArn: string, redriveCount: number): Promise<{ resumed: boolean }> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: incidentKey(incidentId),
        UpdateExpression: 'SET #status = :admitted, redriveCount = :run, updatedAt = :at REMOVE reason',
        ConditionExpression: 'executionArn = :exec AND NOT redriveCount >= :run AND NOT undoStatus = :undoing',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':admitted': 'admitted', ':run': redriveCount, ':exec': executionArn, ':undoing': 'undoing', ':at': this.now().toISOString() },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { resumed: true };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const existing = strip<IncidentRecord>(refusedItem(e)) ?? await this.getIncident(incidentId);
      if (existing?.executionArn === executionArn && (existing.redriveCount ?? 0) >= redriveCount) return { resumed: false };
      throw new IncidentNotResumed(!existing ? `incident ${incidentId} has no record: this redrive acts on nothing`
        : existing.executionArn !== executionArn ? `incident ${incidentId} is now handled by ${existing.executionArn} (${existing.status}): this redrive of ${executionArn} acts on nothing`
        : `incident ${incidentId} is being undone by ${existing.undoExecutionArn ?? 'an undo'}: this redrive acts on nothing until the undo has finished`);
    }
  }

  /**
   * Records that a run of the incident's execution failed at a state (heard after the execution
   * ended): only the execution that owns the incident, and only if no later run has written since.
   */
  async markIncidentFailed(incidentId: string, executionArn: string, redriveCount: number, failedState: string, reason: string): Promise<{ marked: true } | { marked: false; existing: IncidentRecord | undefined }> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: incidentKey(incidentId),
        UpdateExpression: 'SET #status = :failed, reason = :reason, failedState = :state, redriveCount = :run, updatedAt = :at',
        ConditionExpression: 'executionArn = :exec AND NOT redriveCount > :run',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed', ':reason': reason, ':state': failedState, ':run': redriveCount, ':exec': executionArn, ':at': this.now().toISOString() },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { marked: true };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      return { marked: false, existing: strip<IncidentRecord>(refusedItem(e)) ?? await this.getIncident(incidentId) };
    }
  }

  /**
   * Claims the escalation of one failed run (execution ARN and redrive count): granted once, or
   * again after `leaseMs` when an earlier claim never finished (its function timed out). `sent`: it
   * was escalated already; `inFlight`: another delivery holds it now.
   */
  async claimFailureNotice(executionArn: string, redriveCount: number, leaseMs: number): Promise<{ claimed: true; claimId: string } | { claimed: false; sent: boolean }> {
    const now = this.now();
    const claimId = randomUUID();
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: failureKey(executionArn, redriveCount),
        UpdateExpression: 'SET executionArn = :exec, redriveCount = :run, #status = :claimed, claimId = :claim, claimedAtMs = :now, claimedAt = :at, '
          + 'deliveries = if_not_exists(deliveries, :zero) + :one',
        ConditionExpression: 'attribute_not_exists(pk) OR (#status = :claimed AND claimedAtMs < :expired)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':exec': executionArn, ':run': redriveCount, ':claimed': 'claimed', ':claim': claimId, ':now': now.getTime(), ':at': now.toISOString(),
          ':expired': now.getTime() - leaseMs, ':zero': 0, ':one': 1,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { claimed: true, claimId };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const held = await this.refusedRow(e, failureKey(executionArn, redriveCount));
      return { claimed: false, sent: held?.status === 'sent' };
    }
  }

  /** The escalation went out: what it said stays with the claim, and no delivery sends it again. */
  async failureNoticeSent(executionArn: string, redriveCount: number, claimId: string, notice: Readonly<Record<string, unknown>>): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: failureKey(executionArn, redriveCount),
      UpdateExpression: 'SET #status = :sent, notice = :notice, sentAt = :at',
      ConditionExpression: 'claimId = :claim',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sent': 'sent', ':notice': notice, ':claim': claimId, ':at': this.now().toISOString() },
    }));
  }

  /** The escalation could not be sent: the next delivery may claim it at once. */
  async releaseFailureNotice(executionArn: string, redriveCount: number, claimId: string): Promise<void> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: failureKey(executionArn, redriveCount),
        UpdateExpression: 'SET claimedAtMs = :zero',
        ConditionExpression: 'claimId = :claim AND #status = :claimed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':zero': 0, ':claim': claimId, ':claimed': 'claimed' },
      }));
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  async getIncident(incidentId: string): Promise<IncidentRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: incidentKey(incidentId), ConsistentRead: true }));
    return strip<IncidentRecord>(out.Item);
  }

  async getAction(incidentId: string, key: string): Promise<ActionRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: actionKey(incidentId, key), ConsistentRead: true }));
    return strip<ActionRecord>(out.Item);
  }

  /**
   * The newest row of an action key (`<key>`, `<key>#2`, ...): the one a step acts on. Rows of other
   * targets whose name merely starts like this one are not counted.
   */
  async latestAction(incidentId: string, key: string): Promise<ActionRecord | undefined> {
    const out = await this.db.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :key)',
      ExpressionAttributeValues: { ':pk': `INCIDENT#${incidentId}`, ':key': `ACTION#${key}` },
      ConsistentRead: true,
    }));
    const ofKey = (out.Items ?? []).map((i) => strip<ActionRecord>(i) as ActionRecord)
      .filter((r) => r.actionKey === key || (r.actionKey.startsWith(`${key}#`) && /^\d+$/.test(r.actionKey.slice(key.length + 1))));
    return ofKey.sort((a, b) => generationOf(b) - generationOf(a))[0];
  }

  /** Every action of an incident, oldest first. */
  async listActions(incidentId: string): Promise<ActionRecord[]> {
    const out = await this.db.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :action)',
      ExpressionAttributeValues: { ':pk': `INCIDENT#${incidentId}`, ':action': 'ACTION#' },
      ConsistentRead: true,
    }));
    return (out.Items ?? []).map((i) => strip<ActionRecord>(i) as ActionRecord).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /**
   * Writes the row of intent before a mutating call. Returns the existing row instead when one is
   * already there (a Retry or redrive of the same step), so its recorded `before` is kept.
   */
  async recordIntent(
    action: Omit<ActionRecord, 'status' | 'attempts' | 'startedAt' | 'attemptedAt' | 'after' | 'error' | 'completedAt' | 'reconciledAt'>,
  ): Promise<{ created: true } | { created: false; existing: ActionRecord }> {
    const at = this.now().toISOString();
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...actionKey(action.incidentId, action.actionKey), ...action, status: 'intent', attempts: 1, startedAt: at, attemptedAt: at },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return { created: true };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const existing = await this.getAction(action.incidentId, action.actionKey);
      if (!existing) throw new Error(`Action ${action.actionKey} vanished while being recorded`, { cause: e });
      return { created: false, existing };
    }
  }

  /**
   * Records a change found in effect with no call of this action's (its own call was refused, and a
   * read since shows the target as the call would have left it: fixed by hand, or so already):
   * `succeeded` with no attempt, `before` and `after` as read, settled by that read. Returns the
   * existing row instead when a concurrent attempt wrote this key first.
   */
  async recordFoundInEffect(
    action: Omit<ActionRecord, 'status' | 'attempts' | 'startedAt' | 'attemptedAt' | 'error' | 'completedAt' | 'reconciledAt'>,
  ): Promise<{ created: true; row: ActionRecord } | { created: false; existing: ActionRecord }> {
    const at = this.now().toISOString();
    const row: ActionRecord = { ...action, status: 'succeeded', attempts: 0, startedAt: at, completedAt: at, reconciledAt: at };
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...actionKey(action.incidentId, action.actionKey), ...row },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return { created: true, row };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const existing = await this.getAction(action.incidentId, action.actionKey);
      if (!existing) throw new Error(`Action ${action.actionKey} vanished while being recorded`, { cause: e });
      return { created: false, existing };
    }
  }

  /** Records a dry run's planned call: terminal, so a replay of the step plans nothing twice. */
  async recordPlan(
    action: Omit<ActionRecord, 'status' | 'attempts' | 'startedAt' | 'attemptedAt' | 'error' | 'completedAt' | 'reconciledAt'>,
  ): Promise<void> {
    const at = this.now().toISOString();
    try {
      await this.db.send(new PutCommand({
        TableName: this.tableName,
        Item: { ...actionKey(action.incidentId, action.actionKey), ...action, status: 'planned', attempts: 0, startedAt: at, completedAt: at },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  /**
   * Marks a retried action as in flight again, counting the attempt. Only an unfinished action
   * (intent, failed, or unknown and found partly done) is retried: when a concurrent attempt
   * finished it meanwhile, the finished row comes back instead and no call may be made.
   */
  async retryIntent(incidentId: string, key: string): Promise<{ retried: true } | { retried: false; existing: ActionRecord }> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: actionKey(incidentId, key),
        UpdateExpression: 'SET #status = :intent, attempts = attempts + :one, attemptedAt = :at REMOVE #error',
        ConditionExpression: '#status IN (:intent, :failed, :unknown)',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: { ':intent': 'intent', ':failed': 'failed', ':unknown': 'unknown', ':one': 1, ':at': this.now().toISOString() },
      }));
      return { retried: true };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const existing = await this.getAction(incidentId, key);
      if (!existing) throw new Error(`Action ${key} vanished while being retried`, { cause: e });
      return { retried: false, existing };
    }
  }

  async completeAction(incidentId: string, key: string, after: unknown): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: actionKey(incidentId, key),
      UpdateExpression: 'SET #status = :ok, #after = :after, completedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status', '#after': 'after' },
      ExpressionAttributeValues: { ':ok': 'succeeded', ':after': after, ':at': this.now().toISOString() },
    }));
  }

  async failAction(incidentId: string, key: string, error: string): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: actionKey(incidentId, key),
      UpdateExpression: 'SET #status = :failed, #error = :error, completedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: { ':failed': 'failed', ':error': error, ':at': this.now().toISOString() },
    }));
  }

  /**
   * The call's answer was lost (timeout, 5xx, network), or a multi-call action stopped part way:
   * whether it took effect is unknown until the target is read again (performAction reconciles).
   */
  async markUnknown(incidentId: string, key: string, error: string): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: actionKey(incidentId, key),
      UpdateExpression: 'SET #status = :unknown, #error = :error, completedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: { ':unknown': 'unknown', ':error': error, ':at': this.now().toISOString() },
    }));
  }

  /**
   * Settles an unsettled row (intent or unknown) from a re-read of its target: succeeded with the
   * `after` found, or failed (nothing of it took effect). Returns the row as it now is: when another
   * attempt settled or finished it first, that outcome stands.
   */
  async settleAction(incidentId: string, key: string, settlement: Settlement): Promise<ActionRecord> {
    const at = this.now().toISOString();
    try {
      const out = await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: actionKey(incidentId, key),
        UpdateExpression: settlement.inEffect
          ? 'SET #status = :status, #after = :after, completedAt = :at, reconciledAt = :at REMOVE #error'
          : 'SET #status = :status, #error = :error, completedAt = :at, reconciledAt = :at',
        ConditionExpression: '#status IN (:intent, :unknown)',
        ExpressionAttributeNames: settlement.inEffect ? { '#status': 'status', '#after': 'after', '#error': 'error' } : { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':intent': 'intent', ':unknown': 'unknown', ':at': at,
          ...(settlement.inEffect ? { ':status': 'succeeded', ':after': settlement.after } : { ':status': 'failed', ':error': settlement.reason }),
        },
        ReturnValues: 'ALL_NEW',
      }));
      return strip<ActionRecord>(out.Attributes) as ActionRecord;
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const existing = await this.getAction(incidentId, key);
      if (!existing) throw new Error(`Action ${key} vanished while being reconciled`, { cause: e });
      return existing;
    }
  }

  /**
   * Claims an incident for an undo execution: once per incident. The same execution (a Retry or
   * redrive) reclaims its own claim; a failed undo may be taken over by a new one, and so may a
   * finished one once a re-run of the incident has acted since (see mayUndoAgain). The incident's
   * status and action rows are left as they are: the undo is recorded beside them.
   */
  async claimUndo(incidentId: string, executionArn: string, requestedBy: string): Promise<{ claimed: true } | { claimed: false; existing: IncidentRecord | undefined }> {
    const at = this.now().toISOString();
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: incidentKey(incidentId),
        UpdateExpression: 'SET undoStatus = :undoing, undoExecutionArn = :exec, undoRequestedBy = :by, undoUpdatedAt = :at REMOVE undoReason',
        // A finished undo is undone again only after a re-run of the incident (updatedAt later than the undo's end) made new changes.
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(undoStatus) OR undoExecutionArn = :exec OR undoStatus IN (:failed, :notApproved) '
          + 'OR (undoStatus <> :undoing AND updatedAt > undoUpdatedAt))',
        ExpressionAttributeValues: { ':undoing': 'undoing', ':exec': executionArn, ':by': requestedBy, ':at': at, ':failed': 'failed', ':notApproved': 'not-approved' },
      }));
      return { claimed: true };
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      return { claimed: false, existing: await this.getIncident(incidentId) };
    }
  }

  /** Records how an undo ended; only the execution that claimed it may. */
  async finishUndo(incidentId: string, executionArn: string, status: Exclude<UndoStatus, 'undoing'>, reason: string): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: incidentKey(incidentId),
      UpdateExpression: 'SET undoStatus = :status, undoReason = :reason, undoUpdatedAt = :at',
      ConditionExpression: 'undoExecutionArn = :exec',
      ExpressionAttributeValues: { ':status': status, ':reason': reason, ':at': this.now().toISOString(), ':exec': executionArn },
    }));
  }
}
