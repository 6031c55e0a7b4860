import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DECISION_VALUES, type Decision, type DecisionValue, type Level } from '../domain/approval';
import { AwsThrottled } from '../shared/errors';
import { ledgerDocumentClient } from '../shared/ledger';

/**
 * Approval requests in the remediation ledger (same table, own keys; rows never expire):
 *   APPROVAL#<requestId> / REQUEST        the gate, the policy, the task token, the status and every
 *                                         decision: the one row that arbitrates the request
 *   INCIDENT#<id> / APPROVAL#<requestId>   the request in its incident's collection (a listing;
 *                                         its status mirrors the REQUEST row's)
 *
 * A decision is accepted only by one conditional write on the REQUEST row: still open, this
 * approver has not decided, nothing else accepted since it was read. The decision that reaches
 * the verdict closes the request in that same write, so the ledger never holds a quorum on an open
 * request, nor a decision that arrived after the close. Step Functions is told afterwards (`told`).
 */
export type Verdict = DecisionValue;
export type RequestStatus = 'open' | Verdict | 'timed-out';

export interface Gate {
  readonly runbook: string;
  readonly step: string;
  /** What fired: the incident's summary and trigger. */
  readonly summary: string;
  readonly firedAt: string;
  readonly operation: string;
  readonly target: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly evidence: unknown;
  readonly severity: string;
}

/** What happens when nobody decides by the deadline: the next level is asked, or the gate's onTimeout applies. */
export interface IfUnanswered {
  readonly nextLevel: Level | null;
  /** Who the next level adds (its request also goes to everyone asked now). */
  readonly nextApprovers: readonly string[];
  readonly onTimeout: 'abort' | 'proceed';
}

/**
 * How Step Functions learnt the verdict: through this request's own task token (the page, or the
 * request handler for an automatic approval), or, when that task had ended first, through the
 * deadline path (the next request's token, or the expire step's result).
 */
export interface Told {
  readonly at: string;
  readonly via: 'own-task' | 'next-request' | 'expire';
}

export interface ApprovalRequest {
  readonly requestId: string;
  readonly incidentId: string;
  readonly executionArn: string;
  readonly gate: Gate;
  readonly level: Level;
  readonly requiredApprovals: number;
  /** An acknowledgement request (the gate's `acknowledge`): the first acknowledgement closes it. */
  readonly acknowledge?: true;
  /** Who may decide (by name), and who may not (the person who started a manual run). */
  readonly approvers: readonly string[];
  readonly startedBy: string | null;
  readonly ifUnanswered: IfUnanswered;
  readonly taskToken: string;
  readonly createdAt: string;
  readonly deadline: string;
  readonly status: RequestStatus;
  /** Every accepted decision, by approver. */
  readonly decisions: Readonly<Record<string, Decision>>;
  /** Bumped by every accepted decision: the condition that makes "tally, then close" one write. */
  readonly version: number;
  readonly outcome?: string;
  readonly closedAt?: string;
  readonly told?: Told;
}

export type NewRequest = Omit<ApprovalRequest, 'status' | 'decisions' | 'version' | 'outcome' | 'closedAt' | 'told'>;

/** What a decision came to: counted (and maybe closing the request), or refused with the reason. */
export type DecideResult =
  | { readonly kind: 'accepted'; readonly request: ApprovalRequest; readonly closedNow: boolean }
  | { readonly kind: 'already-decided'; readonly mine: Decision; readonly request: ApprovalRequest }
  | { readonly kind: 'closed'; readonly request: ApprovalRequest };

/** Decisions that arrive together each re-read and try again; this many losses in a row is a 503 (nothing decided). */
const DECIDE_ATTEMPTS = 12;

const requestKey = (id: string) => ({ pk: `APPROVAL#${id}`, sk: 'REQUEST' });
const incidentRowKey = (incidentId: string, id: string) => ({ pk: `INCIDENT#${incidentId}`, sk: `APPROVAL#${id}` });

export const decisionList = (r: Pick<ApprovalRequest, 'decisions'>): Decision[] =>
  Object.values(r.decisions ?? {}).sort((a, b) => a.at.localeCompare(b.at) || a.approver.localeCompare(b.approver));

/** "alice approved, bob approved": the outcome in words, as the ledger keeps it. */
export const decidedBy = (decisions: readonly Decision[]): string => decisions.map((d) => `${d.approver} ${d.decision}`).join(', ');

export class ApprovalStore {
  private readonly db: DynamoDBDocumentClient;

  constructor(private readonly tableName: string, client: DynamoDBClient = new DynamoDBClient({}), private readonly now: () => Date = () => new Date()) {
    this.db = ledgerDocumentClient(client);
  }

  /** Records a new request (and its row in the incident's collection) before anyone is asked. */
  async create(request: NewRequest, closed?: { status: Verdict; outcome: string }): Promise<ApprovalRequest> {
    const row: ApprovalRequest = {
      ...request, status: closed?.status ?? 'open', decisions: {}, version: 0,
      ...(closed ? { outcome: closed.outcome, closedAt: request.createdAt } : {}),
    };
    await this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...requestKey(request.requestId), ...row },
      ConditionExpression: 'attribute_not_exists(pk)',
    }));
    await this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: {
        ...incidentRowKey(request.incidentId, request.requestId), requestId: request.requestId, step: request.gate.step,
        operation: request.gate.operation, target: request.gate.target, level: request.level, requiredApprovals: request.requiredApprovals,
        approvers: request.approvers, createdAt: request.createdAt, deadline: request.deadline, status: row.status,
        ...(closed ? { outcome: closed.outcome, closedAt: request.createdAt } : {}),
      },
    }));
    return row;
  }

  async get(requestId: string): Promise<ApprovalRequest | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: requestKey(requestId), ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, ...rest } = out.Item;
    return { decisions: {}, version: 0, ...rest } as ApprovalRequest;
  }

  async decisions(requestId: string): Promise<Decision[]> {
    const request = await this.get(requestId);
    return request ? decisionList(request) : [];
  }

  /**
   * Counts one approver's decision, once, and only while the request is open: one conditional
   * write on the request row that also closes it when this decision reaches the verdict
   * (`verdictOf` over every decision, this one included). A decision accepted by someone else
   * between the read and the write makes the write fail; it is then read again and retried.
   */
  async decide(requestId: string, decision: Decision, verdictOf: (decisions: readonly Decision[]) => 'open' | Verdict): Promise<DecideResult> {
    for (let attempt = 0; attempt < DECIDE_ATTEMPTS; attempt++) {
      const request = await this.get(requestId);
      if (!request) throw new Error(`approval request ${requestId} does not exist`);
      const mine = request.decisions[decision.approver];
      if (mine) return { kind: 'already-decided', mine, request };
      if (request.status !== 'open') return { kind: 'closed', request };
      const decisions = { ...request.decisions, [decision.approver]: decision };
      const verdict = verdictOf(decisionList({ decisions }));
      const closing = verdict === 'open' ? {} : { status: verdict, outcome: decidedBy(decisionList({ decisions })), closedAt: this.now().toISOString() };
      const values: Record<string, unknown> = { ':decisions': decisions, ':next': request.version + 1, ':open': 'open', ':version': request.version };
      let update = 'SET #decisions = :decisions, #version = :next';
      if ('status' in closing) {
        update += ', #status = :verdict, outcome = :outcome, closedAt = :at';
        Object.assign(values, { ':verdict': closing.status, ':outcome': closing.outcome, ':at': closing.closedAt });
      }
      try {
        await this.db.send(new UpdateCommand({
          TableName: this.tableName,
          Key: requestKey(requestId),
          UpdateExpression: update,
          ConditionExpression: '#status = :open AND #version = :version',
          ExpressionAttributeNames: { '#status': 'status', '#decisions': 'decisions', '#version': 'version' },
          ExpressionAttributeValues: values,
        }));
      } catch (e: unknown) {
        if (e instanceof ConditionalCheckFailedException) continue;
        throw e;
      }
      const after: ApprovalRequest = { ...request, ...closing, decisions, version: request.version + 1 };
      if ('status' in closing) await this.mirror(after);
      return { kind: 'accepted', request: after, closedNow: 'status' in closing };
    }
    throw new AwsThrottled(`approval request ${requestId}: ${DECIDE_ATTEMPTS} decisions in a row arrived together; nothing was decided by this one`);
  }

  /** Closes an open request undecided (the deadline passed, or a new request superseded it); false when it was no longer open. */
  async expire(request: Pick<ApprovalRequest, 'requestId' | 'incidentId'>, outcome: string): Promise<boolean> {
    const closedAt = this.now().toISOString();
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: requestKey(request.requestId),
        UpdateExpression: 'SET #status = :to, outcome = :outcome, closedAt = :at',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':to': 'timed-out', ':open': 'open', ':outcome': outcome, ':at': closedAt },
      }));
    } catch (e: unknown) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
    await this.mirror({ ...request, status: 'timed-out', outcome, closedAt });
    return true;
  }

  /** Records, once, that Step Functions has the verdict; a second teller changes nothing. */
  async markTold(requestId: string, via: Told['via']): Promise<void> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.tableName,
        Key: requestKey(requestId),
        UpdateExpression: 'SET told = :told',
        ConditionExpression: `attribute_not_exists(told) AND #status IN (${DECISION_VALUES.map((_, i) => `:verdict${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':told': { at: this.now().toISOString(), via }, ...Object.fromEntries(DECISION_VALUES.map((v, i) => [`:verdict${i}`, v])) },
      }));
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  /** The incident's requests (listing rows), oldest first. */
  async forIncident(incidentId: string): Promise<{ requestId: string; step: string; level: Level; status: RequestStatus; createdAt: string }[]> {
    const out = await this.db.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
      ExpressionAttributeValues: { ':pk': `INCIDENT#${incidentId}`, ':a': 'APPROVAL#' },
      ConsistentRead: true,
    }));
    return ((out.Items ?? []) as { requestId: string; step: string; level: Level; status: RequestStatus; createdAt: string }[])
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  private async mirror(r: Pick<ApprovalRequest, 'requestId' | 'incidentId' | 'status' | 'outcome' | 'closedAt'>): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: incidentRowKey(r.incidentId, r.requestId),
      UpdateExpression: 'SET #status = :status, outcome = :outcome, closedAt = :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': r.status, ':outcome': r.outcome ?? null, ':at': r.closedAt ?? null },
    }));
  }
}

export type { DecisionValue };
